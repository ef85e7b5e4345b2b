"""The item-analysis screen works on the demo data `make run` loads."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from assessments.models import POST_TEST_TAG, Attempt, Question, Quiz, QuizKind
from courses.models import CoursePage

pytestmark = pytest.mark.django_db


def test_item_analysis_on_the_demo_data(client, django_user_model):
    call_command("load_curriculum", stdout=open("/dev/null", "w"))
    call_command("load_demo_accounts", stdout=open("/dev/null", "w"))
    course = CoursePage.objects.get(slug="foundations-of-kap")
    quiz = Quiz.objects.get(module=course.modules[0], kind=QuizKind.MODULE)
    attempts = Attempt.objects.filter(quiz=quiz, user__username__startswith="demo-")
    assert attempts.count() >= 12

    client.force_login(django_user_model.objects.get(email="trainer@example.com"))
    url = reverse("assessment_quizzes:analytics", args=[quiz.pk])
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<strong>{attempts.filter(status='submitted').count()}</strong>" in html
    # One row per question the demo learners were shown, none of them post-test items.
    shown_keys = {
        question["key"] for a in attempts for question in a.snapshot["questions"]
    }
    rows = re.findall(
        r"<td>(?:<span[^>]*>[^<]*</span> )?<strong>([\w-]+)</strong>", html
    )
    assert set(rows) == shown_keys
    assert not Question.objects.filter(
        key__in=rows, tagged_items__tag__name=POST_TEST_TAG
    ).exists()
    csv_body = client.get(url, {"export": "csv"}).content.decode()
    assert len(csv_body.splitlines()) == len(shown_keys) + 1
