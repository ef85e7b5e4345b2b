"""Seat purchases through Stripe Checkout (real SDK, local fake, signed webhooks): the same
exactly-once fulfilment and refund handling as single purchases."""

import pytest
from django.core import mail
from django.urls import reverse

from courses import services
from courses.models import (
    Enrolment,
    EnrolmentStatus,
    InvitationStatus,
    Order,
    OrderStatus,
    ProgrammeAuditAction,
    ProgrammeAuditEvent,
    Seat,
    SeatInvitation,
    SeatStatus,
)
from courses.programmes import services as programme_services
from tests.conftest import post_webhook, stripe_event

from .conftest import paid_payload

pytestmark = pytest.mark.django_db


def seat_counts(order):
    return {
        status: Seat.objects.filter(order=order, status=status).count()
        for status in SeatStatus.values
    }


def test_checkout_sends_the_quantity_and_the_course_price_per_seat(
    client, buy_seats, organization, course, fake_stripe
):
    org, manager = organization
    client.force_login(manager)
    client.post(
        reverse("courses:organization_buy_seats", args=[org.slug]),
        {
            "buy-course": course.pk,
            "buy-quantity": 3,
            "unit_amount": "100",
            "price": "1",
        },
    )
    params = fake_stripe.last_params("/v1/checkout/sessions")
    assert params["line_items[0][quantity]"] == "3"
    assert params["line_items[0][price_data][unit_amount]"] == "34900"
    assert params["metadata[organization_id]"] == str(org.pk)
    order = Order.objects.get(organization=org)
    assert order.quantity == 3 and str(order.amount) == "1047.00"
    assert fake_stripe.sessions[order.checkout_session_id]["amount_total"] == 104700


def test_webhook_creates_the_seats_exactly_once_and_enrols_nobody(
    client, buy_seats, organization, course, django_capture_on_commit_callbacks
):
    org, manager = organization
    order, _ = buy_seats(org, manager, course, 3)
    with django_capture_on_commit_callbacks(execute=True):
        assert post_webhook(client, paid_payload(order)).content == b"processed"
        assert post_webhook(client, paid_payload(order)).content == b"duplicate"
        # A second, different event for the same session is a redelivery too.
        second = paid_payload(order, event_id="evt_seats_again")
        assert post_webhook(client, second).content == b"processed"
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert seat_counts(order)[SeatStatus.FREE] == 3 and Seat.objects.count() == 3
    assert not Enrolment.objects.exists()
    assert (
        ProgrammeAuditEvent.objects.filter(
            action=ProgrammeAuditAction.SEATS_PURCHASED
        ).count()
        == 1
    )
    assert len(mail.outbox) == 1 and "3 seats" in mail.outbox[0].body


def test_success_page_creates_the_seats_and_the_late_webhook_adds_none(
    client, buy_seats, organization, course, fake_stripe
):
    org, manager = organization
    order, session_id = buy_seats(org, manager, course, 3)
    fake_stripe.complete(session_id)
    response = client.get(
        reverse("courses:organization_seats_success", args=[org.slug]),
        {"session_id": session_id},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("courses:organization", args=[org.slug])
    assert Seat.objects.filter(order=order).count() == 3
    assert post_webhook(client, paid_payload(order)).status_code == 200
    assert Seat.objects.filter(order=order).count() == 3
    page = client.get(response["Location"]).content.decode()
    assert "Payment received. 3 seats in Foundations of KAP are ready" in page


def test_an_unpaid_session_on_the_success_page_creates_no_seats(
    client, buy_seats, organization, course
):
    org, manager = organization
    order, session_id = buy_seats(org, manager, course, 2)
    client.get(
        reverse("courses:organization_seats_success", args=[org.slug]),
        {"session_id": session_id},
    )
    assert not Seat.objects.exists()


def test_another_organizations_manager_cannot_use_the_success_page(
    client, buy_seats, organization, make_organization, course, fake_stripe
):
    org, manager = organization
    order, session_id = buy_seats(org, manager, course, 2)
    fake_stripe.complete(session_id)
    other, other_manager = make_organization("lakeside")
    client.force_login(other_manager)
    for slug in (org.slug, other.slug):
        response = client.get(
            reverse("courses:organization_seats_success", args=[slug]),
            {"session_id": session_id},
        )
        assert response.status_code == 404
    assert not Seat.objects.exists()


def refund(client, order, amount_minor, event_id):
    payload = stripe_event(
        "charge.refunded.partial",
        event_id=event_id,
        payment_intent=order.payment_intent_id,
        amount=order.amount_minor_units,
        amount_refunded=amount_minor,
    )
    assert post_webhook(client, payload).status_code == 200
    order.refresh_from_db()


def test_a_partial_refund_removes_unassigned_seats_never_assigned_ones(
    client, paid_seats, organization, course, make_user
):
    org, manager = organization
    # One seat assigned, one held by a pending invitation, one free.
    taker = make_user("taker")
    accepted = programme_services.invitation_send(
        manager=manager, organization=org, course=course, email=taker.email
    )
    programme_services.invitation_accept(user=taker, invitation=accepted)
    pending = programme_services.invitation_send(
        manager=manager, organization=org, course=course, email="later@example.com"
    )
    # Refund one seat's worth: the free seat goes first.
    refund(client, paid_seats, 34900, "evt_refund_1")
    assert paid_seats.status == OrderStatus.PARTIALLY_REFUNDED
    assert seat_counts(paid_seats) == {
        "free": 0,
        "invited": 1,
        "assigned": 1,
        "refunded": 1,
    }
    # Redelivering the same cumulative refund removes nothing more.
    refund(client, paid_seats, 34900, "evt_refund_1b")
    assert seat_counts(paid_seats)["refunded"] == 1
    # The whole order: the invited seat goes (its invitation is withdrawn), the assigned
    # seat stays, and the shortfall is on record.
    refund(client, paid_seats, 104700, "evt_refund_all")
    assert paid_seats.status == OrderStatus.REFUNDED
    assert seat_counts(paid_seats) == {
        "free": 0,
        "invited": 0,
        "assigned": 1,
        "refunded": 2,
    }
    pending.refresh_from_db()
    assert pending.status == InvitationStatus.WITHDRAWN
    assert Enrolment.objects.get(user=taker).status == EnrolmentStatus.ACTIVE
    last = ProgrammeAuditEvent.objects.filter(
        action=ProgrammeAuditAction.SEATS_REFUNDED
    ).first()
    assert last.data["shortfall"] == 1 and last.data["seats_removed"] == 1


def test_refunding_a_seat_order_leaves_the_managers_own_enrolment_alone(
    client, paid_seats, organization, course
):
    org, manager = organization
    services.enrolment_grant(
        user=manager, course=course, actor=None, reason="Own place"
    )
    refund(client, paid_seats, 104700, "evt_refund_all")
    dispute = stripe_event(
        "charge.dispute.created",
        event_id="evt_dispute",
        payment_intent=paid_seats.payment_intent_id,
    )
    post_webhook(client, dispute)
    assert Enrolment.objects.get(user=manager).status == EnrolmentStatus.ACTIVE
    assert not SeatInvitation.objects.exists()
