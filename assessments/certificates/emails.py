"""Certificate emails (subject and message template pairs), delivered by the task worker.

Each email names its occasion in `key`, so a task that runs twice (a retry, a worker that
died) still sends one email per occasion.
"""

import logging

from django.urls import reverse
from django.utils import timezone

from courses.emails import absolute_url, send_templated

from .documents import verification_url

logger = logging.getLogger(__name__)


def _send(template_prefix: str, certificate, *, occasion: str = "", **context) -> bool:
    """True when the email was queued for the task worker. After commit: a queueing
    failure is logged, never turned into a failed issue or revoke."""
    if not certificate.user.email:
        logger.warning("Certificate %s: the learner has no email", certificate.code)
        return False
    try:
        send_templated(
            template_prefix,
            key=(
                f"{template_prefix}:{certificate.code}:{occasion}" if occasion else None
            ),
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
        return False
    return True


def send_certificate_issued(certificate) -> bool:
    return _send(
        "assessments/certificates/email/certificate_issued",
        certificate,
        occasion="issued",
    )


def send_certificate_revoked(certificate) -> bool:
    return _send(
        "assessments/certificates/email/certificate_revoked",
        certificate,
        occasion=f"revoked-{certificate.revoked_at:%Y%m%dT%H%M%S%f}",
    )


def send_certificate_reinstated(certificate, *, reason: str) -> bool:
    return _send(
        "assessments/certificates/email/certificate_reinstated",
        certificate,
        # One email per reinstatement: each call is its own occasion.
        occasion=f"reinstated-{timezone.now():%Y%m%dT%H%M%S%f}",
        reason=reason,
    )


def send_expiry_reminder(certificate) -> bool:
    return _send(
        "assessments/certificates/email/certificate_expiring",
        certificate,
        occasion=f"expires-{certificate.expires_at:%Y-%m-%d}",
    )
