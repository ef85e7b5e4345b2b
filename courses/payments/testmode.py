"""A local checkout page for development: 'pay' and 'cancel' buttons on our own site.

It drives the same fulfilment service as Stripe. A system check and the production settings
refuse it, and its views answer 404 whenever it is not the configured backend.
"""

import secrets

from django.urls import reverse

from .base import CheckoutSession, InvalidWebhook, PaymentBackend


class TestModeBackend(PaymentBackend):
    name = "testmode"

    def _as_session(self, record) -> CheckoutSession:
        order = record.order
        return CheckoutSession(
            id=record.session_id,
            url=reverse("courses:testmode_checkout", args=[record.session_id]),
            status=record.status,
            payment_status=record.payment_status,
            amount_total=order.amount_minor_units,
            currency=order.currency.lower(),
            client_reference_id=order.reference,
            metadata={"order_id": str(order.pk), "user_id": str(order.user_id)},
            payment_intent_id=f"pi_{record.session_id}",
        )

    def checkout_start(self, *, order, success_url, cancel_url, customer_email):
        from ..models import TestModeSession

        record = TestModeSession.objects.create(
            session_id="cs_testmode_" + secrets.token_urlsafe(18),
            order=order,
            success_url=success_url,
            cancel_url=cancel_url,
        )
        return self._as_session(record)

    def checkout_lookup(self, session_id):
        from ..models import TestModeSession

        record = (
            TestModeSession.objects.select_related("order")
            .filter(session_id=session_id)
            .first()
        )
        return self._as_session(record) if record else None

    def refund(self, *, order, amount=None):
        return "re_testmode_" + secrets.token_hex(8)

    def webhook_parse(self, *, payload, signature):
        raise InvalidWebhook("The test-mode backend does not receive webhooks.")
