"""Stripe Checkout and webhooks, driven through the real SDK and real signatures."""

import threading
import time

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from courses.models import (
    Enrolment,
    EnrolmentEvent,
    EnrolmentStatus,
    Order,
    OrderStatus,
    OutboundEmail,
    ProcessedWebhookEvent,
)
from tests.conftest import post_webhook, signed_headers, stripe_event

pytestmark = pytest.mark.django_db


def start_checkout(client, course, **extra):
    return client.post(reverse("courses:checkout", args=[course.pk]), extra)


@pytest.fixture
def checkout(client, fake_stripe, learner, course):
    """A learner who has started checkout: (order, session id)."""
    client.force_login(learner)
    response = start_checkout(client, course)
    order = Order.objects.get(user=learner)
    assert response.status_code == 302
    assert (
        response["Location"] == fake_stripe.sessions[order.checkout_session_id]["url"]
    )
    return order, order.checkout_session_id


def completed_payload(
    order, session_id, *, event_id="evt_1", fixture="checkout.session.completed"
):
    return stripe_event(
        fixture,
        event_id=event_id,
        id=session_id,
        client_reference_id=order.reference,
        payment_intent=f"pi_{session_id}",
        amount_total=order.amount_minor_units,
    )


def test_checkout_sends_the_server_price_and_metadata(
    checkout, fake_stripe, learner, course
):
    order, session_id = checkout
    params = fake_stripe.last_params("/v1/checkout/sessions")
    assert params["mode"] == "payment"
    assert params["line_items[0][price_data][unit_amount]"] == "34900"
    assert params["line_items[0][price_data][currency]"] == "usd"
    assert params["client_reference_id"] == order.reference
    assert params["metadata[order_id]"] == str(order.pk)
    assert params["metadata[user_id]"] == str(learner.pk)
    assert params["metadata[course_id]"] == str(course.pk)
    assert params["customer_email"] == learner.email
    assert params["allow_promotion_codes"] == "true"
    assert params["success_url"].endswith("?session_id={CHECKOUT_SESSION_ID}")
    assert params["cancel_url"].startswith("http")
    assert order.status == OrderStatus.PENDING and order.amount == course.price


def test_price_tampering_is_ignored(client, fake_stripe, learner, course):
    client.force_login(learner)
    start_checkout(client, course, price="1.00", amount="100", unit_amount="100")
    assert (
        fake_stripe.last_params("/v1/checkout/sessions")[
            "line_items[0][price_data][unit_amount]"
        ]
        == "34900"
    )
    assert Order.objects.get(user=learner).amount == course.price


def test_ce_course_asks_for_the_profile_first_and_returns(
    client, fake_stripe, make_user, course
):
    user = make_user("newcomer")
    client.force_login(user)
    response = start_checkout(client, course)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("courses:profile"))
    assert "next=" in response["Location"] and course.url in response[
        "Location"
    ].replace("%2F", "/")
    assert not Order.objects.exists() and fake_stripe.requests == []

    profile_url = response["Location"]
    response = client.post(
        profile_url,
        {
            "legal_name": "Nia Newcomer",
            "profession": "lcsw",
            "licence_number": "LCSW-77",
            "licence_jurisdiction": "Oregon",
            "licence_in_good_standing": "on",
            "next": course.url,
        },
    )
    assert response.status_code == 302 and response["Location"] == course.url


def test_profile_without_good_standing_confirmation_is_a_clear_400(client, make_user):
    client.force_login(make_user("newcomer"))
    response = client.post(
        reverse("courses:profile"),
        {
            "legal_name": "N",
            "profession": "lcsw",
            "licence_number": "1",
            "licence_jurisdiction": "OR",
        },
    )
    assert response.status_code == 400
    assert (
        "Please confirm that your license is in good standing."
        in response.content.decode()
    )


def test_success_page_enrols_after_looking_the_session_up(
    client, checkout, fake_stripe, learner, course, django_capture_on_commit_callbacks
):
    order, session_id = checkout
    fake_stripe.complete(session_id)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(
            reverse("courses:checkout_success"), {"session_id": session_id}
        )
    assert response.status_code == 302 and response["Location"] == course.url
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert (
        Enrolment.objects.get(user=learner, course=course).status
        == EnrolmentStatus.ACTIVE
    )
    assert len(mail.outbox) == 1 and order.reference in mail.outbox[0].subject
    # The success page and the late webhook both fulfil: still exactly one enrolment.
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            post_webhook(client, completed_payload(order, session_id)).status_code
            == 200
        )
    assert Enrolment.objects.count() == 1 and len(mail.outbox) == 1


def test_success_page_for_an_unpaid_session_grants_nothing(client, checkout, learner):
    order, session_id = checkout
    response = client.get(
        reverse("courses:checkout_success"), {"session_id": session_id}
    )
    assert response.status_code == 302
    assert not Enrolment.objects.filter(user=learner).exists()
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING


