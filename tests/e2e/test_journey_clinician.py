"""Journey 1: a newcomer clinician from the catalogue to a verified certificate."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.conftest import check_accessibility, screenshot
from tests.e2e.helpers import take_quiz

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
]

EMAIL = "nia.newcomer@example.com"
PASSWORD = "a-long-unusual-passphrase-42"


def test_newcomer_clinician_earns_a_verified_certificate(page, site, mailoutbox):
    # Catalogue → course page
    page.goto("/")
    page.get_by_role("link", name="Browse courses").click()
    expect(page.get_by_role("heading", name="Courses", level=1)).to_be_visible()
    check_accessibility(page, "catalogue")
    screenshot(page, "catalogue")
    page.get_by_role(
        "link", name="Foundations of Ketamine-Assisted Psychotherapy"
    ).click()
    expect(page.get_by_role("heading", name="Syllabus")).to_be_visible()
    expect(page.get_by_text("USD 349.00").first).to_be_visible()
    check_accessibility(page, "course page (anonymous)")
    screenshot(page, "course-page")

    # Sign up, then open the verification link from the email
    page.get_by_role("link", name="Sign up to enroll").click()
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    expect(
        page.get_by_role("heading", name="Verify Your Email Address")
    ).to_be_visible()
    link = re.search(
        r"https?://\S+/accounts/confirm-email/\S+", mailoutbox[-1].body
    ).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()

    # Enrol: the CE course asks for the professional profile first, then returns
    page.goto("/courses/foundations-of-kap/")
    page.get_by_role("button", name="Enroll for USD 349.00").click()
    expect(page.get_by_role("heading", name="Professional profile")).to_be_visible()
    page.get_by_label("Legal name (as it should appear on certificates)").fill(
        "Nia Newcomer"
    )
    page.get_by_label("Profession or credential").select_option(
        label="Licensed clinical social worker (LCSW)"
    )
    page.get_by_label("License number").fill("LCSW-778899")
    page.get_by_label("Licensing jurisdiction (state, province or country)").fill(
        "Oregon"
    )
    page.get_by_label(
        "I confirm that my license is current and in good standing."
    ).check()
    page.get_by_role("button", name="Save profile").click()
    expect(page).to_have_url(re.compile(r"/courses/foundations-of-kap/$"))

    # Pay in test mode
    page.get_by_role("button", name="Enroll for USD 349.00").click()
    expect(page.get_by_role("heading", name="Test-mode checkout")).to_be_visible()
    page.get_by_role("button", name="Pay USD 349.00").click()
    expect(page.get_by_text("You're enrolled").first).to_be_visible()
    user = get_user_model().objects.get(email=EMAIL)

    # Module 1: study, fail the quiz, read the feedback, pass
    page.get_by_role("link", name="Start: Mechanism of action").click()
    expect(
        page.get_by_role("heading", name="Mechanism of action", level=1)
    ).to_be_visible()
    check_accessibility(page, "module page")
    screenshot(page, "module-page")
    page.get_by_role("link", name="Take the quiz").click()
    page.get_by_role("button", name="Start the quiz").click()
    check_accessibility(page, "quiz page")
    screenshot(page, "quiz-page")
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_text("Not passed this time")).to_be_visible()
    # Module quizzes mark each answer at once but keep the key of missed items until a pass.
    expect(
        page.get_by_text("The correct answer is shown once you pass").first
    ).to_be_visible()
    expect(page.get_by_text("Why:")).to_have_count(0)
    screenshot(page, "quiz-feedback")
    take_quiz(page, user, correctly=True)
    expect(page.get_by_text(re.compile(r"^You passed \(pass mark"))).to_be_visible()

    # The other eight modules, in order
    for title in (
        "Client screening and assessment",
        "Preparation and session presence",
        "Adverse effects and adverse events",
        "Set, setting, music and session formats",
        "Integration methods and pairing KAP with EMDR",
        "Documentation and care coordination",
        "Access, equity and cultural humility",
        "Ethics and scope of practice",
    ):
        page.goto("/courses/foundations-of-kap/")
        page.get_by_role("link", name=f"Resume: {title}").click()
        page.get_by_role("link", name="Take the quiz").click()
        take_quiz(page, user, correctly=True)
        expect(page.get_by_text(re.compile(r"^You passed \(pass mark"))).to_be_visible()

    # The post-test, then the evaluation
    page.goto("/courses/foundations-of-kap/")
    expect(page.get_by_text("9 of 9 modules complete (100%)")).to_be_visible()
    page.get_by_role("link", name="Take the post-test").click()
    take_quiz(page, user, correctly=True)
    expect(page.get_by_text(re.compile(r"^You passed \(pass mark"))).to_be_visible()
    page.goto("/courses/foundations-of-kap/")
    page.get_by_role("link", name="Complete the course evaluation").click()
    for group in page.get_by_role("group").all():
        group.get_by_label("5 · Strongly agree").check()
    page.get_by_label(re.compile("What will you change in your practice")).fill(
        "Slower, more structured screening with the prescriber."
    )
    page.get_by_role("button", name="Submit evaluation").click()
    expect(page.get_by_role("heading", name="My certificates")).to_be_visible()
    check_accessibility(page, "certificates page")
    screenshot(page, "my-certificates")

    # Download the PDF and open the verification URL printed on it
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the PDF certificate").click()
    pdf_text = " ".join(
        p.extract_text()
        for p in PdfReader(
            io.BytesIO(open(download_info.value.path(), "rb").read())
        ).pages
    )
    assert "Nia Newcomer" in pdf_text and "LCSW-778899" in pdf_text
    verification_url = re.search(
        r"https?://\S+/certificates/verify/[0-9A-F]+/", pdf_text
    ).group(0)
    page.goto(verification_url)
    expect(page.get_by_text("Valid", exact=True)).to_be_visible()
    expect(page.get_by_text("Nia Newcomer")).to_be_visible()
    expect(page.get_by_text("••••••8899")).to_be_visible()
    check_accessibility(page, "verification page")
    screenshot(page, "verification")

    page.goto("/learn/my-courses/")
    check_accessibility(page, "dashboard")
    screenshot(page, "dashboard")
