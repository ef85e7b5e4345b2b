"""Reads: quiz state for a learner, completion, and analytics."""

from courses.selectors import completed_module_ids, course_modules

from .models import Attempt, AttemptStatus, Quiz, QuizKind


def module_quiz(module) -> Quiz | None:
    return Quiz.objects.filter(module=module, is_active=True).first()


def post_test(course) -> Quiz | None:
    return Quiz.objects.filter(
        course=course, kind=QuizKind.POST_TEST, is_active=True
    ).first()


def module_quiz_passed(*, user, module) -> bool:
    """The module requirement assessments adds: a graded module quiz, if any, is passed."""
    quiz = Quiz.objects.filter(module=module, is_active=True, is_graded=True).first()
    if quiz is None:
        return True
    return Attempt.objects.filter(user=user, quiz=quiz, passed=True).exists()


def quiz_state(user, quiz: Quiz) -> dict:
    from .services import attempts_allowed

    attempts = list(Attempt.objects.filter(user=user, quiz=quiz).order_by("number"))
    submitted = [a for a in attempts if a.status == AttemptStatus.SUBMITTED]
    allowed = attempts_allowed(user, quiz)
    passed = any(a.passed for a in submitted)
    return {
        "quiz": quiz,
        "attempts": attempts,
        "open_attempt": next(
            (a for a in attempts if a.status == AttemptStatus.IN_PROGRESS), None
        ),
        "passed": passed,
        "best_score": max((a.score for a in submitted), default=None),
        "allowed": allowed,
        "remaining": None if allowed is None else max(0, allowed - len(attempts)),
        "exhausted": allowed is not None and len(attempts) >= allowed and not passed,
    }


def course_completion(user, course) -> dict:
    """Every module complete and, if the course has one, the post-test passed."""
    modules = course_modules(course)
    done = completed_module_ids(user, modules)
    test = post_test(course)
    test_passed = (
        test is None
        or Attempt.objects.filter(user=user, quiz=test, passed=True).exists()
    )
    return {
        "modules_total": len(modules),
        "modules_done": len(done & {m.pk for m in modules}),
        "post_test": test,
        "post_test_passed": test_passed,
        "complete": bool(modules) and len(done) == len(modules) and test_passed,
    }


def quiz_analytics(quiz: Quiz) -> dict:
    from . import analytics

    rows = (
        Attempt.objects.filter(quiz=quiz, status=AttemptStatus.SUBMITTED)
        .only("score", "passed", "started_at", "submitted_at", "snapshot", "result")
        .iterator(chunk_size=500)
    )
    attempts = [
        {
            "score": float(row.score or 0),
            "passed": row.passed,
            "seconds": row.duration_seconds,
            "snapshot": row.snapshot,
            "result": row.result,
        }
        for row in rows
    ]
    return analytics.summarise(attempts)
