"""Open Badges 3.0 credentials: one module hides the signing library.

Everything that knows about keys, JWKs and JWTs lives here; views and commands only call
the functions below and catch `CredentialError`.

Format (Open Badges 3.0, section 8.2 "JSON Web Token Proof Format", a.k.a. VC-JWT):

* JOSE header: exactly ``{"alg": "EdDSA", "kid": <issuer id>#<JWK thumbprint>,
  "typ": "JWT"}``. OB 3.0 says ``kid`` is "a URI that can be dereferenced to an object
  of type JWK": fetch the issuer profile at the part before ``#`` and take the
  ``verificationMethod`` entry whose ``id`` is the whole ``kid`` (its ``publicKeyJwk``
  has the thumbprint after ``#`` as its own ``kid``). No other header is allowed.
* JWT payload: the OpenBadgeCredential object itself (VC Data Model 2.0, no ``vc``
  wrapper; the ``vc`` claim is the VCDM 1.1 layout that OB 3.0 verifiers only
  tolerate), plus the claims OB 3.0 requires to mirror it: ``iss`` = ``issuer.id``,
  ``jti`` = ``id``, ``sub`` = ``credentialSubject.id``, ``nbf`` = ``validFrom`` and,
  when the credential has a ``validUntil``, ``exp`` = ``validUntil``.

Ed25519 ("EdDSA") is what this site signs with. OB 3.0 names RS256 as the minimum a
verifier must support and permits others; EdDSA is widely supported by VC wallets and
verifiers, but a verifier that only implements RS256 will not verify these tokens.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from datetime import UTC, date, datetime, time
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from courses import conf as courses_conf

from .. import conf

ALGORITHM = "EdDSA"
CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
CRITERIA_NARRATIVE = (
    "Complete every module, pass the final post-test (75% or higher) and submit the "
    "course evaluation."
)
STATUS_TYPE = "1EdTechRevocationList"


class CredentialError(Exception):
    """Base class for everything this module raises on purpose."""


class SigningKeyMissing(CredentialError):
    """No issuer key is configured: credentials cannot be signed or verified here."""


class InvalidCredential(CredentialError):
    """The token is not a valid credential signed by the given key."""


# --- Keys -----------------------------------------------------------------------------


def generate_signing_key_pem() -> str:
    """A new Ed25519 private key as unencrypted PKCS#8 PEM text."""
    key = Ed25519PrivateKey.generate()
    return key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    ).decode("ascii")


def load_signing_key(pem: str | bytes, *, source: str = "the key") -> Ed25519PrivateKey:
    """Parse PEM text into a private key object (opaque to callers)."""
    if isinstance(pem, str):
        # Environment variables often carry the PEM on one line with literal "\n".
        if "\\n" in pem and "\n" not in pem.strip():
            pem = pem.replace("\\n", "\n")
        pem = pem.strip().encode("ascii", errors="replace")
    try:
        key = serialization.load_pem_private_key(pem.strip(), password=None)
    except (TypeError, ValueError) as error:
        raise ImproperlyConfigured(
            f"{source} is not an unencrypted PEM private key: {error}"
        ) from error
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured(f"{source} must be an Ed25519 key.")
    return key


def is_configured() -> bool:
    """Whether an issuer key is set (PEM text) or its key file exists."""
    if conf.ob3_signing_key_pem():
        return True
    path = conf.ob3_signing_key_file()
    return bool(path) and Path(path).is_file()


