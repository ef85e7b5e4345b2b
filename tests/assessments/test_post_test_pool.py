"""The post-test draws from its own pool, stratified by module; module quizzes never show
post-test items; retired questions are never drawn."""

import random
from collections import Counter
from pathlib import Path

import pytest
import yaml
from django.urls import reverse

from assessments import services
from assessments.curriculum import loader as question_loader
from assessments.models import POST_TEST_TAG, Question, Quiz, QuizKind, post_test_tag
from assessments.services import draw_questions

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
MODULE_TAGS = ["mechanism", "screening", "adverse_events"]


def tag_names(question) -> set[str]:
    return set(question.tags.names())


@pytest.fixture
def post_test_pool(make_question):
    """Five post-test items per module tag, and module items that must never appear."""
    for tag in MODULE_TAGS:
        for _ in range(5):
            make_question(tags=(POST_TEST_TAG, post_test_tag(tag)))
        make_question(tags=(tag,))
    return Question.objects.all()


def stratified_post_test(course, *, per_tag=3, count=None):
    quiz = Quiz.objects.create(
        title="Post-test",
        kind=QuizKind.POST_TEST,
        course=course,
        question_count=count or per_tag * len(MODULE_TAGS),
        draw_per_tag=per_tag,
    )
    from taggit.models import Tag

    quiz.draw_tags.set(Tag.objects.filter(name__startswith=f"{POST_TEST_TAG}_"))
    quiz.save()
    return quiz


def test_every_module_tag_is_drawn_exactly_n_times(course, post_test_pool):
    quiz = stratified_post_test(course, per_tag=3)
    assert quiz.planned_question_count == 9
    for seed in range(25):
        drawn = draw_questions(quiz, random.Random(seed))
        per_tag = Counter(
            tag
            for question in drawn
            for tag in tag_names(question)
            if tag != "post_test"
        )
        assert per_tag == {post_test_tag(tag): 3 for tag in MODULE_TAGS}, seed
        assert all(POST_TEST_TAG in tag_names(question) for question in drawn)
        assert len({question.pk for question in drawn}) == 9


def test_a_larger_question_count_tops_up_from_the_rest_of_the_pool(
    course, post_test_pool
):
    quiz = stratified_post_test(course, per_tag=2, count=8)
    for seed in range(10):
        drawn = draw_questions(quiz, random.Random(seed))
        per_tag = Counter(
            tag
            for question in drawn
            for tag in tag_names(question)
            if tag != "post_test"
        )
        assert len(drawn) == 8
        assert all(count >= 2 for count in per_tag.values()) and len(per_tag) == 3


def test_a_small_tag_gives_what_it_has_and_the_others_are_not_inflated(
    course, make_question
):
    for _ in range(4):
        make_question(tags=(POST_TEST_TAG, post_test_tag("mechanism")))
    make_question(tags=(POST_TEST_TAG, post_test_tag("screening")))
    quiz = stratified_post_test(course, per_tag=3, count=6)
    drawn = draw_questions(quiz, random.Random(1))
    per_tag = Counter(
        tag for question in drawn for tag in tag_names(question) if tag != "post_test"
    )
    # Topping up to six takes the fourth mechanism item: stratification is a floor.
    assert per_tag[post_test_tag("screening")] == 1
    assert per_tag[post_test_tag("mechanism")] == 4


def test_module_quizzes_never_draw_post_test_items(module_quiz, make_question):
    # Mis-tagged on purpose: a post-test item that also carries the module's tag.
    leaked = {
        make_question(tags=("mechanism", POST_TEST_TAG)).pk,
        make_question(tags=("mechanism", POST_TEST_TAG, "post_test_mechanism")).pk,
    }
    module_quiz.question_count = 50
    module_quiz.save()
    for seed in range(10):
        drawn = {q.pk for q in draw_questions(module_quiz, random.Random(seed))}
        assert drawn and not drawn & leaked
        assert len(drawn) == 6  # the six module items, and nothing else


def test_a_module_quiz_page_never_shows_a_post_test_item(
    client, enrolled_learner, module_quiz, make_question
):
    hidden = make_question(tags=("mechanism", POST_TEST_TAG))
    module_quiz.question_count = 50
    module_quiz.save()
    client.force_login(enrolled_learner)
    attempt = services.attempt_start(user=enrolled_learner, quiz=module_quiz)
    html = client.get(reverse("assessments:attempt", args=[attempt.pk])).content
    assert hidden.stem not in html.decode()
    assert hidden.pk not in [q["question_id"] for q in attempt.snapshot["questions"]]


def test_the_quiz_admin_offers_a_draw_per_tag(client, trainer, module_quiz):
    client.force_login(trainer)
    html = client.get(
        reverse("assessment_quizzes:edit", args=[module_quiz.pk])
    ).content.decode()
    assert 'name="draw_per_tag"' in html
    assert "stratified draw" in html.lower()
    assert "Feedback now; answers to missed items after passing" in html


# --- The question loader ----------------------------------------------------------------


def test_a_retired_question_is_stored_inactive_and_never_drawn(module_quiz):
    items = yaml.safe_load((FIXTURES / "retired_questions.yaml").read_text())
    for item in items:
        question_loader.upsert_question(item)
    retired = Question.objects.get(key="fixture-retired")
    assert not retired.is_active
    assert Question.objects.get(key="fixture-active").is_active
    module_quiz.question_count = 50
    module_quiz.save()
    for seed in range(5):
        drawn = {q.key for q in draw_questions(module_quiz, random.Random(seed))}
        assert "fixture-retired" not in drawn and "fixture-active" in drawn


def test_questions_no_longer_in_the_files_are_left_alone(make_question):
    from django.core.management import call_command

    kept = make_question(tags=("mechanism",))
    call_command("load_curriculum")
    kept.refresh_from_db()
    assert kept.is_active and kept.key not in {
        q["key"] for q in question_loader.read_question_files()
    }
