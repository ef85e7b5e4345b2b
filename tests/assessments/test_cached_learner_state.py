"""What assessments keeps in the cached learner state (the courses_learner_state hook):
quiz states as counts and scores, never a snapshot; and what must show on the next request
(a passed quiz, a revoked certificate)."""

import pickle

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services
from assessments.certificates import services as certificate_services
from assessments.models import Attempt, Certificate
from courses import learner_state
from tests.assessments.conftest import correct_answers, evaluation_answers

pytestmark = pytest.mark.django_db


def cached_record(user, course) -> bytes:
    entry = cache.get(learner_state.STATE_KEY.format(user=user.pk, course=course.pk))
    assert entry is not None, "no record cached"
    return pickle.dumps(entry)


def test_quiz_states_are_counts_and_scores_never_snapshots(
    client, course, enrolled_learner, module_quiz
):
    attempt = services.attempt_start(user=enrolled_learner, quiz=module_quiz)
    services.attempt_submit(attempt=attempt, answers={})
    client.force_login(enrolled_learner)
    page = client.get(course.modules[0].url).content.decode()
    assert "try again" in page
    record = cached_record(enrolled_learner, course)
    stem = attempt.snapshot["questions"][0]["stem"]
    assert stem.encode() not in record and b"is_correct" not in record
    quizzes = learner_state.get(enrolled_learner, course).extras["quizzes"]
    assert quizzes[module_quiz.pk]["attempts"] == 1
    assert quizzes[module_quiz.pk]["passes"] == 0


def test_the_quiz_panel_reads_no_attempt_rows(
    client, course, enrolled_learner, module_quiz
):
    for _ in range(3):
        attempt = services.attempt_start(user=enrolled_learner, quiz=module_quiz)
        services.attempt_submit(attempt=attempt, answers={})
    client.force_login(enrolled_learner)
    client.get(course.modules[0].url)
    with CaptureQueriesContext(connection) as context:
        assert client.get(course.modules[0].url).status_code == 200
    assert not any("assessments_attempt" in q["sql"] for q in context.captured_queries)


def test_passing_the_quiz_shows_on_the_next_request(
    client, course, enrolled_learner, module_quiz
):
    client.force_login(enrolled_learner)
    second = course.modules[1]
    assert client.get(second.url).status_code == 302  # module 1 needs its quiz
    assert "Take the quiz" in client.get(course.modules[0].url).content.decode()
    attempt = services.attempt_start(user=enrolled_learner, quiz=module_quiz)
    services.attempt_submit(attempt=attempt, answers=correct_answers(attempt))
    assert "Passed" in client.get(course.modules[0].url).content.decode()
    assert client.get(second.url).status_code == 200


def test_a_granted_attempt_shows_on_the_next_request(
    client, course, enrolled_learner, post_test, make_user
):
    post_test.attempt_limit = 1
    post_test.save()
    for module in course.modules:
        from courses import services as course_services

        course_services.progress_record_visit(user=enrolled_learner, module=module)
    attempt = services.attempt_start(user=enrolled_learner, quiz=post_test)
    services.attempt_submit(attempt=attempt, answers={})
    client.force_login(enrolled_learner)
    assert "used all your post-test attempts" in client.get(course.url).content.decode()
    services.attempt_grant(
        user=enrolled_learner, quiz=post_test, actor=make_user("admin"), reason="Ill"
    )
    page = client.get(course.url).content.decode()
    assert "used all your post-test attempts" not in page
    assert "1 of 2 attempts left" in page


def test_revoking_a_certificate_shows_on_the_next_request(
    client, completed_learner, course, make_user, media_root
):
    certificate_services.evaluation_submit(
        user=completed_learner, course=course, answers=evaluation_answers(course)
    )
    certificate = Certificate.objects.get()
    client.force_login(completed_learner)
    verify = reverse("certificates:verify", args=[certificate.code])
    mine = reverse("assessments:my_certificates")
    for _ in range(2):  # and again, warm
        assert "Valid" in client.get(mine).content.decode()
        assert "Valid" in client.get(verify).content.decode()
        client.get(course.url)
    certificate_services.certificate_revoke(
        certificate=certificate, actor=make_user("records"), reason="Licence lapsed"
    )
    assert "Revoked" in client.get(mine).content.decode()
    assert "Revoked" in client.get(verify).content.decode()
    client.logout()
    assert "Revoked" in client.get(verify).content.decode()


def test_attempt_rows_are_not_loaded_for_the_learner_state(
    course, enrolled_learner, module_quiz
):
    for _ in range(2):
        attempt = services.attempt_start(user=enrolled_learner, quiz=module_quiz)
        services.attempt_submit(attempt=attempt, answers={})
    with CaptureQueriesContext(connection) as context:
        learner_state.build(enrolled_learner, course)
    attempt_queries = [
        q["sql"] for q in context.captured_queries if "assessments_attempt" in q["sql"]
    ]
    assert attempt_queries and all("snapshot" not in sql for sql in attempt_queries)
    assert Attempt.objects.filter(user=enrolled_learner).count() == 2


def test_starting_a_quiz_decides_from_the_database_not_the_cache(
    client, course, enrolled_learner, module_quiz
):
    from courses.models import Enrolment, EnrolmentStatus

    client.force_login(enrolled_learner)
    assert client.get(course.modules[0].url).status_code == 200  # the record is cached
    assert learner_state.get(enrolled_learner, course).enrolled
    # Behind the services' back (no signal, no new version): the cache still says yes.
    Enrolment.objects.filter(user=enrolled_learner).update(
        status=EnrolmentStatus.REVOKED
    )
    response = client.post(reverse("assessments:start", args=[module_quiz.pk]))
    assert response.status_code == 404
    assert not Attempt.objects.filter(user=enrolled_learner).exists()
