"""Programme writes: seat orders and their fulfilment and refunds, invitations, seat
reclaim, cohort membership, attendance and consultation review.

Each runs in a transaction with the rows it changes locked, checks that the caller may make
the change, and leaves a programme audit event. Enrollment itself still changes only
through `courses.services`.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import services as course_services
from .. import services_orders
from ..hooks import learner_report
from ..models import (
    ACCESS_STATUSES,
    Cohort,
    CohortMembership,
    CoursePage,
    Enrolment,
    EnrolmentSource,
    EnrolmentStatus,
    InvitationStatus,
    ModuleReleaseNotice,
    Order,
    Organization,
    ProgrammeAuditAction,
    ProgrammeAuditEvent,
    Seat,
    SeatInvitation,
    SeatStatus,
)
from ..payments import get_payment_backend
from . import emails, selectors

MAX_SEATS_PER_ORDER = 500


class ProgrammeError(Exception):
    """The request cannot be honored; the message is safe to show."""


def audit(
    *,
    action,
    actor=None,
    subject=None,
    organization=None,
    course=None,
    reason="",
    **data,
):
    return ProgrammeAuditEvent.objects.create(
        action=action,
        actor_id=getattr(actor, "pk", None),
        actor_label=actor.get_username() if actor else "",
        subject_user_id=getattr(subject, "pk", None),
        subject_label=subject.get_username() if subject else "",
        organization_id=getattr(organization, "pk", None),
        course_id=getattr(course, "pk", course),
        reason=reason,
        data=data,
    )


def _require_manager(user, organization: Organization) -> None:
    if not organization.managers.filter(user=user).exists():
        raise ProgrammeError("Only this organization's managers can do that.")


# --- Seat orders ---------------------------------------------------------------------


def seats_checkout_start(
    *,
    manager,
    organization: Organization,
    course: CoursePage,
    quantity: int,
    success_url: str,
    cancel_url: str,
) -> tuple[Order, str]:
    """A pending order for `quantity` seats at the course's own price, and checkout."""
    _require_manager(manager, organization)
    if course.is_free:
        raise ProgrammeError("This course is free; learners can enroll directly.")
    if not course.live:
        raise ProgrammeError("This course is not open for enrollment.")
    if not 1 <= quantity <= MAX_SEATS_PER_ORDER:
        raise ProgrammeError(
            f"Buy between 1 and {MAX_SEATS_PER_ORDER} seats at a time."
        )
    backend = get_payment_backend()
    order = Order.objects.create(
        user=manager,
        organization=organization,
        course=course,
        course_title=course.title,
        quantity=quantity,
        amount=course.price * quantity,
        currency=course.currency,
        provider=backend.name,
    )
    return services_orders.order_checkout_open(
        order,
        backend=backend,
        success_url=success_url,
        cancel_url=cancel_url,
        customer_email=manager.email,
    )


def order_deliver_seats(*, order: Order) -> bool:
    """The `courses_order_paid` hook: an organization's paid order becomes its seats.

    Runs inside order_fulfil's transaction, which holds the order's row lock and fulfils a
    pending order once; the (order, seat number) constraint is the backstop. An individual
    order with a cohort chosen at checkout joins that cohort and is enrolled as usual.
    """
    if not order.organization_id:
        if order.cohort_id:
            _cohort_join(user=order.user, cohort=order.cohort)
        return False
    if Seat.objects.filter(order=order).exists():
        return True
    Seat.objects.bulk_create(
        Seat(
            organization_id=order.organization_id,
            course_id=order.course_id,
            order=order,
            seat_number=number,
        )
        for number in range(1, order.quantity + 1)
    )
    audit(
        action=ProgrammeAuditAction.SEATS_PURCHASED,
        actor=order.user,
        organization=order.organization,
        course=order.course,
        order=order.reference,
        seats=order.quantity,
    )
    return True