def signing_key() -> Ed25519PrivateKey:
    """The issuer key: ASSESSMENTS_OB3_SIGNING_KEY (PEM text) if set, else the PEM file
    at ASSESSMENTS_OB3_SIGNING_KEY_FILE. Raises SigningKeyMissing when neither is
    available, ImproperlyConfigured when the key is there but unusable."""
    pem = conf.ob3_signing_key_pem()
    if pem:
        return load_signing_key(pem, source="ASSESSMENTS_OB3_SIGNING_KEY")
    path = conf.ob3_signing_key_file()
    if path and Path(path).is_file():
        return load_signing_key(Path(path).read_bytes(), source=str(path))
    raise SigningKeyMissing(
        "No Open Badges signing key: set ASSESSMENTS_OB3_SIGNING_KEY or run "
        "`manage.py generate_issuer_key`."
    )


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def public_jwk(key: Ed25519PrivateKey | None = None) -> dict:
    """The public half of the issuer key as an OKP/Ed25519 JWK. ``kid`` is the RFC 7638
    SHA-256 thumbprint, so it is stable for a key and changes when the key does."""
    key = key or signing_key()
    x = _b64url(
        key.public_key().public_bytes(
            encoding=serialization.Encoding.Raw, format=serialization.PublicFormat.Raw
        )
    )
    # RFC 7638: the required members only, sorted, no whitespace.
    required = json.dumps(
        {"crv": "Ed25519", "kty": "OKP", "x": x}, separators=(",", ":"), sort_keys=True
    )
    thumbprint = _b64url(hashlib.sha256(required.encode("utf-8")).digest())
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": x,
        "kid": thumbprint,
        "alg": ALGORITHM,
        "use": "sig",
    }


# --- Issuer ---------------------------------------------------------------------------


def issuer_id(base_url: str) -> str:
    """The issuer's URL: it serves the profile below, so it is also where keys are found."""
    return f"{base_url}{reverse('certificates:issuer')}"


def key_id(base_url: str, jwk: dict) -> str:
    """The dereferenceable key URI used as the JWT ``kid``: ``<issuer id>#<thumbprint>``."""
    return f"{issuer_id(base_url)}#{jwk['kid']}"


def issuer_profile(base_url: str, key: Ed25519PrivateKey | None = None) -> dict:
    """The issuer as an OB 3.0 Profile, with its public key so verifiers can fetch it.

    Shape::

        {
          "@context": [VC 2.0, OB 3.0.3],
          "id": "<base>/certificates/issuer/",
          "type": ["Profile"],
          "name": "<provider name>",
          "url": "<base>",
          "verificationMethod": [{
              "id": "<issuer id>#<thumbprint>",      # == the JWT header "kid"
              "type": "JsonWebKey",
              "controller": "<issuer id>",
              "publicKeyJwk": {"kty": "OKP", "crv": "Ed25519", "x": ..., "kid":
                               "<thumbprint>", "alg": "EdDSA", "use": "sig"},
          }],
          "assertionMethod": ["<issuer id>#<thumbprint>"],
          "jwks": {"keys": [<the same JWK>]},      # plain RFC 7517 JWK Set
        }

    ``verificationMethod``/``assertionMethod`` follow the W3C controller-document shape
    (as in DID documents), so ``kid`` dereferences by fragment; ``jwks`` serves JOSE
    tooling that expects a JWK Set. Neither term is in the OB context; the VC 2.0
    context's ``@vocab`` keeps JSON-LD processing from failing on them.
    """
    jwk = public_jwk(key)
    issuer = issuer_id(base_url)
    method_id = f"{issuer}#{jwk['kid']}"
    return {
        "@context": CONTEXT,
        "id": issuer,
        "type": ["Profile"],
        "name": courses_conf.provider_name(),
        "url": base_url,
        "verificationMethod": [
            {
                "id": method_id,
                "type": "JsonWebKey",
                "controller": issuer,
                "publicKeyJwk": jwk,
            }
        ],
        "assertionMethod": [method_id],
        "jwks": {"keys": [jwk]},
    }


def jwk_from_profile(profile: dict, kid: str) -> dict:
    """Dereference a JWT ``kid`` (a URI, or a bare thumbprint) within an issuer profile."""
    for method in profile.get("verificationMethod", []):
        jwk = method.get("publicKeyJwk") or {}
        if kid in (method.get("id"), jwk.get("kid")):
            return jwk
    raise InvalidCredential(f"The issuer profile has no key {kid!r}.")


# --- Credential -----------------------------------------------------------------------


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    # Whole seconds: "nbf"/"exp" are whole seconds and must equal validFrom/validUntil.
    return moment.astimezone(UTC).replace(microsecond=0)


