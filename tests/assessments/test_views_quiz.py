import re

import pytest
from django.urls import reverse

from assessments import services
from assessments.models import Attempt, AttemptStatus, FeedbackMode
from tests.assessments.conftest import correct_answers

pytestmark = pytest.mark.django_db


def start(client, quiz):
    response = client.post(reverse("assessments:start", args=[quiz.pk]))
    assert response.status_code == 302, response
    return Attempt.objects.filter(quiz=quiz).latest("pk"), response["Location"]


def form_data(attempt, answers):
    data = {}
    for question in attempt.snapshot["questions"]:
        answer = answers.get(question["id"])
        if question["type"] == "ordering":
            for position, option_id in enumerate(answer or [], start=1):
                data[f"q-{question['id']}-{option_id}"] = str(position)
        elif answer is not None:
            data[f"q-{question['id']}"] = answer
    return data


@pytest.fixture
def mixed_quiz(module_quiz, make_question):
    """A quiz drawing every question type, so the key scan covers them all."""
    from assessments.models import Question

    Question.objects.all().delete()
    make_question("single")
    make_question("case")
    make_question("true_false")
    make_question("multiple", correct=2, scoring="partial")
    make_question("ordering", options=4)
    module_quiz.question_count = 5
    module_quiz.save()
    return module_quiz


def test_question_page_never_contains_the_answer_key(
    client, enrolled_learner, mixed_quiz
):
    client.force_login(enrolled_learner)
    client.get(mixed_quiz.module.url)
    attempt, url = start(client, mixed_quiz)
    html = client.get(url).content.decode()

    assert html.count('class="question"') == 5
    for question in attempt.snapshot["questions"]:
        for option in question["options"]:
            assert option["text"] in html
            assert (option["feedback"] or "FEEDBACK") not in html
        assert question["explanation"] not in html
    for marker in (
        "is_correct",
        "is-correct",
        "correct_order",
        "EXPLANATION-",
        "FEEDBACK-",
        "data-correct",
        "(correct answer)",
    ):
        assert marker not in html
    # Options appear in the snapshot's shown order, never the trainer's order for ordering items.
    ordering = next(q for q in attempt.snapshot["questions"] if q["type"] == "ordering")
    shown = re.findall(rf'<label for="q-{ordering["id"]}-([0-9a-f]+)"', html)
    assert shown == [o["id"] for o in ordering["options"]]


def test_fail_read_feedback_then_pass(client, enrolled_learner, module_quiz, course):
    client.force_login(enrolled_learner)
    client.get(course.modules[0].url)
    attempt, url = start(client, module_quiz)
    response = client.post(url, {})  # nothing answered
    assert response.status_code == 302
    result = client.get(response["Location"]).content.decode()
    assert "Score: 0%" in result and "Not passed this time" in result
    assert "4 questions left unanswered scored zero" in result
    # A module quiz keeps the key of missed items until it is passed.
    assert "EXPLANATION-" not in result and "(correct answer)" not in result
    assert "appear once you pass this quiz" in result

    attempt, url = start(client, module_quiz)
    assert attempt.number == 2
    response = client.post(url, form_data(attempt, correct_answers(attempt)))
    result = client.get(response["Location"]).content.decode()
    assert "Score: 100%" in result and "You passed" in result
    assert "EXPLANATION-" in result and "(your answer: correct)" in result
    course_page = client.get(course.url).content.decode()
    assert "1 of 3 modules complete" in course_page


def test_tampered_and_bogus_answers_score_zero_not_500(
    client, enrolled_learner, module_quiz
):
    client.force_login(enrolled_learner)
    attempt, url = start(client, module_quiz)
    first = attempt.snapshot["questions"][0]["id"]
    response = client.post(
        url, {f"q-{first}": "999999", "q-nonexistent": "1", "csrfmiddlewaretoken": "x"}
    )
    assert response.status_code == 302
    attempt.refresh_from_db()
    statuses = {item["id"]: item["status"] for item in attempt.result["items"]}
    assert statuses[first] == "invalid" and attempt.score == 0


def test_another_learners_attempt_is_a_404(
    client, enrolled_learner, module_quiz, make_user, course
):
    attempt = services.attempt_start(user=enrolled_learner, quiz=module_quiz)
    other = make_user("snoop")
    from courses import services as course_services

    course_services.enrolment_grant(
        user=other, course=course, actor=None, reason="test"
    )
    client.force_login(other)
    for name in ("assessments:attempt", "assessments:result"):
        assert client.get(reverse(name, args=[attempt.pk])).status_code == 404
    assert (
        client.post(reverse("assessments:attempt", args=[attempt.pk]), {}).status_code
        == 404
    )
    assert (
        client.post(
            reverse("assessments:attempt_save", args=[attempt.pk]), {}
        ).status_code
        == 404
    )
    assert Attempt.objects.get(pk=attempt.pk).status == AttemptStatus.IN_PROGRESS


