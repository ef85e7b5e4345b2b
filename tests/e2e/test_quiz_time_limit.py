"""A timed quiz past its deadline: the page shows the server's message and submits itself,
and the learner lands on the result, graded on what was saved in time."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from assessments.models import Attempt, Quiz
from courses import services as course_services
from courses.models import CoursePage
from tests.e2e.conftest import log_in
from tests.e2e.helpers import open_attempt
from tests.e2e.test_content_security_policy import violations  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def timed_quiz(site):
    clinician = get_user_model().objects.get(email="clinician@example.com")
    course = CoursePage.objects.get(slug="foundations-of-kap")
    course_services.enrolment_grant(
        user=clinician, course=course, actor=None, reason="Time limit test"
    )
    quiz = Quiz.objects.get(module=course.modules[0])
    quiz.time_limit_minutes = 10
    quiz.save()
    return clinician, quiz


def start(page, quiz):
    log_in(page, "clinician@example.com", "demo-clinician")
    page.goto(f"/learn/quizzes/{quiz.pk}/")
    page.get_by_role("button", name=re.compile(r"^Start")).click()
    expect(page.get_by_role("button", name="Submit answers")).to_be_visible()
    # The countdown text comes from attempt.js, so once it shows, the script that saves
    # answers is listening; a tick before then would save nothing.
    expect(page.get_by_role("timer")).to_contain_text("Time left")


def first_choice(page, attempt: Attempt):
    """The first option of the first question answered by ticking (the draw may put an
    ordering question, answered with selects, first), and that question's id."""
    questions = attempt.snapshot["questions"]
    number, question = next(
        (number, question)
        for number, question in enumerate(questions, start=1)
        if question["type"] != "ordering"
    )
    group = page.get_by_role("group", name=f"Question {number} of {len(questions)}")
    option = group.get_by_label(question["options"][0]["text"], exact=True)
    return option, question["id"]


def test_an_answer_after_the_deadline_shows_why_and_submits(
    page,
    timed_quiz,
    violations,  # noqa: F811
):
    clinician, quiz = timed_quiz
    start(page, quiz)
    attempt = open_attempt(clinician)
    # The deadline passes while the page is open (its own countdown still shows time).
    Attempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() - timedelta(seconds=1)
    )
    option, _ = first_choice(page, attempt)
    with page.expect_response(re.compile(r"/save/$")) as saved:
        option.check()
    assert saved.value.status == 409
    expect(page.get_by_role("alert")).to_contain_text("Time is up")
    expect(page).to_have_url(re.compile(r"/result/$"))
    expect(page.get_by_text(re.compile(r"Score: \d+%"))).to_be_visible()
    attempt.refresh_from_db()
    assert attempt.is_submitted and attempt.answers == {}
    assert attempt.submitted_at == attempt.deadline
    assert violations() == []


def test_when_the_countdown_ends_the_page_asks_the_server_and_submits(
    page,
    timed_quiz,
    violations,  # noqa: F811
):
    clinician, quiz = timed_quiz
    start(page, quiz)
    attempt = open_attempt(clinician)
    option, answered_question_id = first_choice(page, attempt)
    with page.expect_response(re.compile(r"/save/$")):
        option.check()
    # Three seconds left, shown from a fresh page load.
    Attempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() + timedelta(seconds=3)
    )
    page.reload()
    expect(page.get_by_role("timer")).to_contain_text("Time left")
    expect(page.get_by_role("alert")).to_contain_text("Time is up", timeout=15_000)
    expect(page).to_have_url(re.compile(r"/result/$"))
    attempt.refresh_from_db()
    # Graded on the answer saved in time, as at the deadline.
    assert attempt.is_submitted and attempt.submitted_at == attempt.deadline
    # The answer given before the deadline counts. (An ordering question's form always
    # carries its shown order, so it may be saved alongside without being touched.)
    assert answered_question_id in attempt.answers
    assert violations() == []
