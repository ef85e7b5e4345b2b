"""App settings with defaults (prefix ASSESSMENTS_)."""

from django.conf import settings


def _get(name, default):
    return getattr(settings, f"ASSESSMENTS_{name}", default)


def post_test_attempt_limit() -> int:
    return _get("POST_TEST_ATTEMPT_LIMIT", 2)


def default_pass_mark() -> int:
    return _get("DEFAULT_PASS_MARK", 75)
