"""Create the Open Badges 3.0 issuer key (Ed25519, PKCS#8 PEM) once per site."""

import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments import conf
from assessments.certificates import credentials


class Command(BaseCommand):
    help = (
        "Write a new Ed25519 issuer key for Open Badges 3.0 credentials to "
        "ASSESSMENTS_OB3_SIGNING_KEY_FILE (or --path). Never overwrites without --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--path",
            help="Where to write the key (default: ASSESSMENTS_OB3_SIGNING_KEY_FILE).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace an existing key. Credentials signed with the old key stop verifying.",
        )

    def handle(self, *args, path=None, force=False, **options):
        target = Path(path or conf.ob3_signing_key_file() or "")
        if not str(target) or str(target) == ".":
            raise CommandError(
                "No key path: pass --path or set ASSESSMENTS_OB3_SIGNING_KEY_FILE."
            )
        target = target.expanduser()
        if target.is_dir():
            raise CommandError(
                f"{target} is a directory; give the path of the key file."
            )

        if target.exists() and not force:
            self.stdout.write(
                f"{target} already exists; nothing written (use --force to replace it)."
            )
            try:
                kid = credentials.public_jwk(
                    credentials.load_signing_key(target.read_bytes())
                )["kid"]
            except (
                Exception
            ) as error:  # an unreadable key is worth saying, not crashing on
                self.stderr.write(f"The existing file is not a usable key: {error}")
            else:
                self.stdout.write(f"kid: {kid}")
            return

        if target.exists():
            self.stderr.write(
                self.style.WARNING(
                    "Replacing the issuer key: credentials already downloaded were signed with "
                    "the old key and will no longer verify against the issuer profile."
                )
            )
        pem = credentials.generate_signing_key_pem()
        kid = credentials.public_jwk(credentials.load_signing_key(pem))["kid"]
        self._write_private(target, pem)

        self.stdout.write(
            self.style.SUCCESS(f"Wrote a new Ed25519 issuer key to {target}")
        )
        self.stdout.write(f"kid: {kid}")
        if conf.ob3_signing_key_pem():
            self.stderr.write(
                self.style.WARNING(
                    "ASSESSMENTS_OB3_SIGNING_KEY is set and takes precedence over this file."
                )
            )

    @staticmethod
    def _write_private(target: Path, pem: str) -> None:
        directory = target.parent
        if not directory.exists():
            directory.mkdir(mode=0o700, parents=True)
            os.chmod(directory, 0o700)  # mkdir's mode is filtered by the umask
        # Write beside the target with 0600 from the start, then rename into place, so the
        # key is never readable by others and never half-written.
        descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".issuer-key-")
        try:
            os.fchmod(descriptor, 0o600)
            with os.fdopen(descriptor, "w", encoding="ascii") as handle:
                handle.write(pem)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
