"""Correctly signed webhooks with an unexpected shape: logged, 400 when malformed, 200
when ignored, and nothing written either way."""

import json
import logging

import pytest

from courses.models import Enrolment, Order, OrderStatus, ProcessedWebhookEvent
from tests.conftest import post_webhook, stripe_event
from tests.courses import test_payments_stripe
from tests.courses.test_payments_stripe import completed_payload

checkout = test_payments_stripe.checkout  # the fixture: a learner who started checkout

pytestmark = pytest.mark.django_db


def nothing_written(order: Order) -> bool:
    order.refresh_from_db()
    return (
        order.status == OrderStatus.PENDING
        and not Enrolment.objects.exists()
        and not ProcessedWebhookEvent.objects.exists()
    )


def without(payload: str, *path: str) -> str:
    event = json.loads(payload)
    target = event
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return json.dumps(event)


def replaced(payload: str, value, *path: str) -> str:
    event = json.loads(payload)
    target = event
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return json.dumps(event)


@pytest.mark.parametrize(
    "change",
    [
        lambda p: without(p, "data", "object", "id"),
        lambda p: replaced(p, "lots", "data", "object", "amount_total"),
        lambda p: replaced(p, -5, "data", "object", "amount_total"),
        lambda p: replaced(p, 12.5, "data", "object", "amount_total"),
        lambda p: replaced(p, ["cs_1"], "data", "object", "id"),
        lambda p: replaced(p, "cs\u0000nul", "data", "object", "id"),
        lambda p: replaced(p, "x" * 300, "data", "object", "id"),
        lambda p: replaced(p, "not an object", "data", "object", "metadata"),
        lambda p: replaced(p, 7, "data", "object", "payment_intent"),
        lambda p: replaced(p, [], "data", "object"),
        lambda p: replaced(p, None, "data", "object"),
        lambda p: without(p, "data"),
    ],
    ids=[
        "session-without-id",
        "amount-lots",
        "amount-negative",
        "amount-float",
        "id-a-list",
        "id-with-nul",
        "id-too-long",
        "metadata-a-string",
        "payment-intent-a-number",
        "object-a-list",
        "object-null",
        "no-data",
    ],
)
def test_a_malformed_checkout_event_is_a_logged_400_and_writes_nothing(
    client, checkout, change, caplog
):
    order, session_id = checkout
    payload = change(completed_payload(order, session_id, event_id="evt_odd"))
    client.raise_request_exception = False
    with caplog.at_level(logging.WARNING, logger="courses.views"):
        response = post_webhook(client, payload)
    assert response.status_code == 400
    assert any("webhook" in record.getMessage().lower() for record in caplog.records)
    assert nothing_written(order)


@pytest.mark.parametrize(
    "fixture, field, value",
    [
        ("charge.refunded", "amount_refunded", "all of it"),
        ("charge.refunded", "payment_intent", {"no": "id"}),
        ("charge.dispute.created", "payment_intent", 12),
        ("charge.dispute.closed.won", "status", ["won"]),
    ],
)
def test_malformed_charge_events_are_a_400(client, fake_stripe, fixture, field, value):
    payload = stripe_event(fixture, event_id="evt_charge", **{field: value})
    client.raise_request_exception = False
    assert post_webhook(client, payload).status_code == 400
    assert not ProcessedWebhookEvent.objects.exists()


@pytest.mark.parametrize(
    "body",
    ["[]", "1", "null", '{"object": "event"}', '{"object": "event", "id": 5}'],
)
def test_a_signed_body_that_is_not_an_event_is_a_400(client, fake_stripe, body):
    client.raise_request_exception = False
    assert post_webhook(client, body).status_code == 400
    assert not ProcessedWebhookEvent.objects.exists()


def test_an_ignored_event_type_is_a_200_whatever_its_data(client, fake_stripe):
    payload = replaced(
        stripe_event("customer.created", event_id="evt_customer"),
        ["odd"],
        "data",
        "object",
    )
    response = post_webhook(client, payload)
    assert response.status_code == 200 and response.content == b"ignored"
    assert not ProcessedWebhookEvent.objects.exists()


def test_after_a_malformed_copy_the_real_event_still_fulfils(client, checkout):
    order, session_id = checkout
    good = completed_payload(order, session_id, event_id="evt_real")
    client.raise_request_exception = False
    assert (
        post_webhook(client, without(good, "data", "object", "id")).status_code == 400
    )
    assert post_webhook(client, good).content == b"processed"
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
