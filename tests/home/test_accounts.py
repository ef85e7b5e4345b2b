"""Accounts through allauth: email login, mandatory verification, rate limits, no side door."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from courses.models import OutboundEmail

pytestmark = pytest.mark.django_db


def sign_up(client, email="nia@example.com", password="a-long-unusual-passphrase"):
    # The verification email is a task queued on commit; run it as the commit would.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            reverse("account_signup"),
            {"email": email, "password1": password, "password2": password},
        )


def test_signup_requires_email_verification_before_login(client):
    response = sign_up(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nia@example.com"]
    # Delivered by the task worker; the stored copy of its sign-in link is cleared.
    stored = OutboundEmail.objects.get(key__startswith="account:")
    assert stored.to == ["nia@example.com"]
    assert stored.sent_at is not None and stored.sensitive
    assert stored.body == "" and "confirm-email" not in stored.html_body

    # Not verified yet: logging in sends them back to verification, not into the site.
    client.logout()
    response = client.post(
        reverse("account_login"),
        {"login": "nia@example.com", "password": "a-long-unusual-passphrase"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")

    link = re.search(
        r"https?://[^\s]+/accounts/confirm-email/[^\s]+", message.body
    ).group(0)
    path = link.split("testserver", 1)[-1]
    assert client.get(path).status_code == 200
    response = client.post(path)
    assert response.status_code == 302
    assert client.get(reverse("courses:dashboard")).status_code == 200


def test_login_is_by_email_and_failures_are_rate_limited(client, make_user):
    make_user("casey", email="casey@example.com", password="right-password-123")
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(
        user=get_user_model().objects.get(username="casey"),
        email="casey@example.com",
        verified=True,
        primary=True,
    )
    for _ in range(5):
        response = client.post(
            reverse("account_login"),
            {"login": "casey@example.com", "password": "wrong"},
        )
        assert response.status_code == 200
        assert "Too many failed sign-in attempts" not in response.content.decode()
    # After five failures even the right password is refused for a while, and the answer
    # says so with 429 rather than a form shown again with 200.
    response = client.post(
        reverse("account_login"),
        {"login": "casey@example.com", "password": "right-password-123"},
    )
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_wagtail_admin_login_has_no_side_door(client, make_user):
    make_user(
        "staffer", password="right-password-123", is_staff=True, is_superuser=True
    )
    response = client.post(
        "/admin/login/", {"username": "staffer", "password": "right-password-123"}
    )
    assert response.status_code in (301, 302)
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session
    response = client.get("/admin/")
    assert (
        response.status_code == 302 and reverse("account_login") in response["Location"]
    )


def test_account_pages_use_the_site_layout(client):
    html = client.get(reverse("account_login")).content.decode()
    assert 'class="skip-link"' in html and "KAP Clinician Training" in html


def test_password_reset_sends_an_email(client, make_user):
    make_user("forgetful", email="forgetful@example.com")
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse("account_reset_password"), {"email": "forgetful@example.com"}
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and "forgetful@example.com" in mail.outbox[0].to
