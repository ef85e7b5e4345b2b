"""Take module quizzes through a running server and check that no submission is lost.

    .venv/bin/python bench/quiz.py [--submissions 10000] [--concurrency 8] [--learners 200]
                                   [--database-url URL]

Seeds the shipped curriculum and question banks, enrols learners by hand and gives each a
logged-in session (no login requests, so no rate limits), starts gunicorn with production
settings on loopback, then drives the first module's quiz from 8 concurrent clients. One
submission is: POST start, GET the attempt page, POST random answers read from that page.
Prints p50/p99 latency of each step, the error count and the "database is locked" count
(responses and the server log), on SQLite how long requests waited for the write lock and
held it (timed inside gunicorn's workers), and checks that every successful submission is
exactly one submitted attempt in the database. `bench/load.py` (make bench) runs the same
clients against its own data set. A learner who happens to pass is retired (a passed quiz
cannot be retaken); the others keep failing and retrying, as module quizzes allow.
"""

import argparse
import html
import http.client
import json
import os
import queue
import random
import re
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._server import (  # noqa: E402
    gunicorn,
    manage,
    percentile,
    production_env,
    production_gunicorn,
    workspace,
)

LOCKED = "database is locked"


def seed_learners(count: int) -> tuple[int, str, list[dict]]:
    """The first Foundations module quiz, its title, and `count` enrolled, logged-in learners."""
    import django

    django.setup()
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils.crypto import get_random_string

    from assessments.curriculum.loader import load_question_banks
    from assessments.models import Quiz, QuizKind
    from courses import access, services
    from courses.curriculum.loader import load_curriculum
    from courses.models import CoursePage

    load_curriculum()
    load_question_banks()
    course = CoursePage.objects.get(slug="foundations-of-kap")
    first_module = course.modules[0]
    quiz = Quiz.objects.get(module=first_module, kind=QuizKind.MODULE, is_active=True)
    assert quiz.attempt_limit is None and quiz.is_graded, (
        "expected an unlimited graded quiz"
    )

    SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
    User = get_user_model()
    learners = []
    for index in range(count):
        user = User(username=f"quiz{index}", email=f"quiz{index}@example.com")
        user.set_unusable_password()  # production hashing would dominate the set-up time
        user.save()
        services.enrolment_grant(user=user, course=course, actor=None, reason="bench")
        session = SessionStore()
        session["_auth_user_id"] = str(user.pk)
        session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        session["_auth_user_hash"] = user.get_session_auth_hash()
        session.create()
        learners.append(
            {
                "name": user.username,
                "sessionid": session.session_key,
                # A CSRF secret is 32 letters and digits; the server accepts one we choose.
                "csrftoken": get_random_string(32),
            }
        )
    assert access.module_access(user, first_module.specific).allowed, (
        "module 1 is locked"
    )
    connection.close()  # hold nothing open on the database while the server runs
    return quiz.pk, quiz.title, learners


FIELD_TAG = re.compile(r"<(input|select)\b([^>]*)>", re.IGNORECASE)
ATTRIBUTE = re.compile(r'([\w:-]+)\s*=\s*"([^"]*)"')


class AttemptForm:
    """The fields of the attempt page's form: CSRF token, radios, checkboxes, ordering.
    Read with two regular expressions, not an HTML parser: the clients share the two
    cores with the server they measure, so they should cost it little."""

    def __init__(self):
        self.csrf = ""
        self.choices: dict[str, dict] = {}  # name -> {"type", "values"}
        self.ordering: dict[str, list[str]] = {}  # question -> selects, in shown order

    def feed(self, page: str) -> None:
        for tag, text in FIELD_TAG.findall(page):
            attrs = dict(ATTRIBUTE.findall(text))
            name = html.unescape(attrs.get("name", ""))
            kind = attrs.get("type", "")
            if tag.lower() == "input" and name == "csrfmiddlewaretoken":
                self.csrf = attrs.get("value", "")
            elif kind in ("radio", "checkbox") and name.startswith("q-"):
                field = self.choices.setdefault(name, {"type": kind, "values": []})
                field["values"].append(html.unescape(attrs.get("value", "")))
            elif tag.lower() == "select" and name.startswith("q-"):
                question, _, _option = name[2:].partition("-")
                self.ordering.setdefault(question, []).append(name)


def random_answers(form: AttemptForm, rng: random.Random) -> list[tuple[str, str]]:
    """Answer every question with random options; the key is not on the page."""
    fields = []
    for name, field in form.choices.items():
        if field["type"] == "radio":
            fields.append((name, rng.choice(field["values"])))
        else:
            picked = rng.sample(field["values"], rng.randint(1, len(field["values"])))
            fields.extend((name, value) for value in picked)
    for names in form.ordering.values():
        positions = list(range(1, len(names) + 1))
        rng.shuffle(positions)
        fields.extend(
            (name, str(position))
            for name, position in zip(names, positions, strict=True)
        )
    return fields


