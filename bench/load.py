"""The load benchmark behind `make bench`: pages, quiz submissions and webhook replay.

    .venv/bin/python bench/load.py [--duration 10] [--submissions 2000] [--events 1000]
    scripts/with-postgres .venv/bin/python bench/load.py      # PostgreSQL
    make bench          # both, then one table with SQLite and PostgreSQL side by side

Builds an isolated database (a SQLite file in a temporary directory, or a database of its
own on the PostgreSQL server that DATABASE_URL / --database-url points at, dropped
afterwards) and a redis-server of its own (Debian's package; `--cache database` uses the
database cache instead), runs migrate, createcachetable and collectstatic with the
production settings (DEBUG off, the manifest static storage, REDIS_URL), and seeds the data
set in bench/seed.py. Then, against gunicorn on loopback (production's workers and threads):

1. Pages. For each, wrk (Debian's package) runs a warm-up and then a measured run at 8
   connections. Lua scripts add the logged-in session cookie and the X-Forwarded-Proto:
   https header the production settings trust. The workers' CPU time (from /proc) over the
   measured run, divided by its requests, is the worker CPU per request. Each page is also
   given as a ratio to the bare view (/healthz/) of the same run. Queries per request are
   counted separately in this process, with Django's test client on the same database and
   cache, on a warm second request.
2. Quiz. 8 clients take the first module's quiz (POST start, GET the attempt page, POST
   random answers) until --submissions are made, as bench/quiz.py does; on SQLite the
   workers time every wait for the write lock and how long it is held.
3. Webhooks. --events signed checkout.session.completed events for orders made through
   checkout_start, 20 % of them redeliveries, from 8 senders (bench/webhooks.py); then the
   database must hold exactly one paid order and one enrolment per unique event.

`--json PATH` writes the figures for bench/report.py, which prints the combined table.

One thing differs from production on purpose: the public verification page's per-address
rate limit is lifted (wrk sends everything from one address, so it would measure the 429
page).
"""

import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager, nullcontext
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import quiz as quiz_bench  # noqa: E402
from bench import webhooks as webhook_bench  # noqa: E402
from bench._server import (  # noqa: E402
    gunicorn,
    manage,
    percentile,
    production_env,
    production_gunicorn,
    redis_server,
    workspace,
)

NO_RATE_LIMIT = (10**9, 60)

# Appended to quiz.LOCK_TIMING_CONFIG: called in every worker after it starts.
GUNICORN_EXTRA = f"""

def _bench_post_worker_init(worker):
    # wrk sends every request from 127.0.0.1: lift the verification page's per-address
    # rate limit, or the benchmark would measure the 429 page.
    from django.conf import settings

    settings.ASSESSMENTS_VERIFICATION_RATE_LIMIT = {NO_RATE_LIMIT!r}
"""

# One request per call, rotating through prepared requests; counts unexpected statuses.
LUA_ROTATE = """
local items = %(items)s
local expect = %(expect)d
local prepared = {}
local position = 0
local threads = {}
unexpected = 0

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for index, item in ipairs(items) do
    local headers = {["X-Forwarded-Proto"] = "https"}
    if item[2] ~= "" then headers["Cookie"] = item[2] end
    prepared[index] = wrk.format("GET", item[1], headers)
  end
  position = math.random(#prepared) - 1
end

function request()
  position = position %% #prepared + 1
  return prepared[position]
end

function response(status, headers, body)
  if status ~= expect then unexpected = unexpected + 1 end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("unexpected") end
  io.write(string.format("BENCH unexpected=%%d\\n", total))
end
"""


def lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string of ASCII is a valid Lua string literal


def lua_table(rows) -> str:
    return (
        "{"
        + ", ".join("{" + ", ".join(lua_string(v) for v in row) + "}" for row in rows)
        + "}"
    )


# --- The database ------------------------------------------------------------------------


@contextmanager
def isolated_postgres(server_url: str):
    """A database of our own on the server `server_url` points at; dropped afterwards."""
    import psycopg

    parts = urlsplit(server_url)
    name = f"kap_bench_{os.getpid()}"
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001 - Django may not be set up if we failed early
            pass
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_label(url: str) -> str:
    if not url:
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version} (WAL)"
    import psycopg

    with psycopg.connect(url) as connection:
        version = connection.execute("SHOW server_version").fetchone()[0]
    return f"PostgreSQL {version.split()[0]}"


# --- Queries per request, in this process ------------------------------------------------


