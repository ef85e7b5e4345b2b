"""The only writers of profiles, enrolments, orders and progress.

Each function is keyword-only, runs in a transaction, and checks that the transition it makes
is allowed. Views, forms and webhooks call these; never the other way round.
"""

import logging
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from . import conf, emails
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
    OrderStatus,
    ProcessedWebhookEvent,
)
from .payments import CheckoutSession, WebhookEvent, get_payment_backend

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
        raise EnrolmentError("A reason is required to enrol a learner by hand.")
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


# --- Checkout and orders --------------------------------------------------------------


def checkout_start(
    *, user, course: CoursePage, success_url: str, cancel_url: str
) -> tuple[Order, str]:
    """Create a pending order priced from the course page, and the provider's checkout URL."""
    if course.is_free:
        raise EnrolmentError("This course is free; enrol directly.")
    if not course.live:
        raise EnrolmentError("This course is not open for enrolment.")
    if Enrolment.objects.filter(
        user=user, course=course, status__in=ACCESS_STATUSES
    ).exists():
        raise EnrolmentError("You are already enrolled in this course.")
    if (
        course.awards_ce
        and conf.require_profile_for_ce()
        and not profile_is_complete(user)
    ):
        raise EnrolmentError("Complete your professional profile before checkout.")

    backend = get_payment_backend()
    order = Order.objects.create(
        user=user,
        course=course,
        course_title=course.title,
        amount=course.price,
        currency=course.currency,
        provider=backend.name,
    )
    session = backend.checkout_start(
        order=order,
        success_url=success_url,
        cancel_url=cancel_url,
        customer_email=user.email,
    )
    order.checkout_session_id = session.id
    order.save(update_fields=["checkout_session_id", "updated_at"])
    return order, session.url


def _order_for_session(session: CheckoutSession) -> Order | None:
    return (
        Order.objects.select_for_update()
        .select_related("user", "course")
        .filter(checkout_session_id=session.id)
        .first()
    )


def order_fulfil(*, session: CheckoutSession) -> Order | None:
    """Mark the order paid and enrol the learner, exactly once per payment.

    Called by the webhook and by the success page, with a session the provider returned.
    Returns None when the session belongs to no order of ours.
    """
    with transaction.atomic():
        order = _order_for_session(session)
        if order is None:
            logger.warning("Checkout session %s matches no order", session.id)
            return None
        if order.status != OrderStatus.PENDING:
            return order  # already fulfilled, refunded or closed: nothing to do twice
        if session.payment_status != "paid":
            return order
        if session.amount_total != order.amount_minor_units or (
            session.currency and session.currency != order.currency.lower()
        ):
            # Promotion codes lower the total; anything else is a mismatch to investigate.
            if session.amount_total > order.amount_minor_units:
                logger.error(
                    "Session %s total differs from order %s", session.id, order
                )
                return order
            order.amount = session.amount
        order.status = OrderStatus.PAID
        order.paid_at = timezone.now()
        order.payment_intent_id = session.payment_intent_id or order.payment_intent_id
        order.save(
            update_fields=[
                "status",
                "paid_at",
                "payment_intent_id",
                "amount",
                "updated_at",
            ]
        )
        _enrolment_activate(
            user=order.user,
            course=order.course,
            source=EnrolmentSource.PURCHASE,
            order=order,
        )
        transaction.on_commit(lambda: emails.send_receipt(order))
    return order


def order_close(*, session: CheckoutSession, status: str) -> Order | None:
    """Mark a pending order failed or expired."""
    if status not in (OrderStatus.FAILED, OrderStatus.EXPIRED):
        raise ValueError(status)
    with transaction.atomic():
        order = _order_for_session(session)
        if order and order.status == OrderStatus.PENDING:
            order.status = status
            order.save(update_fields=["status", "updated_at"])
        return order


def _order_for_payment_intent(payment_intent_id: str) -> Order | None:
    if not payment_intent_id:
        return None
    return (
        Order.objects.select_for_update()
        .select_related("user", "course")
        .filter(payment_intent_id=payment_intent_id)
        .first()
    )


def order_record_refund(
    *, payment_intent_id: str, amount_refunded: Decimal, actor=None
) -> Order | None:
    """A full refund ends access; a partial refund is recorded only."""
    with transaction.atomic():
        order = _order_for_payment_intent(payment_intent_id)
        if order is None or order.status not in (
            OrderStatus.PAID,
            OrderStatus.PARTIALLY_REFUNDED,
            OrderStatus.DISPUTED,
        ):
            return order
        order.amount_refunded = min(amount_refunded, order.amount)
        order.refunded_at = timezone.now()
        fully_refunded = order.amount_refunded >= order.amount
        order.status = (
            OrderStatus.REFUNDED if fully_refunded else OrderStatus.PARTIALLY_REFUNDED
        )
        order.save(
            update_fields=["amount_refunded", "refunded_at", "status", "updated_at"]
        )
        if fully_refunded:
            enrolment = _enrolment_for_order(order)
            if enrolment:
                _enrolment_transition(
                    enrolment,
                    to_status=EnrolmentStatus.REFUNDED,
                    actor=actor,
                    reason=f"Order {order.reference} refunded in full.",
                )
        return order


