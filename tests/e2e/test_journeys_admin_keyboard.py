"""Journey 3 (certificate administrator) and journey 4 (a quiz taken with the keyboard only)."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from assessments.certificates import services
from assessments.models import AuditEvent, Certificate
from courses import services as course_services
from courses.models import CoursePage
from tests.e2e.conftest import check_accessibility, log_in, screenshot
from tests.e2e.helpers import open_attempt

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
]


def users():
    User = get_user_model()
    return (
        User.objects.get(email="clinician@example.com"),
        User.objects.get(email="admin@example.com"),
    )


def test_administrator_revokes_issues_and_exports(page, site):
    clinician, admin = users()
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
    newcomer = get_user_model().objects.create_user("olu", "olu@example.com", "x")
    course_services.enrolment_grant(
        user=newcomer, course=course, actor=admin, reason="Scholarship"
    )

    log_in(page, "admin@example.com", "demo-admin")
    page.goto("/admin/certificates/records/")
    expect(page.get_by_text(certificate.code)).to_be_visible()
    screenshot(page, "admin-certificates")

    # Revoke with a reason, after a confirmation; the public page says so
    page.get_by_role("link", name="Revoke or reissue…").first.click()
    page.get_by_label("Reason").fill("Licence suspended by the state board")
    page.get_by_role("button", name="Revoke…").click()
    expect(page.get_by_role("heading", name="Revoke this certificate?")).to_be_visible()
    page.get_by_role("button", name="Yes, revoke the certificate").click()
    expect(
        page.get_by_text(
            f"Certificate {certificate.code} revoked; Casey Clinician was emailed."
        )
    ).to_be_visible()
    page.goto(f"/certificates/verify/{certificate.code}/")
    expect(page.get_by_text("Revoked", exact=True)).to_be_visible()
    expect(page.get_by_text(re.compile("was revoked on"))).to_be_visible()

    # Issue by hand with an override reason; the learner is picked with the chooser
    page.goto("/admin/certificates/records/")
    page.get_by_role("link", name=re.compile("^Add")).first.click()
    page.get_by_role("button", name="Choose a learner").click()
    search = page.get_by_label("Search by name, email or license number")
    search.fill("olu@")
    results = page.locator("#search-results")
    expect(results.get_by_text("olu@example.com")).to_be_visible()
    expect(results.get_by_text("admin@example.com")).to_have_count(0)
    results.get_by_role("link", name="olu").click()
    expect(page.get_by_text("olu · olu@example.com")).to_be_visible()
    page.get_by_label("Course").select_option(
        label="Foundations of Ketamine-Assisted Psychotherapy"
    )
    page.get_by_role("button", name="Issue certificate").click()
    expect(
        page.get_by_text(
            re.compile(
                r"This learner is not eligible yet \(missing: every module complete;.*"
                r"\), so an override reason is required\."
            )
        )
    ).to_be_visible()
    page.get_by_label("Override reason").fill(
        "Completed equivalent training at a partner institute"
    )
    page.get_by_role("button", name="Issue certificate").click()
    expect(
        page.get_by_text(re.compile("issued to olu; an email to olu will follow"))
    ).to_be_visible()
    issued = Certificate.objects.get(user=newcomer)
    assert (
        issued.override_reason == "Completed equivalent training at a partner institute"
    )

    # Export the course's certificates as CSV
    page.goto(f"/admin/certificates/records/?course={course.pk}")
    page.get_by_role("navigation", name="Actions").get_by_role("button").last.click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    csv_text = open(download_info.value.path(), encoding="utf-8").read()
    assert certificate.code in csv_text and issued.code in csv_text
    assert "revoked" in csv_text.lower()
    assert AuditEvent.objects.filter(certificate_code=certificate.code).count() == 2


def tab_to(page, element_id: str, *, limit: int = 200) -> None:
    for _ in range(limit):
        if (
            page.evaluate("document.activeElement && document.activeElement.id")
            == element_id
        ):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id}")


def tab_to_text(page, text: str, *, limit: int = 200) -> None:
    for _ in range(limit):
        active = page.evaluate(
            "document.activeElement ? document.activeElement.textContent : ''"
        )
        if active and active.strip().startswith(text):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {text!r}")


def test_keyboard_only_quiz(page, site):
    clinician, admin = users()
    course = CoursePage.objects.get(slug="foundations-of-kap")
    course_services.enrolment_grant(
        user=clinician, course=course, actor=admin, reason="Demo"
    )
    log_in(page, "clinician@example.com", "demo-clinician")
    page.goto("/courses/foundations-of-kap/mechanism-of-action/")

    # The skip link is the first stop and moves focus to the content.
    page.keyboard.press("Tab")
    assert (
        page.evaluate("document.activeElement.textContent.trim()")
        == "Skip to main content"
    )
    page.keyboard.press("Enter")

    tab_to_text(page, "Take the quiz")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to_text(page, "Start the quiz")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Submit answers")).to_be_visible()

    attempt = open_attempt(clinician)
    for question in attempt.snapshot["questions"]:
        name = f"q-{question['id']}"
        options = question["options"]
        if question["type"] == "ordering":
            for position, option_id in enumerate(question["correct_order"], start=1):
                tab_to(page, f"{name}-{option_id}")
                page.keyboard.type(str(position))
        elif question["type"] == "multiple":
            for option in options:
                if option["is_correct"]:
                    tab_to(page, f"{name}-{option['id']}")
                    page.keyboard.press("Space")
        else:
            target = next(o["id"] for o in options if o["is_correct"])
            tab_to(
                page, f"{name}-{options[0]['id']}"
            )  # Tab enters the radio group here
            if options[0]["id"] == target:
                page.keyboard.press("Space")
            else:
                while page.evaluate("document.activeElement.id") != f"{name}-{target}":
                    page.keyboard.press(
                        "ArrowDown"
                    )  # arrows move and select within the group
    tab_to_text(page, "Submit answers")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("Score: 100%")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^You passed \(pass mark"))).to_be_visible()
    check_accessibility(page, "quiz result")
