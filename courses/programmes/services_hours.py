"""Programme writes for hours that count toward a certificate: live-session attendance,
which a facilitator records, and consultation logs, which the named consultant approves or
returns. Every change leaves a programme audit event."""

from django.db import transaction
from django.utils import timezone

from ..hooks import requirements_changed
from ..models import (
    ACCESS_STATUSES,
    Cohort,
    CohortMembership,
    Consultation,
    ConsultationStatus,
    Enrolment,
    LiveAttendance,
    ProgrammeAuditAction,
)
from . import emails, selectors
from .identifiers import client_identifiers, identifier_message
from .services import ProgrammeError, audit

# --- Live attendance -----------------------------------------------------------------


def may_take_attendance(user, cohort: Cohort) -> bool:
    return user.is_authenticated and (
        cohort.facilitator_id == user.pk
        or user.is_superuser
        or user.has_perm("courses.change_liveattendance")
    )


def attendance_record(*, actor, session, user, minutes: int) -> LiveAttendance | None:
    """Set a learner's attended minutes for a session (0 removes the attendance)."""
    if not may_take_attendance(actor, session.cohort):
        raise ProgrammeError("Only the cohort's facilitator can record attendance.")
    if not CohortMembership.objects.filter(user=user, cohort=session.cohort).exists():
        raise ProgrammeError("That learner is not in this cohort.")
    if not 0 <= minutes <= session.duration_minutes:
        raise ProgrammeError(
            f"Attended minutes must be between 0 and {session.duration_minutes}."
        )
    with transaction.atomic():
        row = (
            LiveAttendance.objects.select_for_update()
            .filter(session=session, user=user)
            .first()
        )
        before = row.minutes_attended if row else 0
        if before == minutes:
            return row
        if minutes == 0:
            row.delete()
            row = None
        elif row is None:
            row = LiveAttendance.objects.create(
                session=session, user=user, minutes_attended=minutes, recorded_by=actor
            )
        else:
            row.minutes_attended, row.recorded_by = minutes, actor
            row.save(update_fields=["minutes_attended", "recorded_by", "updated_at"])
        audit(
            action=(
                ProgrammeAuditAction.ATTENDANCE_RECORDED
                if before == 0
                else ProgrammeAuditAction.ATTENDANCE_CHANGED
            ),
            actor=actor,
            subject=user,
            course=session.cohort.course_id,
            session_id=session.pk,
            session=session.title,
            minutes_before=before,
            minutes_after=minutes,
        )
        course = session.cohort.course
        transaction.on_commit(lambda: requirements_changed(user=user, course=course))
    return row


# --- Consultation hours ----------------------------------------------------------------


def consultation_log(
    *, user, course, consultant, held_on, kind: str, minutes: int, reflection: str
) -> Consultation:
    if not Enrolment.objects.filter(
        user=user, course=course, status__in=ACCESS_STATUSES
    ).exists():
        raise ProgrammeError("Enroll in the course to log consultation hours.")
    if (
        consultant == user
        or not selectors.consultants().filter(pk=consultant.pk).exists()
    ):
        raise ProgrammeError("Choose one of the program's approved consultants.")
    if held_on > timezone.localdate():
        raise ProgrammeError("The consultation date cannot be in the future.")
    found = client_identifiers(reflection)
    if found:
        raise ProgrammeError(identifier_message(found))
    with transaction.atomic():
        consultation = Consultation.objects.create(
            user=user,
            course=course,
            consultant=consultant,
            held_on=held_on,
            kind=kind,
            minutes=minutes,
            reflection=reflection.strip(),
        )
        audit(
            action=ProgrammeAuditAction.CONSULTATION_LOGGED,
            actor=user,
            subject=user,
            course=course,
            consultation_id=consultation.pk,
            minutes=minutes,
        )
        transaction.on_commit(lambda: emails.send_consultation_submitted(consultation))
    return consultation


def _consultation_decide(
    *, consultant, consultation: Consultation, status: str, comment: str
) -> Consultation:
    with transaction.atomic():
        consultation = (
            Consultation.objects.select_for_update()
            .select_related("user", "course", "consultant")
            .get(pk=consultation.pk)
        )
        if consultation.consultant_id != consultant.pk:
            raise ProgrammeError("Only the consultant named on the log can review it.")
        if consultation.status != ConsultationStatus.SUBMITTED:
            raise ProgrammeError("This consultation has already been reviewed.")
        consultation.status = status
        consultation.reviewer_comment = comment.strip()
        consultation.reviewed_at = timezone.now()
        consultation.save(update_fields=["status", "reviewer_comment", "reviewed_at"])
        audit(
            action=(
                ProgrammeAuditAction.CONSULTATION_APPROVED
                if status == ConsultationStatus.APPROVED
                else ProgrammeAuditAction.CONSULTATION_RETURNED
            ),
            actor=consultant,
            subject=consultation.user,
            course=consultation.course,
            reason=consultation.reviewer_comment,
            consultation_id=consultation.pk,
            minutes=consultation.minutes,
        )
        transaction.on_commit(lambda: emails.send_consultation_decided(consultation))
        if status == ConsultationStatus.APPROVED:
            transaction.on_commit(
                lambda: requirements_changed(
                    user=consultation.user, course=consultation.course
                )
            )
    return consultation


def consultation_approve(
    *, consultant, consultation, comment: str = ""
) -> Consultation:
    return _consultation_decide(
        consultant=consultant,
        consultation=consultation,
        status=ConsultationStatus.APPROVED,
        comment=comment,
    )


def consultation_return(*, consultant, consultation, comment: str) -> Consultation:
    if not comment.strip():
        raise ProgrammeError(
            "Say what the learner should change when you return a log."
        )
    return _consultation_decide(
        consultant=consultant,
        consultation=consultation,
        status=ConsultationStatus.RETURNED,
        comment=comment,
    )
