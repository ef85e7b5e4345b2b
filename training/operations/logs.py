"""Request ids on every log line, and the JSON formatter production uses.

The web process takes the id from the incoming X-Request-ID header (when it looks like
one) or makes one; the task worker uses "task-<task id>" while a task runs. Lines logged
outside both carry "-".
"""

import logging
import re
from contextvars import ContextVar

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")

REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{8,100}$")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


def connect_task_signals() -> None:
    from django_tasks.signals import task_finished, task_started

    def on_started(sender, task_result, **kwargs):
        request_id_var.set(f"task-{task_result.id}")

    def on_finished(sender, task_result, **kwargs):
        request_id_var.set("-")

    task_started.connect(on_started, weak=False, dispatch_uid="operations-task-id")
    task_finished.connect(on_finished, weak=False, dispatch_uid="operations-task-id")


def sentry_before_send(event, hint):
    """Tag each Sentry event with the request (or task) id that the log lines carry."""
    event.setdefault("tags", {})["request_id"] = request_id_var.get()
    return event
