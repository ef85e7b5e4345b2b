"""Journey 5: an administrator revokes a certificate by mistake (after confirming), then
reinstates it; the learner's course page, My certificates and the public verification page
show the right state at each step."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import dateformat, timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from assessments.certificates import services
from assessments.models import AuditAction, AuditEvent, CertificateStatus
from courses import services as course_services
from courses.models import CoursePage
from tests.e2e.conftest import check_accessibility, log_in, screenshot

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
]

COURSE_URL = "/courses/foundations-of-kap/"
REASON = "License suspended by the state board"


def certificate_panel(page):
    return page.get_by_role("region", name="Your certificate")


def expect_valid_everywhere(learner, public, code: str) -> None:
    learner.goto(COURSE_URL)
    panel = certificate_panel(learner)
    expect(panel.get_by_text(re.compile(r"^Issued \d"))).to_be_visible()
    expect(
        panel.get_by_role("link", name="Download the certificate (PDF)")
    ).to_be_visible()
    expect(panel.get_by_text("Revoked")).to_have_count(0)

    learner.goto("/learn/certificates/")
    expect(learner.get_by_text("Valid", exact=True)).to_be_visible()
    expect(
        learner.get_by_role("link", name="Download the PDF certificate")
    ).to_be_visible()

    public.goto(f"/certificates/verify/{code}/")
    expect(public.get_by_text("Valid", exact=True)).to_be_visible()
    expect(public.get_by_text(re.compile("was revoked"))).to_have_count(0)


def test_administrator_revokes_by_mistake_and_reinstates(new_page, site, mailoutbox):
    User = get_user_model()
    clinician = User.objects.get(email="clinician@example.com")
    admin = User.objects.get(email="admin@example.com")
    course = CoursePage.objects.get(slug="foundations-of-kap")
    course_services.enrolment_grant(
        user=clinician, course=course, actor=admin, reason="Demo"
    )
    certificate = services.certificate_issue(
        user=clinician,
        course=course,
        actor=admin,
        override_reason="Completed the live cohort",
    )
    code = certificate.code
    today = dateformat.format(timezone.localdate(), "j F Y")
    revoked_words = f"Revoked on {today}: {REASON}."

    learner, administrator, public = new_page(), new_page(), new_page()
    log_in(learner, "clinician@example.com", "demo-clinician")
    log_in(administrator, "admin@example.com", "demo-admin")

    # 1. Issued: valid everywhere
    expect_valid_everywhere(learner, public, code)

    # 2. The administrator revokes, the wrong one, after a confirmation step
    administrator.goto("/admin/certificates/records/")
    row = administrator.get_by_role("row").filter(has_text=code)
    row.get_by_role("link", name="Revoke or reissue…").click()
    expect(administrator.get_by_role("button", name="Reinstate")).to_have_count(0)
    administrator.get_by_label("Reason").fill(REASON)
    administrator.get_by_role("button", name="Revoke…").click()
    expect(
        administrator.get_by_role("heading", name="Revoke this certificate?")
    ).to_be_visible()
    expect(
        administrator.get_by_text("Casey Clinician will be emailed with the reason.")
    ).to_be_visible()
    screenshot(administrator, "admin-revoke-confirm")
    administrator.get_by_role("button", name="Yes, revoke the certificate").click()
    expect(
        administrator.get_by_text(
            f"Certificate {code} revoked; Casey Clinician was emailed."
        )
    ).to_be_visible()
    assert mailoutbox[-1].subject.endswith("has been revoked")

    # Only what applies to a revoked certificate is offered now
    expect(administrator.get_by_role("button", name="Reinstate")).to_be_visible()
    expect(administrator.get_by_role("button", name="Revoke…")).to_have_count(0)
    expect(administrator.get_by_role("button", name="Reissue")).to_have_count(0)

    # 3. Revoked: the learner and the public see it, with the date and reason
    learner.goto(COURSE_URL)
    panel = certificate_panel(learner)
    expect(panel.get_by_text(revoked_words)).to_be_visible()
    expect(panel.get_by_text("Revoked", exact=True)).to_be_visible()
    expect(panel.get_by_role("link", name=re.compile("Download"))).to_have_count(0)
    check_accessibility(learner, "course page (certificate revoked)")
    screenshot(learner, "course-page-revoked")

    learner.goto("/learn/certificates/")
    expect(learner.get_by_text(revoked_words)).to_be_visible()
    expect(
        learner.get_by_role("link", name="Download the PDF certificate")
    ).to_have_count(0)
    with learner.expect_download() as download_info:
        learner.get_by_role("link", name="Download a copy marked REVOKED (PDF)").click()
    reader = PdfReader(io.BytesIO(open(download_info.value.path(), "rb").read()))
    pdf_text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "REVOKED" in pdf_text and REASON in pdf_text
    check_accessibility(learner, "my certificates (revoked)")
    screenshot(learner, "my-certificates-revoked")

    learner.goto("/learn/my-courses/")
    expect(learner.get_by_text("Certificate revoked")).to_be_visible()
    expect(learner.get_by_text("Completed", exact=True)).to_have_count(0)

    public.goto(f"/certificates/verify/{code}/")
    expect(public.get_by_text("Revoked", exact=True)).to_be_visible()
    expect(public.get_by_text(re.compile("was revoked on"))).to_be_visible()
    check_accessibility(public, "verification page (revoked)")
    status = public.request.get(f"/certificates/status/{code}/").json()
    assert status["revoked"] is True

    # 4. "Add certificate" for the same learner does not pretend: it offers Reinstate
    # (the learner picker works from the keyboard alone)
    administrator.goto("/admin/certificates/records/new/")
    administrator.get_by_role("button", name="Choose a learner").focus()
    administrator.keyboard.press("Enter")
    search = administrator.get_by_label("Search by name, email or license number")
    expect(search).to_be_visible()
    search.focus()
    administrator.keyboard.type("casey")
    result = administrator.locator("#search-results").get_by_role(
        "link", name="Casey Clinician"
    )
    expect(result).to_be_visible()
    # The results refresh as the search settles; tab to the link once they have.
    administrator.wait_for_load_state("networkidle")
    for _ in range(30):
        administrator.keyboard.press("Tab")
        if result.evaluate("link => link === document.activeElement"):
            break
    else:
        raise AssertionError("Tab never reached the learner in the results")
    administrator.keyboard.press("Enter")
    expect(
        administrator.get_by_text("Casey Clinician · clinician@example.com")
    ).to_be_visible()
    administrator.get_by_label("Course").select_option(
        label="Foundations of Ketamine-Assisted Psychotherapy"
    )
    administrator.get_by_label("Override reason").fill("Try again")
    administrator.get_by_role("button", name="Issue certificate").click()
    expect(
        administrator.get_by_text(re.compile("^Nothing was issued")).first
    ).to_be_visible()
    administrator.get_by_role("link", name="Reinstate this certificate…").click()

    # 5. The administrator reinstates it, with a reason
    expect(
        administrator.get_by_role("heading", name=re.compile("Reinstate a revoked"))
    ).to_be_visible()
    administrator.get_by_label("Reason").fill("Revoked the wrong learner by mistake")
    administrator.get_by_role("button", name="Reinstate").click()
    expect(
        administrator.get_by_text(
            f"Certificate {code} reinstated; Casey Clinician was emailed."
        )
    ).to_be_visible()
    history = administrator.get_by_role("list").filter(has_text="Certificate revoked")
    expect(history.get_by_text(re.compile("Certificate reinstated"))).to_be_visible()
    screenshot(administrator, "admin-reinstated-history")
    assert "is valid again" in mailoutbox[-1].subject

    # 6. Valid again everywhere, with the history of both events
    expect_valid_everywhere(learner, public, code)
    check_accessibility(public, "verification page (reinstated)")
    learner.goto("/learn/my-courses/")
    expect(learner.get_by_text("Certificate issued")).to_be_visible()
    assert public.request.get(f"/certificates/status/{code}/").json()["revoked"] is (
        False
    )
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID
    assert list(
        AuditEvent.objects.filter(certificate_code=code)
        .order_by("pk")
        .values_list("action", flat=True)
    ) == [
        AuditAction.CERTIFICATE_ISSUED_OVERRIDE,
        AuditAction.CERTIFICATE_REVOKED,
        AuditAction.CERTIFICATE_REINSTATED,
    ]
