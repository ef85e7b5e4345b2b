"""The only writers of orders: checkout, fulfilment (exactly once), refunds, disputes and
the payment webhooks that drive them. Enrolments change through `services`."""

import logging
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from . import conf, emails
from .hooks import order_paid, order_refunded
from .models import (
    ACCESS_STATUSES,
    CoursePage,
    Enrolment,
    EnrolmentSource,
    EnrolmentStatus,
    Order,
    OrderStatus,
    ProcessedWebhookEvent,
)
from .payments import CheckoutSession, PaymentError, WebhookEvent, get_payment_backend
from .services import (
    EnrolmentError,
    _enrolment_activate,
    _enrolment_for_order,
    _enrolment_transition,
    profile_is_complete,
)

logger = logging.getLogger(__name__)


# --- Checkout and orders --------------------------------------------------------------


def checkout_start(
    *, user, course: CoursePage, success_url: str, cancel_url: str
) -> tuple[Order, str]:
    """Create a pending order priced from the course page, and the provider's checkout URL."""
    if course.is_free:
        raise EnrolmentError("This course is free; enroll directly.")
    if not course.live:
        raise EnrolmentError("This course is not open for enrollment.")
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
    reused = _open_checkout(user=user, course=course, backend=backend)
    if reused is not None:
        return reused
    order = Order.objects.create(
        user=user,
        course=course,
        course_title=course.title,
        amount=course.price,
        currency=course.currency,
        provider=backend.name,
    )
    return order_checkout_open(
        order,
        backend=backend,
        success_url=success_url,
        cancel_url=cancel_url,
        customer_email=user.email,
    )


def order_checkout_open(
    order: Order, *, backend, success_url: str, cancel_url: str, customer_email: str
) -> tuple[Order, str]:
    """Start the provider's checkout for a new order and remember its session: for a
    learner's own order and for an organization's seats alike."""
    session = backend.checkout_start(
        order=order,
        success_url=success_url,
        cancel_url=cancel_url,
        customer_email=customer_email,
    )
    order.checkout_session_id = session.id
    order.save(update_fields=["checkout_session_id", "updated_at"])
    return order, session.url


def _open_checkout(*, user, course: CoursePage, backend) -> tuple[Order, str] | None:
    """The learner's checkout for this course at this price that is still open with the
    provider: clicking "Buy" twice resumes it instead of starting a second order.

    On the way, a pending order the provider reports as expired is closed, and one it reports
    as completed is fulfilled (its webhook may be late): never a second charge for that."""
    pending = Order.objects.filter(
        user=user,
        course=course,
        status=OrderStatus.PENDING,
        amount=course.price,
        currency=course.currency,
        provider=backend.name,
        checkout_session_id__isnull=False,
    ).order_by("-created_at")
    for order in pending[:3]:
        try:
            session = backend.checkout_lookup(order.checkout_session_id)
        except PaymentError:
            continue  # cannot tell now; a new checkout is safer than none
        if session is None:
            continue
        if session.status == "open" and session.url:
            return order, session.url
        if session.status == "expired":
            order_close(session=session, status=OrderStatus.EXPIRED)
        elif session.status == "complete":
            order = order_fulfil(session=session) or order
            if order.status == OrderStatus.PAID:
                raise EnrolmentError(
                    "Your payment for this course was received: you're enrolled."
                )
            raise EnrolmentError(
                "Your payment for this course is still processing. We'll email you as "
                "soon as it clears; there is no need to pay again."
            )
    return None


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
    with transaction.atomic(savepoint=False):
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
        if not order_paid(order=order):  # an organization's seats are delivered there
            _enrolment_activate(
                user=order.user,
                course=order.course,
                source=EnrolmentSource.PURCHASE,
                order=order,
            )
        emails.queue_receipt(order)
    return order


def order_close(*, session: CheckoutSession, status: str) -> Order | None:
    """Mark a pending order failed or expired."""
    if status not in (OrderStatus.FAILED, OrderStatus.EXPIRED):
        raise ValueError(status)
    with transaction.atomic(savepoint=False):
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
    with transaction.atomic(savepoint=False):
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
        order_refunded(order=order)
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
    with transaction.atomic(savepoint=False):
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
    with transaction.atomic(savepoint=False):
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


