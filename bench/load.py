"""Load the pages people use most through gunicorn with wrk, and print a table.

    .venv/bin/python bench/load.py [--database-url URL] [--duration 10] [--connections 8]
    scripts/with-postgres .venv/bin/python bench/load.py      # PostgreSQL
    make bench                                                # both, one after the other

Builds an isolated database (a SQLite file in a temporary directory, or a database of its
own created on the PostgreSQL server that DATABASE_URL / --database-url points at, dropped
afterwards), runs migrate, createcachetable and collectstatic with the production settings
(DEBUG off, the manifest static storage, the database cache), seeds the data set in
bench/seed.py, and starts gunicorn on loopback (2 workers x 4 threads). Then, for each
endpoint, wrk (Debian's package) runs 2 s of warm-up and 10 s of measurement at 8
connections; Lua scripts written to the workspace add the logged-in session cookie, the
X-Forwarded-Proto: https header the production settings trust, and for POSTs a CSRF cookie
with the matching token and Referer. Queries per request are counted separately, in this
process, with Django's test client and CaptureQueriesContext on the same database.

Two things differ from production on purpose, both printed with the table: the public
verification page's per-address rate limit is lifted (wrk sends everything from one
address, so it would measure the 429 page), and quiz submissions send no answers (wrk
does not read the attempt page, so every attempt is graded as unanswered and failed,
which keeps the module quiz open for the next start).
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._server import gunicorn, manage, production_env, workspace  # noqa: E402

WORKERS, THREADS = 2, 4
NO_RATE_LIMIT = (10**9, 60)

GUNICORN_CONFIG = f"""
def post_worker_init(worker):
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

# One connection per thread, one learner per thread: POST start, follow the attempt id
# from the redirect, POST the submission, and again.
LUA_QUIZ = """
local learners = %(learners)s
local start_path = %(start_path)s
local referer = %(referer)s
local threads = {}
local counter = 0
unexpected = 0
starts = 0
submits = 0

function setup(thread)
  counter = counter + 1
  thread:set("me", counter)
  table.insert(threads, thread)
end

function init(args)
  local learner = learners[me]
  headers = {
    ["X-Forwarded-Proto"] = "https",
    ["Cookie"] = "sessionid=" .. learner[1] .. "; csrftoken=" .. learner[2],
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-CSRFToken"] = learner[2],
    ["Referer"] = referer,
  }
  body = "csrfmiddlewaretoken=" .. learner[2]
  attempt = nil
end

function request()
  if attempt then
    return wrk.format("POST", attempt, headers, body)
  end
  return wrk.format("POST", start_path, headers, body)
end

function response(status, response_headers, response_body)
  local location = response_headers["Location"] or ""
  if attempt == nil then
    if status == 302 and string.match(location, "/learn/quizzes/attempts/%%d+/$") then
      attempt = location
      starts = starts + 1
    else
      unexpected = unexpected + 1
    end
  else
    if status == 302 and string.match(location, "/result/$") then
      submits = submits + 1
    else
      unexpected = unexpected + 1
    end
    attempt = nil
  end
end

function done(summary, latency, requests)
  local bad, started, submitted = 0, 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("unexpected")
    started = started + thread:get("starts")
    submitted = submitted + thread:get("submits")
  end
  io.write(string.format("BENCH unexpected=%%d starts=%%d submits=%%d\\n", bad, started, submitted))
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
    """Each endpoint once warm, through Django's test client, as wrk will request it."""
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
        ("catalogue", data["catalogue"], None),
        ("course_anonymous", data["course"], None),
        ("course_enrolled", data["course"], reader),
        ("module_enrolled", data["module"], reader),
        ("dashboard", "/learn/my-courses/", reader),
        ("verify", f"/certificates/verify/{data['certificate_codes'][0]}/", None),
    ):
        client = client_for(session)
        measure(client, "get", path, 200)  # warm: templates, site root paths, fragments
        total, cache, _ = measure(client, "get", path, 200)
        counts[key] = (total, cache)
    client = client_for(data["quizzers"][0])
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


def write_scripts(workdir: Path, data: dict, base: str) -> dict:
    """The Lua script of every endpoint: (path wrk starts from, script, wrk threads)."""
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
    parts = urlsplit(base)
    quiz = workdir / "quiz.lua"
    quiz.write_text(
        LUA_QUIZ
        % {
            "learners": lua_table(
                (s["sessionid"], s["csrftoken"]) for s in data["quizzers"]
            ),
            "start_path": lua_string(f"/learn/quizzes/{data['quiz_id']}/start/"),
            "referer": lua_string(f"https://{parts.hostname}:{parts.port}/"),
        }
    )
    return {
        "healthz": rotate("healthz", [("/healthz/", "")]),
        "catalogue": rotate("catalogue", [(data["catalogue"], "")]),
        "course_anonymous": rotate("course_anonymous", [(data["course"], "")]),
        "course_enrolled": rotate(
            "course_enrolled", [(data["course"], c) for c in readers]
        ),
        "module_enrolled": rotate(
            "module_enrolled", [(data["module"], c) for c in readers]
        ),
        "dashboard": rotate("dashboard", [("/learn/my-courses/", c) for c in readers]),
        "quiz": quiz,
        "verify": rotate("verify", [(p, "") for p in verify_paths]),
    }


