"""Query budgets: starting and submitting cost the same for 20 questions as for 5, and the
course page costs the same with 50 modules as with 5."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services
from assessments.models import Quiz, QuizKind
from courses import services as course_services
from tests.assessments.conftest import correct_answers

pytestmark = pytest.mark.django_db


def quiz_with(course, make_question, count):
    for _ in range(count):
        make_question(tags=(f"bank-{count}",))
    quiz = Quiz.objects.create(
        title=f"Quiz {count}",
        kind=QuizKind.MODULE,
        module=course.modules[0],
        question_count=count,
    )
    from taggit.models import Tag

    quiz.draw_tags.set(Tag.objects.filter(name=f"bank-{count}"))
    quiz.save()
    return quiz


def count_queries(func):
    with CaptureQueriesContext(connection) as context:
        result = func()
    return len(context.captured_queries), result


@pytest.mark.parametrize("size", [5, 20])
def test_start_and_submit_have_fixed_budgets(
    make_course, make_question, make_user, size, django_assert_max_num_queries
):
    course = make_course(title=f"Budget {size}", modules=1)
    user = make_user(f"budget{size}")
    course_services.enrolment_grant(user=user, course=course, actor=None, reason="t")
    quiz = quiz_with(course, make_question, size)
    with django_assert_max_num_queries(19):
        attempt = services.attempt_start(user=user, quiz=quiz)
    assert len(attempt.snapshot["questions"]) == size
    with django_assert_max_num_queries(20):
        services.attempt_submit(attempt=attempt, answers=correct_answers(attempt))


def test_start_and_submit_do_not_grow_with_questions(
    make_course, make_question, make_user
):
    costs = []
    for size in (5, 20):
        course = make_course(title=f"Grow {size}", modules=1)
        user = make_user(f"grow{size}")
        course_services.enrolment_grant(
            user=user, course=course, actor=None, reason="t"
        )
        quiz = quiz_with(course, make_question, size)
        start_cost, attempt = count_queries(
            lambda user=user, quiz=quiz: services.attempt_start(user=user, quiz=quiz)
        )
        submit_cost, _ = count_queries(
            lambda a=attempt: services.attempt_submit(
                attempt=a, answers=correct_answers(a)
            )
        )
        costs.append((start_cost, submit_cost))
    assert costs[0] == costs[1]


def test_enrolled_course_page_queries_do_not_grow_with_modules(
    client, make_course, make_user
):
    counts = []
    for modules in (5, 50):
        course = make_course(title=f"Size {modules}", modules=modules)
        user = make_user(f"size{modules}")
        course_services.enrolment_grant(
            user=user, course=course, actor=None, reason="t"
        )
        client.force_login(user)
        client.get(course.url)  # warm per-process caches (site root, content types)
        cost, response = count_queries(lambda url=course.url: client.get(url))
        assert response.status_code == 200
        counts.append(cost)
    assert counts[0] == counts[1], counts


def test_enrolled_course_page_budget(
    client, course, enrolled_learner, django_assert_max_num_queries
):
    client.force_login(enrolled_learner)
    client.get(course.url)
    with django_assert_max_num_queries(10):  # issue #13: at most 10 with a memory cache
        assert client.get(course.url).status_code == 200


def test_quiz_page_budget(
    client, enrolled_learner, module_quiz, django_assert_max_num_queries
):
    client.force_login(enrolled_learner)
    attempt = services.attempt_start(user=enrolled_learner, quiz=module_quiz)
    url = reverse("assessments:attempt", args=[attempt.pk])
    client.get(url)
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200
