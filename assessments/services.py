"""The only writers of attempts and attempt grants.

`attempt_start` freezes what is shown into a snapshot; `attempt_submit` grades that snapshot
with `grading.grade`, once. Their transactions are short, because on SQLite a transaction
holds the one write lock of the whole database: the questions are drawn, the snapshot
built and the answers graded before it opens. Inside, `attempt_start` locks the learner's
enrolment row (which serialises a learner's starts on one course: double clicks, two tabs)
and checks the limits again on counts, never reading an earlier attempt's JSON;
`attempt_submit` stores the grade with an update that only an attempt still in progress
takes, so exactly one submission wins without the snapshot being read again.
"""

import random
import secrets
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from courses import access as course_access
from courses import learner_state
from courses import services as course_services
from courses.models import ACCESS_STATUSES, Enrolment

from . import grading
from .certificates.services import certificate_issue_if_eligible
from .models import (
    Attempt,
    AttemptGrant,
    AttemptStatus,
    Question,
    Quiz,
    QuizKind,
)
from .selectors import attempts_allowed, course_completion, drawable_pool


class AttemptError(Exception):
    """The learner may not start or submit now; the message is safe to show."""


class AttemptClosed(AttemptError):
    """The attempt takes no more answers: submitted, or past its time limit."""


# An attempt's JSON: the questions shown and the answers. Reads that only need to know
# about earlier attempts leave them out.
ATTEMPT_JSON = ("snapshot", "saved_answers", "answers", "result")


def _course_id(quiz: Quiz) -> int:
    if quiz.kind == QuizKind.POST_TEST:
        return quiz.course_id
    return quiz.module.course.pk  # ModulePage.course: loaded once per module object


def _enrolment_lock(user, course_id: int) -> Enrolment:
    enrolment = (
        Enrolment.objects.select_for_update()
        .filter(user=user, course_id=course_id, status__in=ACCESS_STATUSES)
        .first()
    )
    if enrolment is None:
        raise AttemptError("Enroll in the course to take this quiz.")
    return enrolment


def _earlier_attempts(user, quiz: Quiz) -> dict:
    """What the limits need to know about this learner's attempts, in one query."""
    return (
        Attempt.objects.filter(user=user, quiz=quiz)
        .order_by()
        .aggregate(
            count=Count("pk"),
            passes=Count("pk", filter=Q(passed=True)),
            open_id=Max("pk", filter=Q(status=AttemptStatus.IN_PROGRESS)),
            last_number=Max("number"),
            last_submitted_at=Max("submitted_at"),
        )
    )


def _open_attempt(user, quiz: Quiz) -> Attempt | None:
    return (
        Attempt.objects.filter(user=user, quiz=quiz, status=AttemptStatus.IN_PROGRESS)
        .defer(*ATTEMPT_JSON)
        .first()
    )


def draw_questions(quiz: Quiz, rng: random.Random) -> list[Question]:
    # The same pool the quiz builder counts for trainers (selectors.quiz_pool), cached.
    tag_ids, candidates = drawable_pool(quiz)
    chosen: list[Question] = []
    if quiz.draw_per_tag:
        for tag_id in tag_ids:
            taken = {question.pk for question in chosen}
            carrying = [
                question
                for question in candidates
                if question.pk not in taken
                and any(item.tag_id == tag_id for item in question.tagged_items.all())
            ]
            chosen += rng.sample(carrying, min(quiz.draw_per_tag, len(carrying)))
    taken = {question.pk for question in chosen}
    rest = [question for question in candidates if question.pk not in taken]
    chosen += rng.sample(
        rest, max(0, min(quiz.question_count - len(chosen), len(rest)))
    )
    if quiz.shuffle_questions:
        rng.shuffle(chosen)
    else:
        chosen.sort(key=lambda question: question.pk)
    return chosen


def option_tokens(count: int) -> list[str]:
    """Opaque names for the options of one question in one attempt.

    The page and the form see only these: never a database id, whose order would give the
    trainer's order (the answer of an ordering question) away."""
    tokens: set[str] = set()
    while len(tokens) < count:
        tokens.add(secrets.token_hex(5))
    return list(tokens)


