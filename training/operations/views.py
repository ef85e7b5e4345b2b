"""/readyz/ for deploy gating and monitoring (not the load balancer: see docs/deploy.md),
and the failed-tasks report."""

import logging
import uuid

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_tasks_db.models import DBTaskResult

from . import queue

logger = logging.getLogger(__name__)


def _database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {}


def _cache() -> dict:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return what was stored")
    cache.delete(key)
    return {}


def _storage() -> dict:
    default_storage.exists("readyz-probe")  # a HEAD request on S3, a stat on disk
    return {}


def _tasks() -> dict:
    if not queue.uses_database_backend():
        return {"backend": "immediate"}
    age = queue.oldest_pending_age()
    limit = int(getattr(settings, "TASKS_MAX_PENDING_AGE", 300))
    if age is not None and age > limit:
        raise RuntimeError(f"oldest pending task waited {age:.0f} s (limit {limit} s)")
    return {"oldest_pending_seconds": None if age is None else round(age, 1)}


CHECKS = {"database": _database, "cache": _cache, "storage": _storage, "tasks": _tasks}


@never_cache
def readyz(request):
    """200 when the database, cache, storage and task queue all answer; 503 otherwise."""
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = {"ok": True, **check()}
        except Exception as error:
            logger.warning("Readiness check %s failed: %s", name, error)
            # Only the error's type: this page is public.
            results[name] = {"ok": False, "error": type(error).__name__}
    ready = all(result["ok"] for result in results.values())
    return JsonResponse(
        {"ready": ready, "checks": results}, status=200 if ready else 503
    )


def may_manage_tasks(user) -> bool:
    return user.is_active and (
        user.is_superuser or user.has_perm("django_tasks_database.change_dbtaskresult")
    )


def failed_tasks(request):
    if not may_manage_tasks(request.user):
        raise PermissionDenied
    failed = DBTaskResult.objects.failed().order_by("-finished_at")
    page = Paginator(failed, 50).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "operations/failed_tasks.html",
        {
            "page": page,
            "failed_count": failed.count(),
            "ready_count": DBTaskResult.objects.ready().count(),
            "running_count": DBTaskResult.objects.running().count(),
            "oldest_pending": queue.oldest_pending_age(),
            "max_attempts": queue.max_attempts(),
        },
    )


@require_POST
def retry_task(request, pk):
    if not may_manage_tasks(request.user):
        raise PermissionDenied
    if queue.retry_failed(pk):
        logger.info("Task %s queued again by %s", pk, request.user.get_username())
        messages.success(request, "The task is queued again.")
    else:
        messages.warning(request, "That task is no longer failed.")
    return redirect("operations_failed_tasks")
