from django.apps import apps
from django.core.management.base import BaseCommand

from courses.curriculum.loader import load_curriculum
from courses.roles import ensure_roles


class Command(BaseCommand):
    help = "Create or update the shipped KAP curriculum pages (safe to run repeatedly)."

    def handle(self, *args, **options):
        report = load_curriculum()
        self.stdout.write(
            f"Pages: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged, {report.moved} moved into file order."
        )
        if apps.is_installed("assessments"):
            # Imported here: courses never depends on assessments at import time.
            from assessments.curriculum.loader import load_question_banks

            self.stdout.write(load_question_banks())
        ensure_roles()
        self.stdout.write(self.style.SUCCESS("Curriculum loaded."))
