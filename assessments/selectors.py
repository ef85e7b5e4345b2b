"""Reads: quiz state for a learner, completion, and analytics."""

from courses.memo import on_page
from courses.selectors import completed_module_ids_in, course_modules

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
    return on_page(
        course, ("completion", user.pk), lambda: _course_completion(user, course)
    )


def _course_completion(user, course) -> dict:
    modules = course_modules(course)
    done = completed_module_ids_in(user, course)
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


# --- Certificates ---------------------------------------------------------------------


def certificate_eligibility(user, course) -> dict:
    """The one answer to "may this learner have a certificate?", with what is missing."""
    from courses.access import enrolment_for
    from courses.models import ACCESS_STATUSES, LearnerProfile

    from .models import EvaluationResponse

    enrolment = enrolment_for(user, course)
    completion = course_completion(user, course)
    evaluation = EvaluationResponse.objects.filter(user=user, course=course).first()
    profile = LearnerProfile.objects.filter(user=user).first()
    checklist = [
        {
            "label": "Enrolment active",
            "done": bool(enrolment and enrolment.status in ACCESS_STATUSES),
            "detail": enrolment.get_status_display() if enrolment else "Not enrolled",
        },
        {
            "label": "Every module complete",
            "done": completion["modules_total"] > 0
            and completion["modules_done"] == completion["modules_total"],
            "detail": f"{completion['modules_done']} of {completion['modules_total']}",
        },
        {
            "label": "Final post-test passed",
            "done": completion["post_test_passed"],
            "detail": "" if completion["post_test"] else "No post-test for this course",
        },
        {
            "label": "Course evaluation submitted",
            "done": evaluation is not None,
            "detail": "",
        },
    ]
    if course.awards_ce:
        checklist.append(
            {
                "label": "Professional profile complete (name and licence for the certificate)",
                "done": bool(profile and profile.is_complete),
                "detail": "",
            }
        )
    completed_on = None
    if completion["complete"]:
        last_pass = (
            Attempt.objects.filter(user=user, quiz__course=course, passed=True)
            .order_by("-submitted_at")
            .values_list("submitted_at", flat=True)
            .first()
        )
        completed_on = last_pass or (evaluation and evaluation.submitted_at)
        completed_on = completed_on.date() if completed_on else None
    return {
        "eligible": all(item["done"] for item in checklist),
        "checklist": checklist,
        "missing": [item["label"] for item in checklist if not item["done"]],
        "completed_on": completed_on,
    }


def eligible_without_certificate(course) -> list:
    from courses.models import ACCESS_STATUSES, Enrolment

    from .models import Certificate

    candidates = (
        Enrolment.objects.filter(course=course, status__in=ACCESS_STATUSES)
        .exclude(user__in=Certificate.objects.filter(course=course).values("user"))
        .select_related("user")
        .order_by("pk")
    )
    return [
        e.user
        for e in candidates
        if certificate_eligibility(e.user, course)["eligible"]
    ]


def transcript_rows(user) -> dict:
    """CE hours by year and credit type, from valid (unrevoked) certificates."""
    from collections import defaultdict
    from decimal import Decimal

    from .models import Certificate, CertificateStatus

    certificates = list(
        Certificate.objects.filter(user=user)
        .exclude(status=CertificateStatus.REVOKED)
        .order_by("completion_date")
    )
    by_year: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for certificate in certificates:
        by_year[certificate.completion_date.year][
            certificate.credit_type or "Other"
        ] += certificate.ce_hours
    years = [
        {
            "year": year,
            "by_type": sorted(types.items()),
            "total": sum(types.values(), Decimal("0")),
        }
        for year, types in sorted(by_year.items(), reverse=True)
    ]
    return {
        "certificates": certificates,
        "years": years,
        "total": sum((c.ce_hours for c in certificates), Decimal("0")),
    }


# --- Evaluations ----------------------------------------------------------------------


def evaluation_report(form) -> dict:
    """Mean rating per Likert item and every free-text answer, for accreditor audits."""
    import statistics

    from .models import EvaluationResponse

    responses = list(EvaluationResponse.objects.filter(course=form.course))
    items = []
    for item in form.items.all():
        values = [
            answer["value"]
            for response in responses
            for answer in response.answers
            if answer["item_id"] == item.pk and answer["value"] not in ("", None)
        ]
        entry = {"item": item, "count": len(values)}
        if item.kind == "likert":
            numbers = [int(v) for v in values]
            entry["mean"] = round(statistics.fmean(numbers), 2) if numbers else None
            entry["distribution"] = [numbers.count(score) for score in range(1, 6)]
            entry["bar_width"] = round((entry["mean"] or 0) / 5 * 300)
        else:
            entry["texts"] = values
        items.append(entry)
    return {"responses": len(responses), "items": items}
