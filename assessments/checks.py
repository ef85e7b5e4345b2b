from django.conf import settings
from django.core.checks import Error, Warning, register


@register()
def check_certificates(app_configs, **kwargs):
    from . import conf
    from .certificates import credentials

    messages = []
    if conf.record_retention_years() < 6:
        messages.append(
            Error(
                "Certificate, attempt and evaluation records must be kept at least 6 years.",
                hint="Set ASSESSMENTS_RECORD_RETENTION_YEARS to 6 or more.",
                id="assessments.E001",
            )
        )
    if not settings.DEBUG and not credentials.is_configured():
        messages.append(
            Warning(
                "No Open Badges signing key: learners cannot download verifiable credentials.",
                hint="Set OB3_SIGNING_KEY (an Ed25519 private key in PEM) or OB3_SIGNING_KEY_FILE; "
                "`manage.py generate_issuer_key` writes one.",
                id="assessments.W001",
            )
        )
    return messages