class MalformedWebhook(Exception):
    """A verified event whose content is not what its type promises. Nothing is written;
    the message is for the log."""


def _text(data: dict, name: str, *, required: bool = False) -> str:
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise MalformedWebhook(f"{name} is missing")
        return ""
    # A NUL cannot be stored or looked up in PostgreSQL; a 255-character column is the
    # longest we keep.
    if not isinstance(value, str) or "\x00" in value or len(value) > 255:
        raise MalformedWebhook(f"{name} is not a usable string")
    return value


def _minor_units(data: dict, name: str) -> int:
    value = data.get(name)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise MalformedWebhook(f"{name} is not an amount in minor units")
    return value


def _payment_intent(data: dict) -> str:
    value = data.get("payment_intent")
    if isinstance(value, dict):  # expanded
        return _text(value, "id", required=True)
    return _text(data, "payment_intent")


def _session_from_event(data: dict) -> CheckoutSession:
    metadata = data.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise MalformedWebhook("metadata is not an object")
    return CheckoutSession(
        id=_text(data, "id", required=True),
        url=_text(data, "url"),
        status=_text(data, "status"),
        payment_status=_text(data, "payment_status"),
        amount_total=_minor_units(data, "amount_total"),
        currency=_text(data, "currency").lower(),
        client_reference_id=_text(data, "client_reference_id"),
        metadata={str(key): str(value) for key, value in metadata.items()},
        payment_intent_id=_payment_intent(data),
    )


def _refund_from_event(data: dict) -> dict:
    return {
        "payment_intent_id": _payment_intent(data),
        "amount_refunded": Decimal(_minor_units(data, "amount_refunded")) / 100,
    }


def _dispute_from_event(data: dict) -> dict:
    return {
        "payment_intent_id": _payment_intent(data),
        "won": _text(data, "status") == "won",
    }


# Each handled type: how its data object is read (raising MalformedWebhook before anything
# is written), and the service that applies it.
WEBHOOK_HANDLERS = {
    "checkout.session.completed": (
        _session_from_event,
        lambda session: order_fulfil(session=session),
    ),
    "checkout.session.async_payment_succeeded": (
        _session_from_event,
        lambda session: order_fulfil(session=session),
    ),
    "checkout.session.async_payment_failed": (
        _session_from_event,
        lambda session: order_close(session=session, status=OrderStatus.FAILED),
    ),
    "checkout.session.expired": (
        _session_from_event,
        lambda session: order_close(session=session, status=OrderStatus.EXPIRED),
    ),
    "charge.refunded": (
        _refund_from_event,
        lambda refund: order_record_refund(**refund),
    ),
    "charge.dispute.created": (
        _payment_intent,
        lambda payment_intent_id: order_dispute_opened(
            payment_intent_id=payment_intent_id
        ),
    ),
    "charge.dispute.closed": (
        _dispute_from_event,
        lambda dispute: order_dispute_closed(**dispute),
    ),
}


def webhook_process(*, event: WebhookEvent) -> str:
    """Apply a verified provider event exactly once. Returns what happened, for logs.

    Raises MalformedWebhook, with nothing written, when a handled event's content is not
    what its type promises."""
    handler = WEBHOOK_HANDLERS.get(event.type)
    if handler is None:
        return "ignored"
    read, apply = handler
    if not isinstance(event.data, dict):
        raise MalformedWebhook(f"{event.type} {event.id} has no data object")
    if len(event.id) > 255 or "\x00" in event.id:
        raise MalformedWebhook("the event id is not usable")
    arguments = read(event.data)
    try:
        # The handlers open theirs without a savepoint: the event row and the change it
        # makes commit or roll back together, and a savepoint costs two round trips.
        with transaction.atomic():
            ProcessedWebhookEvent.objects.create(
                event_id=event.id, event_type=event.type
            )
            apply(arguments)
    except IntegrityError:
        # The event row is the idempotency key; its unique constraint caught a redelivery.
        if ProcessedWebhookEvent.objects.filter(event_id=event.id).exists():
            return "duplicate"
        raise
    return "processed"
