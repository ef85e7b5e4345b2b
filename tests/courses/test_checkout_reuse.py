"""Clicking "Buy" again resumes the open checkout; a checkout left unpaid never reads as an
order at full price."""

from decimal import Decimal

import pytest
from django.urls import reverse

from courses.models import Enrolment, EnrolmentStatus, Order, OrderStatus

pytestmark = pytest.mark.django_db


def buy(client, course):
    return client.post(reverse("courses:checkout", args=[course.pk]))


@pytest.fixture
def buyer(client, fake_stripe, learner):
    client.force_login(learner)
    return learner


def test_repeated_checkout_resumes_the_open_order(client, buyer, course, fake_stripe):
    first, second, third = (buy(client, course) for _ in range(3))
    order = Order.objects.get(user=buyer)
    assert first["Location"] == second["Location"] == third["Location"]
    assert first["Location"] == fake_stripe.sessions[order.checkout_session_id]["url"]
    assert fake_stripe.created_sessions() == 1
    assert order.status == OrderStatus.PENDING


def test_a_new_price_starts_a_new_order(client, buyer, course, fake_stripe):
    buy(client, course)
    course.price = Decimal("299.00")
    course.save_revision().publish()
    buy(client, course)
    orders = Order.objects.filter(user=buyer).order_by("created_at")
    assert [o.amount for o in orders] == [Decimal("349.00"), Decimal("299.00")]
    assert fake_stripe.created_sessions() == 2


def test_an_expired_checkout_is_closed_and_replaced(client, buyer, course, fake_stripe):
    buy(client, course)
    old = Order.objects.get(user=buyer)
    fake_stripe.expire(old.checkout_session_id)
    response = buy(client, course)
    old.refresh_from_db()
    new = Order.objects.exclude(pk=old.pk).get(user=buyer)
    assert old.status == OrderStatus.EXPIRED and new.status == OrderStatus.PENDING
    assert response["Location"] == fake_stripe.sessions[new.checkout_session_id]["url"]


def test_a_paid_checkout_whose_webhook_is_late_is_fulfilled_not_sold_again(
    client, buyer, course, fake_stripe
):
    buy(client, course)
    order = Order.objects.get(user=buyer)
    fake_stripe.complete(order.checkout_session_id)
    response = buy(client, course)
    assert response.status_code == 302 and response["Location"] == course.url
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert Enrolment.objects.get(user=buyer).status == EnrolmentStatus.ACTIVE
    assert Order.objects.filter(user=buyer).count() == 1
    assert fake_stripe.created_sessions() == 1


def test_order_history_shows_abandoned_checkouts_as_such(
    client, buyer, course, fake_stripe
):
    buy(client, course)
    pending = Order.objects.get(user=buyer)
    fake_stripe.expire(pending.checkout_session_id)
    buy(client, course)  # closes the expired one, opens another
    html = client.get(reverse("courses:order_list")).content.decode()
    assert "Abandoned checkout" in html and "Checkout not completed" in html
    assert html.count("Not charged") == 2
    assert "USD 349.00" not in html
    detail = client.get(
        reverse("courses:order_detail", args=[pending.reference])
    ).content.decode()
    assert "Nothing was charged" in detail and "<h1>Receipt</h1>" not in detail


def test_the_admin_order_list_shows_what_was_charged(
    client, buyer, course, fake_stripe, make_user
):
    buy(client, course)
    admin = make_user("boss", is_staff=True, is_superuser=True)
    client.force_login(admin)
    html = client.get(reverse("learning_orders:index")).content.decode()
    assert "Checkout not completed" in html and "Not charged" in html
    assert "349.00" not in html
