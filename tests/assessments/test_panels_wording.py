"""Counts read as English: "1 question", "0 of 1 module", and a quiz named once."""

import pytest

from assessments.models import Quiz, QuizKind
from courses import services as course_services

pytestmark = pytest.mark.django_db


def test_one_question_and_one_module_are_singular(
    client, make_course, learner, make_question
):
    course = make_course(title="Short course", modules=1)
    course_services.enrolment_grant(
        user=learner, course=course, actor=None, reason="Test"
    )
    question = make_question()
    quiz = Quiz.objects.create(
        title="Mechanism of action: module quiz",
        kind=QuizKind.MODULE,
        module=course.modules[0],
        question_count=1,
    )
    quiz.questions.set([question])
    quiz.save()
    client.force_login(learner)

    course_page = client.get(course.url).content.decode()
    assert "0 of 1 module complete (0%)" in course_page
    assert "1 modules" not in course_page

    module_page = client.get(course.modules[0].url).content.decode()
    assert "1 question · pass mark 75%" in module_page
    assert "1 questions" not in module_page
    assert module_page.count("module quiz") == 1  # not "Module quiz: …: module quiz"
