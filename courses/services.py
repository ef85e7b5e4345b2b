"""The only writers of profiles, enrolments, orders and progress.

Each function is keyword-only, runs in a transaction, and checks that the transition it makes
is allowed. Views, forms and webhooks call these; never the other way round.
"""

import logging

from django.db import transaction
from django.utils import timezone

from . import conf, learner_state
from .hooks import module_requirements_met
from .models import (
    ACCESS_STATUSES,
    CoursePage,
    Enrolment,
    EnrolmentEvent,
    EnrolmentSource,
    EnrolmentStatus,
    LearnerProfile,
    ModulePage,
    ModuleProgress,
    Order,
)

logger = logging.getLogger(__name__)


class EnrolmentError(Exception):
    """A request that cannot be honoured; the message is safe to show to the learner."""


# --- Profiles -------------------------------------------------------------------------


def profile_update(*, user, **fields) -> LearnerProfile:
    with transaction.atomic():
        profile, _ = LearnerProfile.objects.select_for_update().get_or_create(
            user=user, defaults=fields
        )
        for name, value in fields.items():
            setattr(profile, name, value)
        profile.full_clean()
        profile.save()
    return profile


def profile_is_complete(user) -> bool:
    profile = LearnerProfile.objects.filter(user=user).first()
    return bool(profile and profile.is_complete)


# --- Enrolments -----------------------------------------------------------------------


def _enrolment_transition(
    enrolment: Enrolment, *, to_status: str, actor=None, reason: str = ""
) -> Enrolment:
    from_status = enrolment.status
    if from_status == to_status:
        return enrolment
    now = timezone.now()
    enrolment.status = to_status
    if to_status in ACCESS_STATUSES and not enrolment.activated_at:
        enrolment.activated_at = now
    enrolment.ended_at = (
        now
        if to_status in (EnrolmentStatus.REVOKED, EnrolmentStatus.REFUNDED)
        else None
    )
    enrolment.save(update_fields=["status", "activated_at", "ended_at", "order"])
    EnrolmentEvent.objects.create(
        enrolment=enrolment,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        reason=reason,
    )
    learner_state.changed(user_id=enrolment.user_id)
    return enrolment


def _enrolment_activate(
    *,
    user,
    course: CoursePage,
    source: str,
    order: Order | None = None,
    actor=None,
    reason="",
) -> Enrolment:
    """Create or reactivate the one enrolment of (user, course). Caller holds a transaction."""
    enrolment, created = Enrolment.objects.select_for_update().get_or_create(
        user=user,
        course=course,
        defaults={"source": source, "order": order, "status": EnrolmentStatus.PENDING},
    )
    if enrolment.status == EnrolmentStatus.COMPLETED:
        return enrolment
    if not created:
        enrolment.source = source
        enrolment.order = order or enrolment.order
        enrolment.save(update_fields=["source", "order"])
    return _enrolment_transition(
        enrolment, to_status=EnrolmentStatus.ACTIVE, actor=actor, reason=reason
    )


def enrolment_enrol_free(*, user, course: CoursePage) -> Enrolment:
    if not course.is_free:
        raise EnrolmentError("This course is paid; please go through checkout.")
    if (
        course.awards_ce
        and conf.require_profile_for_ce()
        and not profile_is_complete(user)
    ):
        raise EnrolmentError("Complete your professional profile before enrolling.")
    with transaction.atomic():
        return _enrolment_activate(
            user=user, course=course, source=EnrolmentSource.FREE
        )


def enrolment_grant(*, user, course: CoursePage, actor, reason: str) -> Enrolment:
    """An administrator enrols a learner by hand; the reason is recorded."""
    if not reason.strip():
        raise EnrolmentError("A reason is required to enroll a learner by hand.")
    with transaction.atomic():
        return _enrolment_activate(
            user=user,
            course=course,
            source=EnrolmentSource.ADMIN,
            actor=actor,
            reason=reason,
        )


def enrolment_revoke(
    *,
    enrolment: Enrolment,
    actor=None,
    reason: str,
    status: str = EnrolmentStatus.REVOKED,
) -> Enrolment:
    if status not in (EnrolmentStatus.REVOKED, EnrolmentStatus.REFUNDED):
        raise ValueError(f"{status} is not a revocation status")
    if not reason.strip():
        raise EnrolmentError("A reason is required to revoke access.")
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        return _enrolment_transition(
            enrolment, to_status=status, actor=actor, reason=reason
        )


def _enrolment_for_order(order: Order) -> Enrolment | None:
    if order.organization_id:  # seats: never the buyer's own enrolment
        return None
    return (
        Enrolment.objects.select_for_update()
        .filter(user=order.user, course=order.course)
        .first()
    )


def enrolment_complete(*, enrolment: Enrolment, reason: str = "") -> Enrolment:
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if enrolment.status != EnrolmentStatus.ACTIVE:
            return enrolment
        return _enrolment_transition(
            enrolment, to_status=EnrolmentStatus.COMPLETED, reason=reason
        )


# --- Progress -------------------------------------------------------------------------


def progress_record_visit(*, user, module: ModulePage) -> ModuleProgress:
    """The learner opened the module's content. Completion also needs its quiz, if any."""
    now = timezone.now()
    with transaction.atomic():
        progress, created = ModuleProgress.objects.select_for_update().get_or_create(
            user=user,
            module=module,
            defaults={"first_visited_at": now, "last_visited_at": now},
        )
        if not created:
            progress.last_visited_at = now
        if progress.completed_at is None and module_requirements_met(
            user=user, module=module
        ):
            progress.completed_at = now
        progress.save()
        learner_state.changed(user_id=user.pk)
    return progress


def progress_refresh(*, user, module: ModulePage) -> ModuleProgress | None:
    """Re-check completion after something outside the page changed (a passed quiz)."""
    with transaction.atomic():
        progress = (
            ModuleProgress.objects.select_for_update()
            .filter(user=user, module=module)
            .first()
        )
        if (
            progress
            and progress.completed_at is None
            and module_requirements_met(user=user, module=module)
        ):
            progress.completed_at = timezone.now()
            progress.save(update_fields=["completed_at"])
            learner_state.changed(user_id=user.pk)
        return progress
