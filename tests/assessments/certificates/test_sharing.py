"""Sharing a certificate: links from the configured base URL, LinkedIn's add-to-profile
form, the readable badge page, and the learner's licensure status frozen at issue."""

import io
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from assessments.certificates import services
from assessments.certificates.sharing import linkedin_add_to_profile_url
from assessments.models import Certificate
from courses.models import LearnerProfile
from tests.assessments.conftest import evaluation_answers

pytestmark = pytest.mark.django_db


def issue(user, course) -> Certificate:
    # The PDF and the email are tasks queued on commit; run them as the commit would.
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.evaluation_submit(
            user=user, course=course, answers=evaluation_answers(course)
        )
    return Certificate.objects.get(user=user, course=course)


def pdf_text(certificate) -> str:
    with certificate.pdf.open("rb") as handle:
        return " ".join(
            page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages
        )


def test_share_links_use_the_configured_base_url_not_the_request_host(
    client, completed_learner, course, media_root, settings
):
    settings.WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8301"
    certificate = issue(completed_learner, course)
    client.force_login(completed_learner)
    html = client.get(
        reverse("assessments:my_certificates"), HTTP_HOST="internal.proxy:9000"
    ).content.decode()
    verify = f"http://127.0.0.1:8301/certificates/verify/{certificate.code}/"
    assert f'data-copy="{verify}"' in html  # the copy button
    assert f'href="{verify}"' in html  # and, without JavaScript, a plain link to it
    assert "internal.proxy" not in html
    assert f"http://127.0.0.1:8301/certificates/badge/{certificate.code}/" in html


def test_linkedin_link_fills_in_the_certification(
    completed_learner, course, media_root
):
    certificate = issue(completed_learner, course)
    certificate.expires_at = timezone.localdate().replace(year=2029, month=3, day=1)
    url = urlsplit(linkedin_add_to_profile_url(certificate))
    assert (url.scheme, url.netloc, url.path) == (
        "https",
        "www.linkedin.com",
        "/profile/add",
    )
    query = {key: values[0] for key, values in parse_qs(url.query).items()}
    issued = timezone.localdate(certificate.issued_at)
    assert query == {
        "startTask": "CERTIFICATION_NAME",
        "name": course.title,
        "organizationName": certificate.provider_name,
        "issueYear": str(issued.year),
        "issueMonth": str(issued.month),
        "certUrl": f"http://testserver/certificates/verify/{certificate.code}/",
        "certId": certificate.code,
        "expirationYear": "2029",
        "expirationMonth": "3",
    }


def test_a_revoked_certificate_is_not_offered_for_sharing(
    client, completed_learner, course, media_root
):
    certificate = issue(completed_learner, course)
    services.certificate_revoke(certificate=certificate, actor=None, reason="Test")
    client.force_login(completed_learner)
    html = client.get(reverse("assessments:my_certificates")).content.decode()
    assert "Add to LinkedIn profile" not in html and "Copy link" not in html


def test_the_badge_page_reads_like_a_credential(
    client, completed_learner, course, media_root
):
    certificate = issue(completed_learner, course)
    response = client.get(reverse("certificates:badge", args=[certificate.code]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Open Badges 3.0 credential",
        course.title,
        "Valid",
        "Learner Example",
        "Criteria",
        "Complete every module, pass the final post-test",
        certificate.provider_name,
        "••••••3456",
        reverse("certificates:issuer"),
        reverse("certificates:status", args=[certificate.code]),
    ):
        assert text in html, text
    assert "PSY-123456" not in html  # the full license number stays private

    services.certificate_revoke(certificate=certificate, actor=None, reason="Test")
    html = client.get(reverse("certificates:badge", args=[certificate.code])).content
    assert b"Revoked" in html and b"no longer valid" in html


def test_an_unknown_badge_is_a_friendly_404(client):
    response = client.get(reverse("certificates:badge", args=["NOPE"]))
    assert response.status_code == 404
    assert b"We couldn" in response.content


def test_certificates_record_a_pre_licensed_trainees_status(
    completed_learner, course, media_root
):
    LearnerProfile.objects.filter(user=completed_learner).update(
        licensure_status="pre_licensed",
        licence_number="",
        licence_in_good_standing=False,
        supervisor_name="Dr. Ana Ortiz",
        training_program="MSW program, Portland State University",
    )
    certificate = issue(completed_learner, course)
    expected = (
        "Pre-licensed trainee, supervised by Dr. Ana Ortiz "
        "(MSW program, Portland State University)"
    )
    assert certificate.licensure_status == expected
    assert certificate.documents.get().frozen["licensure_status"] == expected
    text = " ".join(pdf_text(certificate).split())
    assert f"Status at completion: {expected}" in text
    assert "License " not in text  # no license line for a trainee

    # Frozen: a later profile change does not rewrite the issued certificate.
    LearnerProfile.objects.filter(user=completed_learner).update(
        licensure_status="licensed"
    )
    certificate.refresh_from_db()
    assert certificate.licensure_status == expected


def test_a_licensed_clinicians_certificate_says_licensed(
    completed_learner, course, media_root
):
    certificate = issue(completed_learner, course)
    assert certificate.licensure_status == "Licensed"
    text = " ".join(pdf_text(certificate).split())
    assert "Status at completion: Licensed" in text
    assert "License PSY-123456" in text


def test_the_pdf_prints_the_code_under_the_qr_code_as_the_verify_form_says(
    client, completed_learner, course, media_root
):
    certificate = issue(completed_learner, course)
    text = " ".join(pdf_text(certificate).split())
    after_url = text.split(f"/certificates/verify/{certificate.code}/")[-1]
    assert f"Certificate code: {certificate.code}" in after_url
    form = client.get(reverse("certificates:verify_form")).content.decode()
    assert "certificate code printed on the certificate" in form
    assert "scan its QR code" in form