def count_queries(data: dict) -> dict:
    """Each endpoint once warm, through Django's test client, as wrk will request it:
    (all SQL statements, those the database cache ran)."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ASSESSMENTS_VERIFICATION_RATE_LIMIT = NO_RATE_LIMIT

    def client_for(session):
        client = Client(HTTP_HOST="127.0.0.1", headers={"X-Forwarded-Proto": "https"})
        if session:
            client.cookies["sessionid"] = session["sessionid"]
            client.cookies["csrftoken"] = session["csrftoken"]
        return client

    def measure(client, method, path, expect):
        with (
            CaptureQueriesContext(connection) as context,
            cache_statements(connection) as in_cache,
        ):
            response = getattr(client, method)(path)
        if response.status_code != expect:
            raise RuntimeError(
                f"{method.upper()} {path}: {response.status_code}, expected {expect}"
            )
        return len(context.captured_queries), in_cache["count"], response

    counts = {"healthz": (0, 0)}
    reader = data["readers"][0]
    for key, path, session in (
        ("home", "/", None),
        ("catalogue", data["catalogue"], None),
        ("course_anonymous", data["course"], None),
        ("course_enrolled", data["course"], reader),
        ("module_enrolled", data["module"], reader),
        ("dashboard", "/learn/my-courses/", reader),
        ("verify", f"/certificates/verify/{data['certificate_codes'][0]}/", None),
    ):
        client = client_for(session)
        measure(client, "get", path, 200)  # warm: templates, caches, learner state
        total, cache, _ = measure(client, "get", path, 200)
        counts[key] = (total, cache)
    client = client_for(data["quizzers"][-1])
    start_path = f"/learn/quizzes/{data['quiz_id']}/start/"
    total_start, cache_start, response = measure(client, "post", start_path, 302)
    total_submit, cache_submit, _ = measure(client, "post", response["Location"], 302)
    counts["quiz_start"] = (total_start, cache_start)
    counts["quiz_submit"] = (total_submit, cache_submit)
    connection.close()
    return counts


@contextmanager
def cache_statements(connection):
    """Count the SQL statements (transaction control included) that the database cache
    backend runs, by watching the query log around each of its public methods."""
    from django.core.cache.backends.db import DatabaseCache

    names = [
        "get", "get_many", "set", "set_many", "add", "touch", "delete", "delete_many",
        "has_key", "incr", "decr", "get_or_set", "clear",
    ]  # fmt: skip
    state = {"count": 0, "depth": 0}
    originals = {name: DatabaseCache.__dict__.get(name) for name in names}

    def watched(method):
        def inner(self, *args, **kwargs):
            before = len(connection.queries_log)
            state["depth"] += 1
            try:
                return method(self, *args, **kwargs)
            finally:
                state["depth"] -= 1
                if state["depth"] == 0:
                    state["count"] += len(connection.queries_log) - before

        return inner

    for name in names:
        setattr(DatabaseCache, name, watched(getattr(DatabaseCache, name)))
    try:
        yield state
    finally:
        for name, method in originals.items():
            if method is None:
                delattr(DatabaseCache, name)  # it was inherited from BaseCache
            else:
                setattr(DatabaseCache, name, method)


# --- wrk -----------------------------------------------------------------------------------


def duration_ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[unit]


def run_wrk(
    url: str, script: Path, *, duration: int, connections: int, threads: int
) -> dict:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "30s",
        "--latency",
        "-s",
        str(script),
        url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    result = {"output": output}
    result["rps"] = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    for label, key in (("50%", "p50"), ("99%", "p99")):
        match = re.search(rf"^\s+{re.escape(label)}\s+(\S+)", output, re.MULTILINE)
        result[key] = duration_ms(match.group(1))
    result["requests"] = int(re.search(r"(\d+) requests in", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    result["errors"] = (int(non_2xx.group(1)) if non_2xx else 0) + (
        sum(int(n) for n in socket.groups()) if socket else 0
    )
    bench = dict(
        re.findall(
            r"(\w+)=(\d+)", re.search(r"^BENCH (.*)$", output, re.MULTILINE).group(1)
        )
    )
    result["unexpected"] = int(bench.pop("unexpected"))
    result["extra"] = {k: int(v) for k, v in bench.items()}
    return result


def write_scripts(workdir: Path, data: dict) -> dict:
    """The Lua script of every page row."""
    readers = [
        (f"sessionid={s['sessionid']}; csrftoken={s['csrftoken']}")
        for s in data["readers"]
    ]

    def rotate(name, paths_and_cookies, expect=200):
        path = workdir / f"{name}.lua"
        path.write_text(
            LUA_ROTATE % {"items": lua_table(paths_and_cookies), "expect": expect}
        )
        return path

    verify_paths = [
        f"/certificates/verify/{code}/" for code in data["certificate_codes"]
    ]
    return {
        "healthz": rotate("healthz", [("/healthz/", "")]),
        "home": rotate("home", [("/", "")]),
        "catalogue": rotate("catalogue", [(data["catalogue"], "")]),
        "course_anonymous": rotate("course_anonymous", [(data["course"], "")]),
        "course_enrolled": rotate(
            "course_enrolled", [(data["course"], c) for c in readers]
        ),
        "module_enrolled": rotate(
            "module_enrolled", [(data["module"], c) for c in readers]
        ),
        "dashboard": rotate("dashboard", [("/learn/my-courses/", c) for c in readers]),
        "verify": rotate("verify", [(p, "") for p in verify_paths]),
    }


ROWS = [
    # key, label, who
    ("healthz", "bare Django view /healthz/", "anonymous"),
    ("home", "home page", "anonymous"),
    ("catalogue", "catalogue", "anonymous"),
    ("course_anonymous", "course page", "anonymous"),
    ("course_enrolled", "course page", "enrolled learner"),
    ("module_enrolled", "module page", "enrolled learner"),
    ("dashboard", "dashboard", "enrolled learner"),
    ("verify", "certificate verification", "anonymous"),
]


# --- The run ---------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--duration", type=int, default=10, help="seconds per page")
    parser.add_argument("--warmup", type=int, default=2, help="seconds per page")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--submissions", type=int, default=2000, help="quiz; 0 skips")
    parser.add_argument(
        "--quiz-warmup", type=int, default=100, help="first submissions, not timed"
    )
    parser.add_argument("--events", type=int, default=1000, help="webhooks; 0 skips")
    parser.add_argument("--duplicates", type=float, default=0.2)
    parser.add_argument(
        "--cache", choices=["redis", "database"], default="redis", help="production's"
    )
    parser.add_argument("--json", default="", help="write the figures here")
    parser.add_argument(
        "--static-root",
        default="",
        help="collect static files here and reuse them if already collected",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk (make bench does this)")

    started = time.perf_counter()
    with (
        workspace() as workdir,
        (
            isolated_postgres(args.database_url)
            if args.database_url
            else nullcontext("")
        ) as database_url,
        redis_server() if args.cache == "redis" else nullcontext("") as redis_url,
    ):
        static_root = Path(args.static_root) if args.static_root else workdir / "static"
        extra = {"STATIC_ROOT": str(static_root)}
        if redis_url:
            extra["REDIS_URL"] = redis_url
        env = production_env(workdir, database_url, **extra)
        label = database_label(database_url)
        print(f"\n== {label}: migrate, collectstatic, seed", flush=True)
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "createcachetable")
        if not (static_root / "staticfiles.json").exists():
            static_root.mkdir(parents=True, exist_ok=True)
            manage(env, "collectstatic", "--noinput", "-v", "0")
        os.environ.update({k: v for k, v in env.items() if k != "PYTHONPATH"})
        import django

        django.setup()
        from bench.seed import seed

        seed_started = time.perf_counter()
        data = seed()
        print(
            f"   seeded in {time.perf_counter() - seed_started:.0f} s: {data['counts']}",
            flush=True,
        )
        hook_sessions = []
        if args.events:
            unique = round(args.events * (1 - args.duplicates))
            hook_sessions = webhook_bench.seed_orders(unique, prefix="hook", load=False)
            print(f"   {unique} pending orders for the webhook replay", flush=True)
        settle()
        queries = count_queries(data)

        results = {
            "label": label,
            "database": "postgresql" if database_url else "sqlite",
            "cache": args.cache,
            "date": datetime.date.today().isoformat(),
            "cpus": os.cpu_count(),
            "gunicorn": production_gunicorn(),
            "args": vars(args),
            "counts": data["counts"],
            "queries": queries,
            "pages": {},
        }
        load_before = os.getloadavg()[0]
        results["pages"] = run_pages(env, workdir, data, args)
        if args.submissions:
            results["quiz"] = run_quiz(env, workdir, data, args)
        if args.events:
            results["webhooks"] = run_webhooks(env, workdir, hook_sessions, args)
        results["load"] = [load_before, os.getloadavg()[0]]
    results["elapsed"] = time.perf_counter() - started
    print_table(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, default=str))
    failed = results.get("quiz", {}).get("ok") is False or (
        results.get("webhooks", {}).get("ok") is False
    )
    sys.exit(1 if failed else 0)


def run_pages(env, workdir, data, args) -> dict:
    config = workdir / "gunicorn_pages.py"
    config.write_text(quiz_bench.lock_timing_config("", GUNICORN_EXTRA))
    log_path = workdir / "gunicorn-pages.log"
    pages = {}
    with gunicorn(
        env,
        extra_args=("--config", str(config)),
        log_path=log_path,
    ) as base:
        scripts = write_scripts(workdir, data)
        for key, label, who in ROWS:
            script = scripts[key]
            path = _first_path(script)
            options = {"connections": args.connections, "threads": args.threads}
            run_wrk(base + path, script, duration=args.warmup, **options)
            cpu_before = base.worker_cpu_seconds()
            result = run_wrk(base + path, script, duration=args.duration, **options)
            cpu = base.worker_cpu_seconds() - cpu_before
            result["cpu_ms"] = 1000 * cpu / max(1, result["requests"])
            result.pop("output")
            pages[key] = result
            print(
                f"   {label} ({who}): {result['rps']:.0f} req/s, "
                f"{result['cpu_ms']:.2f} ms worker CPU per request",
                flush=True,
            )
    server_log = log_path.read_text(encoding="utf-8", errors="replace")
    pages["_server_errors"] = server_log.count("Internal Server Error")
    return pages


def quiz_warmup(args) -> int:
    return min(args.quiz_warmup, args.submissions // 10)


def run_quiz(env, workdir, data, args) -> dict:
    """quiz.drive against this data set's first module quiz, 8 clients."""
    stats_dir = workdir / "lock-stats"
    stats_dir.mkdir()
    config = workdir / "gunicorn_quiz.py"
    sqlite = not args.database_url
    config.write_text(
        quiz_bench.lock_timing_config(str(stats_dir) if sqlite else "", GUNICORN_EXTRA)
    )
    log_path = workdir / "gunicorn-quiz.log"
    learners = [
        {
            "name": q["username"],
            "sessionid": q["sessionid"],
            "csrftoken": q["csrftoken"],
        }
        for q in data["quizzers"]
    ]
    print(f"   quiz: {args.submissions} submissions, 8 clients", flush=True)
    with gunicorn(
        env,
        extra_args=("--config", str(config)),
        log_path=log_path,
    ) as base:
        run = quiz_bench.drive(
            base,
            data["quiz_id"],
            learners,
            submissions=args.submissions,
            concurrency=8,
            warmup=quiz_warmup(args),
        )
    server_log = log_path.read_text(encoding="utf-8", errors="replace")
    counts, errors = run["counts"], run["errors"]
    locked = counts["locked_responses"] + quiz_bench.locked_in_log(server_log)
    summary = {
        "submissions": counts["submitted"],
        "untimed": quiz_warmup(args),
        "elapsed": run["elapsed"],
        "errors": sum(errors.values()),
        "error_samples": run["error_samples"],
        "locked": locked,
        "server_errors": server_log.count("Internal Server Error"),
        "lock": quiz_bench.read_lock_stats(stats_dir) if sqlite else None,
    }
    for step, values in run["latencies"].items():
        summary[step] = {
            "p50": percentile(values, 0.5) * 1000,
            "p99": percentile(values, 0.99) * 1000,
            "n": len(values),
        }
    summary["ok"] = (
        summary["errors"] == 0
        and locked == 0
        and summary["server_errors"] == 0
        and counts["submitted"] == args.submissions
    )
    return summary