ROWS = [
    # key, label, who
    ("healthz", "bare Django view /healthz/ (ceiling)", "anonymous"),
    ("catalogue", "catalogue", "anonymous"),
    ("course_anonymous", "course page", "anonymous"),
    ("course_enrolled", "course page", "enrolled learner"),
    ("module_enrolled", "module page", "enrolled learner"),
    ("dashboard", "dashboard", "enrolled learner"),
    ("quiz", "quiz start + submit (2 POSTs)", "enrolled learner"),
    ("verify", "certificate verification", "anonymous"),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--duration", type=int, default=10, help="seconds per endpoint")
    parser.add_argument("--warmup", type=int, default=2, help="seconds per endpoint")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (GET rows)")
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
            isolated_postgres(args.database_url) if args.database_url else _nothing()
        ) as database_url,
    ):
        database_url = database_url or ""
        static_root = Path(args.static_root) if args.static_root else workdir / "static"
        env = production_env(workdir, database_url, STATIC_ROOT=str(static_root))
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
        seed_seconds = time.perf_counter() - seed_started
        print(f"   seeded in {seed_seconds:.0f} s: {data['counts']}", flush=True)
        settle()
        queries = count_queries(data)

        config = workdir / "gunicorn_bench.py"
        config.write_text(GUNICORN_CONFIG)
        log_path = workdir / "gunicorn.log"
        results = {}
        load_before = os.getloadavg()[0]
        with gunicorn(
            env,
            workers=WORKERS,
            threads=THREADS,
            extra_args=("--config", str(config)),
            log_path=log_path,
        ) as base:
            scripts = write_scripts(workdir, data, base)
            for key, label_, who in ROWS:
                script = scripts[key]
                threads = args.connections if key == "quiz" else args.threads
                path = "/" if key == "quiz" else _first_path(script)
                options = {"connections": args.connections, "threads": threads}
                run_wrk(base + path, script, duration=args.warmup, **options)
                results[key] = run_wrk(
                    base + path, script, duration=args.duration, **options
                )
                print(
                    f"   {label_} ({who}): {results[key]['rps']:.0f} req/s", flush=True
                )
        server_log = log_path.read_text(encoding="utf-8", errors="replace")
        load = (load_before, os.getloadavg()[0])

    elapsed = time.perf_counter() - started
    print_table(label, args, data, queries, results, server_log, load, elapsed)


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


@contextmanager
def _nothing():
    yield ""


def _first_path(script: Path) -> str:
    return re.search(r'\{\{"([^"]+)"', script.read_text()).group(1)


def print_table(label, args, data, queries, results, server_log, load, elapsed):
    counts = data["counts"]
    print(
        f"\n{label}: gunicorn {WORKERS} workers x {THREADS} threads, production settings "
        f"(DEBUG off, database cache), wrk {args.connections} connections, "
        f"{args.duration} s per row after {args.warmup} s warm-up"
    )
    print(
        f"Data: {counts['courses']} courses x {counts['modules'] // counts['courses']} modules, "
        f"{counts['questions']} questions, {counts['learners']:,} learners, "
        f"{counts['enrolments']:,} enrolments, {counts['attempts']:,} attempts, "
        f"{counts['certificates']} certificates"
    )
    print()
    print(
        "| endpoint | as | requests/s | p50 | p99 | queries/request (cache) | errors |"
    )
    print("|---|---|---:|---:|---:|---:|---:|")
    for key, name, who in ROWS:
        result = results[key]
        if key == "quiz":
            (start, start_cache), (submit, submit_cache) = (
                queries["quiz_start"],
                queries["quiz_submit"],
            )
            query_text = f"{start} ({start_cache}) + {submit} ({submit_cache})"
        else:
            total, cache = queries[key]
            query_text = f"{total} ({cache})"
        errors = result["errors"] + result["unexpected"]
        print(
            f"| {name} | {who} | {result['rps']:,.0f} | {result['p50']:.1f} ms "
            f"| {result['p99']:.1f} ms | {query_text} | {errors} |"
        )
    quiz = results["quiz"]["extra"]
    print()
    print(
        f"Quiz: {quiz.get('starts', 0)} attempts started and {quiz.get('submits', 0)} "
        f"submitted during the measured run ({args.connections} learners, one per "
        "connection; wrk threads = connections for this row)."
    )
    print(
        "Queries/request: SQL statements, counted once per endpoint in-process with the "
        "test client; in brackets, how many of them the database cache ran (reads, writes "
        "and their transactions)."
    )
    print(
        "Errors: non-2xx/3xx responses, socket errors and responses with a status other "
        "than the one expected (200, or the 302s of the quiz flow)."
    )
    server_errors = server_log.count("Internal Server Error")
    print(f"Server log: {server_errors} internal server errors.")
    if server_errors:
        first = server_log.find("Traceback")
        print(server_log[first : first + 3000])
    print(
        f"1-minute load average: {load[0]:.1f} before the runs, {load[1]:.1f} after, on "
        f"{os.cpu_count()} cores (gunicorn and wrk account for part of it)."
    )
    print(f"Total time for this database: {elapsed:.0f} s")


if __name__ == "__main__":
    main()
