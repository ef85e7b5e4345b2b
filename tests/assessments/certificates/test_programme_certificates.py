"""Programme requirements in certificate eligibility, and consultation and live hours as
typed entries on the certificate, its PDF, the transcript and the OB3 credential; item
analysis narrowed to one cohort."""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from pypdf import PdfReader

from assessments import services as attempt_services
from assessments.certificates import credentials, services
from assessments.certificates.selectors import (
    certificate_eligibility,
    transcript_cycle,
)
from assessments.models import Certificate
from assessments.selectors import quiz_analytics
from courses.models import Cohort, LiveSession
from courses.programmes import services as programme_services
from courses.programmes import services_hours
from tests.assessments.conftest import correct_answers, evaluation_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(course, make_user, consultant):
    course.consultation_hours_required = 2
    course.live_hours_required = 1
    course.save_revision().publish()
    cohort = Cohort.objects.create(
        course=course,
        name="Spring cohort",
        starts_on=timezone.localdate(),
        facilitator=make_user("facilitator"),
    )
    session = LiveSession.objects.create(
        cohort=cohort,
        title="Live practice lab",
        starts_at=datetime(2027, 1, 12, 17, 0, tzinfo=ZoneInfo("America/New_York")),
        duration_minutes=90,
        join_url="https://meet.example.com/lab",
    )
    return course.specific_class.objects.get(pk=course.pk), session


@pytest.fixture
def consultant(make_user):
    from django.contrib.auth.models import Group

    from courses.roles import CONSULTANTS, ensure_roles

    ensure_roles()
    user = make_user("consultant")
    user.groups.add(Group.objects.get(name=CONSULTANTS))
    return user


def log_and_approve(user, course, consultant, minutes):
    consultation = services_hours.consultation_log(
        user=user,
        course=course,
        consultant=consultant,
        held_on=timezone.localdate() - timedelta(days=2),
        kind="individual",
        minutes=minutes,
        reflection="A client in their 30s; we reviewed how I paced preparation.",
    )
    return services_hours.consultation_approve(
        consultant=consultant, consultation=consultation
    )


