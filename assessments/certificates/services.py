"""Certificate writes: issue (automatic or by override), revoke, reinstate, reissue, bulk
issue.

Every write runs in a transaction holding the learner's enrolment row lock, so double clicks
and concurrent requests issue exactly once (the unique constraint is the backstop). Every
action leaves an audit event.

The learner is emailed after commit. When that happens inside the service (no outer
transaction), the returned certificate carries `email_sent` (True or False) so that a screen
can say truthfully whether the learner was told; without it, the email is still to come.
"""

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import dateformat, timezone

from courses import conf as course_conf
from courses.models import CoursePage, Enrolment, LearnerProfile
from courses.programmes.selectors import certificate_hour_entries

from .. import conf as assessments_conf
from . import emails
from .models import (
    FROZEN_FIELDS,
    AuditAction,
    AuditEvent,
    Certificate,
    CertificateDocument,
    CertificateStatus,
    EvaluationForm,
    EvaluationItem,
    EvaluationResponse,
)
from .selectors import certificate_eligibility
from .tasks import queue_certificate_document


class CertificateError(Exception):
    """The request cannot be honoured; the message is safe to show."""


class CertificateAlreadyIssued(CertificateError):
    """An administrator asked for a certificate the learner already has: nothing was issued."""

    def __init__(self, certificate: Certificate):
        self.certificate = certificate
        if certificate.is_revoked:
            message = (
                f"Nothing was issued: {certificate.learner_name} already has a certificate "
                f"for this course ({certificate.code}). {certificate.revocation_text} "
                "If it was revoked by mistake, reinstate it instead."
            )
        else:
            message = (
                f"Nothing was issued: {certificate.learner_name} already has a valid "
                f"certificate for this course ({certificate.code}), issued on "
                f"{day(certificate.issued_at)}."
            )
        super().__init__(message)


def day(moment) -> str:
    """A date the way the learner pages print it: 30 November 2026."""
    return dateformat.format(timezone.localtime(moment), "j F Y")


def person_label(user) -> str:
    """How the audit log names a person: the legal name on their profile if they have one."""
    profile = LearnerProfile.objects.filter(user=user).first()
    name = (profile.legal_name if profile else "") or user.get_full_name()
    return name.strip() or user.get_username()


def _email_after_commit(certificate: Certificate, send) -> None:
    def deliver():
        certificate.email_sent = send(certificate)

    transaction.on_commit(deliver)


def audit(
    *,
    action,
    actor=None,
    subject=None,
    course=None,
    certificate=None,
    reason="",
    **data,
):
    return AuditEvent.objects.create(
        action=action,
        actor_id=getattr(actor, "pk", None),
        actor_label=(person_label(actor) if actor else ""),
        subject_user_id=getattr(subject, "pk", None),
        subject_label=(person_label(subject) if subject else ""),
        course_id=getattr(course, "pk", None),
        course_title=(course.title if course else ""),
        certificate_code=(certificate.code if certificate else ""),
        reason=reason,
        data=data,
    )


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise ValueError(day)


def _frozen_learner_fields(user) -> dict:
    profile = LearnerProfile.objects.filter(user=user).first()
    if profile is None:
        return {
            "learner_name": user.get_full_name() or user.get_username(),
            "profession": "",
            "licence_number": "",
            "licence_jurisdiction": "",
            "licensure_status": "",
        }
    return {
        "learner_name": profile.legal_name,
        "profession": profile.profession_label,
        "licence_number": profile.licence_number,
        "licence_jurisdiction": profile.licence_jurisdiction,
        "licensure_status": str(profile.licensure_summary),
    }


def _frozen_course_fields(course) -> dict:
    return {
        "course_title": course.title,
        "ce_hours": course.ce_hours,
        "credit_type": course.credit_type,
        "delivery_format": course.get_delivery_format_display(),
        "accreditation_statement": course.accreditation_statement,
        "ce_approved": course.grants_ce_credit,
        "provider_name": course_conf.provider_name(),
    }


def _lock_enrolment(user, course):
    return (
        Enrolment.objects.select_for_update().filter(user=user, course=course).first()
    )


