"""Stripe Checkout. The only module that imports the `stripe` SDK."""

from decimal import Decimal

import stripe

from .. import conf
from .base import (
    CheckoutSession,
    InvalidWebhook,
    PaymentBackend,
    PaymentError,
    WebhookEvent,
)

WEBHOOK_TOLERANCE_SECONDS = 300


def _session(obj) -> CheckoutSession:
    data = obj if isinstance(obj, dict) else obj.to_dict()
    payment_intent = data.get("payment_intent") or ""
    if isinstance(payment_intent, dict):
        payment_intent = payment_intent.get("id", "")
    return CheckoutSession(
        id=data["id"],
        url=data.get("url") or "",
        status=data.get("status") or "",
        payment_status=data.get("payment_status") or "",
        amount_total=int(data.get("amount_total") or 0),
        currency=(data.get("currency") or "").lower(),
        client_reference_id=data.get("client_reference_id") or "",
        metadata=dict(data.get("metadata") or {}),
        payment_intent_id=payment_intent,
    )


class StripeBackend(PaymentBackend):
    name = "stripe"

    def __init__(self):
        base_addresses = (
            {"api": conf.stripe_api_base()} if conf.stripe_api_base() else None
        )
        self.client = stripe.StripeClient(
            conf.stripe_secret_key(),
            base_addresses=base_addresses,
            max_network_retries=2,
        )

    def checkout_start(self, *, order, success_url, cancel_url, customer_email):
        params = {
            "mode": "payment",
            "line_items": [
                {
                    # An organization's order is N seats at the course's price.
                    "quantity": order.quantity,
                    "price_data": {
                        "currency": order.currency.lower(),
                        "unit_amount": order.unit_amount_minor_units,
                        "product_data": {"name": order.course_title},
                    },
                }
            ],
            "client_reference_id": order.reference,
            "metadata": {
                "order_id": str(order.pk),
                "order_reference": order.reference,
                "user_id": str(order.user_id),
                "course_id": str(order.course_id),
                "organization_id": str(order.organization_id or ""),
                "quantity": str(order.quantity),
            },
            "payment_intent_data": {"metadata": {"order_reference": order.reference}},
            "customer_email": customer_email,
            "allow_promotion_codes": True,
            "success_url": success_url,
            "cancel_url": cancel_url,
        }
        try:
            session = self.client.v1.checkout.sessions.create(
                params=params,
                options={"idempotency_key": f"checkout-{order.reference}"},
            )
        except stripe.StripeError as error:
            raise PaymentError(
                "The payment provider could not start checkout. Please try again."
            ) from error
        return _session(session)

    def checkout_lookup(self, session_id):
        try:
            return _session(self.client.v1.checkout.sessions.retrieve(session_id))
        except stripe.InvalidRequestError:
            return None
        except stripe.StripeError as error:
            raise PaymentError("The payment provider could not be reached.") from error

    def refund(self, *, order, amount: Decimal | None = None):
        params = {"payment_intent": order.payment_intent_id}
        if amount is not None:
            params["amount"] = int(amount * 100)
        try:
            refund = self.client.v1.refunds.create(params=params)
        except stripe.StripeError as error:
            raise PaymentError("The refund could not be created.") from error
        return refund.id

    def webhook_parse(self, *, payload, signature):
        try:
            stripe.WebhookSignature.verify_header(
                payload,
                signature,
                conf.stripe_webhook_secret(),
                WEBHOOK_TOLERANCE_SECONDS,
            )
            event = self.client.construct_event_without_verification(payload)
        except (
            stripe.SignatureVerificationError,
            ValueError,
            AttributeError,  # a JSON body that is not an object
        ) as error:
            raise InvalidWebhook(str(error)) from error
        # A signed body is Stripe's, but its shape is still checked: an event without an
        # id or a type cannot be recorded, let alone applied.
        body = event.to_dict()
        event_id, event_type = body.get("id"), body.get("type")
        if not (isinstance(event_id, str) and event_id and isinstance(event_type, str)):
            raise InvalidWebhook("The event has no id or type.")
        data = body.get("data")
        # The data object is checked by the service, which knows what each type needs.
        return WebhookEvent(
            id=event_id,
            type=event_type,
            data=data.get("object") if isinstance(data, dict) else None,
        )
