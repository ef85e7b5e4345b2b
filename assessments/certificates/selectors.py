"""Certificate reads: eligibility, where a learner stands and what comes next, who is
eligible (or blocked) for bulk issue, the transcript, and the evaluation report."""

import statistics
from collections import defaultdict
from decimal import Decimal

from django.urls import reverse

from courses import learner_state
from courses.models import ACCESS_STATUSES, Enrolment
from courses.programmes.selectors import programme_requirements
from courses.selectors import enrolment_for

from ..models import Attempt
from ..selectors import course_completion, quiz_summary
from .models import Certificate, CertificateStatus, EvaluationResponse


def certificate_eligibility(user, course) -> dict:
    """The one answer to "may this learner have a certificate?", with what is missing."""

    state = learner_state.get(user, course)
    enrolment = enrolment_for(user, course)
    completion = course_completion(user, course)
    evaluation = state.extras["evaluation"]
    profile = state.profile
    checklist = [
        {
            "label": "Enrollment active",
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
                "label": "Professional profile complete (name and license for the certificate)",
                "done": bool(profile and profile.is_complete),
                "detail": "",
            }
        )
    # Approved consultation hours and attended live hours, where the course asks for them.
    checklist += programme_requirements(user, course)
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


def learner_certificate_state(user, course) -> dict:
    """The certificate and course evaluation in courses' cached learner state (the
    courses_learner_state hook); saving either changes the record (assessments.apps)."""
    return {
        "certificate": Certificate.objects.filter(user=user, course=course).first(),
        "evaluation": EvaluationResponse.objects.filter(user=user, course=course)
        .only("pk", "user_id", "course_id", "submitted_at")
        .first(),
    }


def eligible_without_certificate(course) -> list:
    return bulk_issue_candidates(course)["eligible"]


def bulk_issue_candidates(course) -> dict:
    """Everyone with access and no certificate: who would get one now, and who is blocked,
    with what is missing, so that bulk issue can say why a learner was left out."""

    candidates = (
        Enrolment.objects.filter(course=course, status__in=ACCESS_STATUSES)
        .exclude(user__in=Certificate.objects.filter(course=course).values("user"))
        .select_related("user", "user__learner_profile")
        .order_by("pk")
    )
    eligible, blocked = [], []
    for enrolment in candidates:
        state = certificate_eligibility(enrolment.user, course)
        if state["eligible"]:
            eligible.append(enrolment.user)
        else:
            blocked.append(
                {
                    "user": enrolment.user,
                    "missing": [
                        item["label"]
                        + (f" ({item['detail']})" if item["detail"] else "")
                        for item in state["checklist"]
                        if not item["done"]
                    ],
                }
            )
    return {"eligible": eligible, "blocked": blocked}


def _step(label: str, url: str) -> dict:
    return {"label": label, "url": url}


def learner_course_status(user, course) -> dict:
    """Where this learner stands in a course, in words that are true, and the one next step.

    `key` is one of not_started, in_progress, post_test_due, post_test_locked,
    evaluation_due, certificate_pending, certificate_issued, certificate_expired,
    certificate_revoked, completed. Module steps (start, resume) are the course's own;
    `next` covers what comes after the modules.
    """
    learner = learner_state.get(user, course)
    certificate = learner.extras["certificate"]
    my_certificates = reverse("assessments:my_certificates")
    if certificate is not None:
        if certificate.is_revoked:
            return {
                "key": "certificate_revoked",
                "label": "Certificate revoked",
                "tone": "revoked",
                "detail": certificate.revocation_text,
                "next": None,
                "certificate": certificate,
            }
        expired = certificate.is_expired
        return {
            "key": "certificate_expired" if expired else "certificate_issued",
            "label": "Certificate expired" if expired else "Certificate issued",
            "tone": "todo" if expired else "done",
            "detail": "",
            "next": _step("View your certificate", my_certificates),
            "certificate": certificate,
        }
    completion = course_completion(user, course)
    base = {"tone": "todo", "detail": "", "next": None, "certificate": None}
    if completion["modules_total"] and (
        completion["modules_done"] < completion["modules_total"]
    ):
        started = completion["modules_done"] > 0
        return {
            **base,
            "key": "in_progress" if started else "not_started",
            "label": "In progress" if started else "Not started",
        }
    if not completion["post_test_passed"]:
        state = quiz_summary(user, completion["post_test"], course)
        if state["exhausted"]:
            return {
                **base,
                "key": "post_test_locked",
                "label": "Post-test: no attempts left",
                "detail": "An administrator can grant another attempt.",
            }
        return {
            **base,
            "key": "post_test_due",
            "label": "Post-test due",
            "next": _step(
                "Resume the post-test"
                if state["open_attempt"]
                else "Take the post-test",
                reverse("assessments:quiz", args=[completion["post_test"].pk]),
            ),
        }
    if not course.awards_ce:
        return {**base, "key": "completed", "label": "Completed", "tone": "done"}
    if learner.extras["evaluation"] is None:
        return {
            **base,
            "key": "evaluation_due",
            "label": "Evaluation due",
            "detail": "Your certificate is issued when you submit the evaluation.",
            "next": _step(
                "Complete the course evaluation",
                reverse("assessments:evaluation", args=[course.pk]),
            ),
        }
    missing = certificate_eligibility(user, course)["missing"]
    return {
        **base,
        "key": "certificate_pending",
        "label": "Certificate pending",
        "detail": "Still needed: " + "; ".join(missing).lower() if missing else "",
        "next": _step("Complete your professional profile", reverse("courses:profile"))
        if any(label.startswith("Professional profile") for label in missing)
        else None,
    }


