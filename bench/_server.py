"""Shared helpers for benchmarks: an isolated database, production settings, gunicorn,
a throw-away redis-server, and the CPU time of gunicorn's workers."""

import os
import runpy
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(workdir: Path, database_url: str = "", **extra) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "training.settings.production",
        "SECRET_KEY": "bench-only-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "STRIPE_SECRET_KEY": "sk_test_bench",
        "STRIPE_WEBHOOK_SECRET": "whsec_bench_secret",
        "MEDIA_ROOT": str(workdir / "media"),
        "STATIC_ROOT": str(workdir / "static"),
        "PYTHONPATH": str(ROOT),
        "LOG_LEVEL": "WARNING",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        **extra,
    }
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env["SQLITE_PATH"] = str(workdir / "bench.sqlite3")
    return env


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


@contextmanager
def workspace():
    path = Path(tempfile.mkdtemp(prefix="kap-bench-"))
    (path / "static").mkdir()
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@contextmanager
def redis_server():
    """Debian's redis-server on a free loopback port, nothing persisted; yields its URL."""
    if not shutil.which("redis-server"):
        raise RuntimeError(
            "redis-server is not installed: apt-get install redis-server"
        )
    port = free_port()
    directory = Path(tempfile.mkdtemp(prefix="kap-bench-redis-"))
    process = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(directory),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(directory, ignore_errors=True)


class Server(str):
    """gunicorn's base URL (a str, as before), with the master's process id."""

    pid: int

    def worker_pids(self) -> list[int]:
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.pid:  # the parent's id
                children.append(int(stat.parent.name))
        return children

    def worker_cpu_seconds(self) -> float:
        """User and system CPU of the workers so far (their threads included)."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self.worker_pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / ticks


def production_gunicorn() -> dict:
    """Worker class, processes and threads as production's gunicorn.conf.py sets them
    (WEB_CONCURRENCY and GUNICORN_THREADS change them there and here alike)."""
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    return {name: config[name] for name in ("worker_class", "workers", "threads")}


@contextmanager
def gunicorn(
    env: dict,
    *,
    extra_args: tuple[str, ...] = (),
    log_path: Path | None = None,
):
    """gunicorn with production's workers and threads on a free loopback port; yields its
    base URL (a `Server`). `log_path` keeps the server's stderr in a file to read
    afterwards; `extra_args` go to gunicorn as they are."""
    shape = production_gunicorn()
    port = free_port()
    log = open(log_path, "wb") if log_path else None  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "training.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--worker-class",
            shape["worker_class"],
            "--workers",
            str(shape["workers"]),
            "--threads",
            str(shape["threads"]),
            "--log-level",
            "warning",
            *extra_args,
        ],
        cwd=ROOT,
        env=env,
        stderr=log,
    )
    base = Server(f"http://127.0.0.1:{port}")
    base.pid = process.pid
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/healthz/", timeout=2)
                break
            except Exception:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        if log:
            log.close()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]
