"""The only writers of attempts and attempt grants.

`attempt_start` freezes what is shown into a snapshot; `attempt_submit` grades that snapshot
with `grading.grade`, once. Both lock the learner's enrolment row, which serialises a
learner's attempts on one course (double clicks, two tabs) without a global lock.
"""

import random
import secrets
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from courses import access as course_access
from courses import services as course_services
from courses.models import ACCESS_STATUSES, Enrolment

from .. import grading
from ..models import Attempt, AttemptGrant, AttemptStatus, Question, Quiz, QuizKind


class AttemptError(Exception):
    """The learner may not start or submit now; the message is safe to show."""


def _enrolment_lock(user, quiz: Quiz) -> Enrolment:
    enrolment = (
        Enrolment.objects.select_for_update()
        .filter(user=user, course=quiz.owning_course, status__in=ACCESS_STATUSES)
        .first()
    )
    if enrolment is None:
        raise AttemptError("Enrol in the course to take this quiz.")
    return enrolment


def attempts_allowed(user, quiz: Quiz) -> int | None:
    """How many attempts this learner may make in all; None for unlimited."""
    if quiz.attempt_limit is None:
        return None
    return (
        quiz.attempt_limit + AttemptGrant.objects.filter(user=user, quiz=quiz).count()
    )


def draw_questions(quiz: Quiz, rng: random.Random) -> list[Question]:
    tag_ids = [tag.pk for tag in quiz.draw_tags.all()]
    picked_ids = [question.pk for question in quiz.questions.all()]
    pool = Question.objects.filter(is_active=True).filter(
        Q(pk__in=picked_ids) | Q(tagged_items__tag_id__in=tag_ids)
    )
    candidates = list(pool.distinct().order_by("pk").prefetch_related("options"))
    chosen = rng.sample(candidates, min(quiz.question_count, len(candidates)))
    if not quiz.shuffle_questions:
        chosen.sort(key=lambda question: question.pk)
    return chosen


def build_snapshot(quiz: Quiz, questions: list[Question], rng: random.Random) -> dict:
    items = []
    for position, question in enumerate(questions, start=1):
        options = [
            {
                "id": str(option.pk),
                "text": option.text,
                "is_correct": option.is_correct,
                "feedback": option.feedback,
            }
            for option in question.options.all()  # prefetched, in the trainer's order
        ]
        correct_order = [option["id"] for option in options]
        # Ordering items are always shuffled: the listed order is the answer.
        if quiz.shuffle_options or question.type == "ordering":
            rng.shuffle(options)
        items.append(
            {
                "id": f"q{position}",
                "question_id": question.pk,
                "key": question.key,
                "type": question.type,
                "scoring": question.scoring,
                "scenario": question.scenario,
                "stem": question.stem,
                "explanation": question.explanation,
                "reference": {
                    "citation": question.reference_citation,
                    "url": question.reference_url,
                    "grade": question.reference_grade,
                },
                "options": options,
                "correct_order": correct_order if question.type == "ordering" else [],
            }
        )
    return {
        "quiz_id": quiz.pk,
        "title": quiz.title,
        "pass_mark": quiz.pass_mark,
        "is_graded": quiz.is_graded,
        "questions": items,
    }