def run_webhooks(env, workdir, sessions, args) -> dict:
    print(f"   webhooks: {args.events} events", flush=True)
    with gunicorn(env) as base:
        run = webhook_bench.replay(
            base,
            sessions,
            events=args.events,
            duplicates=args.duplicates,
            concurrency=8,
            warmup=args.events // 20,
        )
    check = webhook_bench.exactly_once(sessions, run["outcomes"])
    latencies = run["latencies"]
    return {
        **check,
        "events": len(run["outcomes"]),
        "untimed": args.events // 20,
        "elapsed": run["elapsed"],
        "p50": percentile(latencies, 0.5) * 1000,
        "p99": percentile(latencies, 0.99) * 1000,
        "ok": check["paid"] == check["enrolments"] == check["processed"]
        and check["processed"] == check["unique"]
        and check["errors"] == 0,
    }


def settle() -> None:
    """What an operator does after a bulk load: fresh planner statistics and, on
    PostgreSQL, a vacuum, so autovacuum does not compete with the measured runs for the
    two cores; on SQLite, the write-ahead log folded back into the database file."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    print(f"   settled in {time.perf_counter() - started:.0f} s", flush=True)


def _first_path(script: Path) -> str:
    return re.search(r'\{\{"([^"]+)"', script.read_text()).group(1)


def print_table(results: dict) -> None:
    from bench.report import print_database

    print_database(results)


if __name__ == "__main__":
    main()
