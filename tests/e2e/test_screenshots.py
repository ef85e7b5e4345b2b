"""The pages the README shows, on a desktop and on a phone.

Each page is checked for what it must show, then photographed at the size a person sees
it (the viewport, not the whole scroll length) into E2E_SCREENSHOTS. docs/screenshots/
holds copies of these files.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from assessments.certificates import services as certificate_services
from courses import services as course_services
from courses.models import CoursePage
from tests.e2e.conftest import SCREENSHOTS, log_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
]

SIZES = {
    "desktop": {"viewport": {"width": 1366, "height": 900}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
    },
}


def photograph(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def learner_halfway(course):
    """The demo clinician, two modules into Foundations, with an orientation certificate."""
    User = get_user_model()
    user = User.objects.get(email="clinician@example.com")
    admin = User.objects.get(email="admin@example.com")
    course_services.enrolment_grant(user=user, course=course, actor=None, reason="Demo")
    from assessments import services as assessment_services
    from assessments.models import Quiz
    from tests.assessments.conftest import correct_answers

    for module in course.modules[:2]:
        course_services.progress_record_visit(user=user, module=module)
        quiz = Quiz.objects.get(module=module)
        attempt = assessment_services.attempt_start(user=user, quiz=quiz)
        assessment_services.attempt_submit(
            attempt=attempt, answers=correct_answers(attempt)
        )
    orientation = CoursePage.objects.get(slug="kap-and-infusion-clinics-orientation")
    course_services.enrolment_grant(
        user=user, course=orientation, actor=None, reason="Demo"
    )
    certificate_services.certificate_issue(
        user=user,
        course=course,
        actor=admin,
        override_reason="Screenshot of a finished certificate",
    )
    return user


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_readme_screenshots(browser, site, size):
    course = CoursePage.objects.get(slug="foundations-of-kap")
    learner_halfway(course)
    context = browser.new_context(base_url=site.url, **SIZES[size])
    context.set_default_timeout(15_000)
    page = context.new_page()

    page.goto(course.url)
    expect(page.get_by_role("heading", name="Syllabus")).to_be_visible()
    if size == "phone":
        bar = page.get_by_role("region", name="Enroll")
        expect(bar.get_by_text("USD 349.00")).to_be_in_viewport()
    photograph(page, f"{size}-course-page")

    log_in(page, "clinician@example.com", "demo-clinician")
    page.goto(course.modules[1].url)
    expect(page.get_by_role("heading", level=1)).to_have_text(course.modules[1].title)
    photograph(page, f"{size}-module-page")

    page.goto("/learn/my-courses/")
    expect(
        page.get_by_text(re.compile(r"2 of 9 modules complete \(\d+%\)"))
    ).to_be_visible()
    photograph(page, f"{size}-dashboard")

    page.goto("/learn/certificates/")
    expect(page.get_by_role("link", name="Add to LinkedIn profile")).to_be_visible()
    photograph(page, f"{size}-my-certificates")

    context.close()

    context = browser.new_context(base_url=site.url, **SIZES[size])
    context.set_default_timeout(15_000)
    trainer = context.new_page()
    log_in(trainer, "trainer@example.com", "demo-trainer")
    trainer.goto(f"/admin/course-outlines/{course.pk}/")
    titles = [m.title for m in course.modules]
    rows = trainer.get_by_role("rowheader")
    expect(rows.first).to_contain_text(titles[0])
    expect(trainer.get_by_text(re.compile("Draws 8 questions from"))).to_have_count(9)
    photograph(trainer, f"{size}-admin-course-outline")
    context.close()