def order_refund(*, order: Order, actor, reason: str) -> Order:
    """An administrator refunds through the provider; access ends when it confirms."""
    if not reason.strip():
        raise EnrolmentError("A reason is required to refund an order.")
    if order.status not in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED):
        raise EnrolmentError("Only paid orders can be refunded.")
    get_payment_backend().refund(order=order)
    if order.provider == "testmode":
        # Test mode has no webhooks, so record the refund here, as Stripe's event would.
        return order_record_refund(
            payment_intent_id=order.payment_intent_id,
            amount_refunded=order.amount,
            actor=actor,
        )
    return order


def order_dispute_opened(*, payment_intent_id: str) -> Order | None:
    with transaction.atomic():
        order = _order_for_payment_intent(payment_intent_id)
        if order is None or order.status not in (
            OrderStatus.PAID,
            OrderStatus.PARTIALLY_REFUNDED,
        ):
            return order
        order.status = OrderStatus.DISPUTED
        order.save(update_fields=["status", "updated_at"])
        enrolment = _enrolment_for_order(order)
        if enrolment and enrolment.status in ACCESS_STATUSES:
            _enrolment_transition(
                enrolment,
                to_status=EnrolmentStatus.SUSPENDED,
                reason=f"Payment for order {order.reference} disputed.",
            )
        return order


def order_dispute_closed(*, payment_intent_id: str, won: bool) -> Order | None:
    with transaction.atomic():
        order = _order_for_payment_intent(payment_intent_id)
        if order is None or order.status != OrderStatus.DISPUTED:
            return order
        order.status = OrderStatus.PAID if won else OrderStatus.REFUNDED
        if not won:
            order.amount_refunded = order.amount
            order.refunded_at = timezone.now()
        order.save(
            update_fields=["status", "amount_refunded", "refunded_at", "updated_at"]
        )
        enrolment = _enrolment_for_order(order)
        if enrolment and enrolment.status == EnrolmentStatus.SUSPENDED:
            _enrolment_transition(
                enrolment,
                to_status=EnrolmentStatus.ACTIVE if won else EnrolmentStatus.REVOKED,
                reason=f"Dispute on order {order.reference} {'won' if won else 'lost'}.",
            )
        return order


# --- Webhooks -------------------------------------------------------------------------


def _session_from_event(data: dict) -> CheckoutSession:
    payment_intent = data.get("payment_intent") or ""
    return CheckoutSession(
        id=data["id"],
        url=data.get("url") or "",
        status=data.get("status") or "",
        payment_status=data.get("payment_status") or "",
        amount_total=int(data.get("amount_total") or 0),
        currency=(data.get("currency") or "").lower(),
        client_reference_id=data.get("client_reference_id") or "",
        metadata=dict(data.get("metadata") or {}),
        payment_intent_id=payment_intent if isinstance(payment_intent, str) else "",
    )


def _minor_to_decimal(value) -> Decimal:
    return Decimal(int(value or 0)) / 100


WEBHOOK_HANDLERS = {
    "checkout.session.completed": lambda d: order_fulfil(
        session=_session_from_event(d)
    ),
    "checkout.session.async_payment_succeeded": lambda d: order_fulfil(
        session=_session_from_event(d)
    ),
    "checkout.session.async_payment_failed": lambda d: order_close(
        session=_session_from_event(d), status=OrderStatus.FAILED
    ),
    "checkout.session.expired": lambda d: order_close(
        session=_session_from_event(d), status=OrderStatus.EXPIRED
    ),
    "charge.refunded": lambda d: order_record_refund(
        payment_intent_id=d.get("payment_intent") or "",
        amount_refunded=_minor_to_decimal(d.get("amount_refunded")),
    ),
    "charge.dispute.created": lambda d: order_dispute_opened(
        payment_intent_id=d.get("payment_intent") or ""
    ),
    "charge.dispute.closed": lambda d: order_dispute_closed(
        payment_intent_id=d.get("payment_intent") or "", won=d.get("status") == "won"
    ),
}


def webhook_process(*, event: WebhookEvent) -> str:
    """Apply a verified provider event exactly once. Returns what happened, for logs."""
    handler = WEBHOOK_HANDLERS.get(event.type)
    if handler is None:
        return "ignored"
    try:
        with transaction.atomic():
            ProcessedWebhookEvent.objects.create(
                event_id=event.id, event_type=event.type
            )
            handler(event.data)
    except IntegrityError:
        # The event row is the idempotency key; its unique constraint caught a redelivery.
        if ProcessedWebhookEvent.objects.filter(event_id=event.id).exists():
            return "duplicate"
        raise
    return "processed"


# --- Progress -------------------------------------------------------------------------


def progress_record_visit(*, user, module: ModulePage) -> ModuleProgress:
    """The learner opened the module's content. Completion also needs its quiz, if any."""
    from .extensions import module_requirements_met

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
    return progress


def progress_refresh(*, user, module: ModulePage) -> ModuleProgress | None:
    """Re-check completion after something outside the page changed (a passed quiz)."""
    from .extensions import module_requirements_met

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
        return progress
