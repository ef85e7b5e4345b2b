"""Cohorts, scheduled module release (with time travel), release emails, live sessions."""

from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import DatabaseError
from django.test import TestCase
from django.utils import timezone

from courses import services
from courses.models import (
    Cohort,
    CohortMembership,
    LiveSession,
    ModuleReleaseNotice,
    Order,
    OutboundEmail,
)
from courses.programmes import services as programme_services
from tests.conftest import post_webhook

from .conftest import paid_payload

pytestmark = pytest.mark.django_db


def travel(days: int):
    """Move the clock `days` days ahead of now, for everything that asks Django's time."""
    moment = timezone.now() + timedelta(days=days)
    return mock.patch("django.utils.timezone.now", return_value=moment)


@pytest.fixture
def scheduled_course(make_course):
    course = make_course(title="Cohort course", in_order=False)
    second = course.modules[1]
    second.release_after_days = 7
    second.save_revision().publish()
    return course


@pytest.fixture
def cohort(scheduled_course, make_user):
    return Cohort.objects.create(
        course=scheduled_course,
        name="Spring cohort",
        starts_on=timezone.localdate(),
        facilitator=make_user("facilitator"),
        capacity=2,
    )


def test_a_module_opens_n_days_after_the_cohort_starts(
    client, scheduled_course, cohort, learner
):
    services.enrolment_grant(
        user=learner, course=scheduled_course, actor=None, reason="t"
    )
    programme_services.cohort_join(user=learner, cohort=cohort)
    client.force_login(learner)
    second = scheduled_course.modules[1]
    opens = cohort.starts_on + timedelta(days=7)

    response = client.get(second.url, follow=True)
    assert f"opens on {opens:%B %-d, %Y}" in response.content.decode()
    assert response.redirect_chain[-1][0] == scheduled_course.url
    assert (
        f"Opens {opens:%B %-d, %Y}" in client.get(scheduled_course.url).content.decode()
    )
    with travel(6):
        assert client.get(second.url).status_code == 302
    with travel(7):
        assert client.get(second.url).status_code == 200


def test_self_paced_learners_count_from_their_enrollment(
    client, scheduled_course, learner
):
    services.enrolment_grant(
        user=learner, course=scheduled_course, actor=None, reason="t"
    )
    client.force_login(learner)
    second = scheduled_course.modules[1]
    assert client.get(second.url).status_code == 302
    with travel(7):
        assert client.get(second.url).status_code == 200


def test_the_required_order_still_applies_after_release(make_course, learner, client):
    course = make_course(title="Ordered course")
    second = course.modules[1]
    second.release_after_days = 1
    second.save_revision().publish()
    services.enrolment_grant(user=learner, course=course, actor=None, reason="t")
    client.force_login(learner)
    with travel(2):
        response = client.get(second.url, follow=True)
    assert "Finish “Module 1” first" in response.content.decode()


def test_the_release_email_goes_once_when_the_module_opens(
    scheduled_course, cohort, learner
):
    services.enrolment_grant(
        user=learner, course=scheduled_course, actor=None, reason="t"
    )
    programme_services.cohort_join(user=learner, cohort=cohort)
    # Emails are delivered by a task queued on commit; run it as the commit would.
    with travel(6), TestCase.captureOnCommitCallbacks(execute=True):
        call_command("send_module_release_emails", verbosity=0)
    assert mail.outbox == []
    with travel(7), TestCase.captureOnCommitCallbacks(execute=True):
        call_command("send_module_release_emails", verbosity=0)
        call_command("send_module_release_emails", verbosity=0)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [learner.email]
    assert "Module 2 is now open in Cohort course" == mail.outbox[0].subject