def _iso(moment: datetime) -> str:
    return _utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def _end_of_day(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


def _start_of_day(day: date) -> datetime:
    return datetime.combine(day, time(0, 0, 0), tzinfo=UTC)


def credential_id(base_url: str, code: str) -> str:
    """The public verification page: a real URL a person can open to check the award."""
    return f"{base_url}{reverse('certificates:verify', args=[code])}"


def status_url(base_url: str, code: str) -> str:
    return f"{base_url}{reverse('certificates:status', args=[code])}"


def subject_id(base_url: str, user_id: int) -> str:
    """A pseudonymous, stable id for the learner at this issuer (OB 3.0 VC-JWT needs one
    for ``sub``). No email or username leaves the site through it."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{issuer_id(base_url)}learners/{user_id}')}"


def achievement_id(base_url: str, course) -> str:
    """The course page (the same for every learner of the course), or a per-course
    fallback if the page has no URL."""
    parts = course.get_url_parts() if course is not None else None
    if parts and parts[2]:
        return f"{base_url}{parts[2]}#achievement"
    return f"{base_url}/courses/#course-{getattr(course, 'pk', 'unknown')}"


def _description(certificate) -> str:
    lines = [f"{certificate.course_title}: a course from {certificate.provider_name}."]
    if certificate.ce_hours:
        approved = certificate.ce_approved and certificate.credit_type
        credit = f" ({certificate.credit_type})" if approved else ""
        lines.append(f"{certificate.hours_label}{credit}.")
    if certificate.delivery_format:
        lines.append(f"Format: {certificate.delivery_format}.")
    if certificate.accreditation_statement:
        lines.append(certificate.accreditation_statement.strip())
    return " ".join(lines)


RESULT_TYPES = {
    "consultation_hours": "ext:ConsultationHours",
    "live_contact_hours": "ext:LiveContactHours",
}


def _add_hour_results(subject: dict, entries: list[dict]) -> None:
    """Consultation and live contact hours as typed OB 3.0 results: the achievement
    describes each kind (ResultDescription, with an `ext:` result type, as OB 3.0 allows
    for types outside its enumeration) and the subject's results carry the hours."""
    if not entries:
        return
    achievement = subject["achievement"]
    descriptions, results = [], []
    for entry in entries:
        description_id = f"{achievement['id']}-{entry['type']}"
        descriptions.append(
            {
                "id": description_id,
                "type": ["ResultDescription"],
                "name": entry["label"],
                "resultType": RESULT_TYPES.get(entry["type"], f"ext:{entry['type']}"),
            }
        )
        results.append(
            {
                "type": ["Result"],
                "resultDescription": description_id,
                "value": entry["hours"],
            }
        )
    achievement["resultDescription"] = descriptions
    subject["result"] = results


def build_credential(certificate, *, base_url: str) -> dict:
    """An unsigned OpenBadgeCredential (VC Data Model 2.0) from a certificate's frozen
    fields. Personal data is kept to what a licensing board checks: the learner's name
    (as an OB ``identifier`` of type "name", since AchievementSubject has no ``name``)
    and licence number."""
    issuer = issuer_id(base_url)
    credits = float(certificate.ce_hours)
    subject = {
        "id": subject_id(base_url, certificate.user_id),
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": False,
                "identityHash": certificate.learner_name,
            }
        ],
        "activityEndDate": _iso(_start_of_day(certificate.completion_date)),
        "creditsEarned": credits,
        "achievement": {
            "id": achievement_id(base_url, certificate.course),
            "type": ["Achievement"],
            "achievementType": "Course",
            "name": certificate.course_title,
            "description": _description(certificate),
            "criteria": {"narrative": CRITERIA_NARRATIVE},
            "creditsAvailable": credits,
        },
    }
    if certificate.licence_number:
        subject["licenseNumber"] = certificate.licence_number
    _add_hour_results(subject, certificate.programme_hours or [])
    credential = {
        "@context": CONTEXT,
        "id": credential_id(base_url, certificate.code),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": issuer,
            "type": ["Profile"],
            "name": certificate.provider_name,
        },
        "validFrom": _iso(certificate.issued_at),
        "name": certificate.course_title,
        "credentialSubject": subject,
        "credentialStatus": {
            "id": status_url(base_url, certificate.code),
            "type": STATUS_TYPE,
        },
    }
    if certificate.expires_at:
        credential["validUntil"] = _iso(_end_of_day(certificate.expires_at))
    return credential