def test_eligibility_waits_for_approved_consultation_and_live_hours_then_issues(
    completed_learner,
    programme,
    consultant,
    media_root,
    django_capture_on_commit_callbacks,
):
    course, session = programme
    learner = completed_learner
    programme_services.cohort_join(user=learner, cohort=session.cohort)
    services.evaluation_submit(
        user=learner, course=course, answers=evaluation_answers(course)
    )
    state = certificate_eligibility(learner, course)
    assert state["missing"] == [
        "Consultation: 0 of 2 hours approved",
        "Live sessions: 0 of 1 hours attended",
    ]
    assert not Certificate.objects.exists()

    # A logged but unapproved consultation does not count.
    services_hours.consultation_log(
        user=learner,
        course=course,
        consultant=consultant,
        held_on=timezone.localdate(),
        kind="group",
        minutes=120,
        reflection="Group consultation on consent and scope of practice.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        log_and_approve(learner, course, consultant, 60)
        log_and_approve(learner, course, consultant, 60)
    assert certificate_eligibility(learner, course)["missing"] == [
        "Live sessions: 0 of 1 hours attended"
    ]
    # The attendance that completes the requirements issues the certificate at once.
    with django_capture_on_commit_callbacks(execute=True):
        services_hours.attendance_record(
            actor=session.cohort.facilitator, session=session, user=learner, minutes=90
        )
    certificate = Certificate.objects.get(user=learner)
    assert certificate.programme_hours == [
        {
            "type": "consultation_hours",
            "label": "Consultation hours (approved)",
            "hours": "2",
        },
        {"type": "live_contact_hours", "label": "Live contact hours", "hours": "1.5"},
    ]
    with certificate.pdf.open("rb") as handle:
        text = " ".join(
            page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages
        )
    assert "Consultation hours (approved) 2" in text
    assert "Live contact hours 1.5" in text

    # Frozen: later approvals never change an issued certificate.
    log_and_approve(learner, course, consultant, 60)
    certificate.refresh_from_db()
    assert certificate.programme_hours[0]["hours"] == "2"

    credential = credentials.build_credential(certificate, base_url="http://testserver")
    subject = credential["credentialSubject"]
    descriptions = subject["achievement"]["resultDescription"]
    assert [d["resultType"] for d in descriptions] == [
        "ext:ConsultationHours",
        "ext:LiveContactHours",
    ]
    assert [(r["resultDescription"], r["value"]) for r in subject["result"]] == [
        (descriptions[0]["id"], "2"),
        (descriptions[1]["id"], "1.5"),
    ]
    assert subject["creditsEarned"] == float(certificate.ce_hours)  # CE hours apart

    cycle = transcript_cycle(
        learner, starts_on=timezone.localdate() - timedelta(days=30), years=2
    )
    assert cycle["programme_hours"] == [
        ("Consultation hours (approved)", 2),
        ("Live contact hours", 1.5),
    ]
    assert cycle["total"] == certificate.ce_hours
    earlier = transcript_cycle(
        learner, starts_on=timezone.localdate() - timedelta(days=800), years=2
    )
    assert earlier["programme_hours"] == [] and earlier["total"] == 0


def test_the_transcript_page_lists_programme_hours_by_year_and_cycle(
    client, completed_learner, programme, consultant, media_root
):
    course, session = programme
    programme_services.cohort_join(user=completed_learner, cohort=session.cohort)
    log_and_approve(completed_learner, course, consultant, 120)
    services_hours.attendance_record(
        actor=session.cohort.facilitator,
        session=session,
        user=completed_learner,
        minutes=60,
    )
    services.evaluation_submit(
        user=completed_learner, course=course, answers=evaluation_answers(course)
    )
    assert Certificate.objects.filter(user=completed_learner).exists()
    client.force_login(completed_learner)
    start = (timezone.localdate() - timedelta(days=1)).isoformat()
    page = client.get(
        f"/learn/transcript/?cycle_start={start}&cycle_years=2"
    ).content.decode()
    assert "Consultation and live contact hours by year" in page
    assert (
        f'<th scope="row">{timezone.localdate().year}</th><td>Consultation hours (approved)</td><td>2</td>'
        in page
    )
    assert '<th scope="row">Live contact hours</th><td>1</td>' in page
    response = client.get("/learn/transcript.pdf")
    content = b"".join(getattr(response, "streaming_content", [response.content]))
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert "Consultation hours (approved) 2" in text and "Live contact hours 1" in text


def test_item_analysis_narrows_to_one_cohort(
    course, module_quiz, make_user, enrolled_learner
):
    cohort = Cohort.objects.create(
        course=course, name="A", starts_on=timezone.localdate()
    )
    outsider = make_user("outsider")
    from courses import services as course_services

    course_services.enrolment_grant(
        user=outsider, course=course, actor=None, reason="t"
    )
    programme_services.cohort_join(user=enrolled_learner, cohort=cohort)
    for user in (enrolled_learner, outsider):
        attempt = attempt_services.attempt_start(user=user, quiz=module_quiz)
        attempt_services.attempt_submit(
            attempt=attempt, answers=correct_answers(attempt)
        )
    assert quiz_analytics(module_quiz)["attempts"] == 2
    assert quiz_analytics(module_quiz, user_ids=[enrolled_learner.pk])["attempts"] == 1


def test_the_item_analysis_screen_filters_by_cohort(
    client, course, module_quiz, trainer, enrolled_learner
):
    from django.urls import reverse

    cohort = Cohort.objects.create(
        course=course, name="Cohort A", starts_on=timezone.localdate()
    )
    attempt = attempt_services.attempt_start(user=enrolled_learner, quiz=module_quiz)
    attempt_services.attempt_submit(attempt=attempt, answers=correct_answers(attempt))
    client.force_login(trainer)
    url = reverse("assessment_quizzes:analytics", args=[module_quiz.pk])
    everyone = client.get(url).content.decode()
    assert "Cohort A" in everyone and "No submitted attempts yet" not in everyone
    filtered = client.get(url, {"cohort": cohort.pk}).content.decode()
    assert "No submitted attempts yet" in filtered  # nobody in the cohort has attempted
    programme_services.cohort_join(user=enrolled_learner, cohort=cohort)
    assert (
        "No submitted attempts yet"
        not in client.get(url, {"cohort": cohort.pk}).content.decode()
    )
