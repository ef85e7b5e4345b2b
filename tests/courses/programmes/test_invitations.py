"""Invitations, seat reclaim, and what a manager may see (and nobody else)."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from courses import services
from courses.models import (
    Enrolment,
    EnrolmentSource,
    EnrolmentStatus,
    InvitationStatus,
    ProgrammeAuditAction,
    ProgrammeAuditEvent,
    Seat,
    SeatInvitation,
    SeatStatus,
)
from courses.programmes import services as programme_services

pytestmark = pytest.mark.django_db


def invite(client, org, course, email, **extra):
    return client.post(
        reverse("courses:organization_invite", args=[org.slug]),
        {"email": email, "course": course.pk, **extra},
    )


def test_an_invitation_emails_a_link_and_accepting_enrols_from_a_seat(
    client,
    paid_seats,
    organization,
    course,
    learner,
    django_capture_on_commit_callbacks,
):
    org, manager = organization
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, org, course, learner.email.upper())
    assert response.status_code == 302
    invitation = SeatInvitation.objects.get()
    assert invitation.seat.status == SeatStatus.INVITED
    message = mail.outbox[-1]
    assert message.to == [learner.email] and "Riverside Clinic" in message.subject
    link = re.search(r"http://testserver(/learn/invitations/\S+/)", message.body).group(
        1
    )

    client.force_login(learner)
    assert "Accept the invitation" in client.get(link).content.decode()
    response = client.post(link)
    assert response.status_code == 302 and response["Location"] == course.url
    enrolment = Enrolment.objects.get(user=learner, course=course)
    assert enrolment.status == EnrolmentStatus.ACTIVE
    assert enrolment.source == EnrolmentSource.ORGANIZATION
    seat = Seat.objects.get(pk=invitation.seat_id)
    assert seat.status == SeatStatus.ASSIGNED and seat.holder == learner
    assert client.get(course.modules[0].url).status_code == 200
    # The link works once.
    assert "no longer open" in client.get(link).content.decode()


def test_an_anonymous_visitor_is_sent_to_log_in_first(
    client, paid_seats, organization, course
):
    org, manager = organization
    invitation = programme_services.invitation_send(
        manager=manager, organization=org, course=course, email="new@example.com"
    )
    client.logout()
    response = client.get(reverse("courses:invitation_accept", args=[invitation.token]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_only_the_invited_email_can_accept(
    client, paid_seats, organization, course, make_user
):
    org, manager = organization
    invitation = programme_services.invitation_send(
        manager=manager, organization=org, course=course, email="invited@example.com"
    )
    client.force_login(make_user("someone-else"))
    response = client.post(
        reverse("courses:invitation_accept", args=[invitation.token]), follow=True
    )
    assert (
        "This invitation was sent to invited@example.com" in response.content.decode()
    )
    assert not Enrolment.objects.exists()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING


def test_invitations_stop_when_the_seats_run_out(
    client, paid_seats, organization, course
):
    org, manager = organization
    client.force_login(manager)
    for number in range(3):
        invite(client, org, course, f"clinician{number}@example.com")
    response = invite(client, org, course, "one-too-many@example.com")
    page = client.get(response["Location"]).content.decode()
    assert "There are no free seats left" in page
    assert SeatInvitation.objects.count() == 3
    # The same address twice is refused too.
    programme_services.invitation_withdraw(
        manager=manager, invitation=SeatInvitation.objects.first()
    )
    invite(client, org, course, "clinician1@example.com")
    assert SeatInvitation.objects.filter(email="clinician1@example.com").count() == 1


def test_withdrawing_an_unused_invitation_frees_its_seat(
    client, paid_seats, organization, course, learner
):
    org, manager = organization
    invitation = programme_services.invitation_send(
        manager=manager, organization=org, course=course, email=learner.email
    )
    client.force_login(manager)
    client.post(reverse("courses:invitation_withdraw", args=[org.slug, invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.WITHDRAWN
    assert Seat.objects.get(pk=invitation.seat_id).status == SeatStatus.FREE
    client.force_login(learner)
    client.post(reverse("courses:invitation_accept", args=[invitation.token]))
    assert not Enrolment.objects.exists()
    assert ProgrammeAuditEvent.objects.filter(
        action=ProgrammeAuditAction.INVITATION_WITHDRAWN
    ).exists()


def seat_learner(org, manager, course, learner):
    invitation = programme_services.invitation_send(
        manager=manager, organization=org, course=course, email=learner.email
    )
    programme_services.invitation_accept(user=learner, invitation=invitation)
    return Seat.objects.get(pk=invitation.seat_id)


def test_reclaiming_a_seat_ends_access_and_tells_the_learner(
    client,
    paid_seats,
    organization,
    course,
    learner,
    django_capture_on_commit_callbacks,
):
    org, manager = organization
    seat = seat_learner(org, manager, course, learner)
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("courses:seat_reclaim", args=[org.slug, seat.pk]))
    seat.refresh_from_db()
    assert seat.status == SeatStatus.FREE and seat.holder is None
    assert Enrolment.objects.get(user=learner).status == EnrolmentStatus.REVOKED
    assert mail.outbox[-1].to == [learner.email]
    assert "reclaimed" in mail.outbox[-1].body
    client.force_login(learner)
    assert client.get(course.modules[0].url).status_code == 302
    event = ProgrammeAuditEvent.objects.get(action=ProgrammeAuditAction.SEAT_RECLAIMED)
    assert event.subject_user_id == learner.pk and event.actor_id == manager.pk


def test_a_seat_stays_with_a_learner_who_completed(
    client, paid_seats, organization, course, learner
):
    org, manager = organization
    seat = seat_learner(org, manager, course, learner)
    services.enrolment_complete(enrolment=Enrolment.objects.get(user=learner))
    with pytest.raises(programme_services.ProgrammeError, match="completed"):
        programme_services.seat_reclaim(manager=manager, seat=seat)
    client.force_login(manager)
    page = client.get(reverse("courses:organization", args=[org.slug])).content.decode()
    assert "Reclaim seat" not in page


def test_a_learner_enrolled_already_leaves_the_seat_free(
    paid_seats, organization, course, enrolled_learner
):
    org, manager = organization
    invitation = programme_services.invitation_send(
        manager=manager, organization=org, course=course, email=enrolled_learner.email
    )
    with pytest.raises(programme_services.ProgrammeError, match="already enrolled"):
        programme_services.invitation_accept(
            user=enrolled_learner, invitation=invitation
        )
    assert Seat.objects.get(pk=invitation.seat_id).status == SeatStatus.INVITED
