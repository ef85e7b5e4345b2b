"""Module quizzes give feedback at once but keep the key of missed items until a pass."""

import json

import pytest
from django.urls import reverse

from assessments import services
from assessments.models import Attempt, FeedbackMode, Quiz, QuizKind
from tests.assessments.conftest import correct_answers

pytestmark = pytest.mark.django_db


def start(client, quiz) -> Attempt:
    response = client.post(reverse("assessments:start", args=[quiz.pk]))
    assert response.status_code == 302
    return Attempt.objects.filter(quiz=quiz).latest("pk")


def first_right_rest_wrong(attempt) -> tuple[dict, dict, list[dict]]:
    """Form data answering question 1 correctly and every other question wrongly."""
    questions = attempt.snapshot["questions"]
    data = {}
    for index, question in enumerate(questions):
        wanted = index == 0
        option = next(o for o in question["options"] if o["is_correct"] == wanted)
        data[f"q-{question['id']}"] = option["id"]
    return data, questions[0], questions[1:]


def submit(client, attempt, data) -> str:
    response = client.post(reverse("assessments:attempt", args=[attempt.pk]), data)
    assert response.status_code == 302
    return client.get(response["Location"]).content.decode()


def key_of(question) -> list[str]:
    """Everything on a result page that would give away this question's answer."""
    correct = [o for o in question["options"] if o["is_correct"]]
    return (
        [o["text"] for o in correct]
        + [o["feedback"] for o in correct if o["feedback"]]
        + [question["explanation"]]
    )


def revealed(question) -> list[str]:
    """What full feedback shows for a missed question: the right option and the why."""
    return [o["text"] for o in question["options"] if o["is_correct"]] + [
        question["explanation"]
    ]


@pytest.fixture
def learner_in_quiz(client, enrolled_learner, module_quiz):
    client.force_login(enrolled_learner)
    client.get(module_quiz.module.url)
    return enrolled_learner


def test_module_quizzes_default_to_feedback_now_and_the_key_after_passing(course):
    quiz = Quiz(title="New quiz", kind=QuizKind.MODULE, module=course.modules[0])
    assert quiz.feedback_mode == FeedbackMode.KEY_AFTER_PASS
    assert "answers to missed items after passing" in quiz.get_feedback_mode_display()


def test_missed_items_show_the_choice_and_its_feedback_but_never_the_key(
    client, learner_in_quiz, module_quiz
):
    attempt = start(client, module_quiz)
    data, right, missed = first_right_rest_wrong(attempt)
    html = submit(client, attempt, data)

    assert "Not passed this time" in html
    assert html.count('class="feedback feedback-incorrect"') == 3
    assert html.count('class="feedback feedback-correct"') == 1
    for question in missed:
        chosen = next(o for o in question["options"] if not o["is_correct"])
        assert chosen["text"] in html and chosen["feedback"] in html
        for secret in key_of(question):
            assert secret not in html, secret
    # The item answered correctly is explained in full: its key is what they chose.
    assert right["explanation"] in html
    assert html.count("(your answer: correct)") == 1 and html.count("is-correct") == 1
    assert "(correct answer)" not in html
    assert "The correct answer is shown once you pass" in html


def test_the_key_appears_on_every_attempt_once_the_quiz_is_passed(
    client, learner_in_quiz, module_quiz
):
    failed = start(client, module_quiz)
    data, _, missed = first_right_rest_wrong(failed)
    submit(client, failed, data)
    passing = start(client, module_quiz)
    submit(
        client,
        passing,
        {f"q-{q}": a for q, a in correct_answers(passing).items()},
    )

    earlier = client.get(reverse("assessments:result", args=[failed.pk])).content
    earlier = earlier.decode()
    for question in missed:
        for shown in revealed(question):
            assert shown in earlier
    assert earlier.count("(correct answer)") == len(missed)
    assert earlier.count("(your answer: correct)") == 1
    assert "appear once you pass" not in earlier


def test_the_key_appears_once_the_attempts_are_used_up(
    client, learner_in_quiz, module_quiz
):
    module_quiz.attempt_limit = 2
    module_quiz.save()
    first = start(client, module_quiz)
    data, _, missed = first_right_rest_wrong(first)
    html = submit(client, first, data)
    assert all(s not in html for q in missed for s in key_of(q))
    assert "or have used all your attempts" in html

    second = start(client, module_quiz)
    data, _, missed = first_right_rest_wrong(second)
    html = submit(client, second, data)
    assert "used all your attempts" in html
    for question in missed:
        for shown in revealed(question):
            assert shown in html


def test_an_ungraded_self_check_shows_its_key_at_once(
    client, learner_in_quiz, module_quiz
):
    module_quiz.is_graded = False
    module_quiz.save()
    attempt = start(client, module_quiz)
    data, _, missed = first_right_rest_wrong(attempt)
    html = submit(client, attempt, data)
    for question in missed:
        for shown in revealed(question):
            assert shown in html


def test_no_response_carries_the_key_while_it_is_hidden(
    client, learner_in_quiz, module_quiz
):
    attempt = start(client, module_quiz)
    data, _, missed = first_right_rest_wrong(attempt)
    # Before submitting, the question page lists every option but marks none.
    before = [client.get(reverse("assessments:attempt", args=[attempt.pk]))]
    saved = client.post(reverse("assessments:attempt_save", args=[attempt.pk]), data)
    assert json.loads(saved.content) == {"saved": True}
    before.append(saved)
    submit(client, attempt, data)
    after = [
        client.get(reverse("assessments:result", args=[attempt.pk])),
        client.get(reverse("assessments:quiz", args=[module_quiz.pk])),
        client.post(reverse("assessments:attempt_save", args=[attempt.pk]), data),
        client.get(module_quiz.module.url),
    ]
    for response in before + after:
        body = response.content.decode()
        assert "is_correct" not in body and "correct_order" not in body
        for question in missed:
            correct = [o for o in question["options"] if o["is_correct"]]
            secrets = [question["explanation"]] + [o["feedback"] for o in correct]
            if response in after:
                secrets += [o["text"] for o in correct]
            for secret in secrets:
                assert secret not in body, (response.request["PATH_INFO"], secret)


def test_the_service_result_is_not_changed_by_the_feedback_mode(
    enrolled_learner, module_quiz
):
    """The key is hidden in what is shown, never by grading differently."""
    attempt = services.attempt_start(user=enrolled_learner, quiz=module_quiz)
    attempt = services.attempt_submit(attempt=attempt, answers=correct_answers(attempt))
    assert attempt.passed and attempt.score == 100
