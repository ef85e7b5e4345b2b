"""The cached learner state (courses.learner_state).

Pages read a learner's enrolment and progress from one cached record; these tests prove
that the record is used, and that it never grants access the database no longer grants:
a revocation, an administrator's edit or a passed module shows on the next request, and
a write that rolls back leaves nothing behind.
"""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from courses import learner_state, services
from courses.models import Enrolment, EnrolmentStatus

pytestmark = pytest.mark.django_db

GATED = "Gated teaching text for module {}."


def sql_of(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    return response, " ".join(q["sql"] for q in context.captured_queries)


def test_module_and_course_pages_read_the_cached_state(
    client, course, enrolled_learner
):
    client.force_login(enrolled_learner)
    module = course.modules[0]
    client.get(module.url)  # first visit: records progress, then the record is built
    client.get(module.url)
    for url in (module.url, course.url):
        response, sql = sql_of(client, url)
        assert response.status_code == 200
        assert "courses_enrolment" not in sql, url
        assert "courses_moduleprogress" not in sql, url


def test_revoking_an_enrolment_shows_on_the_next_request(
    client, course, enrolled_learner, django_capture_on_commit_callbacks
):
    module = course.modules[0]
    client.force_login(enrolled_learner)
    assert GATED.format(1) in client.get(module.url).content.decode()
    assert GATED.format(1) in client.get(module.url).content.decode()  # cached state
    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_revoke(
            enrolment=Enrolment.objects.get(user=enrolled_learner),
            actor=None,
            reason="Licence lapsed",
        )
    response = client.get(module.url)
    assert response.status_code == 302 and response["Location"] == course.url
    page = client.get(course.url).content.decode()
    assert "Your progress" not in page and GATED.format(1) not in page


def test_an_enrolment_edited_outside_the_services_shows_on_the_next_request(
    client, course, enrolled_learner
):
    module = course.modules[0]
    client.force_login(enrolled_learner)
    assert client.get(module.url).status_code == 200
    enrolment = Enrolment.objects.get(user=enrolled_learner)
    enrolment.status = EnrolmentStatus.SUSPENDED
    enrolment.save()  # an administrator's form, say
    response = client.get(module.url)
    assert response.status_code == 302
    assert "paused" in client.get(course.url).content.decode()


def test_completing_a_module_unlocks_the_next_on_the_next_request(
    client, course, enrolled_learner
):
    first, second = course.modules[0], course.modules[1]
    client.force_login(enrolled_learner)
    assert client.get(second.url).status_code == 302  # locked: module 1 not done
    assert client.get(second.url).status_code == 302  # (and the record is cached)
    services.progress_record_visit(user=enrolled_learner, module=first)
    assert GATED.format(2) in client.get(second.url).content.decode()


def test_a_write_that_rolls_back_leaves_no_cached_grant(client, course, learner):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.enrolment_grant(user=learner, course=course, actor=None, reason="t")
        # Read inside the write transaction: from the database, never cached.
        assert learner_state.get(learner, course).enrolled
        raise RuntimeError("payment failed after all")
    assert not learner_state.get(learner, course).enrolled
    client.force_login(learner)
    assert client.get(course.modules[0].url).status_code == 302


# Learner ids with nothing else pending in the test's transaction.
LEARNER, OTHER_LEARNER = 10_001, 10_002


def test_a_transaction_replaces_each_learners_version_once(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for _ in range(3):  # e.g. an enrolment inserted, updated and logged
            learner_state.changed(user_id=LEARNER)
        learner_state.changed(user_id=OTHER_LEARNER)
    assert len(callbacks) == 2


def test_a_change_rolled_back_with_its_savepoint_does_not_hide_a_later_one(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            learner_state.changed(user_id=LEARNER)
            raise RuntimeError("the savepoint rolls back, and its callback with it")
        learner_state.changed(user_id=LEARNER)
    assert len(callbacks) == 1


def test_the_record_is_rebuilt_when_its_version_is_gone(course, enrolled_learner):
    from django.core.cache import cache

    assert learner_state.get(enrolled_learner, course).enrolled
    cache.delete(learner_state.VERSION_KEY.format(user=enrolled_learner.pk))
    Enrolment.objects.filter(user=enrolled_learner).update(
        status=EnrolmentStatus.REVOKED
    )
    # A new version matches no stored record, so the update (made behind the services'
    # back) is read.
    assert not learner_state.get(enrolled_learner, course).enrolled


def test_the_dashboard_keeps_the_records_it_builds(client, make_course, learner):
    from django.urls import reverse

    client.force_login(learner)
    for index in range(3):
        course = make_course(title=f"Dashboard {index}", modules=2)
        services.enrolment_grant(user=learner, course=course, actor=None, reason="t")
    dashboard = reverse("courses:dashboard")
    client.get(dashboard)  # builds each course's record from the page's own reads
    response, sql = sql_of(client, dashboard)
    assert response.status_code == 200
    for table in ("assessments_certificate", "assessments_evaluationresponse"):
        assert table not in sql
    assert "courses_learnerprofile" not in sql
