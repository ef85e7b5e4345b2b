"""The task worker: django-tasks-db's `db_worker`, plus what a cluster needs around it.

- On start, tasks this worker id left RUNNING (it was killed mid-task) go back to the
  queue. Give each worker process a stable id (WORKER_ID, e.g. "worker.1" or the
  container's name) to get this; a random id (the default) recovers nothing here and
  leaves it to the next rule.
- Every TASKS_HOUSEKEEPING_INTERVAL seconds, a background thread requeues tasks that
  have been RUNNING longer than TASKS_STALE_AFTER seconds (their worker is gone) and
  queues the TASKS_SCHEDULE entries that are due (one worker wins each claim).
"""

import logging
import os
import threading

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from training.operations import queue

logger = logging.getLogger("operations.worker")


def housekeeping(stop: threading.Event) -> None:
    interval = float(getattr(settings, "TASKS_HOUSEKEEPING_INTERVAL", 30))
    stale_after = int(getattr(settings, "TASKS_STALE_AFTER", 600))
    while not stop.wait(interval):
        try:
            close_old_connections()
            queue.requeue_orphans(stale_after=stale_after)
            queue.run_due_jobs()
        except Exception:
            logger.exception("Task housekeeping failed; trying again next round")
        finally:
            connection.close()


class Command(DbWorkerCommand):
    help = (
        "Run a task worker (db_worker with crash recovery and the daily schedule). "
        "Set WORKER_ID to a name that is stable across restarts and unique per process."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(
            backend_name=queue.queue_backend_alias(),
            worker_id=os.environ.get("WORKER_ID") or get_random_string(32),
            # Reloading forks a child that would run housekeeping twice; opt in with --reload.
            reload=False,
        )

    def handle(self, *args, **options):
        self.configure_logging(options["verbosity"])
        queue.requeue_orphans(worker_id=options["worker_id"])
        stop = threading.Event()
        threading.Thread(
            target=housekeeping, args=(stop,), name="task-housekeeping", daemon=True
        ).start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
