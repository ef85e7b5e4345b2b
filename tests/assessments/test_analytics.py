"""Quiz analytics: the median time is the time learners actually took."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from assessments import analytics, services
from assessments.models import Attempt, Quiz
from assessments.selectors import quiz_analytics
from assessments.templatetags.assessment_tags import duration
from tests.assessments.conftest import correct_answers, wrong_answers

pytestmark = pytest.mark.django_db


def test_the_median_is_over_submitted_attempts_durations():
    attempts = [
        {
            "score": 50.0,
            "passed": False,
            "seconds": s,
            "snapshot": {"questions": []},
            "result": {},
        }
        for s in (120.0, 300.0, 3600.0)
    ] + [
        {
            "score": 0.0,
            "passed": False,
            "seconds": None,
            "snapshot": {"questions": []},
            "result": {},
        }
    ]
    assert analytics.summarise(attempts)["median_seconds"] == 300.0


def test_durations_read_like_times():
    assert duration(None) == "–"
    assert duration(42.4) == "42 s"
    assert duration(270) == "4 min 30 s"
    assert duration(600) == "10 min"
    assert duration(3900) == "1 h 5 min"


def test_analytics_time_sittings_from_start_to_submit(
    client, module_quiz, enrolled_learner, course
):
    from courses import services as course_services

    course_services.progress_record_visit(
        user=enrolled_learner, module=course.modules[0]
    )
    start = timezone.now() - timedelta(hours=2)
    first = services.attempt_start(user=enrolled_learner, quiz=module_quiz, now=start)
    services.attempt_submit(
        attempt=first,
        answers=wrong_answers(first),
        now=start + timedelta(minutes=6, seconds=10),
    )
    later = start + timedelta(hours=1)
    second = services.attempt_start(user=enrolled_learner, quiz=module_quiz, now=later)
    services.attempt_submit(
        attempt=second,
        answers=correct_answers(second),
        now=later + timedelta(minutes=4),
    )
    stats = quiz_analytics(module_quiz)
    assert stats["median_seconds"] == pytest.approx((370 + 240) / 2)

    client.force_login(
        type(enrolled_learner).objects.create_superuser("boss", "boss@example.com", "x")
    )
    html = client.get(
        reverse("assessment_quizzes:analytics", args=[module_quiz.pk])
    ).content.decode()
    assert "5 min 5 s" in html


def test_demo_attempts_take_minutes_not_milliseconds():
    call_command("load_curriculum", verbosity=0)
    call_command("load_demo_accounts", verbosity=0)
    quiz = Quiz.objects.filter(attempts__isnull=False).distinct().get()
    attempts = list(Attempt.objects.filter(quiz=quiz))
    assert len(attempts) >= 12
    durations = [a.duration_seconds for a in attempts]
    assert all(240 <= seconds <= 900 for seconds in durations)
    assert quiz_analytics(quiz)["median_seconds"] >= 240
    # Each learner's attempts come one after the other.
    for user_id in {a.user_id for a in attempts}:
        mine = sorted(
            (a for a in attempts if a.user_id == user_id), key=lambda a: a.number
        )
        for earlier, later in zip(mine, mine[1:], strict=False):
            assert later.started_at > earlier.submitted_at