def certificate_issue(
    *, user, course, actor=None, override_reason: str = "", note: str = ""
) -> Certificate:
    """Issue the learner's certificate for this course, once.

    Without an actor it is automatic, needs full eligibility, and returns the certificate the
    learner already has, if any. An administrator may issue to a learner who is not yet
    eligible, with a required override reason; asking for a certificate that exists (valid or
    revoked) raises CertificateAlreadyIssued, so no screen can report an issue that did not
    happen.
    """
    with transaction.atomic():
        _lock_enrolment(user, course)
        existing = Certificate.objects.filter(user=user, course=course).first()
        if existing is not None:
            if actor is not None:
                raise CertificateAlreadyIssued(existing)
            return existing
        # A fresh page object: facts memoised earlier in this request may predate the lock.
        course = CoursePage.objects.get(pk=course.pk)
        eligibility = certificate_eligibility(user, course)
        overriding = not eligibility["eligible"]
        if overriding:
            if actor is None:
                raise CertificateError(
                    "Not eligible yet: " + "; ".join(eligibility["missing"])
                )
            if not override_reason.strip():
                raise CertificateError(
                    "This learner is not eligible yet (missing: "
                    + "; ".join(eligibility["missing"]).lower()
                    + "), so an override reason is required."
                )
        today = timezone.localdate()
        certificate = Certificate(
            user=user,
            course=course,
            completion_date=eligibility["completed_on"] or today,
            issued_by=actor,
            override_reason=override_reason.strip() if overriding else "",
            expires_at=(
                _add_months(today, course.certificate_validity_months)
                if course.certificate_validity_months
                else None
            ),
            **_frozen_learner_fields(user),
            **_frozen_course_fields(course),
            programme_hours=certificate_hour_entries(user, course),
        )
        try:
            with transaction.atomic():
                certificate.save()
        except IntegrityError:
            # Another request issued it between our check and insert: theirs stands.
            existing = Certificate.objects.get(user=user, course=course)
            if actor is not None:
                raise CertificateAlreadyIssued(existing) from None
            return existing
        # The PDF is rendered by the task worker, which then emails the learner.
        queue_certificate_document(certificate)
        audit(
            action=(
                AuditAction.CERTIFICATE_ISSUED_OVERRIDE
                if overriding
                else AuditAction.CERTIFICATE_ISSUED
            ),
            actor=actor,
            subject=user,
            course=course,
            certificate=certificate,
            reason=certificate.override_reason or note,
            missing=eligibility["missing"] if overriding else [],
        )
    return certificate


def certificate_issue_if_eligible(*, user, course) -> Certificate | None:
    """The automatic path, called when something that affects eligibility changes."""
    if not certificate_eligibility(user, course)["eligible"]:
        return None
    return certificate_issue(user=user, course=course)


def certificate_revoke(*, certificate: Certificate, actor, reason: str) -> Certificate:
    if not reason.strip():
        raise CertificateError("A reason is required to revoke a certificate.")
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if certificate.status == CertificateStatus.REVOKED:
            raise CertificateError("This certificate is already revoked.")
        certificate.status = CertificateStatus.REVOKED
        certificate.revoked_at = timezone.now()
        certificate.revoked_by = actor
        certificate.revoke_reason = reason.strip()
        certificate.save(
            update_fields=["status", "revoked_at", "revoked_by", "revoke_reason"]
        )
        audit(
            action=AuditAction.CERTIFICATE_REVOKED,
            actor=actor,
            subject=certificate.user,
            course=certificate.course,
            certificate=certificate,
            reason=certificate.revoke_reason,
        )
        _email_after_commit(certificate, emails.send_certificate_revoked)
    return certificate


def certificate_reinstate(
    *, certificate: Certificate, actor, reason: str
) -> Certificate:
    """Undo a revocation made by mistake: the certificate is valid again, with the same code,
    version and PDF. The revocation stays in the audit log, next to the reinstatement."""
    if not reason.strip():
        raise CertificateError("A reason is required to reinstate a certificate.")
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if not certificate.is_revoked:
            raise CertificateError(
                "Only a revoked certificate can be reinstated; this one is valid."
            )
        revoked = {
            "revoked_at": certificate.revoked_at.isoformat()
            if certificate.revoked_at
            else "",
            "revoke_reason": certificate.revoke_reason,
        }
        certificate.status = CertificateStatus.VALID
        certificate.revoked_at = None
        certificate.revoked_by = None
        certificate.revoke_reason = ""
        certificate.save(
            update_fields=["status", "revoked_at", "revoked_by", "revoke_reason"]
        )
        audit(
            action=AuditAction.CERTIFICATE_REINSTATED,
            actor=actor,
            subject=certificate.user,
            course=certificate.course,
            certificate=certificate,
            reason=reason.strip(),
            **revoked,
        )
        reason = reason.strip()
        _email_after_commit(
            certificate,
            lambda c: emails.send_certificate_reinstated(c, reason=reason),
        )
    return certificate


