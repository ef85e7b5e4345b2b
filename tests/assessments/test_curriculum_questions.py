import pytest
from django.core.management import call_command

from assessments.curriculum.loader import read_question_files
from assessments.models import Question, Quiz, QuizKind

QUESTIONS = read_question_files()
FOUNDATIONS_KINDS = [
    "mechanism",
    "screening",
    "session_presence",
    "integration",
    "ethics",
]


@pytest.mark.parametrize("kind", FOUNDATIONS_KINDS)
def test_each_foundations_module_has_at_least_ten_questions(kind):
    assert sum(1 for q in QUESTIONS if kind in q["tags"]) >= 10


@pytest.mark.parametrize("question", QUESTIONS, ids=[q["key"] for q in QUESTIONS])
def test_every_question_teaches_and_is_sourced(question):
    assert question["explanation"].strip()
    assert question["reference"]["citation"].strip()
    assert question["reference"]["grade"] in {"H", "M", "L"}


def test_every_type_ships():
    assert {q["type"] for q in QUESTIONS} == {
        "single",
        "multiple",
        "true_false",
        "ordering",
        "case",
    }


@pytest.mark.django_db
def test_loading_twice_gives_the_same_bank_and_quizzes():
    call_command("load_curriculum")
    snapshot = sorted(Question.objects.values_list("key", "updated_at"))
    quizzes = Quiz.objects.count()
    call_command("load_curriculum")
    assert sorted(Question.objects.values_list("key", "updated_at")) == snapshot
    assert Quiz.objects.count() == quizzes == 7

    post_test = Quiz.objects.get(kind=QuizKind.POST_TEST)
    assert post_test.question_count == 20 and post_test.attempt_limit == 2
    assert post_test.pass_mark == 75
    assert sorted(t.name for t in post_test.draw_tags.all()) == sorted(
        FOUNDATIONS_KINDS
    )
    self_check = Quiz.objects.get(title="Orientation self-check")
    assert not self_check.is_graded and self_check.questions.count() == 5
    module_quizzes = Quiz.objects.filter(kind=QuizKind.MODULE, is_graded=True)
    assert module_quizzes.count() == 5
    assert all(q.pass_mark == 75 and q.attempt_limit is None for q in module_quizzes)