def test_quiz_of_a_course_you_are_not_in_is_a_404(client, learner, module_quiz):
    client.force_login(learner)
    assert (
        client.get(reverse("assessments:quiz", args=[module_quiz.pk])).status_code
        == 404
    )
    assert (
        client.post(reverse("assessments:start", args=[module_quiz.pk])).status_code
        == 404
    )


def test_score_only_feedback_hides_the_answers(client, enrolled_learner, module_quiz):
    module_quiz.feedback_mode = FeedbackMode.SCORE_ONLY
    module_quiz.save()
    client.force_login(enrolled_learner)
    attempt, url = start(client, module_quiz)
    result = client.get(client.post(url, {})["Location"]).content.decode()
    assert "Score: 0%" in result
    assert "EXPLANATION-" not in result and "(correct answer)" not in result


def test_after_final_feedback_waits_for_the_last_attempt(
    client, enrolled_learner, module_quiz
):
    module_quiz.feedback_mode = FeedbackMode.AFTER_FINAL
    module_quiz.attempt_limit = 2
    module_quiz.save()
    client.force_login(enrolled_learner)
    attempt, url = start(client, module_quiz)
    result = client.get(client.post(url, {})["Location"]).content.decode()
    assert (
        "EXPLANATION-" not in result
        and "when you pass or after your final attempt" in result
    )
    attempt, url = start(client, module_quiz)
    result = client.get(client.post(url, {})["Location"]).content.decode()
    assert "EXPLANATION-" in result and "used all your attempts" in result


def test_exhausted_post_test_shows_a_clear_message(
    client, enrolled_learner, post_test, course
):
    from courses import services as course_services

    for module in course.modules:
        course_services.progress_record_visit(user=enrolled_learner, module=module)
    client.force_login(enrolled_learner)
    for _ in range(2):
        attempt, url = start(client, post_test)
        client.post(url, {})
    page = client.get(reverse("assessments:quiz", args=[post_test.pk])).content.decode()
    assert "You have used all your attempts" in page and "Start attempt" not in page
    response = client.post(
        reverse("assessments:start", args=[post_test.pk]), follow=True
    )
    assert "used all your attempts" in response.content.decode()
    assert "used all your post-test attempts" in client.get(course.url).content.decode()


def test_module_page_shows_the_quiz_panel(
    client, enrolled_learner, module_quiz, course
):
    client.force_login(enrolled_learner)
    html = client.get(course.modules[0].url).content.decode()
    # The title already says "quiz": no "Module quiz: Mechanism quiz".
    assert ">Mechanism quiz</h2>" in html and "Module quiz:" not in html
    assert "4 questions" in html and "Take the quiz" in html

    module_quiz.title = "Mechanism of action"
    module_quiz.question_count = 1
    module_quiz.save()
    html = client.get(course.modules[0].url).content.decode()
    assert ">Module quiz: Mechanism of action</h2>" in html
    assert "1 question " in html and "1 questions" not in html


def test_autosave_keeps_answers_for_the_deadline(client, enrolled_learner, module_quiz):
    client.force_login(enrolled_learner)
    attempt, url = start(client, module_quiz)
    first = attempt.snapshot["questions"][0]
    option = first["options"][0]["id"]
    response = client.post(
        reverse("assessments:attempt_save", args=[attempt.pk]),
        {f"q-{first['id']}": option},
    )
    assert response.json() == {"saved": True}
    attempt.refresh_from_db()
    assert attempt.saved_answers == {first["id"]: option}
    assert f'value="{option}" checked' in client.get(url).content.decode()


def test_autosave_after_the_time_limit_says_so_and_saves_nothing(
    client, enrolled_learner, module_quiz
):
    from datetime import timedelta

    from django.utils import timezone

    module_quiz.time_limit_minutes = 5
    module_quiz.save()
    client.force_login(enrolled_learner)
    attempt, url = start(client, module_quiz)
    first = attempt.snapshot["questions"][0]
    Attempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() - timedelta(seconds=1)
    )
    response = client.post(
        reverse("assessments:attempt_save", args=[attempt.pk]),
        {f"q-{first['id']}": first["options"][0]["id"]},
    )
    assert response.status_code == 409
    assert response.json()["saved"] is False
    assert "Time is up" in response.json()["message"]
    attempt.refresh_from_db()
    assert attempt.saved_answers == {} and attempt.status == AttemptStatus.IN_PROGRESS
    # The page then submits: graded on what was saved in time, as at the deadline.
    response = client.post(url, {f"q-{first['id']}": first["options"][0]["id"]})
    attempt.refresh_from_db()
    assert response.status_code == 302 and attempt.is_submitted
    assert attempt.answers == {} and attempt.submitted_at == attempt.deadline


def test_autosave_of_a_submitted_attempt_is_a_409(
    client, enrolled_learner, module_quiz
):
    client.force_login(enrolled_learner)
    attempt, url = start(client, module_quiz)
    client.post(url, {})
    response = client.post(reverse("assessments:attempt_save", args=[attempt.pk]), {})
    assert response.status_code == 409
    assert response.json()["message"] == "This attempt has already been submitted."