# --- Signing and verifying --------------------------------------------------------------


def _parse_iso(value: str) -> datetime:
    return _utc(datetime.fromisoformat(value))


def _issuer_of(credential: dict) -> str:
    issuer = credential.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def _claims_for(credential: dict) -> dict:
    claims = {
        "iss": _issuer_of(credential),
        "jti": credential["id"],
        "nbf": int(_parse_iso(credential["validFrom"]).timestamp()),
    }
    subject_ref = (credential.get("credentialSubject") or {}).get("id")
    if subject_ref:
        claims["sub"] = subject_ref
    if credential.get("validUntil"):
        claims["exp"] = int(_parse_iso(credential["validUntil"]).timestamp())
    return claims


def sign_credential(credential: dict, *, key: Ed25519PrivateKey | None = None) -> str:
    """The credential as an OB 3.0 VC-JWT (compact JWS), signed with the issuer key."""
    key = key or signing_key()
    jwk = public_jwk(key)
    payload = {**credential, **_claims_for(credential)}
    headers = {"kid": f"{_issuer_of(credential)}#{jwk['kid']}", "typ": "JWT"}
    return jwt.encode(payload, key, algorithm=ALGORITHM, headers=headers)


def key_reference(token: str) -> str | None:
    """The unverified header ``kid`` of a token: which key to fetch before verifying."""
    try:
        return jwt.get_unverified_header(token).get("kid")
    except jwt.InvalidTokenError as error:
        raise InvalidCredential(f"Not a JWT: {error}") from error


def verify_credential(token: str, jwk: dict, *, check_dates: bool = True) -> dict:
    """Verify a VC-JWT with only the issuer's public JWK and return its payload (the
    credential plus the JWT claims). Raises InvalidCredential on a bad signature, a
    payload whose claims disagree with the credential (OB 3.0 section 8.2.4.1) and,
    unless check_dates is False, a credential not yet valid or expired."""
    if (
        not isinstance(jwk, dict)
        or jwk.get("kty") != "OKP"
        or jwk.get("crv") != "Ed25519"
    ):
        raise InvalidCredential("The key must be an OKP/Ed25519 public JWK.")
    if "d" in jwk:
        raise InvalidCredential(
            "Refusing a private JWK: verify with the public key only."
        )
    try:
        public_key = jwt.PyJWK(jwk, algorithm=ALGORITHM).key
        header = jwt.get_unverified_header(token)
        if header.get("alg") != ALGORITHM:
            raise InvalidCredential(f"Unexpected algorithm {header.get('alg')!r}.")
        payload = jwt.decode(
            token,
            public_key,
            algorithms=[ALGORITHM],
            options={
                "require": ["iss", "jti", "nbf", "sub"],
                "verify_exp": check_dates,
                "verify_nbf": check_dates,
                "verify_iat": False,
                "verify_aud": False,
            },
        )
    except jwt.PyJWTError as error:
        raise InvalidCredential(str(error) or error.__class__.__name__) from error

    types = payload.get("type") or []
    types = [types] if isinstance(types, str) else types
    if "VerifiableCredential" not in types or "OpenBadgeCredential" not in types:
        raise InvalidCredential("The payload is not an OpenBadgeCredential.")
    try:
        expected = _claims_for(payload)
    except (KeyError, TypeError, ValueError) as error:
        raise InvalidCredential(f"Malformed credential: {error}") from error
    for claim in ("iss", "jti", "nbf", "sub", "exp"):
        if payload.get(claim) != expected.get(claim):
            raise InvalidCredential(
                f"The {claim!r} claim does not match the credential."
            )
    return payload
