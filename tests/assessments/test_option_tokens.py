"""Options are named by tokens drawn for each attempt, never by database ids.

Database ids rise in the order a trainer lists options, which is the answer of an ordering
question; a name that sorts like the key would give it away."""

import re

import pytest
from django.urls import reverse

from assessments import analytics, services
from assessments.models import Attempt, AttemptStatus, QuestionOption, Quiz, QuizKind
from tests.assessments.conftest import correct_answers

pytestmark = pytest.mark.django_db

FIELD_NAME = re.compile(r'name="q-(q\d+)(?:-([^"]+))?"(?: value="([^"]*)")?')


def option_names_on_page(html: str) -> dict[str, list[str]]:
    """Question id -> the option names the form sends, in page order."""
    names: dict[str, list[str]] = {}
    for question, select_suffix, value in FIELD_NAME.findall(html):
        names.setdefault(question, []).append(select_suffix or value)
    return names


@pytest.fixture
def ordering_quiz(course, make_question):
    """An ungraded self-check of one five-item ordering question: tries never run out."""
    make_question("ordering", tags=("ordering",), options=5)
    quiz = Quiz.objects.create(
        title="Sequence check",
        kind=QuizKind.MODULE,
        module=course.modules[0],
        question_count=1,
        is_graded=False,
    )
    quiz.draw_tags.set(QuestionOption.objects.first().question.tags.all())
    quiz.save()
    return quiz


def test_ordering_by_sorted_option_names_is_not_the_answer(
    client, enrolled_learner, ordering_quiz
):
    client.force_login(enrolled_learner)
    outcomes = []
    for _ in range(12):
        client.post(reverse("assessments:start", args=[ordering_quiz.pk]))
        attempt = Attempt.objects.get(
            user=enrolled_learner, status=AttemptStatus.IN_PROGRESS
        )
        html = client.get(reverse("assessments:attempt", args=[attempt.pk])).content
        (names,) = option_names_on_page(html.decode()).values()
        # The attack: give position k to the k-th smallest name.
        form = {
            f"q-q1-{name}": str(position)
            for position, name in enumerate(sorted(names), start=1)
        }
        client.post(reverse("assessments:attempt", args=[attempt.pk]), form)
        attempt.refresh_from_db()
        outcomes.append(attempt.result["items"][0]["status"])
    assert "invalid" not in outcomes and "unanswered" not in outcomes
    # By chance one order in 120 is right; sorting the names must do no better.
    assert outcomes.count("correct") <= 2, outcomes


def test_the_attempt_page_names_options_only_by_this_attempts_tokens(
    client, enrolled_learner, module_quiz, make_question
):
    from assessments.models import Question

    Question.objects.all().delete()
    for kind in ("single", "case", "true_false", "multiple", "ordering"):
        make_question(kind, correct=2 if kind == "multiple" else 1)
    module_quiz.question_count = 5
    module_quiz.save()
    client.force_login(enrolled_learner)
    client.post(reverse("assessments:start", args=[module_quiz.pk]))
    attempt = Attempt.objects.get(user=enrolled_learner)
    html = client.get(
        reverse("assessments:attempt", args=[attempt.pk])
    ).content.decode()

    on_page = option_names_on_page(html)
    database_ids = {
        str(pk) for pk in QuestionOption.objects.values_list("pk", flat=True)
    }
    for question in attempt.snapshot["questions"]:
        tokens = [option["id"] for option in question["options"]]
        assert on_page[question["id"]] == tokens, question["type"]
        assert not set(tokens) & database_ids
        assert all(re.fullmatch(r"[0-9a-f]{10}", token) for token in tokens)
    labels = re.findall(r'<label for="q-q\d+-([^"]+)"', html)
    ids = re.findall(r'id="q-q\d+-([^"]+)"', html)
    assert labels and not (set(labels) | set(ids)) & database_ids
    assert "option_id" not in html


def test_tokens_are_drawn_afresh_for_each_attempt(enrolled_learner, ordering_quiz):
    first = services.attempt_start(user=enrolled_learner, quiz=ordering_quiz)
    services.attempt_submit(attempt=first, answers={})
    second = services.attempt_start(user=enrolled_learner, quiz=ordering_quiz)
    tokens = [
        {option["id"] for option in attempt.snapshot["questions"][0]["options"]}
        for attempt in (first, second)
    ]
    assert len(tokens[0]) == len(tokens[1]) == 5
    assert not tokens[0] & tokens[1]


def as_before_tokens(attempt: Attempt) -> dict:
    """Rewrite a snapshot the way attempts were stored before tokens: database ids."""
    snapshot = attempt.snapshot
    for question in snapshot["questions"]:
        old = {o["id"]: str(o.pop("option_id")) for o in question["options"]}
        for option in question["options"]:
            option["id"] = old[option["id"]]
        question["correct_order"] = [old[t] for t in question["correct_order"]]
    return snapshot


def test_an_open_attempt_from_before_tokens_gets_tokens_and_keeps_its_answers(
    client, enrolled_learner, module_quiz
):
    attempt = services.attempt_start(user=enrolled_learner, quiz=module_quiz)
    attempt.snapshot = as_before_tokens(attempt)
    first = attempt.snapshot["questions"][0]
    chosen = first["options"][1]["id"]
    attempt.saved_answers = {first["id"]: chosen}
    attempt.save()

    client.force_login(enrolled_learner)
    html = client.get(reverse("assessments:attempt", args=[attempt.pk])).content
    attempt.refresh_from_db()
    option = attempt.snapshot["questions"][0]["options"][1]
    assert option["option_id"] == int(chosen) and option["id"] != chosen
    assert attempt.saved_answers == {first["id"]: option["id"]}
    assert f'value="{option["id"]}" checked' in html.decode()
    graded = services.attempt_submit(attempt=attempt, answers=correct_answers(attempt))
    assert graded.score == 100


def test_a_submitted_attempt_from_before_tokens_still_grades(
    enrolled_learner, module_quiz
):
    attempt = services.attempt_start(user=enrolled_learner, quiz=module_quiz)
    attempt.snapshot = as_before_tokens(attempt)
    attempt.save()
    graded = services.attempt_submit(attempt=attempt, answers=correct_answers(attempt))
    assert graded.score == 100 and graded.passed


def test_analytics_count_an_option_across_attempts_with_different_tokens(
    enrolled_learner, ordering_quiz, make_question
):
    from assessments.models import Question

    Question.objects.all().delete()
    question = make_question("single", tags=("ordering",))
    ordering_quiz.shuffle_options = True
    ordering_quiz.save()
    for _ in range(3):
        attempt = services.attempt_start(user=enrolled_learner, quiz=ordering_quiz)
        services.attempt_submit(attempt=attempt, answers=correct_answers(attempt))
    rows = [
        {"score": float(a.score), "passed": a.passed, "seconds": None}
        | {"snapshot": a.snapshot, "result": a.result}
        for a in Attempt.objects.all()
    ]
    (summary,) = analytics.summarise(rows)["questions"]
    assert len(summary["distribution"]) == question.options.count()
    right = next(row for row in summary["distribution"] if row["is_correct"])
    assert right["count"] == 3