def order_remove_refunded_seats(*, order: Order) -> None:
    """The `courses_order_refunded` hook: a refund of N seats' worth removes N seats that
    nobody uses (free ones first, then ones held by pending invitations). Assigned seats are
    never removed; a shortfall is recorded for an administrator to settle."""
    if not order.organization_id:
        return
    seat_price = order.amount / order.quantity
    refunded_seats = min(int(order.amount_refunded // seat_price), order.quantity)
    seats = Seat.objects.select_for_update().filter(order=order)
    to_remove = refunded_seats - seats.filter(status=SeatStatus.REFUNDED).count()
    if to_remove <= 0:
        return
    candidates = list(seats.filter(status=SeatStatus.FREE).order_by("-seat_number"))
    candidates += list(seats.filter(status=SeatStatus.INVITED).order_by("-seat_number"))
    removed = candidates[:to_remove]
    now = timezone.now()
    for seat in removed:
        SeatInvitation.objects.filter(
            seat=seat, status=InvitationStatus.PENDING
        ).update(status=InvitationStatus.WITHDRAWN, closed_at=now)
        seat.status = SeatStatus.REFUNDED
        seat.save(update_fields=["status", "updated_at"])
    audit(
        action=ProgrammeAuditAction.SEATS_REFUNDED,
        organization=order.organization,
        course=order.course,
        order=order.reference,
        seats_removed=len(removed),
        shortfall=to_remove - len(removed),
    )


# --- Invitations and seats -----------------------------------------------------------


def invitation_send(
    *, manager, organization: Organization, course, email: str, cohort=None
) -> SeatInvitation:
    _require_manager(manager, organization)
    email = email.strip().lower()
    if cohort is not None and cohort.course_id != course.pk:
        raise ProgrammeError("That cohort belongs to another course.")
    with transaction.atomic():
        if SeatInvitation.objects.filter(
            organization=organization,
            seat__course=course,
            email__iexact=email,
            status=InvitationStatus.PENDING,
        ).exists():
            raise ProgrammeError(f"{email} already has a pending invitation.")
        if Seat.objects.filter(
            organization=organization,
            course=course,
            status=SeatStatus.ASSIGNED,
            holder__email__iexact=email,
        ).exists():
            raise ProgrammeError(f"{email} already holds a seat in this course.")
        seat = selectors.free_seat_for(organization, course.pk)
        if seat is None:
            raise ProgrammeError("There are no free seats left. Buy more seats first.")
        seat.status = SeatStatus.INVITED
        seat.save(update_fields=["status", "updated_at"])
        invitation = SeatInvitation.objects.create(
            organization=organization,
            seat=seat,
            cohort=cohort,
            email=email,
            invited_by=manager,
        )
        audit(
            action=ProgrammeAuditAction.INVITATION_SENT,
            actor=manager,
            organization=organization,
            course=course,
            email=email,
        )
        transaction.on_commit(lambda: emails.send_invitation(invitation))
    return invitation


def _pending_invitation(pk: int) -> SeatInvitation:
    invitation = (
        SeatInvitation.objects.select_for_update()
        .select_related("seat", "organization")
        .get(pk=pk)
    )
    if invitation.status != InvitationStatus.PENDING:
        raise ProgrammeError("This invitation is no longer open.")
    return invitation


def invitation_withdraw(*, manager, invitation: SeatInvitation) -> SeatInvitation:
    _require_manager(manager, invitation.organization)
    with transaction.atomic():
        invitation = _pending_invitation(invitation.pk)
        invitation.status = InvitationStatus.WITHDRAWN
        invitation.closed_at = timezone.now()
        invitation.save(update_fields=["status", "closed_at"])
        Seat.objects.filter(pk=invitation.seat_id, status=SeatStatus.INVITED).update(
            status=SeatStatus.FREE, updated_at=timezone.now()
        )
        audit(
            action=ProgrammeAuditAction.INVITATION_WITHDRAWN,
            actor=manager,
            organization=invitation.organization,
            course=invitation.seat.course_id,
            email=invitation.email,
        )
    return invitation


def invitation_accept(*, user, invitation: SeatInvitation) -> Enrolment:
    """The invited clinician takes the seat: enrolled as the organization's learner."""
    with transaction.atomic():
        invitation = _pending_invitation(invitation.pk)
        if invitation.email.lower() != (user.email or "").lower():
            raise ProgrammeError(
                f"This invitation was sent to {invitation.email}. Sign in with that "
                "email address to accept it."
            )
        seat = Seat.objects.select_for_update().get(pk=invitation.seat_id)
        if Enrolment.objects.filter(
            user=user, course_id=seat.course_id, status__in=ACCESS_STATUSES
        ).exists():
            raise ProgrammeError(
                "You're already enrolled in this course, so the seat stays free for a "
                "colleague."
            )
        seat.status, seat.holder = SeatStatus.ASSIGNED, user
        seat.save(update_fields=["status", "holder", "updated_at"])
        invitation.status = InvitationStatus.ACCEPTED
        invitation.accepted_by, invitation.closed_at = user, timezone.now()
        invitation.save(update_fields=["status", "accepted_by", "closed_at"])
        course = CoursePage.objects.get(pk=seat.course_id)
        enrolment = course_services._enrolment_activate(
            user=user,
            course=course,
            source=EnrolmentSource.ORGANIZATION,
            reason=f"Seat from {invitation.organization.name}",
        )
        if invitation.cohort_id:
            _cohort_join(user=user, cohort=invitation.cohort)
        audit(
            action=ProgrammeAuditAction.INVITATION_ACCEPTED,
            actor=user,
            subject=user,
            organization=invitation.organization,
            course=course,
        )
    return enrolment


def seat_reclaim(*, manager, seat: Seat, reason: str = "") -> Seat:
    """Take a seat back from a learner who has not completed the course. Their access
    through the organization ends and they are told; the seat is free again."""
    _require_manager(manager, seat.organization)
    with transaction.atomic():
        seat = (
            # Lock the seat row only: PostgreSQL refuses FOR UPDATE on the nullable
            # side of the outer join to its holder.
            Seat.objects.select_for_update(of=("self",))
            .select_related("holder", "course")
            .get(pk=seat.pk)
        )
        if seat.status != SeatStatus.ASSIGNED:
            raise ProgrammeError("This seat is not assigned to anyone.")
        learner, course = seat.holder, seat.course
        enrolment = (
            Enrolment.objects.select_for_update()
            .filter(user=learner, course=course)
            .first()
        )
        report = learner_report(course=course, users=[learner]).get(learner.pk, {})
        if (enrolment and enrolment.status == EnrolmentStatus.COMPLETED) or report.get(
            "certified"
        ):
            raise ProgrammeError(
                "This learner has completed the course, so the seat stays theirs."
            )
        if enrolment and enrolment.source == EnrolmentSource.ORGANIZATION:
            course_services.enrolment_revoke(
                enrolment=enrolment,
                actor=manager,
                reason=reason.strip() or f"Seat reclaimed by {seat.organization.name}",
            )
        CohortMembership.objects.filter(user=learner, course=course).delete()
        seat.status, seat.holder = SeatStatus.FREE, None
        seat.save(update_fields=["status", "holder", "updated_at"])
        audit(
            action=ProgrammeAuditAction.SEAT_RECLAIMED,
            actor=manager,
            subject=learner,
            organization=seat.organization,
            course=course,
            reason=reason.strip(),
        )
        organization = seat.organization
        transaction.on_commit(
            lambda: emails.send_seat_reclaimed(
                user=learner, course=course, organization=organization
            )
        )
    return seat


# --- Cohorts -------------------------------------------------------------------------


def _cohort_join(*, user, cohort: Cohort, actor=None) -> CohortMembership:
    membership, created = CohortMembership.objects.get_or_create(
        user=user, course_id=cohort.course_id, defaults={"cohort": cohort}
    )
    if created:
        audit(
            action=ProgrammeAuditAction.COHORT_JOINED,
            actor=actor or user,
            subject=user,
            course=cohort.course_id,
            cohort=cohort.name,
            cohort_id=cohort.pk,
        )
    return membership


def cohort_join(*, user, cohort: Cohort, actor=None) -> CohortMembership:
    """Join a cohort (a learner with access, or before checkout): one per course."""
    with transaction.atomic():
        cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
        existing = CohortMembership.objects.filter(
            user=user, course_id=cohort.course_id
        ).first()
        if existing is not None:
            return existing
        if not cohort.open_for_enrollment or not selectors.cohort_has_room(cohort):
            raise ProgrammeError(f"The cohort “{cohort.name}” is full or closed.")
        return _cohort_join(user=user, cohort=cohort, actor=actor)


def order_choose_cohort(*, order: Order, cohort: Cohort) -> Order:
    """Remember the cohort a learner picked at checkout; fulfilment joins it."""
    if cohort.course_id != order.course_id or not selectors.cohort_has_room(cohort):
        raise ProgrammeError(f"The cohort “{cohort.name}” is full or closed.")
    order.cohort = cohort
    order.save(update_fields=["cohort", "updated_at"])
    return order


# --- Module release emails -------------------------------------------------------------


def release_notices_send(*, today=None) -> int:
    """Email each learner once when a scheduled module opens. Safe to run daily and
    concurrently: the notice row (unique per learner and module) and the queued email
    commit together, so a run that dies between them leaves neither and the next run
    sends it."""
    sent = 0
    for user, module, opens_on in selectors.release_notices_due(today=today):
        try:
            with transaction.atomic():
                ModuleReleaseNotice.objects.create(user=user, module=module)
                emails.queue_module_open(user=user, module=module, opens_on=opens_on)
        except IntegrityError:
            continue  # another run claimed it
        sent += 1
    return sent
