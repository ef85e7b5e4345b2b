import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from assessments import services
from assessments.models import AttemptGrant, Question, Quiz
from courses.roles import CERTIFICATE_ADMINISTRATORS, ensure_roles
from tests.assessments.conftest import correct_answers, wrong_answers

pytestmark = pytest.mark.django_db


def question_form(options, *, kind="single"):
    return nested_form_data(
        {
            "type": kind,
            "difficulty": "medium",
            "scoring": "all_or_nothing",
            "scenario": rich_text(""),
            "stem": rich_text("<p>Who prescribes ketamine in KAP?</p>"),
            "options": inline_formset(
                [
                    {"text": text, "is_correct": "on" if ok else "", "feedback": ""}
                    for text, ok in options
                ],
                min=2,
            ),
            "explanation": rich_text("<p>A licensed prescriber.</p>"),
            "reference_citation": "FACTS Module 2",
            "reference_url": "",
            "reference_grade": "H",
            "tags": "screening",
            "is_active": "on",
            "key": "scr-admin-1",
        }
    )


def test_trainer_adds_a_question_to_the_bank(client, trainer):
    client.force_login(trainer)
    url = reverse("assessment_questions:add")
    assert client.get(url).status_code == 200
    response = client.post(
        url, question_form([("The therapist", False), ("A prescriber", True)])
    )
    assert response.status_code == 302, response.content[:3000]
    question = Question.objects.get(key="scr-admin-1")
    assert [o.text for o in question.options.all()] == ["The therapist", "A prescriber"]
    assert list(question.tags.names()) == ["screening"]


def test_question_form_rejects_options_that_do_not_fit_the_type(client, trainer):
    client.force_login(trainer)
    response = client.post(
        reverse("assessment_questions:add"),
        question_form([("The therapist", True), ("A prescriber", True)]),
    )
    assert response.status_code == 200
    assert "Mark exactly one option as correct." in response.content.decode()
    assert not Question.objects.filter(key="scr-admin-1").exists()


def test_bank_search_filter_and_preview(client, trainer, make_question):
    first = make_question(tags=("screening",))
    second = make_question(tags=("mechanism",))
    client.force_login(trainer)
    index = reverse("assessment_questions:index")
    assert first.key in client.get(index, {"q": "Stem number 1"}).content.decode()
    filtered = client.get(index, {"tag": first.tags.first().pk}).content.decode()
    assert first.key in filtered and second.key not in filtered
    preview = client.get(
        reverse("assessment_questions:preview", args=[first.pk])
    ).content.decode()
    assert "Stem number 1" in preview and "Show the answer" in preview


def test_quiz_analytics_flags_questions_that_discriminate_backwards(
    client, trainer, enrolled_learner, module_quiz, make_user, course
):
    from courses import services as course_services

    # Strong learners get everything right except one question, weak learners only that one.
    learners = [enrolled_learner] + [make_user(f"l{i}") for i in range(5)]
    for user in learners[1:]:
        course_services.enrolment_grant(
            user=user, course=course, actor=None, reason="t"
        )
    module_quiz.shuffle_questions = False
    module_quiz.question_count = (
        6  # the whole bank, so everyone sees the same questions
    )
    module_quiz.save()
    for index, user in enumerate(learners):
        attempt = services.attempt_start(user=user, quiz=module_quiz)
        strong = index % 2 == 0
        answers = correct_answers(attempt) if strong else wrong_answers(attempt)
        odd_one = attempt.snapshot["questions"][0]["id"]
        answers[odd_one] = (
            wrong_answers(attempt) if strong else correct_answers(attempt)
        )[odd_one]
        services.attempt_submit(attempt=attempt, answers=answers)

    client.force_login(trainer)
    url = reverse("assessment_quizzes:analytics", args=[module_quiz.pk])
    html = client.get(url).content.decode()
    assert "Attempts" in html and "<svg" in html and "Pass rate" in html
    assert html.count("Check: negative discrimination") == 1
    csv_body = client.get(url, {"export": "csv"}).content.decode()
    assert csv_body.splitlines()[0].startswith("question key,")
    flagged = [line for line in csv_body.splitlines() if ",yes," in line]
    assert len(flagged) == 1


def test_administrator_grants_an_attempt_with_a_reason(
    client, make_user, catalogue, enrolled_learner, post_test
):
    admin = make_user("records", is_staff=True)
    admin.groups.add(ensure_roles()[CERTIFICATE_ADMINISTRATORS])
    client.force_login(admin)
    url = reverse("assessment_attempt_grants:add")
    response = client.post(
        url, {"user": enrolled_learner.pk, "quiz": post_test.pk, "reason": ""}
    )
    assert response.status_code == 200 and not AttemptGrant.objects.exists()
    response = client.post(
        url,
        {
            "user": enrolled_learner.pk,
            "quiz": post_test.pk,
            "reason": "Power cut during attempt",
        },
    )
    assert response.status_code == 302
    grant = AttemptGrant.objects.get()
    assert grant.granted_by == admin and grant.reason == "Power cut during attempt"
    assert services.attempts_allowed(enrolled_learner, post_test) == 3
    # Grants are the record: no edit, no delete.
    for name in ("edit", "delete"):
        assert client.get(
            reverse(f"assessment_attempt_grants:{name}", args=[grant.pk])
        ).status_code in (302, 403)


def test_attempts_are_read_only_in_the_admin(
    client, make_user, catalogue, enrolled_learner, module_quiz
):
    attempt = services.attempt_start(user=enrolled_learner, quiz=module_quiz)
    admin = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get(reverse("assessment_attempts:index")).status_code == 200
    assert (
        client.get(
            reverse("assessment_attempts:inspect", args=[attempt.pk])
        ).status_code
        == 200
    )
    for name in ("edit", "delete"):
        assert client.get(
            reverse(f"assessment_attempts:{name}", args=[attempt.pk])
        ).status_code in (302, 403)


def test_a_quiz_with_attempts_is_not_deleted_and_the_admin_says_why(
    client, module_quiz, make_user, enrolled_learner
):
    services.attempt_start(user=enrolled_learner, quiz=module_quiz)
    client.force_login(make_user("boss", is_staff=True, is_superuser=True))
    response = client.post(
        reverse("assessment_quizzes:delete", args=[module_quiz.pk]), follow=True
    )
    assert response.status_code == 200
    assert "cannot be deleted" in response.content.decode()
    assert Quiz.objects.filter(pk=module_quiz.pk).exists()
