"""Until an accreditor approves a course, every place that states its hours says
"N contact hours (not approved for CE credit)" and never that it awards CE credit."""

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse
from pypdf import PdfReader

from assessments.certificates import services as certificate_services
from assessments.models import Certificate
from courses.models.pages import hours_label
from tests.assessments.conftest import evaluation_answers

pytestmark = pytest.mark.django_db

NOT_APPROVED = "12 contact hours (not approved for CE credit)"


def claims_ce(text: str) -> list[str]:
    """Every mention of CE credit or CE hours that is not the 'not approved' wording."""
    text = " ".join(text.split())
    return [
        text[max(0, m.start() - 40) : m.end() + 10]
        for m in re.finditer(r"CE (credit|hours?)\b", text)
        if not text[: m.start()].endswith("not approved for ")
    ] + re.findall(r"awards CE", text, flags=re.I)


def approve(course):
    course.ce_approved = True
    course.accreditation_statement = "Approved by the Example Board, provider #123."
    course.save_revision().publish()
    return course


def test_hours_label():
    assert hours_label(12, False) == NOT_APPROVED
    assert hours_label("1", False) == "1 contact hour (not approved for CE credit)"
    assert hours_label("12.50", True) == "12.5 CE hours"
    assert hours_label(0, False) == "No CE or contact hours"


def test_approval_needs_the_accreditors_statement(course):
    course.ce_approved = True
    course.accreditation_statement = ""
    with pytest.raises(ValidationError) as error:
        course.full_clean()
    assert "ce_approved" in error.value.message_dict


def test_course_page_catalogue_and_enroll_panel_before_approval(
    client, course, make_user
):
    client.force_login(make_user("visitor"))  # no profile: the enroll panel explains
    pages = {
        "course page": client.get(course.url).content.decode(),
        "catalogue": client.get(course.get_parent().url).content.decode(),
        "filtered catalogue": client.get(
            course.get_parent().url, {"ce": "yes"}
        ).content.decode(),
    }
    assert NOT_APPROVED in pages["course page"] and NOT_APPROVED in pages["catalogue"]
    assert (
        f"This course's certificate records {NOT_APPROVED}. You'll be asked for your "
        "license details"
    ) in pages["course page"]
    assert "Approved for CE credit</option>" in pages["catalogue"]
    # Its credit type would imply CE credit, so it is not shown until approval.
    assert "Continuing education (homestudy)" not in pages["course page"]
    for name, html in pages.items():
        offending = [
            c for c in claims_ce(html) if "Approved for CE credit</option" not in c
        ]
        assert offending == [], (name, offending)


def test_course_page_and_catalogue_after_approval(client, course, make_user):
    approve(course)
    client.force_login(make_user("visitor"))
    page = client.get(course.url).content.decode()
    assert "12 CE hours" in page and "not approved" not in page
    assert "This course is approved for CE credit." in page
    assert "Continuing education (homestudy)" in page
    catalogue = client.get(course.get_parent().url, {"ce": "approved"}).content
    assert course.title in catalogue.decode()


def issue(learner, course) -> Certificate:
    # The PDF and the email are tasks queued on commit; run them as the commit would.
    with TestCase.captureOnCommitCallbacks(execute=True):
        certificate_services.evaluation_submit(
            user=learner, course=course, answers=evaluation_answers(course)
        )
    return Certificate.objects.get(user=learner, course=course)


def pdf_text(data: bytes) -> str:
    return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_certificate_transcript_and_my_certificates_before_approval(
    client, completed_learner, course, media_root
):
    certificate = issue(completed_learner, course)
    assert not certificate.ce_approved
    client.force_login(completed_learner)
    with certificate.pdf.open("rb") as handle:
        texts = {"certificate PDF": pdf_text(handle.read())}
    texts["my certificates"] = client.get(
        reverse("assessments:my_certificates")
    ).content.decode()
    texts["transcript"] = client.get(reverse("assessments:transcript")).content.decode()
    texts["transcript PDF"] = pdf_text(
        client.get(reverse("assessments:transcript_pdf")).content
    )
    texts["verification"] = client.get(
        reverse("certificates:verify", args=[certificate.code])
    ).content.decode()
    for name, text in texts.items():
        flat = " ".join(text.split())
        assert "not approved for CE credit" in flat, name
        assert claims_ce(text) == [], (name, claims_ce(text))
    assert NOT_APPROVED in texts["my certificates"]
    assert "Contact hours (not approved for CE credit)" in texts["transcript"]
    csv_text = client.get(reverse("assessments:transcript_csv")).content.decode()
    assert ",no," in csv_text and "Continuing education" not in csv_text


def test_a_certificate_keeps_the_wording_it_was_issued_with(
    client, completed_learner, course, media_root
):
    approve(course)
    certificate = issue(completed_learner, course)
    assert certificate.ce_approved and certificate.hours_label == "12 CE hours"
    with certificate.pdf.open("rb") as handle:
        text = " ".join(pdf_text(handle.read()).split())
    assert "12 CE hours" in text and "not approved" not in text
    # Withdrawing approval later does not rewrite a certificate already issued.
    course.ce_approved = False
    course.save_revision().publish()
    certificate.refresh_from_db()
    assert certificate.hours_label == "12 CE hours"


def test_the_profile_prompt_before_enrolling_states_contact_hours(
    client, course, make_user
):
    client.force_login(make_user("newcomer"))
    response = client.post(reverse("courses:enrol", args=[course.pk]), follow=True)
    html = " ".join(response.content.decode().split())
    assert f"This course&#x27;s certificate records {NOT_APPROVED}" in html
    assert claims_ce(html) == []
