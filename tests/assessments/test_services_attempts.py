from datetime import timedelta

import pytest
from django.utils import timezone

from assessments import services
from assessments.models import Attempt, AttemptStatus, QuestionOption
from courses import services as course_services
from courses.models import Enrolment, EnrolmentStatus, ModuleProgress
from tests.assessments.conftest import correct_answers, wrong_answers

pytestmark = pytest.mark.django_db


def test_start_draws_the_configured_number_and_snapshots_the_key(
    enrolled_learner, module_quiz
):
    attempt = services.attempt_start(user=enrolled_learner, quiz=module_quiz)
    questions = attempt.snapshot["questions"]
    assert len(questions) == 4 and attempt.number == 1
    assert len({q["question_id"] for q in questions}) == 4
    assert all(any(o["is_correct"] for o in q["options"]) for q in questions)


def test_start_twice_resumes_the_open_attempt(enrolled_learner, module_quiz):
    first = services.attempt_start(user=enrolled_learner, quiz=module_quiz)
    second = services.attempt_start(user=enrolled_learner, quiz=module_quiz)
    assert first.pk == second.pk and Attempt.objects.count() == 1


def test_snapshot_is_stable_after_the_bank_is_edited(enrolled_learner, module_quiz):
    attempt = services.attempt_start(user=enrolled_learner, quiz=module_quiz)
    before = attempt.snapshot
    answers = correct_answers(attempt)
    for option in QuestionOption.objects.all():
        option.text = "EDITED"
        option.is_correct = not option.is_correct
        option.save()
    attempt.refresh_from_db()
    assert attempt.snapshot == before
    graded = services.attempt_submit(attempt=attempt, answers=answers)
    assert graded.passed and graded.score == 100


def test_double_submission_returns_the_same_result(enrolled_learner, module_quiz):
    attempt = services.attempt_start(user=enrolled_learner, quiz=module_quiz)
    first = services.attempt_submit(attempt=attempt, answers=wrong_answers(attempt))
    second = services.attempt_submit(attempt=attempt, answers=correct_answers(attempt))
    assert first.score == second.score == 0
    assert second.passed is False and second.submitted_at == first.submitted_at
    assert Attempt.objects.get().result == first.result


def test_submission_after_the_deadline_is_graded_as_at_the_deadline(
    enrolled_learner, module_quiz
):
    module_quiz.time_limit_minutes = 10
    module_quiz.save()
    started = timezone.now()
    attempt = services.attempt_start(
        user=enrolled_learner, quiz=module_quiz, now=started
    )
    assert attempt.deadline == started + timedelta(minutes=10)
    answers = correct_answers(attempt)
    first_question = attempt.snapshot["questions"][0]["id"]
    services.attempt_save_answers(
        attempt=attempt,
        answers={first_question: answers[first_question]},
        now=started + timedelta(minutes=5),
    )
    # Later saves and the final answers arrive too late and do not count.
    with pytest.raises(services.AttemptClosed, match="Time is up"):
        services.attempt_save_answers(
            attempt=attempt, answers=answers, now=started + timedelta(minutes=11)
        )
    graded = services.attempt_submit(
        attempt=attempt, answers=answers, now=started + timedelta(minutes=12)
    )
    assert graded.submitted_at == attempt.deadline
    assert graded.score == 25 and graded.passed is False


def test_submission_in_time_counts_the_submitted_answers(enrolled_learner, module_quiz):
    module_quiz.time_limit_minutes = 10
    module_quiz.save()
    started = timezone.now()
    attempt = services.attempt_start(
        user=enrolled_learner, quiz=module_quiz, now=started
    )
    graded = services.attempt_submit(
        attempt=attempt,
        answers=correct_answers(attempt),
        now=started + timedelta(minutes=9),
    )
    assert graded.passed and graded.submitted_at == started + timedelta(minutes=9)


def test_an_expired_open_attempt_is_closed_when_the_next_starts(
    enrolled_learner, module_quiz
):
    module_quiz.time_limit_minutes = 5
    module_quiz.save()
    started = timezone.now() - timedelta(minutes=30)
    old = services.attempt_start(user=enrolled_learner, quiz=module_quiz, now=started)
    new = services.attempt_start(user=enrolled_learner, quiz=module_quiz)
    old.refresh_from_db()
    assert old.status == AttemptStatus.SUBMITTED and old.submitted_at == old.deadline
    assert new.number == 2


