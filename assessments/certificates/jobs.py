"""Tasks that start work through the services: bulk issue and the daily expiry reminders.

Jobs sit above the services (like views and commands, they are entry points: the queue
calls them); `tasks.py` holds the work that services queue after they commit.
"""

from django.db import transaction
from django_tasks import task

from courses import conf as course_conf

from . import services, services_bulk
from .models import BulkIssue


def start_bulk_issue(*, course, actor) -> BulkIssue:
    """One task per eligible learner; the admin page shows progress from their results."""
    bulk_issue = services_bulk.bulk_issue_create(course=course, actor=actor)
    transaction.on_commit(lambda: _enqueue_items(bulk_issue))
    return bulk_issue


def _enqueue_items(bulk_issue: BulkIssue) -> None:
    for item in bulk_issue.items.all():
        result = issue_for_bulk.enqueue(item.pk)
        services_bulk.bulk_issue_item_queued(item=item, result=result)


@task(backend=course_conf.task_backend())
def issue_for_bulk(item_id: int) -> dict:
    return services_bulk.bulk_issue_one(item_id=item_id)


@task(backend=course_conf.task_backend())
def send_expiry_reminders() -> dict:
    """Scheduled daily (see docs/deploy.md); each certificate is reminded once."""
    return {"sent": services.certificate_remind_expiring()}
