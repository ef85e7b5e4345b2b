"""Scheduled maintenance (see TASKS_SCHEDULE)."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult


@task(backend=getattr(settings, "COURSES_TASK_BACKEND", "default"))
def prune_task_results() -> dict:
    """Finished task rows are kept TASKS_KEEP_SUCCEEDED_DAYS (default 14); failed ones,
    which the failed-tasks report lists, TASKS_KEEP_FAILED_DAYS (default 90)."""
    now = timezone.now()
    succeeded_before = now - timedelta(
        days=int(getattr(settings, "TASKS_KEEP_SUCCEEDED_DAYS", 14))
    )
    failed_before = now - timedelta(
        days=int(getattr(settings, "TASKS_KEEP_FAILED_DAYS", 90))
    )
    succeeded, _ = (
        DBTaskResult.objects.successful()
        .filter(finished_at__lt=succeeded_before)
        .delete()
    )
    failed, _ = (
        DBTaskResult.objects.failed().filter(finished_at__lt=failed_before).delete()
    )
    return {"succeeded": succeeded, "failed": failed}
