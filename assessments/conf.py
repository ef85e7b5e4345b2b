"""App settings with defaults (prefix ASSESSMENTS_)."""

from django.conf import settings


def _get(name, default):
    return getattr(settings, f"ASSESSMENTS_{name}", default)


def post_test_attempt_limit() -> int:
    return _get("POST_TEST_ATTEMPT_LIMIT", 2)


def default_pass_mark() -> int:
    return _get("DEFAULT_PASS_MARK", 75)


def certificate_template() -> str:
    """The HTML/CSS template the PDF is rendered from; a site may point this at its own."""
    return _get("CERTIFICATE_TEMPLATE", "assessments/certificates/certificate_pdf.html")


def certificate_signature_image() -> str:
    """Path to a PNG of the signature printed on certificates; empty for none."""
    return _get("CERTIFICATE_SIGNATURE_IMAGE", "")


def certificate_signatory() -> str:
    return _get("CERTIFICATE_SIGNATORY", "Director of Continuing Education")


def provider_address() -> str:
    return _get("PROVIDER_ADDRESS", "")


def record_retention_years() -> int:
    return _get("RECORD_RETENTION_YEARS", 6)


def verification_rate_limit() -> tuple[int, int]:
    """(requests, seconds) allowed per client address on the public verification pages."""
    return _get("VERIFICATION_RATE_LIMIT", (30, 60))


def expiry_reminder_days() -> int:
    return _get("EXPIRY_REMINDER_DAYS", 30)


def ob3_signing_key_pem() -> str:
    return _get("OB3_SIGNING_KEY", "")


def ob3_signing_key_file() -> str:
    return _get("OB3_SIGNING_KEY_FILE", "")


def internal_tag_prefixes() -> tuple[str, ...]:
    """Question tags that are bookkeeping, not topics: the quiz builder hides them."""
    return tuple(
        _get("INTERNAL_TAG_PREFIXES", ("seed", "post_test", "post-test", "internal"))
    )
