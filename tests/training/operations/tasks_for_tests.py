"""Tasks that fail on purpose, for the retry policy and the failed-tasks report."""

from django_tasks import task

CALLS: dict[str, int] = {}


@task(backend="background")
def always_fails(tag: str) -> None:
    CALLS[tag] = CALLS.get(tag, 0) + 1
    raise RuntimeError(f"always fails: {tag}")


@task(backend="background")
def fails_then_succeeds(tag: str, failures: int) -> str:
    CALLS[tag] = CALLS.get(tag, 0) + 1
    if CALLS[tag] <= failures:
        raise ConnectionError(f"transient failure {CALLS[tag]} for {tag}")
    return "done"