NOT_APPROVED_HOURS = "Contact hours (not approved for CE credit)"


def credit_label(certificate) -> str:
    """How a certificate's hours count: its credit type once approved, else contact hours."""
    if certificate.ce_approved:
        return certificate.credit_type or "Other"
    return NOT_APPROVED_HOURS


def transcript_rows(user) -> dict:
    """CE hours by year and credit type, from valid (unrevoked) certificates. Revoked ones
    are listed apart, so the learner sees why their hours are not counted."""

    every = list(Certificate.objects.filter(user=user).order_by("completion_date"))
    certificates = [c for c in every if c.status != CertificateStatus.REVOKED]
    revoked = [c for c in every if c.status == CertificateStatus.REVOKED]
    by_year: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for certificate in certificates:
        by_year[certificate.completion_date.year][credit_label(certificate)] += (
            certificate.ce_hours
        )
    hours_by_year = _programme_hours_by(
        certificates, key=lambda c: c.completion_date.year
    )
    years = [
        {
            "year": year,
            "by_type": sorted(types.items()),
            "total": sum(types.values(), Decimal("0")),
            "programme_hours": hours_by_year.get(year, []),
        }
        for year, types in sorted(by_year.items(), reverse=True)
    ]
    return {
        "certificates": certificates,
        "revoked": revoked,
        "years": years,
        "total": sum((c.ce_hours for c in certificates), Decimal("0")),
        "ce_total": sum(
            (c.ce_hours for c in certificates if c.ce_approved), Decimal("0")
        ),
        "has_programme_hours": bool(hours_by_year),
    }


def _programme_hours_by(certificates, *, key) -> dict:
    """Consultation and live contact hours (typed entries frozen on each certificate),
    summed per key and kept apart from CE hours: {key: [(label, hours)]}."""
    totals: dict = defaultdict(lambda: defaultdict(Decimal))
    for certificate in certificates:
        for entry in certificate.programme_hours or []:
            totals[key(certificate)][entry["label"]] += Decimal(entry["hours"])
    return {k: sorted(v.items()) for k, v in totals.items()}


def transcript_cycle(user, *, starts_on, years: int) -> dict:
    """Hours earned in one license renewal cycle: from starts_on for `years` years."""
    try:
        ends_before = starts_on.replace(year=starts_on.year + years)
    except ValueError:  # a cycle that starts on February 29
        ends_before = starts_on.replace(year=starts_on.year + years, day=28)
    certificates = [
        c
        for c in transcript_rows(user)["certificates"]
        if starts_on <= c.completion_date < ends_before
    ]
    by_type: dict[str, Decimal] = defaultdict(Decimal)
    for certificate in certificates:
        by_type[credit_label(certificate)] += certificate.ce_hours
    return {
        "starts_on": starts_on,
        "ends_before": ends_before,
        "years": years,
        "by_type": sorted(by_type.items()),
        "total": sum(by_type.values(), Decimal("0")),
        "programme_hours": _programme_hours_by(certificates, key=lambda c: 0).get(
            0, []
        ),
        "certificates": certificates,
    }


def evaluation_report(form) -> dict:
    """Mean rating per Likert item and every free-text answer, for accreditor audits."""

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


def certificate_status_report(*, course, users) -> dict[int, dict]:
    """The `courses_learner_report` hook: each learner's certificate status for a manager's
    report. Status and date only: never the code, licence or any answers."""
    certificates = Certificate.objects.filter(
        course=course, user__in=[u.pk for u in users]
    ).only("user_id", "status", "issued_at", "expires_at")
    report = {}
    for certificate in certificates:
        status = certificate.public_status
        label = {
            "valid": f"Issued {certificate.issued_at:%b %-d, %Y}",
            "expired": "Expired",
            "revoked": "Revoked",
        }.get(status, status.title())
        report[certificate.user_id] = {
            "certificate": label,
            "certified": status != "revoked",
        }
    return report