def test_a_release_email_that_cannot_be_queued_is_sent_by_the_next_run(
    scheduled_course, cohort, learner
):
    services.enrolment_grant(
        user=learner, course=scheduled_course, actor=None, reason="t"
    )
    programme_services.cohort_join(user=learner, cohort=cohort)
    # The database refuses the email row: the claim must not commit without it.
    refused = mock.patch.object(
        OutboundEmail.objects, "get_or_create", side_effect=DatabaseError("disk full")
    )
    with travel(7), refused, pytest.raises(DatabaseError):
        call_command("send_module_release_emails", verbosity=0)
    assert not ModuleReleaseNotice.objects.exists()
    with travel(7), TestCase.captureOnCommitCallbacks(execute=True):
        call_command("send_module_release_emails", verbosity=0)
    assert [message.to for message in mail.outbox] == [[learner.email]]
    assert OutboundEmail.objects.filter(
        key=f"module_open:{learner.pk}:{scheduled_course.modules[1].pk}"
    ).exists()


def test_a_learner_joins_the_cohort_chosen_at_checkout(
    client, fake_stripe, learner, course
):
    cohort = Cohort.objects.create(
        course=course, name="Fall cohort", starts_on=timezone.localdate()
    )
    client.force_login(learner)
    page = client.get(course.url).content.decode()
    assert "Fall cohort" in page and 'name="cohort"' in page
    client.post(f"/learn/checkout/{course.pk}/", {"cohort": cohort.pk})
    order = Order.objects.get(user=learner)
    assert order.cohort == cohort
    post_webhook(client, paid_payload(order, event_id="evt_cohort"))
    assert CohortMembership.objects.get(user=learner).cohort == cohort


def test_a_full_cohort_takes_nobody_else(cohort, make_user):
    for name in ("a", "b"):
        programme_services.cohort_join(user=make_user(name), cohort=cohort)
    with pytest.raises(programme_services.ProgrammeError, match="full"):
        programme_services.cohort_join(user=make_user("c"), cohort=cohort)


def test_join_links_are_for_enrolled_learners_of_that_cohort_only(
    client, scheduled_course, cohort, learner, make_user, complete_profile
):
    LiveSession.objects.create(
        cohort=cohort,
        title="Case consultation circle",
        starts_at=datetime(2027, 3, 4, 18, 0, tzinfo=ZoneInfo("America/Denver")),
        time_zone="America/Denver",
        duration_minutes=90,
        join_url="https://meet.example.com/secret-room",
    )
    services.enrolment_grant(
        user=learner, course=scheduled_course, actor=None, reason="t"
    )
    programme_services.cohort_join(user=learner, cohort=cohort)
    client.force_login(learner)
    page = client.get(scheduled_course.url).content.decode()
    assert "https://meet.example.com/secret-room" in page
    assert "6:00 PM (America/Denver)" in page

    self_paced = make_user("self-paced")
    services.enrolment_grant(
        user=self_paced, course=scheduled_course, actor=None, reason="t"
    )
    client.force_login(self_paced)
    assert "secret-room" not in client.get(scheduled_course.url).content.decode()

    revoked = make_user("revoked")
    enrolment = services.enrolment_grant(
        user=revoked, course=scheduled_course, actor=None, reason="t"
    )
    programme_services.cohort_join(user=revoked, cohort=cohort)
    services.enrolment_revoke(enrolment=enrolment, reason="Left the program")
    client.force_login(revoked)
    assert "secret-room" not in client.get(scheduled_course.url).content.decode()


def test_trainers_see_per_cohort_progress(
    client, scheduled_course, cohort, learner, trainer
):
    services.enrolment_grant(
        user=learner, course=scheduled_course, actor=None, reason="t"
    )
    programme_services.cohort_join(user=learner, cohort=cohort)
    services.progress_record_visit(user=learner, module=scheduled_course.modules[0])
    client.force_login(trainer)
    page = client.get(f"/learn/cohorts/{cohort.pk}/").content.decode()
    assert "1 of 3" in page and "33%" in page
    # Someone who is neither the facilitator nor a trainer gets nothing.
    client.force_login(learner)
    assert client.get(f"/learn/cohorts/{cohort.pk}/").status_code == 404