def test_forged_success_session_id_grants_nothing(client, checkout, learner):
    response = client.get(
        reverse("courses:checkout_success"), {"session_id": "cs_test_forged"}
    )
    assert response.status_code == 404
    assert not Enrolment.objects.exists()


def test_someone_elses_session_id_grants_nothing(
    client, checkout, fake_stripe, make_user
):
    order, session_id = checkout
    fake_stripe.complete(session_id)
    client.force_login(make_user("intruder"))
    response = client.get(
        reverse("courses:checkout_success"), {"session_id": session_id}
    )
    assert response.status_code == 404
    assert not Enrolment.objects.exists()


def test_webhook_with_a_good_signature_fulfils(client, checkout, learner, course):
    order, session_id = checkout
    response = post_webhook(client, completed_payload(order, session_id))
    assert response.status_code == 200 and response.content == b"processed"
    order.refresh_from_db()
    assert (
        order.status == OrderStatus.PAID
        and order.payment_intent_id == f"pi_{session_id}"
    )
    assert (
        Enrolment.objects.get(user=learner, course=course).status
        == EnrolmentStatus.ACTIVE
    )


def test_a_paid_webhook_writes_the_payment_and_leaves_the_receipt_to_a_task(
    client, checkout, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    """The response does the payment's writes and nothing else: no savepoints of its
    own and no email rendered (the test case's transaction adds one savepoint pair)."""
    order, session_id = checkout
    with (
        django_capture_on_commit_callbacks() as callbacks,
        django_assert_max_num_queries(12),
    ):
        response = post_webhook(client, completed_payload(order, session_id))
    assert response.content == b"processed" and not mail.outbox
    assert not OutboundEmail.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    receipt = OutboundEmail.objects.get(key=f"receipt:{order.reference}")
    assert receipt.sent_at is not None and order.reference in mail.outbox[0].body


def test_webhook_with_a_bad_signature_is_rejected(client, checkout):
    order, session_id = checkout
    payload = completed_payload(order, session_id)
    response = client.post(
        reverse("courses:stripe_webhook"),
        data=payload,
        content_type="application/json",
        **signed_headers(payload, secret="whsec_wrong"),
    )
    assert response.status_code == 400
    assert not Enrolment.objects.exists() and not ProcessedWebhookEvent.objects.exists()


def test_webhook_with_a_stale_signature_is_rejected(client, checkout):
    order, session_id = checkout
    payload = completed_payload(order, session_id)
    response = post_webhook(client, payload, timestamp=int(time.time()) - 301)
    assert response.status_code == 400
    assert not Enrolment.objects.exists()


def test_webhook_with_no_signature_or_garbage_is_a_400(client, fake_stripe):
    url = reverse("courses:stripe_webhook")
    assert (
        client.post(url, data="{}", content_type="application/json").status_code == 400
    )
    response = client.post(
        url,
        data="not json",
        content_type="application/json",
        **signed_headers("not json"),
    )
    assert response.status_code == 400


def test_the_same_event_twice_changes_nothing_the_second_time(
    client, checkout, django_capture_on_commit_callbacks
):
    order, session_id = checkout
    payload = completed_payload(order, session_id)
    with django_capture_on_commit_callbacks(execute=True):
        assert post_webhook(client, payload).content == b"processed"
        assert post_webhook(client, payload).content == b"duplicate"
    assert Enrolment.objects.count() == 1
    assert EnrolmentEvent.objects.count() == 1
    assert ProcessedWebhookEvent.objects.count() == 1
    assert len(mail.outbox) == 1


def test_unknown_event_types_are_acknowledged_and_ignored(client, fake_stripe):
    payload = stripe_event("customer.created", event_id="evt_customer")
    response = post_webhook(client, payload)
    assert response.status_code == 200 and response.content == b"ignored"
    assert not ProcessedWebhookEvent.objects.exists()


def test_completed_but_unpaid_then_async_succeeded(client, checkout, learner):
    order, session_id = checkout
    unpaid = completed_payload(
        order, session_id, event_id="evt_a", fixture="checkout.session.completed.unpaid"
    )
    assert post_webhook(client, unpaid).status_code == 200
    assert not Enrolment.objects.exists()
    succeeded = completed_payload(
        order,
        session_id,
        event_id="evt_b",
        fixture="checkout.session.async_payment_succeeded",
    )
    assert post_webhook(client, succeeded).status_code == 200
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert Enrolment.objects.get(user=learner).status == EnrolmentStatus.ACTIVE


def test_async_succeeded_arriving_before_completed_unpaid(client, checkout, learner):
    order, session_id = checkout
    succeeded = completed_payload(
        order,
        session_id,
        event_id="evt_b",
        fixture="checkout.session.async_payment_succeeded",
    )
    unpaid = completed_payload(
        order, session_id, event_id="evt_a", fixture="checkout.session.completed.unpaid"
    )
    assert post_webhook(client, succeeded).status_code == 200
    assert post_webhook(client, unpaid).status_code == 200
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert Enrolment.objects.get(user=learner).status == EnrolmentStatus.ACTIVE
    assert EnrolmentEvent.objects.count() == 1


@pytest.mark.parametrize(
    "fixture,status",
    [
        ("checkout.session.async_payment_failed", OrderStatus.FAILED),
        ("checkout.session.expired", OrderStatus.EXPIRED),
    ],
)
def test_failed_and_expired_sessions_close_the_order(client, checkout, fixture, status):
    order, session_id = checkout
    payload = stripe_event(fixture, event_id="evt_close", id=session_id)
    assert post_webhook(client, payload).status_code == 200
    order.refresh_from_db()
    assert order.status == status
    assert not Enrolment.objects.exists()


def paid_order(client, checkout):
    order, session_id = checkout
    post_webhook(client, completed_payload(order, session_id, event_id="evt_paid"))
    order.refresh_from_db()
    return order


def test_full_refund_revokes_access(client, checkout, learner, course):
    order = paid_order(client, checkout)
    module_url = course.modules[0].url
    assert client.get(module_url).status_code == 200

    payload = stripe_event(
        "charge.refunded", event_id="evt_refund", payment_intent=order.payment_intent_id
    )
    assert post_webhook(client, payload).status_code == 200
    order.refresh_from_db()
    assert (
        order.status == OrderStatus.REFUNDED and order.amount_refunded == order.amount
    )
    assert Enrolment.objects.get(user=learner).status == EnrolmentStatus.REFUNDED
    response = client.get(module_url)
    assert response.status_code == 302 and response["Location"] == course.url


def test_partial_refund_is_recorded_only(client, checkout, learner, course):
    order = paid_order(client, checkout)
    payload = stripe_event(
        "charge.refunded.partial",
        event_id="evt_partial",
        payment_intent=order.payment_intent_id,
    )
    assert post_webhook(client, payload).status_code == 200
    order.refresh_from_db()
    assert (
        order.status == OrderStatus.PARTIALLY_REFUNDED and order.amount_refunded == 100
    )
    assert Enrolment.objects.get(user=learner).status == EnrolmentStatus.ACTIVE
    assert client.get(course.modules[0].url).status_code == 200


@pytest.mark.parametrize(
    "closing,final_order,final_enrolment",
    [
        ("charge.dispute.closed.won", OrderStatus.PAID, EnrolmentStatus.ACTIVE),
        ("charge.dispute.closed.lost", OrderStatus.REFUNDED, EnrolmentStatus.REVOKED),
    ],
)
def test_disputes_suspend_then_restore_or_revoke(
    client, checkout, learner, course, closing, final_order, final_enrolment
):
    order = paid_order(client, checkout)
    opened = stripe_event(
        "charge.dispute.created",
        event_id="evt_dispute",
        payment_intent=order.payment_intent_id,
    )
    assert post_webhook(client, opened).status_code == 200
    assert Enrolment.objects.get(user=learner).status == EnrolmentStatus.SUSPENDED
    assert client.get(course.modules[0].url).status_code == 302

    closed = stripe_event(
        closing, event_id="evt_closed", payment_intent=order.payment_intent_id
    )
    assert post_webhook(client, closed).status_code == 200
    order.refresh_from_db()
    assert order.status == final_order
    assert Enrolment.objects.get(user=learner).status == final_enrolment


@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_deliveries_fulfil_exactly_once(fake_stripe, learner, course):
    client = Client()
    client.force_login(learner)
    start_checkout(client, course)
    order = Order.objects.get()
    payload = completed_payload(order, order.checkout_session_id, event_id="evt_race")
    barrier = threading.Barrier(8)
    outcomes, errors = [], []

    def deliver():
        try:
            barrier.wait()
            response = post_webhook(Client(), payload)
            outcomes.append((response.status_code, response.content))
        except Exception as error:  # reported below; a thread must not die silently
            errors.append(error)
        finally:
            connection.close()  # each thread has its own; leave none open for teardown

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(outcomes) == [(200, b"duplicate")] * 7 + [(200, b"processed")]
    assert Order.objects.filter(status=OrderStatus.PAID).count() == 1
    assert Enrolment.objects.filter(status=EnrolmentStatus.ACTIVE).count() == 1
    assert EnrolmentEvent.objects.count() == 1
    assert ProcessedWebhookEvent.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_mail_outage_does_not_fail_fulfilment(
    client, checkout, learner, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    order, session_id = checkout
    with django_capture_on_commit_callbacks(execute=True):
        response = post_webhook(client, completed_payload(order, session_id))
    assert response.status_code == 200
    assert Enrolment.objects.get(user=learner).status == EnrolmentStatus.ACTIVE
    # The receipt is recorded and its delivery task failed (the worker retries it).
    receipt = OutboundEmail.objects.get(key=f"receipt:{order.reference}")
    assert receipt.sent_at is None and receipt.to == [learner.email]
    assert "deliver_email" in caplog.text and "ConnectionRefusedError" in caplog.text
