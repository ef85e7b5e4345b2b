"""Learner emails: subject and message templates, rendered and sent in one place."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from . import conf

logger = logging.getLogger(__name__)


def absolute_url(path: str) -> str:
    return getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/") + path


def send_templated(template_prefix: str, *, to: str, context: dict) -> None:
    context = {"provider_name": conf.provider_name(), **context}
    subject = " ".join(
        render_to_string(f"{template_prefix}_subject.txt", context).split()
    )
    message = render_to_string(f"{template_prefix}_message.txt", context)
    send_mail(subject, message, None, [to])


def send_receipt(order) -> None:
    """Runs after the payment commits. A mail outage must not undo or fail fulfilment, so
    failures are logged for follow-up rather than raised into the webhook response."""
    try:
        _send_receipt(order)
    except Exception:
        logger.exception(
            "Receipt email for order %s could not be sent", order.reference
        )


def _send_receipt(order) -> None:
    send_templated(
        "courses/email/receipt",
        to=order.user.email,
        context={
            "order": order,
            "receipt_url": absolute_url(
                reverse("courses:order_detail", args=[order.reference])
            ),
            "course_url": absolute_url(order.course.url or "/"),
        },
    )
