"""/healthz/ and /readyz/, request ids on every log line, JSON logs, Sentry."""

import gzip
import json
import logging
import socket
import subprocess
import sys
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from courses.tasks import queue_email
from training.operations.logs import RequestIdFilter

ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthz_is_cheap(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz/")
    assert response.status_code == 200 and response.content == b"ok"


def test_readyz_reports_each_service(client):
    response = client.get("/readyz/")
    assert response.status_code == 200
    assert response.json() == {
        "ready": True,
        "checks": {
            "database": {"ok": True},
            "cache": {"ok": True},
            "storage": {"ok": True},
            "tasks": {"ok": True, "backend": "immediate"},
        },
    }
    assert "no-cache" in response["Cache-Control"]


def test_readyz_is_503_when_the_cache_is_down(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        }
    }
    response = client.get("/readyz/")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["cache"] == {"ok": False, "error": "ConnectionError"}
    assert checks["database"]["ok"] and checks["storage"]["ok"]


def test_readyz_is_503_when_tasks_wait_too_long(
    client, database_tasks, django_capture_on_commit_callbacks
):
    database_tasks.TASKS_MAX_PENDING_AGE = 60
    with django_capture_on_commit_callbacks(execute=True):
        queue_email(key="waiting", to=["a@example.com"], subject="s", body="b")
    fresh = client.get("/readyz/")
    assert fresh.status_code == 200
    assert fresh.json()["checks"]["tasks"]["oldest_pending_seconds"] < 60

    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(minutes=5))
    stale = client.get("/readyz/")
    assert stale.status_code == 503
    assert stale.json()["checks"]["tasks"] == {"ok": False, "error": "RuntimeError"}


def test_every_response_carries_a_request_id(client):
    made = client.get("/healthz/")["X-Request-ID"]
    assert len(made) == 32 and int(made, 16) >= 0
    kept = client.get("/healthz/", HTTP_X_REQUEST_ID="lb-7f3a9c21-0001")
    assert kept["X-Request-ID"] == "lb-7f3a9c21-0001"
    refused = client.get("/healthz/", HTTP_X_REQUEST_ID="bad id <script>")
    assert refused["X-Request-ID"] != "bad id <script>"


def test_request_log_lines_are_json_with_the_request_id(client, settings):
    from django.utils.module_loading import import_string

    settings.LOG_REQUESTS = True
    lines = []

    class ListHandler(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    options = dict(settings.LOGGING["formatters"]["json"])
    handler = ListHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(
        import_string(options.pop("()"))(options.pop("format"), **options)
    )
    access = logging.getLogger("operations.access")
    access.addHandler(handler)
    try:
        response = client.get(
            "/readyz/?session_id=secret", HTTP_X_REQUEST_ID="req-0123456789"
        )
    finally:
        access.removeHandler(handler)
    record = json.loads(lines[-1])
    assert record["request_id"] == response["X-Request-ID"] == "req-0123456789"
    assert record["level"] == "INFO" and record["logger"] == "operations.access"
    assert record["path"] == "/readyz/" and record["status"] == 200
    assert "secret" not in lines[-1]  # no query strings in logs


class Collector(BaseHTTPRequestHandler):
    bodies: list[bytes] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        elif self.headers.get("Content-Encoding") == "br":
            import brotli

            body = brotli.decompress(body)
        Collector.bodies.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def test_production_reports_errors_to_sentry_when_a_dsn_is_set(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        env = {
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "training.settings.production",
            "SECRET_KEY": "x" * 60,
            "ALLOWED_HOSTS": "training.example.org",
            "STRIPE_SECRET_KEY": "sk_test_placeholder",
            "STRIPE_WEBHOOK_SECRET": "whsec_placeholder",
            "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
            "SENTRY_DSN": f"http://publickey@127.0.0.1:{server.server_port}/42",
        }
        result = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "shell",
                "-c",
                "import logging; logging.getLogger('kap.probe').error('sentry probe 7731')",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr
    # The JSON log line went out too, with its request id field.
    line = next(
        json.loads(text)
        for text in result.stderr.splitlines()
        if "sentry probe 7731" in text
    )
    assert line["level"] == "ERROR" and line["request_id"] == "-"
    events = b"\n".join(Collector.bodies).decode()
    assert "sentry probe 7731" in events
    assert '"request_id":"-"' in events.replace(" ", "")