class Client:
    """One browser: a keep-alive connection, cookies we hold ourselves, HTTPS via the proxy
    header (the production settings trust X-Forwarded-Proto)."""

    def __init__(self, base: str):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.origin = f"https://{self.host}:{self.port}"
        self.connection = None
        self.reconnects = 0

    def request(self, learner: dict, method: str, path: str, fields=None):
        headers = {
            "X-Forwarded-Proto": "https",
            "Cookie": f"sessionid={learner['sessionid']}; csrftoken={learner['csrftoken']}",
        }
        body = None
        if method == "POST":
            body = urlencode(fields or []).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = self.origin + path
        for retry in (False, True):
            reused = self.connection is not None
            if self.connection is None:
                self.connection = http.client.HTTPConnection(
                    self.host, self.port, timeout=60
                )
            started = time.perf_counter()
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                text = response.read().decode("utf-8", "replace")
            except (
                http.client.RemoteDisconnected,
                BrokenPipeError,
                ConnectionResetError,
            ):
                self.connection.close()
                self.connection = None
                # Only a kept-alive connection the server closed while idle is retried:
                # it never answered, so the request was not processed.
                if reused and not retry:
                    self.reconnects += 1
                    continue
                raise
            elapsed = time.perf_counter() - started
            break
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            if name.strip() in ("sessionid", "csrftoken"):
                value = rest.split(";", 1)[0]
                if value:
                    learner[name.strip()] = value
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
            self.connection = None
        return response.status, response.getheader("Location", ""), text, elapsed


# --- The SQLite write lock, measured inside gunicorn's workers ---------------------------------

# A gunicorn config file: times BEGIN IMMEDIATE (the wait for SQLite's write lock) and
# BEGIN-to-COMMIT (how long the lock is held) in every worker, and writes the figures to
# STATS_DIR when the worker exits. Other settings are appended by the caller.
LOCK_TIMING_CONFIG = """
import json, os, threading, time

STATS_DIR = {stats_dir!r}
_STATS = {{"wait": [], "hold": []}}


def _time_the_write_lock():
    from django.db.backends.sqlite3.base import DatabaseWrapper

    lock = threading.Lock()
    begin = DatabaseWrapper._start_transaction_under_autocommit
    commit, rollback = DatabaseWrapper._commit, DatabaseWrapper._rollback

    def timed_begin(self):
        started = time.perf_counter()
        begin(self)
        self._bench_lock_acquired = time.perf_counter()
        with lock:
            _STATS["wait"].append(self._bench_lock_acquired - started)

    def releasing(original):
        def release(self):
            try:
                return original(self)
            finally:
                acquired = self.__dict__.pop("_bench_lock_acquired", None)
                if acquired is not None:
                    with lock:
                        _STATS["hold"].append(time.perf_counter() - acquired)
        return release

    DatabaseWrapper._start_transaction_under_autocommit = timed_begin
    DatabaseWrapper._commit = releasing(commit)
    DatabaseWrapper._rollback = releasing(rollback)


def post_worker_init(worker):
    if STATS_DIR:
        _time_the_write_lock()
    _bench_post_worker_init(worker)


def worker_exit(server, worker):
    if STATS_DIR:
        path = os.path.join(STATS_DIR, f"lock-{{os.getpid()}}.json")
        with open(path, "w") as handle:
            json.dump(_STATS, handle)


def _bench_post_worker_init(worker):
    pass
"""


def lock_timing_config(stats_dir: str, extra: str = "") -> str:
    """The config file's text; `extra` may define `_bench_post_worker_init(worker)`."""
    return LOCK_TIMING_CONFIG.format(stats_dir=stats_dir) + extra


def read_lock_stats(stats_dir: Path) -> dict | None:
    waits, holds = [], []
    for path in stats_dir.glob("lock-*.json"):
        data = json.loads(path.read_text())
        waits += data["wait"]
        holds += data["hold"]
    if not waits:
        return None
    return {
        "transactions": len(waits),
        "wait_total_s": sum(waits),
        "wait_p50_ms": percentile(waits, 0.5) * 1000,
        "wait_p99_ms": percentile(waits, 0.99) * 1000,
        "hold_total_s": sum(holds),
        "hold_p50_ms": percentile(holds, 0.5) * 1000,
        "hold_p99_ms": percentile(holds, 0.99) * 1000,
    }


# --- The clients --------------------------------------------------------------------------------