def attempt_start(*, user, quiz: Quiz, now=None) -> Attempt:
    """Start an attempt, or resume the one already open."""
    now = now or timezone.now()
    if not quiz.is_active:
        raise AttemptError("This quiz is not open.")
    if quiz.kind == QuizKind.MODULE:
        decision = course_access.module_access(user, quiz.module.specific)
        if not decision.allowed:
            raise AttemptError(decision.message or "You cannot open this module yet.")
    with transaction.atomic():
        _enrolment_lock(user, quiz)
        previous = list(Attempt.objects.filter(user=user, quiz=quiz).order_by("number"))
        open_attempt = next((a for a in previous if not a.is_submitted), None)
        if open_attempt is not None:
            if open_attempt.deadline and open_attempt.deadline <= now:
                attempt_submit(attempt=open_attempt, answers=None, now=now)
                previous = list(
                    Attempt.objects.filter(user=user, quiz=quiz).order_by("number")
                )
            else:
                return open_attempt
        if quiz.is_graded and any(a.passed for a in previous):
            raise AttemptError("You have already passed this quiz.")
        allowed = attempts_allowed(user, quiz)
        if allowed is not None and len(previous) >= allowed:
            raise AttemptError(
                "You have used all your attempts for this quiz. An administrator can grant "
                "another attempt; please contact the course team."
            )
        if previous and quiz.cooldown_minutes:
            ready_at = previous[-1].submitted_at + timedelta(
                minutes=quiz.cooldown_minutes
            )
            if now < ready_at:
                minutes = max(1, int((ready_at - now).total_seconds() // 60) + 1)
                raise AttemptError(f"You can try again in about {minutes} minutes.")
        rng = random.Random(secrets.randbits(64))
        questions = draw_questions(quiz, rng)
        if not questions:
            raise AttemptError("This quiz has no questions yet.")
        return Attempt.objects.create(
            user=user,
            quiz=quiz,
            number=len(previous) + 1,
            snapshot=build_snapshot(quiz, questions, rng),
            started_at=now,
            deadline=(
                now + timedelta(minutes=quiz.time_limit_minutes)
                if quiz.time_limit_minutes
                else None
            ),
        )


def attempt_save_answers(*, attempt: Attempt, answers: dict, now=None) -> Attempt:
    """Keep answers as the learner goes, so a deadline grades what they had by then."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if attempt.is_submitted or (attempt.deadline and now > attempt.deadline):
            return attempt
        attempt.saved_answers = answers
        attempt.save(update_fields=["saved_answers"])
    return attempt


def attempt_submit(*, attempt: Attempt, answers: dict | None, now=None) -> Attempt:
    """Grade once. A repeat returns the stored result; a late submission is graded on the
    answers saved before the deadline, as at the deadline."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = (
            Attempt.objects.select_for_update()
            .select_related("quiz")
            .get(pk=attempt.pk)
        )
        if attempt.is_submitted:
            return attempt
        late = attempt.deadline is not None and now > attempt.deadline
        final_answers = attempt.saved_answers if (late or answers is None) else answers
        snapshot = attempt.snapshot
        result = grading.grade(
            snapshot, final_answers or {}, pass_mark=snapshot["pass_mark"]
        )
        attempt.answers = final_answers or {}
        attempt.result = result
        attempt.score = Decimal(result["score"])
        attempt.passed = result["passed"] if snapshot["is_graded"] else None
        attempt.status = AttemptStatus.SUBMITTED
        attempt.submitted_at = attempt.deadline if late else now
        attempt.save(
            update_fields=[
                "answers",
                "result",
                "score",
                "passed",
                "status",
                "submitted_at",
            ]
        )
        if attempt.passed:
            _after_pass(attempt)
    return attempt


def _after_pass(attempt: Attempt) -> None:
    quiz = attempt.quiz
    if quiz.kind == QuizKind.MODULE:
        course_services.progress_refresh(user=attempt.user, module=quiz.module)
    _course_completion_check(attempt.user, quiz.owning_course)


def _course_completion_check(user, course) -> None:
    from ..selectors import course_completion
    from .certificates import certificate_issue_if_eligible

    if course_completion(user, course)["complete"]:
        enrolment = Enrolment.objects.get(user=user, course=course)
        course_services.enrolment_complete(
            enrolment=enrolment, reason="All modules complete and the post-test passed."
        )
        certificate_issue_if_eligible(user=user, course=course)


def attempt_grant(*, user, quiz: Quiz, actor, reason: str) -> AttemptGrant:
    if not reason.strip():
        raise AttemptError("A reason is required to grant another attempt.")
    return AttemptGrant.objects.create(
        user=user, quiz=quiz, granted_by=actor, reason=reason
    )
