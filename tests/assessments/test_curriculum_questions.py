import pytest
from django.core.management import call_command

from assessments.curriculum.loader import (
    FOUNDATIONS,
    POST_TEST_PER_MODULE,
    read_question_files,
)
from assessments.models import POST_TEST_TAG, Question, Quiz, QuizKind, post_test_tag
from courses.curriculum.loader import module_quiz_tags

QUESTIONS = read_question_files()
ACTIVE = [q for q in QUESTIONS if q.get("active", True)]
# The quiz tag of every Foundations module, in file order (quiz_tag, or else its kind).
QUIZ_TAGS = list(module_quiz_tags(FOUNDATIONS).values())
POST_TEST_POOL_MINIMUM = 30


def is_post_test_item(question) -> bool:
    return POST_TEST_TAG in question["tags"]


@pytest.mark.parametrize("tag", QUIZ_TAGS)
def test_each_foundations_module_has_at_least_ten_questions(tag):
    module_items = [q for q in ACTIVE if tag in q["tags"] and not is_post_test_item(q)]
    assert len(module_items) >= 10, (
        f"Module quiz tag {tag!r} has {len(module_items)} active questions; "
        "a module quiz needs at least 10 to draw from."
    )


def test_the_post_test_pool_has_at_least_30_items():
    pool = [q for q in ACTIVE if is_post_test_item(q)]
    assert len(pool) >= POST_TEST_POOL_MINIMUM, (
        f"The post-test pool has {len(pool)} active items tagged {POST_TEST_TAG!r}; "
        f"it needs at least {POST_TEST_POOL_MINIMUM}. Post-test items carry "
        f"'{POST_TEST_TAG}' and 'post_test_<quiz tag>' of their module."
    )


@pytest.mark.parametrize("tag", QUIZ_TAGS)
def test_every_module_has_enough_post_test_items_for_the_stratified_draw(tag):
    items = [q for q in ACTIVE if post_test_tag(tag) in q["tags"]]
    assert len(items) >= POST_TEST_PER_MODULE, (
        f"{post_test_tag(tag)!r} has {len(items)} active items; the post-test draws "
        f"{POST_TEST_PER_MODULE} per module."
    )


def test_post_test_items_never_carry_a_module_quiz_tag():
    for question in QUESTIONS:
        tags = set(question["tags"])
        module_tags = tags & set(QUIZ_TAGS)
        strata = {t for t in tags if t.startswith(f"{POST_TEST_TAG}_")}
        if POST_TEST_TAG in tags:
            assert not module_tags, f"{question['key']} would show in a module quiz"
            assert len(strata) == 1, f"{question['key']} needs one post_test_<tag>"
            assert strata <= {post_test_tag(t) for t in QUIZ_TAGS}, question["key"]
        else:
            assert not strata, (
                f"{question['key']} has {strata} but no {POST_TEST_TAG!r}"
            )


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
    assert Quiz.objects.count() == quizzes

    post_test = Quiz.objects.get(kind=QuizKind.POST_TEST)
    assert post_test.attempt_limit == 2 and post_test.pass_mark == 75
    assert post_test.draw_per_tag == POST_TEST_PER_MODULE
    assert post_test.question_count == POST_TEST_PER_MODULE * len(QUIZ_TAGS)
    assert post_test.feedback_mode == "after_final"
    # Only post-test strata: never a module quiz tag.
    assert all(
        t.name.startswith(f"{POST_TEST_TAG}_") for t in post_test.draw_tags.all()
    )
    self_check = Quiz.objects.get(title="Orientation self-check")
    orientation_keys = {
        item["key"]
        for item in read_question_files()
        if item["key"].startswith("ori-") and item.get("active", True)
    }
    assert not self_check.is_graded
    assert set(self_check.questions.values_list("key", flat=True)) == orientation_keys
    assert self_check.feedback_mode == "after_each"
    module_quizzes = Quiz.objects.filter(kind=QuizKind.MODULE, is_graded=True)
    for quiz in module_quizzes:
        assert quiz.pass_mark == 75 and quiz.attempt_limit is None
        assert quiz.feedback_mode == "key_after_pass"
        assert [t.name for t in quiz.draw_tags.all()] == [
            module_quiz_tags(FOUNDATIONS)[quiz.module.slug]
        ]


@pytest.mark.django_db
def test_every_foundations_module_gets_a_quiz_and_the_post_test_every_stratum():
    call_command("load_curriculum")
    modules = Quiz.objects.filter(kind=QuizKind.MODULE, is_graded=True)
    assert sorted(q.module.slug for q in modules) == sorted(
        module_quiz_tags(FOUNDATIONS)
    ), "every Foundations module needs active questions carrying its quiz tag"
    post_test = Quiz.objects.get(kind=QuizKind.POST_TEST)
    assert sorted(t.name for t in post_test.draw_tags.all()) == sorted(
        post_test_tag(tag) for tag in QUIZ_TAGS
    ), "the post-test needs post_test_<quiz tag> items for every module"