def build_snapshot(quiz: Quiz, questions: list[Question], rng: random.Random) -> dict:
    items = []
    for position, question in enumerate(questions, start=1):
        trainer_options = list(question.options.all())  # prefetched, trainer's order
        options = [
            {
                "id": token,
                "option_id": option.pk,  # for analytics; never leaves the server
                "text": option.text,
                "is_correct": option.is_correct,
                "feedback": option.feedback,
            }
            for option, token in zip(
                trainer_options, option_tokens(len(trainer_options)), strict=True
            )
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
        with learner_state.fresh():  # a decision to write: from the database
            decision = course_access.module_access(user, quiz.module)
        if not decision.allowed:
            raise AttemptError(decision.message or "You cannot open this module yet.")
    course_id = _course_id(quiz)
    open_attempt = _open_attempt(user, quiz)
    if open_attempt is not None:
        if not (open_attempt.deadline and open_attempt.deadline <= now):
            return open_attempt
        attempt_submit(attempt=open_attempt, answers=None, now=now)
    # Outside the transaction: drawing the questions and building the snapshot.
    rng = random.Random(secrets.randbits(64))
    questions = draw_questions(quiz, rng)
    if not questions:
        raise AttemptError("This quiz has no questions yet.")
    snapshot = build_snapshot(quiz, questions, rng)
    with transaction.atomic():
        _enrolment_lock(user, course_id)
        earlier = _earlier_attempts(user, quiz)
        if earlier["open_id"] is not None:
            # Another tab started one meanwhile: resume that one.
            return Attempt.objects.defer(*ATTEMPT_JSON).get(pk=earlier["open_id"])
        if quiz.is_graded and earlier["passes"]:
            raise AttemptError("You have already passed this quiz.")
        allowed = attempts_allowed(user, quiz)
        if allowed is not None and earlier["count"] >= allowed:
            raise AttemptError(
                "You have used all your attempts for this quiz. An administrator can grant "
                "another attempt; please contact the course team."
            )
        if earlier["last_submitted_at"] and quiz.cooldown_minutes:
            ready_at = earlier["last_submitted_at"] + timedelta(
                minutes=quiz.cooldown_minutes
            )
            if now < ready_at:
                minutes = max(1, int((ready_at - now).total_seconds() // 60) + 1)
                raise AttemptError(f"You can try again in about {minutes} minutes.")
        attempt = Attempt.objects.create(
            user=user,
            quiz=quiz,
            number=(earlier["last_number"] or 0) + 1,
            snapshot=snapshot,
            started_at=now,
            deadline=(
                now + timedelta(minutes=quiz.time_limit_minutes)
                if quiz.time_limit_minutes
                else None
            ),
        )
        learner_state.changed(user_id=user.pk)
    return attempt


def attempt_tokenise_options(*, attempt: Attempt) -> Attempt:
    """Give an open attempt started before options had tokens its own tokens.

    Called when its page is shown, so a form already on screen with the old names is still
    graded against the names it was shown with."""
    questions = attempt.snapshot.get("questions", [])
    if attempt.is_submitted or all(
        "option_id" in option for q in questions for option in q["options"]
    ):
        return attempt
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if attempt.is_submitted:
            return attempt
        snapshot, saved = attempt.snapshot, dict(attempt.saved_answers or {})
        for question in snapshot["questions"]:
            if all("option_id" in option for option in question["options"]):
                continue
            tokens = dict(
                zip(
                    (option["id"] for option in question["options"]),
                    option_tokens(len(question["options"])),
                    strict=True,
                )
            )
            for option in question["options"]:
                old = str(option["id"])
                option["option_id"] = int(old) if old.isdigit() else old
                option["id"] = tokens[option["id"]]
            question["correct_order"] = [
                tokens[old] for old in question.get("correct_order", [])
            ]
            answer = saved.get(question["id"])
            if isinstance(answer, list):
                saved[question["id"]] = [tokens.get(old, old) for old in answer]
            elif answer is not None:
                saved[question["id"]] = tokens.get(answer, answer)
        attempt.snapshot, attempt.saved_answers = snapshot, saved
        attempt.save(update_fields=["snapshot", "saved_answers"])
    return attempt


def attempt_save_answers(*, attempt: Attempt, answers: dict, now=None) -> Attempt:
    """Keep answers as the learner goes, so a deadline grades what they had by then.

    Raises AttemptClosed, saving nothing, once the attempt is submitted or out of time."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if attempt.is_submitted:
            raise AttemptClosed("This attempt has already been submitted.")
        if attempt.deadline and now > attempt.deadline:
            raise AttemptClosed(
                "Time is up: answers changed after the time limit are not counted. "
                "Your answers saved before the deadline are being submitted now."
            )
        attempt.saved_answers = answers
        attempt.save(update_fields=["saved_answers"])
    return attempt


def attempt_submit(*, attempt: Attempt, answers: dict | None, now=None) -> Attempt:
    """Grade once. A repeat returns the stored result; a late submission is graded on the
    answers saved before the deadline, as at the deadline.

    The caller's attempt is graded as it is if its snapshot is loaded (the attempt page
    has just read it: a snapshot never changes once the attempt has started); otherwise
    it is read first. Both happen before the transaction."""
    now = now or timezone.now()
    if "snapshot" not in attempt.__dict__ or "quiz" not in attempt._state.fields_cache:
        attempt = Attempt.objects.select_related("quiz").get(pk=attempt.pk)
    if attempt.is_submitted:
        return attempt
    late = attempt.deadline is not None and now > attempt.deadline
    from_saved = late or answers is None
    final_answers = (attempt.saved_answers if from_saved else answers) or {}
    graded = _graded(attempt, final_answers, late=late, now=now)
    course = attempt.quiz.owning_course if graded["passed"] else None
    with transaction.atomic():
        if from_saved:
            # Saved answers may still change until the deadline: read them again under
            # the lock (they are small; the snapshot is not read again).
            saved = (
                Attempt.objects.select_for_update()
                .filter(pk=attempt.pk)
                .values_list("saved_answers", flat=True)
                .first()
            )
            if (saved or {}) != final_answers:
                final_answers = saved or {}
                graded = _graded(attempt, final_answers, late=late, now=now)
                if graded["passed"] and course is None:
                    course = attempt.quiz.owning_course
        stored = Attempt.objects.filter(
            pk=attempt.pk, status=AttemptStatus.IN_PROGRESS
        ).update(**graded)
        if stored:
            for field, value in graded.items():
                setattr(attempt, field, value)
            learner_state.changed(user_id=attempt.user_id)
            if attempt.passed:
                _after_pass(attempt, course)
    if not stored:  # another request submitted it first: its result stands
        return Attempt.objects.select_related("quiz").get(pk=attempt.pk)
    return attempt


def _graded(attempt: Attempt, answers: dict, *, late: bool, now) -> dict:
    snapshot = attempt.snapshot
    result = grading.grade(snapshot, answers, pass_mark=snapshot["pass_mark"])
    return {
        "answers": answers,
        "result": result,
        "score": Decimal(result["score"]),
        "passed": result["passed"] if snapshot["is_graded"] else None,
        "status": AttemptStatus.SUBMITTED,
        "submitted_at": attempt.deadline if late else now,
    }


def _after_pass(attempt: Attempt, course) -> None:
    quiz = attempt.quiz
    if quiz.kind == QuizKind.MODULE:
        course_services.progress_refresh(user=attempt.user, module=quiz.module)
    _course_completion_check(attempt.user, course)


def _course_completion_check(user, course) -> None:

    if course_completion(user, course)["complete"]:
        enrolment = Enrolment.objects.get(user=user, course=course)
        course_services.enrolment_complete(
            enrolment=enrolment, reason="All modules complete and the post-test passed."
        )
        certificate_issue_if_eligible(user=user, course=course)


def attempt_grant(*, user, quiz: Quiz, actor, reason: str) -> AttemptGrant:
    if not reason.strip():
        raise AttemptError("A reason is required to grant another attempt.")
    grant = AttemptGrant.objects.create(
        user=user, quiz=quiz, granted_by=actor, reason=reason
    )
    learner_state.changed(user_id=user.pk)
    return grant
