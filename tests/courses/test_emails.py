"""Emails: plain text and HTML in the shared branded layout, with links from the
configured base URL (which `make run PORT=…` sets), never from the request's host."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from courses import emails
from courses.models import Order

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
BASE = "http://127.0.0.1:8301"


def html_of(message) -> str:
    assert message.alternatives, "no HTML alternative"
    content, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    return content


def test_the_receipt_is_text_and_branded_html_with_base_url_links(
    learner, course, settings
):
    settings.WAGTAILADMIN_BASE_URL = BASE
    settings.COURSES_PROVIDER_NAME = "KAP Clinician Training"
    order = Order.objects.create(
        user=learner,
        course=course,
        course_title=course.title,
        amount="349.00",
        currency="USD",
        provider="testmode",
    )
    # Delivered by a task queued on commit; run it as the commit would.
    with TestCase.captureOnCommitCallbacks(execute=True):
        emails.queue_receipt(order)
    message = mail.outbox[-1]
    receipt_url = f"{BASE}{reverse('courses:order_detail', args=[order.reference])}"
    assert receipt_url in message.body and f"{BASE}{course.url}" in message.body
    html = html_of(message)
    assert "KAP Clinician Training" in html  # the shared header
    assert f'href="{receipt_url}"' in html and f'href="{BASE}{course.url}"' in html
    assert "You are receiving this email because you have an account at" in html
    assert "127.0.0.1:8000" not in message.body + html


def test_the_sign_up_email_is_branded_and_links_to_the_base_url(client, settings):
    settings.WAGTAILADMIN_BASE_URL = BASE
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(
            reverse("account_signup"),
            {
                "email": "nia@example.com",
                "password1": "a-long-unusual-passphrase",
                "password2": "a-long-unusual-passphrase",
            },
            HTTP_HOST="internal.proxy:9000",
        )
    message = mail.outbox[-1]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", message.body).group(0)
    assert link.startswith(f"{BASE}/accounts/confirm-email/")
    assert "internal.proxy" not in message.body
    assert message.body.startswith("Hello from KAP Clinician Training,")
    assert "has given your email" not in message.body  # no username as a "user"
    html = html_of(message)
    assert f'<a href="{link}"' in html and "KAP Clinician Training" in html


def make_dry_run(*args, env=None) -> str:
    environment = {
        key: value for key, value in os.environ.items() if key != "SITE_BASE_URL"
    }
    environment.update(env or {})
    return subprocess.run(
        ["make", "-n", "run", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_make_run_passes_its_port_into_the_base_url():
    commands = make_dry_run("PORT=8301")
    assert (
        "SITE_BASE_URL=http://127.0.0.1:8301 .venv/bin/python manage.py runserver "
        "127.0.0.1:8301" in commands
    )
    override = make_dry_run(env={"SITE_BASE_URL": "https://kap.example.org"})
    assert "SITE_BASE_URL=https://kap.example.org .venv/bin/python" in override


def test_the_settings_read_the_base_url_from_the_environment():
    environment = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DJANGO_SETTINGS_MODULE": "training.settings.dev",
        "SITE_BASE_URL": "http://127.0.0.1:8301",
    }
    output = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from courses.emails import absolute_url; "
            "print(absolute_url('/certificates/verify/X/'))",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert output.strip() == "http://127.0.0.1:8301/certificates/verify/X/"
