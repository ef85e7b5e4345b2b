"""Take module quizzes through a running server and check that no submission is lost.

    .venv/bin/python bench/quiz.py [--submissions 10000] [--concurrency 8] [--learners 200]
                                   [--database-url URL]

Seeds the shipped curriculum and question banks, enrols learners by hand and gives each a
logged-in session (no login requests, so no rate limits), starts gunicorn with production
settings on loopback, then drives the first module's quiz from 8 concurrent clients. One
submission is: POST start, GET the attempt page, POST random answers read from that page.
Prints p50/p99 latency of each step, the error count and the "database is locked" count
(responses and the server log), and checks that every successful submission is exactly one
submitted attempt in the database. A learner who happens to pass is retired (a passed quiz
cannot be retaken); the others keep failing and retrying, as module quizzes allow.
"""

import argparse
import http.client
import os
import queue
import random
import re
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._server import (  # noqa: E402
    PYTHON,
    ROOT,
    free_port,
    manage,
    percentile,
    production_env,
    workspace,
)

LOCKED = "database is locked"
WORKERS, THREADS = 2, 4


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


class AttemptForm(HTMLParser):
    """The fields of the attempt page's form: CSRF token, radios, checkboxes, ordering."""

    def __init__(self):
        super().__init__()
        self.csrf = ""
        self.choices: dict[str, dict] = {}  # name -> {"type", "values"}
        self.ordering: dict[
            str, list[str]
        ] = {}  # question -> select names, in shown order

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name") or ""
        if tag == "input" and name == "csrfmiddlewaretoken":
            self.csrf = attrs.get("value", "")
        elif (
            tag == "input"
            and attrs.get("type") in ("radio", "checkbox")
            and name.startswith("q-")
        ):
            field = self.choices.setdefault(name, {"type": attrs["type"], "values": []})
            field["values"].append(attrs.get("value", ""))
        elif tag == "select" and name.startswith("q-"):
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


@contextmanager
def gunicorn_logged(env: dict, log_path: Path):
    """bench._server.gunicorn, with the server's stderr kept in a file to read afterwards."""
    port = free_port()
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "training.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(WORKERS),
                "--threads",
                str(THREADS),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stderr=log,
        )
        base = f"http://127.0.0.1:{port}"
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=8)
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

        idle: queue.Queue = queue.Queue()
        for learner in learners:
            idle.put(learner)  # a learner is in the queue or with exactly one client
        lock = threading.Lock()
        state = {"remaining": args.submissions, "active": len(learners)}
        start_latencies, page_latencies, submit_latencies = [], [], []
        errors: Counter = Counter()
        error_samples: list[str] = []
        counts = Counter()

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

        def one_submission(client: Client, learner: dict, rng: random.Random) -> str:
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
            start_latencies.append(elapsed)
            attempt_path = urlsplit(location).path
            if attempt_path == quiz_path:
                return "passed-before"  # "You have already passed this quiz."
            if not re.fullmatch(r"/learn/quizzes/attempts/\d+/", attempt_path):
                fail("start", f"{learner['name']} redirected to {location}")
                return "error"

            status, location, body, elapsed = client.request(
                learner, "GET", attempt_path
            )
            if status != 200:
                fail(
                    "page",
                    f"{learner['name']} {attempt_path} HTTP {status} {location}",
                    body,
                )
                return "error"
            page_latencies.append(elapsed)
            form = AttemptForm()
            form.feed(body)
            questions = len(form.choices) + len(form.ordering)
            if not form.csrf or questions == 0:
                fail(
                    "page",
                    f"{learner['name']} {attempt_path}: no form ({questions} questions)",
                )
                return "error"
            counts["questions"] += questions

            fields = [("csrfmiddlewaretoken", form.csrf), *random_answers(form, rng)]
            status, location, body, elapsed = client.request(
                learner, "POST", attempt_path, fields
            )
            if status != 302 or urlsplit(location).path != attempt_path + "result/":
                fail(
                    "submit",
                    f"{learner['name']} {attempt_path} HTTP {status} {location}",
                    body,
                )
                return "error"
            submit_latencies.append(elapsed)
            return "submitted"

        def client_loop(number: int) -> None:
            client = Client(local_base)
            rng = random.Random(number)
            while True:
                with lock:
                    if state["remaining"] <= 0:
                        break
                    state["remaining"] -= 1
                learner = take_learner()
                if learner is None:
                    with lock:
                        state["remaining"] += 1
                    break
                try:
                    outcome = one_submission(client, learner, rng)
                except Exception as error:  # noqa: BLE001 - every failure is counted
                    fail(
                        "exception",
                        f"{learner['name']} {type(error).__name__}: {error}",
                    )
                    if client.connection is not None:
                        client.connection.close()
                        client.connection = None
                    outcome = "error"
                with lock:
                    counts[outcome] += 1
                    if outcome == "passed-before":
                        state["remaining"] += (
                            1  # no submission made; retire the learner
                        )
                        state["active"] -= 1
                    else:
                        idle.put(learner)
            with lock:
                counts["reconnects"] += client.reconnects

        log_path = workdir / "gunicorn.log"
        with gunicorn_logged(env, log_path) as base:
            local_base = base
            started = time.perf_counter()
            with ThreadPoolExecutor(args.concurrency) as pool:
                list(pool.map(client_loop, range(args.concurrency)))
            elapsed = time.perf_counter() - started
        server_log = log_path.read_text(encoding="utf-8", errors="replace")

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
        server_errors = server_log.count("Internal Server Error:")
        locked_in_log = sum(1 for line in server_log.splitlines() if LOCKED in line)
        # One locked request logs the sqlite3 error and Django's wrapper of it.
        locked_tracebacks = server_log.count(
            f"django.db.utils.OperationalError: {LOCKED}"
        )
        error_total = sum(errors.values())
        locked_total = counts["locked_responses"] + locked_in_log

        ok = (
            error_total == 0
            and locked_total == 0
            and server_errors == 0
            and counts["submitted"] == args.submissions
            and attempts_submitted == counts["submitted"]
        )
        backend = "PostgreSQL" if args.database_url else "SQLite"
        print(
            f"\nQuiz submissions on {backend}: {quiz_title!r}, {args.submissions} submissions, "
            f"{args.concurrency} concurrent clients, {args.learners} learners, "
            f"gunicorn {WORKERS} workers x {THREADS} threads"
        )
        print(f"  seeding            {seed_seconds:8.1f} s")
        print(f"  wall time          {elapsed:8.1f} s")
        print(
            f"  throughput         {counts['submitted'] / elapsed:8.1f} submissions/s"
        )
        for label, values in (
            ("start", start_latencies),
            ("attempt page", page_latencies),
            ("submit", submit_latencies),
        ):
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
            f"server log lines {locked_in_log} ({locked_tracebacks} tracebacks)"
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
        for sample in error_samples:
            print("    error:", sample)
        if server_errors or locked_in_log:
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
