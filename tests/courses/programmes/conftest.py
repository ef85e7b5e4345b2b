"""Programme fixtures: organizations with managers, seats bought through the real Stripe
SDK against the local fake, cohorts and consultants."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from courses.models import Order, Organization, OrganizationManager
from courses.roles import CONSULTANTS, ensure_roles
from tests.conftest import post_webhook, stripe_event


@pytest.fixture
def make_organization(make_user):
    def make(slug="riverside", *, manager_name=None):
        organization = Organization.objects.create(
            name=slug.title() + " Clinic", slug=slug
        )
        manager = make_user(manager_name or f"{slug}-manager")
        OrganizationManager.objects.create(organization=organization, user=manager)
        return organization, manager

    return make


@pytest.fixture
def organization(make_organization):
    return make_organization()


@pytest.fixture
def buy_seats(client, fake_stripe):
    """A manager buys seats through the organization page; returns (order, session id)."""

    def buy(organization, manager, course, quantity=3):
        client.force_login(manager)
        response = client.post(
            reverse("courses:organization_buy_seats", args=[organization.slug]),
            {"buy-course": course.pk, "buy-quantity": quantity},
        )
        order = Order.objects.filter(organization=organization).latest("pk")
        assert response.status_code == 302
        assert (
            response["Location"]
            == fake_stripe.sessions[order.checkout_session_id]["url"]
        )
        return order, order.checkout_session_id

    return buy


def paid_payload(order, *, event_id="evt_seats"):
    return stripe_event(
        "checkout.session.completed",
        event_id=event_id,
        id=order.checkout_session_id,
        client_reference_id=order.reference,
        payment_intent=f"pi_{order.checkout_session_id}",
        amount_total=order.amount_minor_units,
    )


@pytest.fixture
def paid_seats(client, buy_seats, organization, course):
    """Three paid seats of the course for the organization (fulfilled by the webhook)."""
    org, manager = organization
    order, _session = buy_seats(org, manager, course, 3)
    assert post_webhook(client, paid_payload(order)).content == b"processed"
    order.refresh_from_db()
    return order


@pytest.fixture
def consultant(make_user):
    ensure_roles()
    user = make_user("consultant", first_name="Corey", last_name="Consultant")
    user.groups.add(Group.objects.get(name=CONSULTANTS))
    return user
