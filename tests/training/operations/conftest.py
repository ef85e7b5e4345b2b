import pytest

# The certificate fixtures, for the storage tests.
from tests.assessments.conftest import (  # noqa: F401
    completed_learner,
    make_question,
    post_test,
)

DATABASE_TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "background": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}


@pytest.fixture
def database_tasks(settings):
    """The production arrangement: the plugin's tasks wait in the database for a worker."""
    settings.TASKS = DATABASE_TASKS
    settings.TASKS_RETRY_BACKOFF = (
        0  # retries are due at once, so one batch runs them all
    )
    settings.TASKS_MAX_ATTEMPTS = 3
    return settings


def run_worker(*extra: str) -> None:
    """The real worker command, in batch mode: it runs what is due, then returns."""
    from django.core.management import call_command

    call_command(
        "run_worker",
        "--batch",
        "--no-startup-delay",
        "--interval",
        "0",
        "--verbosity",
        "0",
        *extra,
    )
