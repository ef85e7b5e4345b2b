"""The task worker on the database backend: delivery once, retries, recovery, schedule."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from courses.models import OutboundEmail
from courses.tasks import deliver_email, queue_email
from tests.conftest import ensure_site_baseline
from training.operations import queue
from training.operations.models import ScheduledJob

from .conftest import run_worker
from .tasks_for_tests import CALLS, always_fails, fails_then_succeeds

pytestmark = pytest.mark.django_db

# The worker commits, sleeps and checks its connection like the real process: these tests
# run outside a test transaction.
with_worker = pytest.mark.django_db(transaction=True)


def queue_test_email(key="test:1") -> OutboundEmail:
    return queue_email(
        key=key, to=["nia@example.com"], subject="Hello", body="Body text"
    )


@with_worker
def test_an_email_waits_for_the_worker_and_is_sent_once(database_tasks):
    email = queue_test_email()
    queue_test_email()  # the same occasion again: no second row, no second task
    assert OutboundEmail.objects.count() == 1
    assert DBTaskResult.objects.ready().count() == 1 and mail.outbox == []

    run_worker()
    assert [m.subject for m in mail.outbox] == ["Hello"]
    email.refresh_from_db()
    assert email.sent_at is not None
    result = DBTaskResult.objects.get()
    assert (
        result.status == TaskResultStatus.SUCCESSFUL and result.return_value == "sent"
    )

    # A duplicate delivery task (a retry, a second worker) finds it sent.
    deliver_email.enqueue(email.pk)
    run_worker()
    assert len(mail.outbox) == 1
    assert DBTaskResult.objects.order_by("-enqueued_at").first().return_value == (
        "already sent"
    )


@with_worker
def test_a_failing_task_is_retried_then_reported_and_an_admin_retries_it(
    database_tasks, client, django_user_model, caplog
):
    result = always_fails.enqueue("report-me")
    run_worker()
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.FAILED
    assert len(row.worker_ids) == 3 and CALLS["report-me"] == 3
    assert row.exception_class_path == "builtins.RuntimeError"
    assert "retrying in 0 s" in caplog.text
    assert "failed for good after 3 attempt(s)" in caplog.text

    admin = django_user_model.objects.create_superuser(
        "ops", "ops@example.com", "pw-correct-horse"
    )
    client.force_login(admin)
    ensure_site_baseline()  # the admin dashboard needs a root page
    assert "Failed tasks" in client.get("/admin/").content.decode()  # Reports menu
    page = client.get(reverse("operations_failed_tasks")).content.decode()
    assert "always_fails" in page and "always fails: report-me" in page
    assert "failed: 1" in page

    response = client.post(reverse("operations_retry_task", args=[result.id]))
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == TaskResultStatus.READY and row.worker_ids == []
    run_worker()
    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED and CALLS["report-me"] == 6


@with_worker
def test_the_failed_tasks_report_is_for_administrators_only(
    database_tasks, client, django_user_model
):
    result = always_fails.enqueue("secret")
    run_worker()
    staff = django_user_model.objects.create_user(
        "editor", "editor@example.com", "pw-correct-horse", is_staff=True
    )
    staff.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(staff)
    # Wagtail turns the refusal into a redirect to the dashboard with a message.
    response = client.get(reverse("operations_failed_tasks"))
    assert response.status_code == 302 and response["Location"] == "/admin/"
    response = client.post(reverse("operations_retry_task", args=[result.id]))
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.FAILED


@with_worker
def test_a_transient_failure_succeeds_on_a_later_attempt(database_tasks):
    result = fails_then_succeeds.enqueue("flaky", 2)
    run_worker()
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.SUCCESSFUL and row.return_value == "done"
    assert len(row.worker_ids) == 3


def test_retries_wait_longer_each_time(settings):
    settings.TASKS_RETRY_BACKOFF = 30
    assert [queue.backoff_seconds(n) for n in (1, 2, 3, 8)] == [30, 60, 120, 3600]


def claim_as(result_id, worker_id, started_at=None):
    row = DBTaskResult.objects.get(pk=result_id)
    row.claim(worker_id)
    if started_at:
        DBTaskResult.objects.filter(pk=result_id).update(started_at=started_at)


@with_worker
def test_a_restarted_worker_takes_back_what_it_was_running(database_tasks):
    email = queue_test_email()
    result_id = DBTaskResult.objects.get().pk
    claim_as(result_id, "worker.1")  # then the process was killed
    run_worker("--worker-id", "worker.2")  # another worker leaves it alone
    assert mail.outbox == []
    run_worker("--worker-id", "worker.1")
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.sent_at is not None
    assert DBTaskResult.objects.get().worker_ids == ["worker.1", "worker.1"]


def test_tasks_running_too_long_are_requeued_and_lost_ones_give_up(database_tasks):
    fresh = always_fails.enqueue("fresh")
    stale = always_fails.enqueue("stale")
    doomed = always_fails.enqueue("doomed")
    now = timezone.now()
    claim_as(fresh.id, "w-a")
    claim_as(stale.id, "w-b", started_at=now - timedelta(minutes=20))
    for _ in range(3):
        claim_as(doomed.id, "w-c", started_at=now - timedelta(minutes=20))
    assert queue.requeue_orphans(stale_after=600) == 1
    statuses = {
        str(row.pk): row.status
        for row in DBTaskResult.objects.filter(pk__in=[fresh.id, stale.id, doomed.id])
    }
    assert statuses[fresh.id] == TaskResultStatus.RUNNING
    assert statuses[stale.id] == TaskResultStatus.READY
    assert statuses[doomed.id] == TaskResultStatus.FAILED
    assert (
        DBTaskResult.objects.get(pk=doomed.id).exception_class_path
        == "training.operations.queue.WorkerLost"
    )


def test_scheduled_jobs_are_queued_once_per_period(database_tasks):
    database_tasks.TASKS_SCHEDULE = {
        "reminders": {
            "task": "assessments.certificates.jobs.send_expiry_reminders",
            "every_seconds": 86400,
        }
    }
    now = timezone.now()
    assert queue.run_due_jobs(now) == ["reminders"]
    # A second worker, or the next housekeeping round, finds it claimed.
    assert queue.run_due_jobs(now + timedelta(minutes=5)) == []
    assert (
        DBTaskResult.objects.filter(task_path__endswith="send_expiry_reminders").count()
        == 1
    )
    assert queue.run_due_jobs(now + timedelta(days=1, seconds=1)) == ["reminders"]
    assert ScheduledJob.objects.get().last_enqueued_at == now + timedelta(
        days=1, seconds=1
    )
