"""The Learning menu: enrolments (grant and revoke with a reason) and read-only orders."""

import pytest
from django.urls import reverse

from courses import services, services_orders
from courses.models import Enrolment, EnrolmentEvent, EnrolmentStatus, Order
from courses.roles import CERTIFICATE_ADMINISTRATORS, ensure_roles

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(make_user, catalogue):
    user = make_user("records-admin", is_staff=True)
    user.groups.add(ensure_roles()[CERTIFICATE_ADMINISTRATORS])
    return user


def test_administrator_enrols_a_learner_by_hand_with_a_reason(
    client, administrator, learner, course
):
    client.force_login(administrator)
    url = reverse("learning_enrolments:add")
    assert client.get(url).status_code == 200
    response = client.post(url, {"user": learner.pk, "course": course.pk, "reason": ""})
    assert (
        response.status_code == 200 and not Enrolment.objects.exists()
    )  # reason required

    response = client.post(
        url, {"user": learner.pk, "course": course.pk, "reason": "Scholarship place"}
    )
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(user=learner, course=course)
    assert enrolment.status == EnrolmentStatus.ACTIVE and enrolment.source == "admin"
    event = EnrolmentEvent.objects.get(enrolment=enrolment)
    assert event.actor == administrator and event.reason == "Scholarship place"


def test_administrator_revokes_with_a_reason(
    client, administrator, enrolled_learner, course
):
    enrolment = Enrolment.objects.get(user=enrolled_learner)
    client.force_login(administrator)
    index = client.get(reverse("learning_enrolments:index")).content.decode()
    revoke_url = reverse("learning_enrolments:revoke", args=[enrolment.pk])
    assert revoke_url in index

    assert client.post(revoke_url, {"reason": ""}).status_code == 200
    assert Enrolment.objects.get(pk=enrolment.pk).status == EnrolmentStatus.ACTIVE

    response = client.post(revoke_url, {"reason": "Licence suspended by the board"})
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.REVOKED
    assert enrolment.events.first().reason == "Licence suspended by the board"


def test_revoked_enrolment_can_be_granted_again(
    client, administrator, enrolled_learner, course
):
    enrolment = Enrolment.objects.get(user=enrolled_learner)
    services.enrolment_revoke(
        enrolment=enrolment, actor=administrator, reason="Mistake"
    )
    client.force_login(administrator)
    response = client.post(
        reverse("learning_enrolments:add"),
        {"user": enrolled_learner.pk, "course": course.pk, "reason": "Reinstated"},
    )
    assert response.status_code == 302
    assert Enrolment.objects.get(pk=enrolment.pk).status == EnrolmentStatus.ACTIVE


def test_enrolments_filter_search_and_export(
    client, administrator, enrolled_learner, course
):
    client.force_login(administrator)
    url = reverse("learning_enrolments:index")
    assert (
        enrolled_learner.username
        in client.get(url, {"status": "active"}).content.decode()
    )
    assert (
        enrolled_learner.username
        not in client.get(url, {"status": "revoked"}).content.decode()
    )
    assert (
        enrolled_learner.username in client.get(url, {"q": "learner@"}).content.decode()
    )
    response = client.get(url, {"export": "csv"})
    assert response.status_code == 200
    body = (
        b"".join(response.streaming_content).decode()
        if response.streaming
        else response.content.decode()
    )
    assert "learner@example.com" in body and "active" in body.lower()


def test_orders_are_read_only_in_the_admin(
    client, administrator, learner, course, settings
):
    settings.COURSES_PAYMENT_BACKEND = "courses.payments.testmode.TestModeBackend"
    order, _ = services_orders.checkout_start(
        user=learner, course=course, success_url="http://x/s", cancel_url="http://x/c"
    )
    client.force_login(administrator)
    index = client.get(reverse("learning_orders:index"))
    assert index.status_code == 200 and order.reference in index.content.decode()
    assert (
        client.get(reverse("learning_orders:inspect", args=[order.pk])).status_code
        == 200
    )
    for name in ("edit", "delete"):
        response = client.get(reverse(f"learning_orders:{name}", args=[order.pk]))
        assert response.status_code in (302, 403)
    assert client.get(reverse("learning_orders:add")).status_code in (302, 403)
    response = client.post(reverse("learning_orders:delete", args=[order.pk]))
    assert Order.objects.filter(pk=order.pk).exists()
    export = client.get(reverse("learning_orders:index"), {"export": "csv"})
    assert order.reference in b"".join(export.streaming_content).decode()


def test_learners_cannot_reach_the_learning_admin(client, learner):
    client.force_login(learner)
    response = client.get(reverse("learning_enrolments:index"))
    assert response.status_code in (302, 403)
