"""Certificate emails (subject and message template pairs)."""

import logging

from django.urls import reverse

from courses.emails import absolute_url, send_templated

from .documents import verification_url

logger = logging.getLogger(__name__)


def _send(template_prefix: str, certificate, **context) -> None:
    # After commit: a mail outage is logged, never turned into a failed issue or revoke.
    try:
        send_templated(
            template_prefix,
            to=certificate.user.email,
            context={
                "certificate": certificate,
                "verification_url": verification_url(certificate),
                "certificates_url": absolute_url(
                    reverse("assessments:my_certificates")
                ),
                "pdf_url": absolute_url(
                    reverse("assessments:certificate_pdf", args=[certificate.code])
                ),
                **context,
            },
        )
    except Exception:
        logger.exception(
            "Email %s for certificate %s failed", template_prefix, certificate.code
        )


def send_certificate_issued(certificate) -> None:
    _send("assessments/email/certificate_issued", certificate)


def send_certificate_revoked(certificate) -> None:
    _send("assessments/email/certificate_revoked", certificate)


def send_expiry_reminder(certificate) -> None:
    _send("assessments/email/certificate_expiring", certificate)
