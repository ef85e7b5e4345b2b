"""Bulk issue as one task per learner: the records that track it and the work of each task.

`jobs.start_bulk_issue` creates the records and queues a task per learner; each task calls
`bulk_issue_one`, which issues through `certificate_issue` and so issues at most once.
Progress is read back from the tasks' results.
"""

from django.db import transaction
from django_tasks import TaskResultStatus, task_backends
from django_tasks.exceptions import TaskResultDoesNotExist

from courses import conf as course_conf

from .models import BulkIssue, BulkIssueItem, BulkIssueOutcome, Certificate
from .selectors import eligible_without_certificate
from .services import CertificateError, certificate_issue


def bulk_issue_create(*, course, actor) -> BulkIssue:
    """Record a bulk issue for every eligible learner who has no certificate yet; the
    caller queues one task per item (`jobs.start_bulk_issue`)."""
    with transaction.atomic():
        bulk_issue = BulkIssue.objects.create(course=course, requested_by=actor)
        BulkIssueItem.objects.bulk_create(
            BulkIssueItem(bulk_issue=bulk_issue, user=user)
            for user in eligible_without_certificate(course)
        )
    return bulk_issue


def bulk_issue_one(*, item_id: int) -> dict:
    """The work of one bulk-issue task: issue to this learner unless that already
    happened. Safe to run twice: `certificate_issue` issues once per learner and course."""
    item = (
        BulkIssueItem.objects.select_related(
            "user", "bulk_issue__course", "bulk_issue__requested_by"
        )
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        return {"outcome": BulkIssueOutcome.FAILED, "code": ""}
    bulk_issue = item.bulk_issue
    existing = Certificate.objects.filter(
        user=item.user, course=bulk_issue.course
    ).first()
    if existing is not None:
        return {"outcome": BulkIssueOutcome.ALREADY_ISSUED, "code": existing.code}
    try:
        certificate = certificate_issue(
            user=item.user,
            course=bulk_issue.course,
            actor=bulk_issue.requested_by,
            note="Bulk issue",
        )
    except CertificateError:
        # Eligibility changed since the bulk issue started (a refund, a revoked
        # enrolment): an administrator issues by hand, with a reason, if still wanted.
        return {"outcome": BulkIssueOutcome.NOT_ELIGIBLE, "code": ""}
    return {"outcome": BulkIssueOutcome.ISSUED, "code": certificate.code}


def bulk_issue_item_queued(*, item: BulkIssueItem, result) -> None:
    """Keep the task's id; with an immediate backend the task has already finished."""
    item.task_result_id = str(result.id)
    fields = ["task_result_id"]
    if result.is_finished:
        item.outcome, item.certificate_code = _outcome_of(result)
        fields += ["outcome", "certificate_code"]
    item.save(update_fields=fields)


def bulk_issue_refresh(bulk_issue: BulkIssue, *, limit: int = 200) -> dict:
    """Progress read from the tasks' results: outcomes of tasks that finished since the
    last look are stored on their items, so each result is fetched until it finishes.
    A failed task may still be retried, so failed items are looked at again."""
    backend = task_backends[course_conf.task_backend()]
    if backend.supports_get_result:
        open_items = bulk_issue.items.filter(
            outcome__in=[BulkIssueOutcome.PENDING, BulkIssueOutcome.FAILED]
        ).exclude(task_result_id="")[:limit]
        for item in open_items:
            try:
                result = backend.get_result(item.task_result_id)
            except TaskResultDoesNotExist:
                continue
            outcome = _outcome_of(result) if result.is_finished else None
            if outcome and outcome != (item.outcome, item.certificate_code):
                item.outcome, item.certificate_code = outcome
                item.save(update_fields=["outcome", "certificate_code"])
    counts = dict.fromkeys(BulkIssueOutcome.values, 0)
    for outcome in bulk_issue.items.values_list("outcome", flat=True):
        counts[outcome] += 1
    total = sum(counts.values())
    return {
        "total": total,
        "done": total - counts[BulkIssueOutcome.PENDING],
        **counts,
        "finished": counts[BulkIssueOutcome.PENDING] == 0,
    }


def _outcome_of(result) -> tuple[str, str]:
    if result.status != TaskResultStatus.SUCCESSFUL:
        return BulkIssueOutcome.FAILED, ""
    value = result.return_value or {}
    return value.get("outcome", BulkIssueOutcome.FAILED), value.get("code", "")
