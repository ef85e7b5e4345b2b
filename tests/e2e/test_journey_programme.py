"""Journey: an organization manager buys 3 seats and invites two clinicians; one completes
the course with 2 approved consultation hours and a live session, and gets a certificate
that lists them."""

import io
import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from playwright.sync_api import expect
from pypdf import PdfReader

from courses.models import CoursePage
from tests.e2e.conftest import check_accessibility, log_in, screenshot
from tests.e2e.helpers import take_quiz

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-unusual-passphrase-42"
NIA = "nia.clinician@example.com"
OMAR = "omar.clinician@example.com"
COURSE_URL = "/courses/foundations-of-kap/"


def clinician_account(email: str, first: str, last: str):
    user = get_user_model().objects.create_user(
        username=email.split("@")[0],
        email=email,
        password=PASSWORD,
        first_name=first,
        last_name=last,
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def invitation_link(mailoutbox, email: str) -> str:
    message = next(m for m in reversed(mailoutbox) if m.to == [email])
    return re.search(r"https?://\S+/learn/invitations/\S+/", message.body).group(0)


def test_manager_buys_seats_and_a_clinician_earns_a_certificate_with_program_hours(
    new_page, site, mailoutbox
):
    # The program asks for 2 approved consultation hours and 1 live contact hour.
    course = CoursePage.objects.get(slug="foundations-of-kap")
    course.consultation_hours_required = 2
    course.live_hours_required = 1
    course.save_revision().publish()
    nia = clinician_account(NIA, "Nia", "Clinician")
    clinician_account(OMAR, "Omar", "Clinician")

    # The manager buys 3 seats (test-mode checkout) and invites two clinicians.
    manager = new_page()
    log_in(manager, "manager@example.com", "demo-manager")
    manager.goto("/learn/my-courses/")
    manager.get_by_role(
        "link", name=re.compile("Manage Riverside Community Clinic")
    ).click()
    expect(
        manager.get_by_role("heading", name="Riverside Community Clinic")
    ).to_be_visible()
    manager.get_by_label("Course", exact=True).first.select_option(
        label="Foundations of Ketamine-Assisted Psychotherapy (USD 349.00 per seat)"
    )
    manager.get_by_label("Number of seats").fill("3")
    manager.get_by_role("button", name="Buy seats").click()
    expect(manager.get_by_role("heading", name="Test-mode checkout")).to_be_visible()
    manager.get_by_role("button", name="Pay USD 1047.00").click()
    expect(manager.get_by_text("Payment received. 3 seats")).to_be_visible()
    for email, cohort in ((NIA, "Spring cohort"), (OMAR, None)):
        manager.get_by_label("Clinician's email").fill(email)
        if cohort:
            cohort_select = manager.get_by_label("Cohort")
            expect(cohort_select.locator("option").nth(1)).to_contain_text(cohort)
            cohort_select.select_option(index=1)
        manager.get_by_role("button", name="Send invitation").click()
        expect(manager.get_by_text(f"Invitation sent to {email}")).to_be_visible()
    seats_row = manager.get_by_role("row", name=re.compile("Foundations of Ketamine"))
    expect(seats_row.first).to_contain_text("3")
    check_accessibility(manager, "organization page")
    screenshot(manager, "organization")

    # Nia accepts from the emailed link and completes her professional profile.
    learner = new_page()
    log_in(learner, NIA, PASSWORD)
    learner.goto(invitation_link(mailoutbox, NIA))
    learner.get_by_role("button", name="Accept the invitation").click()
    expect(learner.get_by_text("You're enrolled in Foundations").first).to_be_visible()
    expect(
        learner.get_by_role("heading", name="Your cohort: Spring cohort")
    ).to_be_visible()
    expect(learner.get_by_role("link", name=re.compile("Join link"))).to_be_visible()
    learner.goto("/learn/profile/")
    learner.get_by_label("Legal name (as it should appear on certificates)").fill(
        "Nia Clinician"
    )
    learner.get_by_label("Profession or credential").select_option(
        label="Licensed clinical social worker (LCSW)"
    )
    learner.get_by_label("License number").fill("LCSW-445566")
    learner.get_by_label("Licensing jurisdiction (state, province or country)").fill(
        "Oregon"
    )
    learner.get_by_label(
        "I confirm that my license is current and in good standing."
    ).check()
    learner.get_by_role("button", name="Save profile").click()

    # Every module and its quiz, in order, as the course page offers them.
    for _ in range(20):
        learner.goto(COURSE_URL)
        next_module = learner.get_by_role("link", name=re.compile(r"^(Start|Resume): "))
        if next_module.count() == 0:
            break
        next_module.click()
        learner.get_by_role("link", name="Take the quiz").click()
        take_quiz(learner, nia, correctly=True)
        expect(
            learner.get_by_text(re.compile(r"^You passed \(pass mark"))
        ).to_be_visible()
    learner.goto(COURSE_URL)
    learner.get_by_role("link", name="Take the post-test").click()
    take_quiz(learner, nia, correctly=True)

    # Two consultations; the identifier guard stops the first draft.
    learner.goto(COURSE_URL)
    expect(
        learner.get_by_text("Consultation: 0 of 2 hours approved").first
    ).to_be_visible()
    learner.get_by_role("link", name="Log consultation hours").click()
    for number in (1, 2):
        learner.get_by_label("Consultant", exact=True).select_option(
            label="Corey Consultant"
        )
        learner.get_by_label("Date of the consultation").fill("2026-11-0" + str(number))
        learner.get_by_label("Individual or group").select_option(label="Individual")
        learner.get_by_label("Length in minutes").fill("60")
        reflection = learner.get_by_label("What you learned (a short reflection)")
        if number == 1:
            reflection.fill(
                "My client Jane Doe felt unsafe during the dissociative phase."
            )
            learner.get_by_role("button", name="Submit for approval").click()
            expect(
                learner.get_by_text(re.compile("a name after .client. or .patient."))
            ).to_be_visible()
            check_accessibility(learner, "consultation form with an error")
            reflection = learner.get_by_label("What you learned (a short reflection)")
        reflection.fill(
            f"Consultation {number}: a client in their 40s; I practiced pacing preparation."
        )
        learner.get_by_role("button", name="Submit for approval").click()
        expect(learner.get_by_text("Consultation logged.")).to_be_visible()

    # The consultant approves both.
    consultant = new_page()
    log_in(consultant, "consultant@example.com", "demo-consultant")
    consultant.goto("/learn/my-courses/")
    consultant.get_by_role("link", name="Consultations to review").click()
    for _ in range(2):
        consultant.get_by_label("Approve").first.check()
        consultant.get_by_role("button", name="Save review").first.click()
        expect(consultant.get_by_text("Your review is saved")).to_be_visible()
    expect(consultant.get_by_text("Nothing to review")).to_be_visible()

    # The facilitator records Nia's live session attendance.
    trainer = new_page()
    log_in(trainer, "trainer@example.com", "demo-trainer")
    trainer.goto("/learn/my-courses/")
    trainer.get_by_role("link", name=re.compile("Spring cohort")).click()
    trainer.get_by_label("Nia Clinician").fill("90")
    trainer.get_by_role("button", name="Save attendance").click()
    expect(trainer.get_by_text("Attendance saved")).to_be_visible()
    check_accessibility(trainer, "cohort page")

    # The evaluation completes it: the certificate lists the program hours.
    learner.goto(COURSE_URL)
    expect(
        learner.get_by_text("Consultation: 2 of 2 hours approved").first
    ).to_be_visible()
    learner.get_by_role("link", name="Complete the course evaluation").click()
    for group in learner.get_by_role("group").all():
        group.get_by_label("5 · Strongly agree").check()
    learner.get_by_label(re.compile("What will you change in your practice")).fill(
        "Structured consultation before each preparation session."
    )
    learner.get_by_role("button", name="Submit evaluation").click()
    expect(learner.get_by_role("heading", name="My certificates")).to_be_visible()
    with learner.expect_download() as download_info:
        learner.get_by_role("link", name="Download the PDF certificate").click()
    pdf_text = " ".join(
        page.extract_text()
        for page in PdfReader(
            io.BytesIO(open(download_info.value.path(), "rb").read())
        ).pages
    )
    assert "Nia Clinician" in pdf_text
    assert "Consultation hours (approved) 2" in pdf_text
    assert "Live contact hours 1.5" in pdf_text

    # The manager sees completion and the certificate, and Omar's invitation still pending.
    manager.goto("/learn/organizations/riverside-clinic/")
    row = manager.get_by_role("row", name=re.compile("Nia Clinician"))
    expect(row).to_contain_text(re.compile(r"(\d+) of \1 modules \(100%\)"))
    expect(row).to_contain_text("Issued")
    expect(manager.get_by_text(OMAR)).to_be_visible()
    expect(manager.get_by_text("LCSW-445566")).to_have_count(0)
    screenshot(manager, "organization-after")
