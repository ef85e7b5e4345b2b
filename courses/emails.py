"""Learner emails: subject, plain-text and HTML templates, rendered here and delivered by
a task.

Every email goes out as plain text with an HTML alternative in the shared branded layout
(`courses/email/base.html`). An email with its own `<prefix>_message.html` uses that; one
with only a text template gets the text wrapped in the same layout, so no email is ever
sent unbranded. Links come from the configured base URL (`absolute_url`), never from a
request's Host header. Rendering happens where the event happens (the email says what was
true then); delivery is `tasks.deliver_email` on the task worker, once per key. The
receipt is the exception: what it shows is fixed once the order is paid, so it is rendered
on the worker too (`email_receipt`), off the payment webhook's response.
"""

import uuid

from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from . import conf, tasks
from .models import Order

BASE_TEMPLATE = "courses/email/base.html"


def absolute_url(path: str) -> str:
    return getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/") + path


def email_context(context: dict) -> dict:
    """What every email template may use: who sends it and where the site is."""
    return {
        "provider_name": conf.provider_name(),
        "site_url": absolute_url("/"),
        **context,
    }


def render_html(template_prefix: str, context: dict, text: str) -> str:
    try:
        return render_to_string(f"{template_prefix}_message.html", context)
    except TemplateDoesNotExist:
        return render_to_string(BASE_TEMPLATE, {**context, "text_body": text})


def send_templated(
    template_prefix: str, *, to: str, context: dict, key: str | None = None
) -> None:
    """Render now, deliver in the background. `key` names the occasion: the same key is
    delivered once however often it is queued; without one every call is a new email."""
    context = email_context(context)
    subject = " ".join(
        render_to_string(f"{template_prefix}_subject.txt", context).split()
    )
    text = render_to_string(f"{template_prefix}_message.txt", context)
    tasks.queue_email(
        key=key or f"{template_prefix}:{uuid.uuid4().hex}",
        to=[to],
        subject=subject,
        body=text,
        html_body=render_html(template_prefix, context, text),
    )


def queue_receipt(order) -> None:
    """Email the receipt once the payment commits. It is rendered on the task worker, off
    the webhook's response: everything it shows is fixed once the order is paid."""
    tasks.enqueue_on_commit(email_receipt, order.pk)


@task(backend=conf.task_backend())
def email_receipt(order_id: int) -> str:
    order = Order.objects.select_related("user", "course").filter(pk=order_id).first()
    if order is None:
        return "gone"
    send_templated(
        "courses/email/receipt",
        key=f"receipt:{order.reference}",
        to=order.user.email,
        context={
            "order": order,
            "receipt_url": absolute_url(
                reverse("courses:order_detail", args=[order.reference])
            ),
            "course_url": absolute_url(order.course.url or "/"),
        },
    )
    return "queued"
