"""Gunicorn settings for the web process (`gunicorn -c gunicorn.conf.py`).

Everything a deployment tunes comes from the environment; see docs/deploy.md.
"""

import os

wsgi_app = "training.wsgi:application"
bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this container may use
    except AttributeError:
        return os.cpu_count() or 1


# Processes, not threads, by default: a quiz start is CPU-bound Python, and threads that
# share one interpreter lock stretch every request behind it. On 2 cores, `make bench`
# measured 4 single-threaded workers against 2 workers of 4 threads: quiz submit p99 86
# against 204 ms and start p99 136 against 265 ms on PostgreSQL (README, Performance).
# Sync workers accept a connection only when free, so the kernel spreads requests over
# idle processes; a one-thread gthread worker queues connections it cannot serve yet
# (measured: quiz submit p99 207 against 86 ms). GUNICORN_THREADS above 1 switches
# gunicorn to gthread by itself. Sync workers want a buffering proxy in front (the load
# balancer), as every deployment here has.
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * _cores()))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
keepalive = 5
# Recycle workers now and then so a slow leak never becomes an outage.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = max_requests // 10
# Only the load balancer may say a request came over HTTPS (X-Forwarded-Proto).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"  # heartbeat files off a possibly slow disk

# Django logs one JSON line per request (operations.middleware), with its request id;
# gunicorn's own access log would duplicate it without the id.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
if os.environ.get("LOG_FORMAT", "json") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
                "rename_fields": {
                    "asctime": "time",
                    "levelname": "level",
                    "name": "logger",
                },
                "static_fields": {"request_id": "-"},
            }
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "gunicorn.error": {
                "handlers": ["console"],
                "level": loglevel.upper(),
                "propagate": False,
            }
        },
    }
