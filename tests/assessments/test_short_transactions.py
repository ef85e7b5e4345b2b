"""Quiz writes hold their transaction for a handful of short statements.

On SQLite a transaction holds the database's one write lock, so attempt_start draws and
snapshots before it opens its transaction and checks the limits inside on counts, and
attempt_submit grades before it and stores the grade with a conditional update. These
tests count statements, never time: what runs inside the transaction, that the cost of a
start does not grow with the learner's earlier attempts, that no earlier attempt's JSON
is read, and that a grade is stored exactly once.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from taggit.models import Tag

from assessments import grading, services
from assessments.models import Attempt, AttemptStatus, Quiz, QuizKind
from courses import services as course_services
from tests.assessments.conftest import correct_answers, wrong_answers

pytestmark = pytest.mark.django_db


def earlier_attempts(user, quiz, count: int) -> None:
    """`count` failed attempts, each with a full snapshot, as a learner who retried."""
    template = services.attempt_start(user=user, quiz=quiz)
    services.attempt_submit(attempt=template, answers={})
    now = timezone.now()
    Attempt.objects.bulk_create(
        Attempt(
            user=user,
            quiz=quiz,
            number=number,
            status=AttemptStatus.SUBMITTED,
            snapshot=template.snapshot,
            answers={},
            result={"items": []},
            score=Decimal(0),
            passed=False,
            started_at=now - timedelta(hours=number),
            submitted_at=now - timedelta(hours=number),
        )
        for number in range(2, count + 1)
    )
    assert Attempt.objects.filter(user=user, quiz=quiz).count() == count


def inside_the_transaction(queries) -> list[str]:
    """The statements between the service's SAVEPOINT and its release (the test case's own
    transaction wraps everything, so the service's atomic block is a savepoint)."""
    sql = [q["sql"] for q in queries]
    start = next(i for i, s in enumerate(sql) if s.startswith("SAVEPOINT"))
    end = max(i for i, s in enumerate(sql) if s.startswith("RELEASE SAVEPOINT"))
    return [s for s in sql[start + 1 : end] if "SAVEPOINT" not in s]


def selects_json(sql: str) -> bool:
    return sql.startswith("SELECT") and '"assessments_attempt"."snapshot"' in sql


def test_start_costs_the_same_after_1_or_50_attempts_and_reads_no_snapshot(
    make_course, make_question, make_user
):
    costs = {}
    for count in (1, 50):
        course = make_course(title=f"Course {count}", modules=1)
        user = make_user(f"retrier{count}")
        course_services.enrolment_grant(
            user=user, course=course, actor=None, reason="t"
        )
        for _ in range(6):
            make_question(tags=(f"bank-{count}",))
        quiz = Quiz.objects.create(
            title="Retry quiz",
            kind=QuizKind.MODULE,
            module=course.modules[0],
            question_count=4,
        )
        quiz.draw_tags.set(Tag.objects.filter(name=f"bank-{count}"))
        quiz.save()
        earlier_attempts(user, quiz, count)
        with CaptureQueriesContext(connection) as context:
            attempt = services.attempt_start(user=user, quiz=quiz)
        assert attempt.number == count + 1
        costs[count] = len(context.captured_queries)
        assert not any(selects_json(q["sql"]) for q in context.captured_queries)
    assert costs[1] == costs[50], costs


def test_start_holds_its_transaction_for_the_lock_the_counts_and_the_insert(
    enrolled_learner, module_quiz
):
    with CaptureQueriesContext(connection) as context:
        services.attempt_start(user=enrolled_learner, quiz=module_quiz)
    inside = inside_the_transaction(context.captured_queries)
    assert len(inside) == 3, inside  # enrolment lock, the counts, the insert
    assert "courses_enrolment" in inside[0]
    assert inside[-1].startswith("INSERT") and "assessments_attempt" in inside[-1]
    assert not any("questionoption" in sql or "taggit" in sql for sql in inside)


def test_a_failed_submission_holds_its_transaction_for_one_update(
    enrolled_learner, module_quiz
):
    attempt = services.attempt_start(user=enrolled_learner, quiz=module_quiz)
    with CaptureQueriesContext(connection) as context:
        services.attempt_submit(attempt=attempt, answers=wrong_answers(attempt))
    inside = inside_the_transaction(context.captured_queries)
    assert len(inside) == 1 and inside[0].startswith("UPDATE"), inside
    assert "status" in inside[0] and "in_progress" in inside[0]
    # The attempt the caller holds was graded: its snapshot is not read again.
    assert not any(selects_json(q["sql"]) for q in context.captured_queries)


