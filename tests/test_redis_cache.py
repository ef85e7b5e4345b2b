"""The cache the tests run against, and the Redis client that serves it.

`.ci/run` runs the caching tests again with REDIS_URL set (scripts/with-redis): this file
proves they then really go through Redis, not a local-memory stand-in.
"""

import os

from django.conf import settings
from django.core.cache import cache

from training.cache import ReusedRedisCacheClient, describe


def test_the_tests_use_redis_exactly_when_redis_url_is_set():
    backend = settings.CACHES["default"]["BACKEND"]
    if os.environ.get("REDIS_URL"):
        assert backend == "training.cache.RedisCache"
        cache.set("kap-test-probe", {"a": 1}, 30)
        raw = cache._cache.get_client()
        assert raw.exists(cache.make_key("kap-test-probe")) == 1
        assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
    else:
        assert backend == "django.core.cache.backends.locmem.LocMemCache"


def test_one_redis_client_per_connection_pool():
    client = ReusedRedisCacheClient(["redis://127.0.0.1:1/0"])
    assert client.get_client("a") is client.get_client("b")
    assert client.get_client("a", write=True) is client.get_client("b")


def test_start_up_line_names_the_cache():
    assert "Redis at redis://h:6379/0" in describe(
        {"BACKEND": "training.cache.RedisCache", "LOCATION": "redis://h:6379/0"}
    )
    assert "local memory" in describe(
        {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
    assert "django_cache" in describe(
        {"BACKEND": "django.core.cache.backends.db.DatabaseCache"}
    )


def test_production_uses_redis_for_cache_and_sessions_and_purges_a_cdn(tmp_path):
    import json
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "REDIS_URL", "DATABASE_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="training.settings.production",
        SECRET_KEY="k7$Qv9!xR2@mZ4#pL8^wT1&yB6*nH3(eJ5)uC0_fG2+dS9-aK4=oV7~iM1?qX8",
        ALLOWED_HOSTS="training.example.org",
        SQLITE_PATH=str(tmp_path / "db.sqlite3"),
        REDIS_URL="redis://cache.internal:6379/0",
        FRONTEND_CACHE_PURGE_URL="http://varnish.internal/",
    )
    script = (
        "import json; from django.conf import settings as s; print(json.dumps(["
        "s.CACHES['default']['BACKEND'], s.SESSION_ENGINE, "
        "list(s.WAGTAILFRONTENDCACHE), 'wagtail.contrib.frontend_cache' in "
        "s.INSTALLED_APPS, s.DATABASES['default']['CONN_MAX_AGE'], "
        "s.DATABASES['default']['CONN_HEALTH_CHECKS']]))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [
        "training.cache.RedisCache",
        "django.contrib.sessions.backends.cached_db",
        ["http"],
        True,
        600,
        True,
    ]
