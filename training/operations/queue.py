"""The task queue's operations on the database backend (django-tasks-db): the retry
policy, recovery of tasks whose worker died, the schedule, and what /readyz/ and the
failed-tasks report read.

Retry policy: a task that raises is run again after TASKS_RETRY_BACKOFF seconds, doubling
each time (capped at an hour), until it has been tried TASKS_MAX_ATTEMPTS times; then it
stays FAILED, is logged at ERROR (Sentry picks that up) and is listed in the admin under
Reports → Failed tasks, with a retry button. The attempt count is the number of workers
that claimed the task (`worker_ids`), so an attempt cut short by a dead worker counts too.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus, task_backends
from django_tasks.signals import task_finished
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

from .models import ScheduledJob

logger = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 3600


def max_attempts() -> int:
    return int(getattr(settings, "TASKS_MAX_ATTEMPTS", 5))


def backoff_seconds(attempts: int) -> int:
    base = int(getattr(settings, "TASKS_RETRY_BACKOFF", 30))
    return min(base * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS)


def queue_backend_alias() -> str:
    """The alias the worker serves: the plugin's task backend."""
    return getattr(settings, "COURSES_TASK_BACKEND", DEFAULT_TASK_BACKEND_ALIAS)


def uses_database_backend() -> bool:
    return isinstance(task_backends[queue_backend_alias()], DatabaseBackend)


@receiver(task_finished, dispatch_uid="operations-retry-policy")
def retry_or_report(sender, task_result, **kwargs) -> None:
    if task_result.status != TaskResultStatus.FAILED:
        return
    error = task_result.errors[-1] if task_result.errors else None
    error_class = error.exception_class_path if error else "unknown"
    attempts = len(task_result.worker_ids)
    db_result = getattr(task_result, "db_result", None)
    try:
        if db_result is not None and attempts < max_attempts():
            delay = backoff_seconds(attempts)
            DBTaskResult.objects.filter(
                pk=db_result.pk, status=TaskResultStatus.FAILED
            ).update(
                status=TaskResultStatus.READY,
                run_after=timezone.now() + timedelta(seconds=delay),
                finished_at=None,
            )
            logger.warning(
                "Task %s %s failed (attempt %d of %d, %s); retrying in %d s",
                task_result.task.name,
                task_result.id,
                attempts,
                max_attempts(),
                error_class,
                delay,
            )
            return
    except Exception:
        logger.exception("Could not schedule a retry of task %s", task_result.id)
    logger.error(
        "Task %s %s failed for good after %d attempt(s): %s\n%s",
        task_result.task.name,
        task_result.id,
        attempts,
        error_class,
        error.traceback if error else "",
    )


def requeue_orphans(*, worker_id: str = "", stale_after: int | None = None) -> int:
    """RUNNING tasks whose worker is gone go back to the queue: those last claimed by
    `worker_id` (a worker restarting under its old id knows it runs nothing yet), and
    those started more than `stale_after` seconds ago. A task that has used up its
    attempts this way is marked failed instead of being run yet again."""
    cutoff = timezone.now() - timedelta(seconds=stale_after) if stale_after else None
    orphans = [
        (pk, len(worker_ids))
        for pk, worker_ids, started_at in DBTaskResult.objects.running().values_list(
            "pk", "worker_ids", "started_at"
        )
        if (worker_id and worker_ids and worker_ids[-1] == worker_id)
        or (cutoff and started_at and started_at < cutoff)
    ]
    requeue = [pk for pk, attempts in orphans if attempts < max_attempts()]
    give_up = [pk for pk, attempts in orphans if attempts >= max_attempts()]
    count = DBTaskResult.objects.filter(
        pk__in=requeue, status=TaskResultStatus.RUNNING
    ).update(status=TaskResultStatus.READY, run_after=get_date_max())
    if give_up:
        DBTaskResult.objects.filter(
            pk__in=give_up, status=TaskResultStatus.RUNNING
        ).update(
            status=TaskResultStatus.FAILED,
            finished_at=timezone.now(),
            exception_class_path="training.operations.queue.WorkerLost",
            traceback="The worker running this task stopped before it finished, "
            "on every attempt.",
        )
        logger.error("Tasks %s lost their worker on every attempt", give_up)
    if count:
        logger.warning("Requeued %d task(s) whose worker stopped mid-task", count)
    return count


def run_due_jobs(now=None) -> list[str]:
    """Queue each TASKS_SCHEDULE entry whose period has passed; returns their names."""
    now = now or timezone.now()
    queued = []
    for name, entry in getattr(settings, "TASKS_SCHEDULE", {}).items():
        every = timedelta(seconds=entry["every_seconds"])
        ScheduledJob.objects.get_or_create(
            name=name, defaults={"last_enqueued_at": now - every}
        )
        with transaction.atomic():
            claimed = ScheduledJob.objects.filter(
                name=name, last_enqueued_at__lte=now - every
            ).update(last_enqueued_at=now)
            if claimed:
                # In the claim's transaction: a crash between the two loses neither.
                import_string(entry["task"]).enqueue()
                queued.append(name)
    if queued:
        logger.info("Queued scheduled jobs: %s", ", ".join(queued))
    return queued


def oldest_pending_age(now=None) -> float | None:
    """Seconds the longest-waiting due task has waited; None when nothing is due."""
    now = now or timezone.now()
    due = DBTaskResult.objects.ready()
    waiting_since = [
        due.filter(run_after=get_date_max())
        .order_by("enqueued_at")
        .values_list("enqueued_at", flat=True)
        .first(),
        due.exclude(run_after=get_date_max())
        .order_by("run_after")
        .values_list("run_after", flat=True)
        .first(),
    ]
    waiting_since = [moment for moment in waiting_since if moment is not None]
    if not waiting_since:
        return None
    return max((now - min(waiting_since)).total_seconds(), 0.0)


def retry_failed(pk) -> bool:
    """An administrator's retry: back to the queue with a fresh set of attempts."""
    return bool(
        DBTaskResult.objects.filter(pk=pk, status=TaskResultStatus.FAILED).update(
            status=TaskResultStatus.READY,
            run_after=get_date_max(),
            worker_ids=[],
            started_at=None,
            finished_at=None,
        )
    )
