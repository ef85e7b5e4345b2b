import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-key"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# With REDIS_URL (scripts/with-redis, as .ci/run does) the tests run against a real Redis
# through base.py's settings; otherwise a local-memory cache.
if not REDIS_URL:  # noqa: F405
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tests that do not exercise the worker run tasks in the request, after commit;
# tests/operations/ drive the database backend and its worker.
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "background": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
}
MEDIA_ROOT = BASE_DIR / ".test-media"  # noqa: F405
# No network here: embeds resolve through a local finder that knows test URLs only.
WAGTAILEMBEDS_FINDERS = [{"class": "tests.embed_finder.LocalVideoFinder"}]
DEMO_ACCOUNTS_ALLOWED = True
WHITENOISE_USE_FINDERS = True
COURSES_ALLOW_TEST_MODE_PAYMENTS = True  # the browser journeys pay through it

# A file-backed SQLite test database behaves like production (WAL, real locking between
# threads), which the concurrency tests rely on. PostgreSQL runs use their own test database.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # One file per test process, so two runs in the same checkout never share it.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"kap-test-{os.getpid()}.sqlite3")
    }
WAGTAILADMIN_BASE_URL = (
    "http://testserver"  # the test client's host, for absolute links
)
