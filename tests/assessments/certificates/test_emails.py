"""Certificate emails: branded HTML beside the text, links from the configured base URL."""

import pytest
from django.core import mail
from django.urls import reverse

from assessments.certificates import services as certificate_services
from tests.assessments.certificates.test_sharing import pdf_text
from tests.assessments.conftest import evaluation_answers
from tests.courses.test_emails import BASE, html_of

pytestmark = pytest.mark.django_db


def test_an_email_with_only_a_text_template_still_gets_the_branded_html(
    completed_learner, course, media_root, settings, django_capture_on_commit_callbacks
):
    settings.WAGTAILADMIN_BASE_URL = BASE
    certificate_services.evaluation_submit(
        user=completed_learner, course=course, answers=evaluation_answers(course)
    )
    certificate = completed_learner.certificates.get()
    with django_capture_on_commit_callbacks(execute=True):
        certificate_services.certificate_revoke(
            certificate=certificate, actor=None, reason="Issued in error"
        )
    message = mail.outbox[-1]
    html = html_of(message)
    verify = f"{BASE}/certificates/verify/{certificate.code}/"
    assert verify in message.body
    assert f'<a href="{verify}"' in html  # the text's link, clickable
    assert "Issued in error" in html and "<p>" in html


def test_the_certificate_email_pdf_and_qr_use_the_base_url(
    completed_learner, course, media_root, settings, django_capture_on_commit_callbacks
):
    settings.WAGTAILADMIN_BASE_URL = BASE
    with django_capture_on_commit_callbacks(execute=True):
        certificate_services.evaluation_submit(
            user=completed_learner, course=course, answers=evaluation_answers(course)
        )
    certificate = completed_learner.certificates.get()
    issued = next(m for m in mail.outbox if "Your certificate" in m.subject)
    html = html_of(issued)
    pdf_url = f"{BASE}{reverse('assessments:certificate_pdf', args=[certificate.code])}"
    assert f'href="{pdf_url}"' in html and "Download the PDF certificate" in html
    assert f"{BASE}/certificates/verify/{certificate.code}/" in pdf_text(certificate)