def drive(
    base: str,
    quiz_id: int,
    learners: list[dict],
    *,
    submissions: int,
    concurrency: int,
    warmup: int = 0,
) -> dict:
    """`submissions` quiz submissions (start, attempt page, submit with random answers)
    from `concurrency` clients, each with one learner at a time. The first `warmup` of
    them are made and checked but not timed: each server process's first requests load
    templates, URL patterns and caches, as the page runs' warm-up seconds allow for."""
    idle: queue.Queue = queue.Queue()
    for learner in learners:
        idle.put(learner)  # a learner is in the queue or with exactly one client
    lock = threading.Lock()
    state = {"remaining": submissions, "active": len(learners)}
    latencies = {"start": [], "page": [], "submit": []}
    errors: Counter = Counter()
    error_samples: list[str] = []
    counts: Counter = Counter()

    def fail(step: str, detail: str, body: str = "") -> None:
        with lock:
            errors[step] += 1
            if LOCKED in body:
                counts["locked_responses"] += 1
            if len(error_samples) < 10:
                error_samples.append(f"{step}: {detail}")

    def take_learner():
        while True:
            try:
                return idle.get(timeout=0.5)
            except queue.Empty:
                with lock:
                    if state["active"] == 0 or state["remaining"] <= 0:
                        return None

    def one_submission(
        client: Client, learner: dict, rng: random.Random, timed: bool
    ) -> str:
        """Returns "submitted", "passed-before" (learner retired), or "error"."""
        quiz_path = f"/learn/quizzes/{quiz_id}/"
        status, location, body, elapsed = client.request(
            learner,
            "POST",
            f"{quiz_path}start/",
            [("csrfmiddlewaretoken", learner["csrftoken"])],
        )
        if status != 302:
            fail("start", f"{learner['name']} HTTP {status}", body)
            return "error"
        if timed:
            latencies["start"].append(elapsed)
        attempt_path = urlsplit(location).path
        if attempt_path == quiz_path:
            return "passed-before"  # "You have already passed this quiz."
        if not re.fullmatch(r"/learn/quizzes/attempts/\d+/", attempt_path):
            fail("start", f"{learner['name']} redirected to {location}")
            return "error"

        status, location, body, elapsed = client.request(learner, "GET", attempt_path)
        if status != 200:
            fail("page", f"{learner['name']} {attempt_path} HTTP {status}", body)
            return "error"
        if timed:
            latencies["page"].append(elapsed)
        form = AttemptForm()
        form.feed(body)
        questions = len(form.choices) + len(form.ordering)
        if not form.csrf or questions == 0:
            fail("page", f"{learner['name']} {attempt_path}: no form")
            return "error"
        counts["questions"] += questions

        fields = [("csrfmiddlewaretoken", form.csrf), *random_answers(form, rng)]
        status, location, body, elapsed = client.request(
            learner, "POST", attempt_path, fields
        )
        if status != 302 or urlsplit(location).path != attempt_path + "result/":
            fail("submit", f"{learner['name']} {attempt_path} HTTP {status}", body)
            return "error"
        if timed:
            latencies["submit"].append(elapsed)
        return "submitted"

    def client_loop(number: int) -> None:
        client = Client(base)
        rng = random.Random(number)
        while True:
            with lock:
                if state["remaining"] <= 0:
                    break
                state["remaining"] -= 1
                timed = submissions - state["remaining"] > warmup
            learner = take_learner()
            if learner is None:
                with lock:
                    state["remaining"] += 1
                break
            try:
                outcome = one_submission(client, learner, rng, timed)
            except Exception as error:  # noqa: BLE001 - every failure is counted
                fail("exception", f"{learner['name']} {type(error).__name__}: {error}")
                if client.connection is not None:
                    client.connection.close()
                    client.connection = None
                outcome = "error"
            with lock:
                counts[outcome] += 1
                if outcome == "passed-before":
                    state["remaining"] += 1  # no submission made; retire the learner
                    state["active"] -= 1
                else:
                    idle.put(learner)
        with lock:
            counts["reconnects"] += client.reconnects

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(client_loop, range(concurrency)))
    return {
        "elapsed": time.perf_counter() - started,
        "latencies": latencies,
        "errors": errors,
        "error_samples": error_samples,
        "counts": counts,
    }


