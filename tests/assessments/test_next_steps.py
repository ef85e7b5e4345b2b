"""Always a next step (issue #12): after each pass the learner is shown where to go, and
the dashboard's status is true at every stage, never "Completed" while something is left."""

import re

import pytest
from django.urls import reverse

from assessments import services
from assessments.certificates import services as certificate_services
from assessments.models import Attempt, Quiz, QuizKind
from courses import services as course_services
from tests.assessments.conftest import (
    correct_answers,
    evaluation_answers,
    wrong_answers,
)

pytestmark = pytest.mark.django_db


def submit(client, quiz, answers_for):
    client.post(reverse("assessments:start", args=[quiz.pk]))
    attempt = Attempt.objects.filter(quiz=quiz).latest("pk")
    services.attempt_submit(attempt=attempt, answers=answers_for(attempt))
    return client.get(reverse("assessments:result", args=[attempt.pk])).content.decode()


def next_button(html: str) -> str | None:
    match = re.search(
        r'class="next-step"><a class="button" href="([^"]+)">([^<]+)<', html
    )
    return (match.group(2), match.group(1)) if match else None


def dashboard_status(client) -> str:
    html = client.get(reverse("courses:dashboard")).content.decode()
    return re.search(
        r'class="course-status">.*?<span class="tag [^"]+">([^<]+)<', html
    ).group(1)


def test_each_pass_shows_the_next_step(
    client, enrolled_learner, course, module_quiz, post_test, make_question
):
    client.force_login(enrolled_learner)
    first, second, third = course.modules
    client.get(first.url)

    failed = submit(client, module_quiz, wrong_answers)
    assert "Not passed this time" in failed and next_button(failed) is None

    passed = submit(client, module_quiz, correct_answers)
    assert f"“{first.title}” is complete." in passed
    # A right answer is marked once, not "(correct answer) (your answer)".
    assert "(your answer: correct)" in passed and "(your answer)" not in passed
    assert next_button(passed) == (f"Continue to {second.title}", second.url)

    # The last module's quiz leads to the post-test.
    ethics = [make_question(tags=("ethics",)) for _ in range(2)]
    last_quiz = Quiz.objects.create(
        title="Ethics quiz", kind=QuizKind.MODULE, module=third, question_count=2
    )
    last_quiz.questions.set(ethics)
    last_quiz.save()
    client.get(second.url)
    client.get(third.url)
    passed = submit(client, last_quiz, correct_answers)
    assert next_button(passed) == (
        "Next: the post-test",
        reverse("assessments:quiz", args=[post_test.pk]),
    )

    passed = submit(client, post_test, correct_answers)
    assert "The post-test is complete." in passed
    assert next_button(passed) == (
        "Next: course evaluation",
        reverse("assessments:evaluation", args=[course.pk]),
    )

    # After the evaluation: the certificate.
    response = client.post(
        reverse("assessments:evaluation", args=[course.pk]),
        {f"item_{a['item_id']}": a["value"] for a in evaluation_answers(course)},
    )
    assert response["Location"] == reverse("assessments:my_certificates")
    again = client.get(
        reverse("assessments:result", args=[Attempt.objects.latest("pk").pk])
    )
    assert next_button(again.content.decode()) == (
        "View your certificate",
        reverse("assessments:my_certificates"),
    )


def test_the_dashboard_status_is_true_at_every_step(
    client, enrolled_learner, course, post_test, make_user, media_root
):
    client.force_login(enrolled_learner)
    assert dashboard_status(client) == "Not started"

    course_services.progress_record_visit(
        user=enrolled_learner, module=course.modules[0]
    )
    assert dashboard_status(client) == "In progress"

    for module in course.modules[1:]:
        course_services.progress_record_visit(user=enrolled_learner, module=module)
    assert dashboard_status(client) == "Post-test due"
    html = client.get(reverse("courses:dashboard")).content.decode()
    assert "Take the post-test" in html and "3 of 3 modules complete" in html

    attempt = services.attempt_start(user=enrolled_learner, quiz=post_test)
    services.attempt_submit(attempt=attempt, answers=correct_answers(attempt))
    # The enrolment itself is now "completed", but the learner is not done.
    assert enrolled_learner.enrolments.get().status == "completed"
    assert dashboard_status(client) == "Evaluation due"
    html = client.get(reverse("courses:dashboard")).content.decode()
    assert "Complete the course evaluation" in html and "Completed" not in html

    certificate_services.evaluation_submit(
        user=enrolled_learner, course=course, answers=evaluation_answers(course)
    )
    assert dashboard_status(client) == "Certificate issued"
    assert (
        "View your certificate"
        in client.get(reverse("courses:dashboard")).content.decode()
    )

    certificate_services.certificate_revoke(
        certificate=enrolled_learner.certificates.get(),
        actor=make_user("records", is_staff=True),
        reason="Issued in error",
    )
    assert dashboard_status(client) == "Certificate revoked"


def test_a_course_without_ce_says_completed_only_when_it_is(
    client, learner, make_course
):
    course = make_course(title="Orientation", price="0", ce_hours="0", modules=1)
    course_services.enrolment_grant(user=learner, course=course, actor=None, reason="t")
    client.force_login(learner)
    assert dashboard_status(client) == "Not started"
    html = client.get(reverse("courses:dashboard")).content.decode()
    assert "0 of 1 module complete" in html and "1 modules" not in html
    course_services.progress_record_visit(user=learner, module=course.modules[0])
    assert dashboard_status(client) == "Completed"


def test_a_refunded_enrolment_shows_its_own_status(client, enrolled_learner, course):
    course_services.enrolment_revoke(
        enrolment=enrolled_learner.enrolments.get(), reason="Refund", status="refunded"
    )
    client.force_login(enrolled_learner)
    assert dashboard_status(client) == "Refunded"