def test_attempt_limit_and_the_administrator_grant(
    enrolled_learner, post_test, make_user, course
):
    for module in course.modules:
        course_services.progress_record_visit(user=enrolled_learner, module=module)
    assert post_test.attempt_limit == 2  # the post-test default
    for _ in range(2):
        attempt = services.attempt_start(user=enrolled_learner, quiz=post_test)
        services.attempt_submit(attempt=attempt, answers=wrong_answers(attempt))
    with pytest.raises(services.AttemptError, match="used all your attempts"):
        services.attempt_start(user=enrolled_learner, quiz=post_test)

    admin = make_user("records", is_staff=True)
    with pytest.raises(services.AttemptError, match="reason"):
        services.attempt_grant(
            user=enrolled_learner, quiz=post_test, actor=admin, reason=" "
        )
    services.attempt_grant(
        user=enrolled_learner,
        quiz=post_test,
        actor=admin,
        reason="Illness during attempt 2",
    )
    third = services.attempt_start(user=enrolled_learner, quiz=post_test)
    assert third.number == 3
    services.attempt_submit(attempt=third, answers=wrong_answers(third))
    with pytest.raises(services.AttemptError):
        services.attempt_start(user=enrolled_learner, quiz=post_test)


def test_cooldown_between_attempts(enrolled_learner, module_quiz):
    module_quiz.cooldown_minutes = 30
    module_quiz.save()
    now = timezone.now()
    attempt = services.attempt_start(user=enrolled_learner, quiz=module_quiz, now=now)
    services.attempt_submit(attempt=attempt, answers=wrong_answers(attempt), now=now)
    with pytest.raises(services.AttemptError, match="try again in about"):
        services.attempt_start(
            user=enrolled_learner, quiz=module_quiz, now=now + timedelta(minutes=10)
        )
    assert (
        services.attempt_start(
            user=enrolled_learner, quiz=module_quiz, now=now + timedelta(minutes=31)
        ).number
        == 2
    )


def test_cannot_start_without_enrolment(learner, module_quiz):
    with pytest.raises(services.AttemptError):
        services.attempt_start(user=learner, quiz=module_quiz)


def test_passed_quiz_cannot_be_retaken(enrolled_learner, module_quiz):
    attempt = services.attempt_start(user=enrolled_learner, quiz=module_quiz)
    services.attempt_submit(attempt=attempt, answers=correct_answers(attempt))
    with pytest.raises(services.AttemptError, match="already passed"):
        services.attempt_start(user=enrolled_learner, quiz=module_quiz)


def test_module_completes_only_when_its_quiz_is_passed(
    enrolled_learner, module_quiz, course
):
    module = course.modules[0]
    progress = course_services.progress_record_visit(
        user=enrolled_learner, module=module
    )
    assert progress.completed_at is None  # opened, but the quiz is not passed

    attempt = services.attempt_start(user=enrolled_learner, quiz=module_quiz)
    services.attempt_submit(attempt=attempt, answers=wrong_answers(attempt))
    assert ModuleProgress.objects.get(module=module).completed_at is None

    attempt = services.attempt_start(user=enrolled_learner, quiz=module_quiz)
    services.attempt_submit(attempt=attempt, answers=correct_answers(attempt))
    assert ModuleProgress.objects.get(module=module).completed_at is not None


def test_required_order_waits_for_the_quiz(
    client, enrolled_learner, module_quiz, course
):
    client.force_login(enrolled_learner)
    first, second = course.modules[0], course.modules[1]
    assert client.get(first.url).status_code == 200
    assert client.get(second.url).status_code == 302  # module 1 opened, quiz not passed
    attempt = services.attempt_start(user=enrolled_learner, quiz=module_quiz)
    services.attempt_submit(attempt=attempt, answers=correct_answers(attempt))
    assert client.get(second.url).status_code == 200


def test_course_completes_with_modules_and_post_test(
    enrolled_learner, post_test, course
):
    for module in course.modules:
        course_services.progress_record_visit(user=enrolled_learner, module=module)
    assert Enrolment.objects.get(user=enrolled_learner).status == EnrolmentStatus.ACTIVE
    attempt = services.attempt_start(user=enrolled_learner, quiz=post_test)
    services.attempt_submit(attempt=attempt, answers=correct_answers(attempt))
    assert (
        Enrolment.objects.get(user=enrolled_learner).status == EnrolmentStatus.COMPLETED
    )


def test_ungraded_self_check_never_blocks_completion(
    enrolled_learner, module_quiz, course
):
    module_quiz.is_graded = False
    module_quiz.save()
    progress = course_services.progress_record_visit(
        user=enrolled_learner, module=course.modules[0]
    )
    assert progress.completed_at is not None
    attempt = services.attempt_start(user=enrolled_learner, quiz=module_quiz)
    graded = services.attempt_submit(attempt=attempt, answers=wrong_answers(attempt))
    assert graded.passed is None and graded.score == 0
