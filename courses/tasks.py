"""Background work of the courses app: the email outbox every plugin email goes through.

Services and email helpers queue work with `enqueue_on_commit`, so a worker never sees a
row that is not committed yet and a rolled-back change queues nothing. Tasks are
idempotent: they record what they did (here `OutboundEmail.sent_at`) and a retry that
finds the record does nothing. Retries and the failed-task report belong to the site's
task backend (see `docs/deploy.md`).
"""

import logging

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from . import conf
from .models import OutboundEmail

logger = logging.getLogger(__name__)


def enqueue_on_commit(task_to_run, *args, **kwargs) -> None:
    """Queue the task when the current transaction commits (at once outside one)."""
    transaction.on_commit(
        lambda: task_to_run.enqueue(*args, **kwargs),
        robust=True,  # a queue outage is logged; the committed change stands
    )


def queue_email(
    *,
    key: str,
    to: list[str],
    subject: str,
    body: str,
    html_body: str = "",
    from_email: str = "",
    sensitive: bool = False,
) -> OutboundEmail:
    """Record the email under its key and queue its delivery; a known key queues nothing."""
    email, created = OutboundEmail.objects.get_or_create(
        key=key[:200],
        defaults={
            "to": list(to),
            "subject": subject,
            "body": body,
            "html_body": html_body,
            "from_email": from_email or "",
            "sensitive": sensitive,
        },
    )
    if created:
        enqueue_on_commit(deliver_email, email.pk)
    return email


@task(backend=conf.task_backend())
def deliver_email(email_id: int) -> str:
    """Send one recorded email, once. The row lock makes two workers take turns."""
    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None:
            return "gone"
        if email.sent_at is not None:
            return "already sent"
        message = EmailMultiAlternatives(
            email.subject, email.body, email.from_email or None, email.to
        )
        if email.html_body:
            message.attach_alternative(email.html_body, "text/html")
        # Sent inside the transaction: if the send raises, sent_at stays empty and the
        # task's retry sends it; if it returns, sent_at commits with it.
        message.send()
        email.sent_at = timezone.now()
        if email.sensitive:
            email.body = email.html_body = ""
        email.save(update_fields=["sent_at", "body", "html_body"])
    logger.info("Email %s sent to %d recipient(s)", email.key, len(email.to))
    return "sent"
