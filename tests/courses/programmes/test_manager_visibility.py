"""A manager sees seats, progress, completion and certificate status of their own
learners, never answers, attempts, evaluations or licence numbers; and nobody outside the
organization sees any of it."""

import pytest
from django.urls import reverse

from courses import services
from courses.models import Seat, SeatInvitation
from courses.programmes import services as programme_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def seated(paid_seats, organization, course, learner):
    org, manager = organization
    invitation = programme_services.invitation_send(
        manager=manager, organization=org, course=course, email=learner.email
    )
    programme_services.invitation_accept(user=learner, invitation=invitation)
    services.progress_record_visit(user=learner, module=course.modules[0])
    pending = programme_services.invitation_send(
        manager=manager, organization=org, course=course, email="pending@example.com"
    )
    return org, manager, Seat.objects.get(pk=invitation.seat_id), pending


def test_the_manager_sees_seats_and_progress_but_no_licence(client, seated, learner):
    org, manager, _seat, _pending = seated
    client.force_login(manager)
    page = client.get(reverse("courses:organization", args=[org.slug])).content.decode()
    # Bought, in use, pending invitations, free, refunded.
    assert "<td>3</td><td>1</td><td>1</td><td>1</td><td>0</td>" in page
    assert learner.email in page and "1 of 3 modules (33%)" in page
    assert "pending@example.com" in page
    assert "PSY-123456" not in page and "Colorado" not in page

    csv_text = client.get(
        reverse("courses:organization_report_csv", args=[org.slug])
    ).content.decode()
    header, row = csv_text.strip().splitlines()
    assert header == (
        "Name,Email,Course,Cohort,Modules complete,Modules,Progress (%),Completed,"
        "Certificate"
    )
    assert row.startswith(
        "learner,learner@example.com,Foundations of KAP,Self-paced,1,3,33,no,"
    )
    assert "PSY-123456" not in csv_text


@pytest.mark.parametrize("who", ["other_manager", "learner", "anonymous"])
def test_nobody_outside_the_organization_reaches_any_of_it(
    client, seated, make_organization, learner, who
):
    org, _manager, seat, pending = seated
    other, other_manager = make_organization("lakeside")
    client.logout()  # the fixture bought the seats as the manager
    if who == "other_manager":
        client.force_login(other_manager)
    elif who == "learner":
        client.force_login(learner)
    reads = [
        reverse("courses:organization", args=[org.slug]),
        reverse("courses:organization_report_csv", args=[org.slug]),
        reverse("courses:organization_seats_success", args=[org.slug])
        + "?session_id=x",
    ]
    writes = [
        (
            reverse("courses:organization_invite", args=[org.slug]),
            {"email": "x@example.com"},
        ),
        (
            reverse("courses:organization_buy_seats", args=[org.slug]),
            {"buy-quantity": 1},
        ),
        (reverse("courses:invitation_withdraw", args=[org.slug, pending.pk]), {}),
        (reverse("courses:seat_reclaim", args=[org.slug, seat.pk]), {}),
    ]
    if who == "other_manager":
        # Their own slug with the other organization's ids.
        writes += [
            (reverse("courses:invitation_withdraw", args=[other.slug, pending.pk]), {}),
            (reverse("courses:seat_reclaim", args=[other.slug, seat.pk]), {}),
        ]
    for url in reads:
        response = client.get(url)
        expected = 302 if who == "anonymous" else 404
        assert response.status_code == expected, url
        assert learner.email.encode() not in response.content
    for url, data in writes:
        response = client.post(url, data)
        assert response.status_code == (302 if who == "anonymous" else 404), url
        if who == "anonymous":
            assert "/accounts/login/" in response["Location"]
    seat.refresh_from_db()
    pending.refresh_from_db()
    assert seat.holder == learner and pending.status == "pending"
    assert SeatInvitation.objects.count() == 2


def test_a_manager_cannot_call_the_services_for_another_organization(
    seated, make_organization, course
):
    org, _manager, seat, pending = seated
    _other, other_manager = make_organization("lakeside")
    for call in (
        lambda: programme_services.seat_reclaim(manager=other_manager, seat=seat),
        lambda: programme_services.invitation_withdraw(
            manager=other_manager, invitation=pending
        ),
        lambda: programme_services.invitation_send(
            manager=other_manager,
            organization=org,
            course=course,
            email="x@example.com",
        ),
    ):
        with pytest.raises(programme_services.ProgrammeError, match="managers"):
            call()