def locked_in_log(server_log: str) -> int:
    return sum(1 for line in server_log.splitlines() if LOCKED in line)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--warmup", type=int, default=100, help="first submissions, untimed"
    )
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    args = parser.parse_args()
    if args.learners < args.concurrency:
        parser.error("--learners must be at least --concurrency")

    with workspace() as workdir:
        env = production_env(workdir, args.database_url)
        if args.database_url:
            manage(env, "flush", "--noinput")
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "createcachetable")
        manage(
            env, "collectstatic", "--noinput", "-v", "0"
        )  # the manifest storage needs it
        os.environ.update({k: v for k, v in env.items() if k != "PYTHONPATH"})
        seed_started = time.perf_counter()
        quiz_id, quiz_title, learners = seed_learners(args.learners)
        seed_seconds = time.perf_counter() - seed_started

        stats_dir = workdir / "lock-stats"
        stats_dir.mkdir()
        config = workdir / "gunicorn_quiz.py"
        config.write_text(
            lock_timing_config("" if args.database_url else str(stats_dir))
        )
        log_path = workdir / "gunicorn.log"
        with gunicorn(
            env,
            extra_args=("--config", str(config)),
            log_path=log_path,
        ) as base:
            run = drive(
                base,
                quiz_id,
                learners,
                submissions=args.submissions,
                concurrency=args.concurrency,
                warmup=min(args.warmup, args.submissions // 10),
            )
        server_log = log_path.read_text(encoding="utf-8", errors="replace")
        lock_stats = read_lock_stats(stats_dir)

        from assessments.models import Attempt, AttemptStatus

        submitted_rows = Attempt.objects.filter(
            quiz_id=quiz_id, status=AttemptStatus.SUBMITTED
        )
        attempts_submitted = submitted_rows.count()
        attempts_open = (
            Attempt.objects.filter(quiz_id=quiz_id)
            .exclude(status=AttemptStatus.SUBMITTED)
            .count()
        )
        passed = submitted_rows.filter(passed=True).count()
        counts, errors = run["counts"], run["errors"]
        server_errors = server_log.count("Internal Server Error:")
        locked_lines = locked_in_log(server_log)
        # One locked request logs the sqlite3 error and Django's wrapper of it.
        locked_tracebacks = server_log.count(
            f"django.db.utils.OperationalError: {LOCKED}"
        )
        error_total = sum(errors.values())
        locked_total = counts["locked_responses"] + locked_lines

        ok = (
            error_total == 0
            and locked_total == 0
            and server_errors == 0
            and counts["submitted"] == args.submissions
            and attempts_submitted == counts["submitted"]
        )
        backend = "PostgreSQL" if args.database_url else "SQLite"
        elapsed = run["elapsed"]
        print(
            f"\nQuiz submissions on {backend}: {quiz_title!r}, {args.submissions} submissions, "
            f"{args.concurrency} concurrent clients, {args.learners} learners, "
            "gunicorn {workers} workers x {threads} threads".format(
                **production_gunicorn()
            )
        )
        print(f"  seeding            {seed_seconds:8.1f} s")
        print(f"  wall time          {elapsed:8.1f} s")
        print(
            f"  throughput         {counts['submitted'] / elapsed:8.1f} submissions/s"
        )
        for label, key in (
            ("start", "start"),
            ("attempt page", "page"),
            ("submit", "submit"),
        ):
            values = run["latencies"][key]
            print(
                f"  {label:13s} p50 {percentile(values, 0.5) * 1000:8.1f} ms"
                f"   p99 {percentile(values, 0.99) * 1000:8.1f} ms   (n={len(values)})"
            )
        print(
            f"  submitted          {counts['submitted']:8d}   expected {args.submissions}"
        )
        print(
            f"  errors             {error_total:8d}   "
            + (", ".join(f"{k} {v}" for k, v in sorted(errors.items())) or "none")
        )
        print(
            f"  database is locked {locked_total:8d}   responses {counts['locked_responses']}, "
            f"server log lines {locked_lines} ({locked_tracebacks} tracebacks)"
        )
        if lock_stats:
            print(
                f"  SQLite write lock  waited {lock_stats['wait_total_s']:.1f} s in all "
                f"(p50 {lock_stats['wait_p50_ms']:.1f} ms, p99 "
                f"{lock_stats['wait_p99_ms']:.1f} ms); held p50 "
                f"{lock_stats['hold_p50_ms']:.1f} ms, p99 {lock_stats['hold_p99_ms']:.1f} "
                f"ms, busy {100 * lock_stats['hold_total_s'] / elapsed:.0f} % of the run"
            )
        print(f"  server 500s logged {server_errors:8d}")
        print(
            f"  attempt rows       {attempts_submitted:8d} submitted (expected {counts['submitted']}),"
            f" {attempts_open} still open, {passed} passed"
        )
        print(
            f"  learners retired   {counts['passed-before']:8d}   (passed, so cannot retake);"
            f" kept-alive reconnects {counts['reconnects']}"
        )
        for sample in run["error_samples"]:
            print("    error:", sample)
        if server_errors or locked_lines:
            first = server_log.find("Traceback")
            print("  first server traceback:")
            print("    " + server_log[first : first + 4000].replace("\n", "\n    "))
        print(
            "  RESULT",
            "OK: no errors, no lock errors, every submission stored"
            if ok
            else "FAILED",
        )
        sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
