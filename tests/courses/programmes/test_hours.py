"""Consultation hours (identifier guard, consultant approval) and live attendance, with
every decision in the append-only audit log."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courses import services
from courses.models import (
    Cohort,
    Consultation,
    ConsultationStatus,
    LiveAttendance,
    LiveSession,
    ProgrammeAuditAction,
    ProgrammeAuditEvent,
)
from courses.programmes import services as programme_services
from courses.programmes import services_hours
from courses.programmes.identifiers import client_identifiers

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "text,kind",
    [
        ("Discussed Mr. Alvarez and his fear of dissociation.", "title"),
        ("We talked about Ms Chen's integration plan.", "title"),
        ("My client Jane Doe described the session as calm.", "“client”"),
        ("The patient John had nausea.", "“client”"),
        ("Client DOB was checked before dosing.", "date of birth"),
        ("Born on 04/12/1987, so in her late thirties.", "date of birth"),
        ("Chart number 5561234 reviewed with the prescriber.", "record number"),
        ("MRN noted in the chart.", "record number"),
        ("Called her at 555-123-4567 after the session.", "phone"),
        ("She emailed from jane.doe@example.org afterwards.", "email"),
    ],
)
def test_the_detector_flags_client_identifiers(text, kind):
    found = client_identifiers(text)
    assert found and any(kind in label for label in found), found


@pytest.mark.parametrize(
    "text",
    [
        "A client in their 40s with treatment-resistant depression; we reviewed "
        "set and setting and how I held silence during the dissociative phase.",
        "Group consultation on informed consent and the limits of my scope of practice.",
        "The client reported feeling safer after we slowed the preparation phase.",
    ],
)
def test_the_detector_lets_de_identified_reflections_through(text):
    assert client_identifiers(text) == []


@pytest.fixture
def hours_course(make_course):
    course = make_course(title="Program course", in_order=False)
    course.consultation_hours_required = 2
    course.live_hours_required = 1
    course.save_revision().publish()
    return course.specific_class.objects.get(pk=course.pk)


@pytest.fixture
def enrolled(hours_course, learner):
    services.enrolment_grant(user=learner, course=hours_course, actor=None, reason="t")
    return learner


def log_form(consultant, **overrides):
    return {
        "consultant": consultant.pk,
        "held_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "kind": "individual",
        "minutes": 60,
        "reflection": "A client in their 50s; we practiced pacing the integration session.",
        **overrides,
    }


def test_the_form_rejects_identifiers_with_a_clear_message(
    client, hours_course, enrolled, consultant
):
    client.force_login(enrolled)
    url = f"/learn/consultations/course/{hours_course.pk}/"
    response = client.post(
        url, log_form(consultant, reflection="My client Jane Doe found it helpful.")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "a name after “client” or “patient”" in page
    assert "Keep reflections de-identified" in page
    assert not Consultation.objects.exists()
    # The service refuses too, whoever calls it.
    with pytest.raises(programme_services.ProgrammeError, match="de-identified"):
        services_hours.consultation_log(
            user=enrolled,
            course=hours_course,
            consultant=consultant,
            held_on=timezone.localdate(),
            kind="group",
            minutes=60,
            reflection="Reviewed MRN 1234567 with the team.",
        )


def test_logged_hours_count_only_once_the_named_consultant_approves(
    client,
    hours_course,
    enrolled,
    consultant,
    make_user,
    django_capture_on_commit_callbacks,
):
    client.force_login(enrolled)
    url = f"/learn/consultations/course/{hours_course.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, log_form(consultant)).status_code == 302
        client.post(url, log_form(consultant, minutes=90, kind="group"))
    assert mail.outbox[-1].to == [consultant.email]
    first, second = Consultation.objects.order_by("pk")
    assert (
        "Consultation: 0 of 2 hours approved"
        in client.get(hours_course.url).content.decode()
    )

    # Another consultant, and the learner, cannot review it.
    other = make_user("other-consultant")
    other.groups.add(*consultant.groups.all())
    for intruder in (other, enrolled):
        client.force_login(intruder)
        response = client.post(
            f"/learn/consultations/{first.pk}/review/",
            {f"c{first.pk}-decision": "approve"},
        )
        assert response.status_code == 404
    with pytest.raises(programme_services.ProgrammeError, match="named"):
        services_hours.consultation_approve(consultant=other, consultation=first)

    client.force_login(consultant)
    assert (
        "A client in their 50s"
        in client.get("/learn/consultations/review/").content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/learn/consultations/{first.pk}/review/",
            {f"c{first.pk}-decision": "approve"},
        )
        # Returning needs a comment.
        client.post(
            f"/learn/consultations/{second.pk}/review/",
            {f"c{second.pk}-decision": "return"},
        )
        second.refresh_from_db()
        assert second.status == ConsultationStatus.SUBMITTED
        client.post(
            f"/learn/consultations/{second.pk}/review/",
            {
                f"c{second.pk}-decision": "return",
                f"c{second.pk}-comment": "Please add what you will change next time.",
            },
        )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == ConsultationStatus.APPROVED
    assert second.status == ConsultationStatus.RETURNED
    assert "what you will change" in mail.outbox[-1].body
    client.force_login(enrolled)
    assert (
        "Consultation: 1 of 2 hours approved"
        in client.get(hours_course.url).content.decode()
    )
    actions = list(
        ProgrammeAuditEvent.objects.filter(
            action__in=[
                ProgrammeAuditAction.CONSULTATION_APPROVED,
                ProgrammeAuditAction.CONSULTATION_RETURNED,
            ]
        ).values_list("action", "actor_id", "reason")
    )
    assert sorted(actions) == [
        ("consultation_approved", consultant.pk, ""),
        (
            "consultation_returned",
            consultant.pk,
            "Please add what you will change next time.",
        ),
    ]
    with pytest.raises(
        programme_services.ProgrammeError, match="already been reviewed"
    ):
        services_hours.consultation_return(
            consultant=consultant, consultation=first, comment="Changed my mind"
        )


@pytest.fixture
def session(hours_course, make_user):
    cohort = Cohort.objects.create(
        course=hours_course,
        name="Winter cohort",
        starts_on=timezone.localdate(),
        facilitator=make_user("facilitator"),
    )
    return LiveSession.objects.create(
        cohort=cohort,
        title="Live practice lab",
        starts_at=datetime(2027, 1, 12, 17, 0, tzinfo=ZoneInfo("America/New_York")),
        duration_minutes=90,
        join_url="https://meet.example.com/lab",
    )


def test_the_facilitator_records_attendance_and_every_change_is_audited(
    client, session, enrolled, make_user, trainer
):
    programme_services.cohort_join(user=enrolled, cohort=session.cohort)
    facilitator = session.cohort.facilitator
    url = f"/learn/cohorts/sessions/{session.pk}/attendance/"

    outsider = make_user("another-facilitator")
    Cohort.objects.create(
        course=session.cohort.course,
        name="Other cohort",
        starts_on=timezone.localdate(),
        facilitator=outsider,
    )
    for intruder in (outsider, enrolled):
        client.force_login(intruder)
        assert client.post(url, {f"minutes-{enrolled.pk}": 90}).status_code == 404
    assert not LiveAttendance.objects.exists()

    client.force_login(facilitator)
    client.post(url, {f"minutes-{enrolled.pk}": 60})
    client.post(url, {f"minutes-{enrolled.pk}": 75})
    response = client.post(url, {f"minutes-{enrolled.pk}": 200}, follow=True)
    assert "between 0 and 90" in response.content.decode()
    assert LiveAttendance.objects.get().minutes_attended == 75
    events = list(
        ProgrammeAuditEvent.objects.order_by("pk")
        .filter(action__startswith="attendance")
        .values_list("action", "data")
    )
    assert [(a, d["minutes_before"], d["minutes_after"]) for a, d in events] == [
        ("attendance_recorded", 0, 60),
        ("attendance_changed", 60, 75),
    ]
    client.force_login(enrolled)
    assert (
        "Live contact hours: 1.25 of 1 required"
        in client.get(session.cohort.course.url).content.decode()
    )


def test_the_programme_audit_log_is_append_only(session, enrolled):
    programme_services.cohort_join(user=enrolled, cohort=session.cohort)
    event = ProgrammeAuditEvent.objects.get()
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        ProgrammeAuditEvent.objects.update(reason="rewritten")
    with pytest.raises(PermissionError):
        event.delete()
    # The database refuses too, whatever code asks (SQLite raises IntegrityError,
    # PostgreSQL the trigger's exception: both are DatabaseErrors).
    with pytest.raises(DatabaseError), transaction.atomic():
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE courses_programmeauditevent SET reason = 'x' WHERE id = %s",
                [event.pk],
            )


def test_consultation_pages_are_for_enrolled_learners_and_consultants_only(
    client, hours_course, make_user, consultant, enrolled
):
    stranger = make_user("stranger")
    client.force_login(stranger)
    assert (
        client.get(f"/learn/consultations/course/{hours_course.pk}/").status_code == 404
    )
    assert client.get("/learn/consultations/review/").status_code == 404
    with pytest.raises(programme_services.ProgrammeError, match="Enroll"):
        services_hours.consultation_log(
            user=stranger,
            course=hours_course,
            consultant=consultant,
            held_on=timezone.localdate(),
            kind="group",
            minutes=60,
            reflection="A de-identified reflection.",
        )
    # A learner cannot name someone who is not a consultant (or themselves).
    with pytest.raises(programme_services.ProgrammeError, match="approved consultants"):
        services_hours.consultation_log(
            user=enrolled,
            course=hours_course,
            consultant=stranger,
            held_on=timezone.localdate(),
            kind="group",
            minutes=60,
            reflection="A de-identified reflection.",
        )
    client.force_login(consultant)
    assert client.get("/learn/consultations/review/").status_code == 200


def test_the_course_page_keeps_cohort_and_hours_in_the_learner_state_and_sees_each_change(
    client, session, enrolled
):
    """The cohort and the hours come from courses' cached learner state (no query once
    cached); a membership, an attendance, or an edited cohort shows on the next visit."""
    course = session.cohort.course
    client.force_login(enrolled)
    assert "Your cohort" not in client.get(course.url).content.decode()

    programme_services.cohort_join(user=enrolled, cohort=session.cohort)
    page = client.get(course.url).content.decode()
    assert "Your cohort: Winter cohort" in page
    assert "Live contact hours: 0 of 1 required" in page

    def queries_for_a_visit():
        with CaptureQueriesContext(connection) as visit:
            client.get(course.url)
        return [q["sql"] for q in visit.captured_queries]

    cached_visit = queries_for_a_visit()
    assert not [sql for sql in cached_visit if "courses_liveattendance" in sql]
    assert not [sql for sql in cached_visit if "courses_cohortmembership" in sql]

    services_hours.attendance_record(
        actor=session.cohort.facilitator, session=session, user=enrolled, minutes=60
    )
    assert (
        "Live contact hours: 1 of 1 required" in client.get(course.url).content.decode()
    )

    session.cohort.name = "Winter cohort (evenings)"
    session.cohort.save()
    assert (
        "Your cohort: Winter cohort (evenings)"
        in client.get(course.url).content.decode()
    )

    enrolled.cohort_memberships.all().delete()
    assert "Your cohort" not in client.get(course.url).content.decode()