def certificate_reissue(*, certificate: Certificate, actor, reason: str) -> Certificate:
    """A new version after a name or licence correction: re-freeze the learner's details,
    render a new PDF, and keep the old one as superseded. The code stays the same."""
    if not reason.strip():
        raise CertificateError("A reason is required to reissue a certificate.")
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if certificate.is_revoked:
            raise CertificateError(
                "A revoked certificate cannot be reissued. If it was revoked by mistake, "
                "reinstate it first; then reissue it if the learner's details changed."
            )
        before = {field: str(getattr(certificate, field)) for field in FROZEN_FIELDS}
        for field, value in _frozen_learner_fields(certificate.user).items():
            setattr(certificate, field, value)
        certificate.version += 1
        certificate.save()
        CertificateDocument.objects.filter(
            certificate=certificate, superseded_at__isnull=True
        ).update(superseded_at=timezone.now())
        queue_certificate_document(certificate)
        after = {field: str(getattr(certificate, field)) for field in FROZEN_FIELDS}
        audit(
            action=AuditAction.CERTIFICATE_REISSUED,
            actor=actor,
            subject=certificate.user,
            course=certificate.course,
            certificate=certificate,
            reason=reason.strip(),
            version=certificate.version,
            changed={k: [before[k], after[k]] for k in after if before[k] != after[k]},
        )
    return certificate


def certificate_mark_reminded(*, certificate: Certificate) -> bool:
    """Record the expiry reminder once; False if another run already sent it."""
    with transaction.atomic():
        updated = Certificate.objects.filter(
            pk=certificate.pk, expiry_reminder_sent_at__isnull=True
        ).update(expiry_reminder_sent_at=timezone.now())
    return bool(updated)


def certificate_remind_expiring() -> int:
    """Email learners whose certificate expires within the reminder window, once each."""
    today = timezone.localdate()
    horizon = today + timedelta(days=assessments_conf.expiry_reminder_days())
    due = Certificate.objects.filter(
        status=CertificateStatus.VALID,
        expires_at__gte=today,
        expires_at__lte=horizon,
        expiry_reminder_sent_at__isnull=True,
    ).select_related("user")
    sent = 0
    for certificate in due:
        # Claim it first, so two overlapping runs never email the same learner twice.
        if certificate_mark_reminded(certificate=certificate):
            emails.send_expiry_reminder(certificate)
            sent += 1
    return sent


def evaluation_submit(*, user, course, answers: list[dict]) -> EvaluationResponse:
    with transaction.atomic():
        _lock_enrolment(user, course)
        existing = EvaluationResponse.objects.filter(user=user, course=course).first()
        if existing is not None:
            return existing
        response = EvaluationResponse.objects.create(
            user=user, course=course, answers=answers
        )
        audit(
            action=AuditAction.EVALUATION_SUBMITTED,
            actor=user,
            subject=user,
            course=course,
        )
        certificate_issue_if_eligible(user=user, course=course)
    return response


DEFAULT_EVALUATION_ITEMS = [
    ("likert", "The content was relevant to my practice.", True),
    ("likert", "The content was evidence-based and free of commercial bias.", True),
    ("likert", "The instructors were effective.", True),
    ("text", "What will you change in your practice as a result of this course?", True),
    ("text", "Suggestions for improving this course.", False),
]


def evaluation_form_ensure(*, course):
    """The course's evaluation form, created with the default items if it has none."""

    with transaction.atomic():
        form, created = EvaluationForm.objects.get_or_create(course=course)
        if created:
            items = [
                ("likert", f"This objective was met: {objective.value}", True)
                for objective in course.learning_objectives
            ] + DEFAULT_EVALUATION_ITEMS
            EvaluationItem.objects.bulk_create(
                EvaluationItem(
                    form=form,
                    sort_order=index,
                    kind=kind,
                    text=text[:300],
                    required=required,
                )
                for index, (kind, text, required) in enumerate(items)
            )
    return form
