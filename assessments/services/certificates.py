"""Certificate writes: issue (automatic or by override), revoke, reissue, bulk issue.

Every write runs in a transaction holding the learner's enrolment row lock, so double clicks
and concurrent requests issue exactly once (the unique constraint is the backstop). Every
action leaves an audit event.
"""

from datetime import date

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from courses import conf as course_conf
from courses.models import CoursePage, Enrolment, LearnerProfile

from .. import documents, emails
from ..models import (
    AuditAction,
    AuditEvent,
    Certificate,
    CertificateDocument,
    CertificateStatus,
    EvaluationResponse,
)
from ..selectors import certificate_eligibility


class CertificateError(Exception):
    """The request cannot be honoured; the message is safe to show."""


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
        actor_label=(actor.get_username() if actor else ""),
        subject_user_id=getattr(subject, "pk", None),
        subject_label=(subject.get_username() if subject else ""),
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
        }
    return {
        "learner_name": profile.legal_name,
        "profession": profile.get_profession_display(),
        "licence_number": profile.licence_number,
        "licence_jurisdiction": profile.licence_jurisdiction,
    }


def _frozen_course_fields(course) -> dict:
    return {
        "course_title": course.title,
        "ce_hours": course.ce_hours,
        "credit_type": course.credit_type,
        "delivery_format": course.get_delivery_format_display(),
        "accreditation_statement": course.accreditation_statement,
        "provider_name": course_conf.provider_name(),
    }


FROZEN_FIELDS = [
    "learner_name",
    "profession",
    "licence_number",
    "licence_jurisdiction",
    "course_title",
    "completion_date",
    "ce_hours",
    "credit_type",
    "delivery_format",
    "accreditation_statement",
    "provider_name",
]


def _store_document(certificate: Certificate) -> CertificateDocument:
    """Render this version's PDF once and keep it alongside every earlier version."""
    pdf_bytes = documents.render_certificate_pdf(certificate)
    name = f"{certificate.code}-v{certificate.version}.pdf"
    document = CertificateDocument(
        certificate=certificate,
        version=certificate.version,
        frozen={field: str(getattr(certificate, field)) for field in FROZEN_FIELDS},
    )
    document.pdf.save(name, ContentFile(pdf_bytes), save=False)
    document.save()
    certificate.pdf.name = document.pdf.name
    certificate.save(update_fields=["pdf"])
    return document


def _lock_enrolment(user, course):
    return (
        Enrolment.objects.select_for_update().filter(user=user, course=course).first()
    )


def certificate_issue(
    *, user, course, actor=None, override_reason: str = "", note: str = ""
) -> Certificate:
    """Issue the learner's certificate for this course, once.

    Without an actor it is automatic and needs full eligibility. An administrator may issue
    to a learner who is not yet eligible, with a required override reason.
    """
    with transaction.atomic():
        _lock_enrolment(user, course)
        existing = Certificate.objects.filter(user=user, course=course).first()
        if existing is not None:
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
                    "This learner is not eligible yet, so an override reason is required."
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
        )
        try:
            with transaction.atomic():
                certificate.save()
        except IntegrityError:
            # Another request issued it between our check and insert: theirs stands.
            return Certificate.objects.get(user=user, course=course)
        _store_document(certificate)
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
        transaction.on_commit(lambda: emails.send_certificate_issued(certificate))
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
        transaction.on_commit(lambda: emails.send_certificate_revoked(certificate))
    return certificate


def certificate_reissue(*, certificate: Certificate, actor, reason: str) -> Certificate:
    """A new version after a name or licence correction: re-freeze the learner's details,
    render a new PDF, and keep the old one as superseded. The code stays the same."""
    if not reason.strip():
        raise CertificateError("A reason is required to reissue a certificate.")
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if certificate.status == CertificateStatus.REVOKED:
            raise CertificateError("A revoked certificate cannot be reissued.")
        before = {field: str(getattr(certificate, field)) for field in FROZEN_FIELDS}
        for field, value in _frozen_learner_fields(certificate.user).items():
            setattr(certificate, field, value)
        certificate.version += 1
        certificate.save()
        CertificateDocument.objects.filter(
            certificate=certificate, superseded_at__isnull=True
        ).update(superseded_at=timezone.now())
        _store_document(certificate)
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


def certificate_bulk_issue_batch(*, course, actor, limit: int = 10) -> dict:
    """Issue to the next `limit` eligible learners without a certificate.

    The admin page calls this repeatedly and shows progress, so a large course never needs
    one long request or a background worker.
    """
    from ..selectors import eligible_without_certificate

    pending = eligible_without_certificate(course)
    issued = []
    for user in pending[:limit]:
        issued.append(
            certificate_issue(user=user, course=course, actor=actor, note="Bulk issue")
        )
    return {"issued": len(issued), "remaining": max(0, len(pending) - len(issued))}


def certificate_mark_reminded(*, certificate: Certificate) -> bool:
    """Record the expiry reminder once; False if another run already sent it."""
    with transaction.atomic():
        updated = Certificate.objects.filter(
            pk=certificate.pk, expiry_reminder_sent_at__isnull=True
        ).update(expiry_reminder_sent_at=timezone.now())
    return bool(updated)


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
    from ..models import EvaluationForm, EvaluationItem

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