def test_no_reference_index_rows_for_learner_records(enrolled_learner, module_quiz):
    from django.urls import get_resolver
    from wagtail.models import ReferenceIndex

    from assessments.models import AttemptGrant, Certificate
    from courses.models import Enrolment, ModuleProgress, Order

    get_resolver().url_patterns  # noqa: B018 - registers the admin's viewsets, as a server
    learner_records = [
        Attempt,
        AttemptGrant,
        Enrolment,
        ModuleProgress,
        Order,
        Certificate,
    ]
    assert not [m for m in learner_records if ReferenceIndex.is_indexed(m)]
    assert ReferenceIndex.is_indexed(Quiz)  # what the CMS does refer to still is
    with CaptureQueriesContext(connection) as context:
        attempt = services.attempt_start(user=enrolled_learner, quiz=module_quiz)
        services.attempt_submit(attempt=attempt, answers=correct_answers(attempt))
    assert not any(
        "wagtailcore_referenceindex" in q["sql"] for q in context.captured_queries
    )


def test_a_grade_is_stored_exactly_once_even_from_a_stale_copy(
    enrolled_learner, module_quiz
):
    attempt = services.attempt_start(user=enrolled_learner, quiz=module_quiz)
    stale = Attempt.objects.get(pk=attempt.pk)  # read while still in progress
    first = services.attempt_submit(attempt=attempt, answers=wrong_answers(attempt))
    assert stale.status == AttemptStatus.IN_PROGRESS
    second = services.attempt_submit(attempt=stale, answers=correct_answers(stale))
    stored = Attempt.objects.get(pk=attempt.pk)
    assert first.passed is False and second.passed is False
    assert stored.score == 0 and stored.result == first.result
    assert second.submitted_at == first.submitted_at


def test_a_late_submission_counts_answers_saved_after_the_attempt_was_read(
    enrolled_learner, module_quiz
):
    module_quiz.time_limit_minutes = 10
    module_quiz.save()
    started = timezone.now()
    attempt = services.attempt_start(
        user=enrolled_learner, quiz=module_quiz, now=started
    )
    held = Attempt.objects.get(pk=attempt.pk)  # the copy the page read, nothing saved
    # A save that committed after that read, before the deadline.
    services.attempt_save_answers(
        attempt=attempt,
        answers=correct_answers(attempt),
        now=started + timedelta(minutes=5),
    )
    graded = services.attempt_submit(
        attempt=held, answers=None, now=started + timedelta(minutes=11)
    )
    assert graded.passed and graded.score == 100
    assert graded.submitted_at == attempt.deadline
    assert graded.answers == correct_answers(attempt)
    assert (
        grading.grade(
            attempt.snapshot, graded.answers, pass_mark=attempt.snapshot["pass_mark"]
        )
        == Attempt.objects.get(pk=attempt.pk).result
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_and_starts_store_one_grade_and_one_open_attempt(
    enrolled_learner, module_quiz
):
    """Six requests at once on the same attempt (double clicks, tabs), then six starts:
    one grade stored, the others see it; one new attempt opened, the others resume it."""
    import threading

    attempt = services.attempt_start(user=enrolled_learner, quiz=module_quiz)
    answers = wrong_answers(attempt)
    barrier, results, errors = threading.Barrier(6), [], []

    def run(step):
        try:
            barrier.wait()
            results.append(step())
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    def submit():
        held = Attempt.objects.select_related("quiz").get(pk=attempt.pk)
        return services.attempt_submit(attempt=held, answers=answers)

    def start():
        return services.attempt_start(user=enrolled_learner, quiz=module_quiz).pk

    for step in (submit, start):
        results.clear()
        threads = [threading.Thread(target=run, args=(step,)) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert errors == []
        assert len(results) == 6
        if step is submit:
            stored = Attempt.objects.get(pk=attempt.pk)
            assert {r.submitted_at for r in results} == {stored.submitted_at}
            assert all(r.result == stored.result for r in results)
        else:
            assert len(set(results)) == 1
    attempts = Attempt.objects.filter(user=enrolled_learner, quiz=module_quiz)
    assert attempts.count() == 2
    assert attempts.filter(status=AttemptStatus.IN_PROGRESS).count() == 1
