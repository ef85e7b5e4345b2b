import uuid
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from courses.emails import absolute_url, email_context, render_html
from courses.tasks import queue_email
from courses.throttles import client_ip


def _on_base_url(url: str) -> str:
    """The same link on the configured base URL instead of the request's host."""
    parts = urlsplit(url)
    return absolute_url(parts.path + (f"?{parts.query}" if parts.query else ""))


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": (
            "Too many failed sign-in attempts. For your security, sign-in is paused for "
            "a few minutes; please wait and try again, or reset your password."
        ),
    }

    def get_login_redirect_url(self, request):
        # Honour ?next= (allauth does that before calling us); otherwise the dashboard.
        return reverse("courses:dashboard")

    def get_email_confirmation_url(self, request, emailconfirmation):
        return _on_base_url(
            super().get_email_confirmation_url(request, emailconfirmation)
        )

    def get_reset_password_from_key_url(self, key):
        return _on_base_url(super().get_reset_password_from_key_url(key))

    def send_mail(self, template_prefix, email, context):
        """Verification, password-reset and other account emails go through the task
        worker like every other email. Their links sign people in, so the stored copy
        is cleared once the email is sent (`sensitive`)."""
        message = self.render_mail(template_prefix, email, email_context(context))
        html_body = next(
            (
                content
                for content, mimetype in getattr(message, "alternatives", [])
                if mimetype == "text/html"
            ),
            "",
        )
        queue_email(
            key=f"account:{template_prefix.rsplit('/', 1)[-1]}:{uuid.uuid4().hex}",
            to=list(message.to),
            subject=message.subject,
            body=message.body,
            html_body=html_body,
            from_email=message.from_email or "",
            sensitive=True,
        )

    def render_mail(self, template_prefix, email, context, headers=None):
        """allauth's emails in the site's branded layout, as plain text and HTML."""
        message = super().render_mail(template_prefix, email, context, headers)
        if isinstance(message, EmailMultiAlternatives) and not message.alternatives:
            html = render_html(template_prefix, email_context(context), message.body)
            message.attach_alternative(html, "text/html")
        return message

    def get_client_ip(self, request):
        # One rule for every rate limit on the site: allauth's and our own throttles.
        address = client_ip(request)
        if address is None:
            raise PermissionDenied("Unable to determine the client's address.")
        return address
