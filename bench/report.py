"""Print the tables of `make bench` from the figures bench/load.py wrote (--json).

    .venv/bin/python bench/report.py sqlite.json postgresql.json

One table of pages with every database side by side (requests/s and its share of the bare
view's, worker CPU per request and its multiple of the bare view's, queries per request),
then the quiz and webhook figures, and the conditions of the run.
"""

import json
import sys
from pathlib import Path

PAGES = [
    # key, label, who
    ("healthz", "bare Django view `/healthz/`", "anonymous"),
    ("home", "home page", "anonymous"),
    ("catalogue", "catalogue", "anonymous"),
    ("course_anonymous", "course page", "anonymous"),
    ("course_enrolled", "course page", "enrolled"),
    ("module_enrolled", "module page", "enrolled"),
    ("dashboard", "dashboard", "enrolled"),
    ("verify", "certificate verification", "anonymous"),
]


def short_name(results: dict) -> str:
    return results["label"].split(" (")[0]


def page_cells(results: dict, key: str) -> list[str]:
    pages = results["pages"]
    page, bare = pages[key], pages["healthz"]
    share = page["rps"] / bare["rps"] if bare["rps"] else 0
    times = page["cpu_ms"] / bare["cpu_ms"] if bare["cpu_ms"] else 0
    total, in_cache = results["queries"][key]
    queries = f"{total}" + (f" ({in_cache})" if results["cache"] == "database" else "")
    errors = page["errors"] + page["unexpected"]
    return [
        f"{page['rps']:,.0f}",
        "–" if key == "healthz" else f"{100 * share:.0f} %",
        f"{page['cpu_ms']:.2f} ms",
        "–" if key == "healthz" else f"{times:.1f}×",
        queries,
    ] + ([f"**{errors} errors**"] if errors else [])


def print_pages(runs: list[dict]) -> None:
    header = ["page", "as"]
    for run in runs:
        name = short_name(run)
        header += [
            f"{name} req/s",
            "of bare",
            "worker CPU/req",
            "× bare",
            "queries",
        ]
    print("| " + " | ".join(header) + " |")
    print("|---|---|" + "---:|" * (len(header) - 2))
    for key, label, who in PAGES:
        cells = [label, who]
        for run in runs:
            cells += page_cells(run, key)
        print("| " + " | ".join(cells) + " |")


def ms(value) -> str:
    return f"{value:,.0f} ms" if value >= 100 else f"{value:.1f} ms"


def print_quiz(runs: list[dict]) -> None:
    runs = [run for run in runs if run.get("quiz")]
    if not runs:
        return
    first = runs[0]["quiz"]
    title = (
        f"quiz: 8 clients, {first['submissions']:,} submissions "
        f"(first {first.get('untimed', 0):,} untimed)"
    )
    rows = [
        (
            "start p50 / p99",
            lambda q: f"{ms(q['start']['p50'])} / {ms(q['start']['p99'])}",
        ),
        (
            "attempt page p50 / p99",
            lambda q: f"{ms(q['page']['p50'])} / {ms(q['page']['p99'])}",
        ),
        (
            "submit p50 / p99",
            lambda q: f"{ms(q['submit']['p50'])} / {ms(q['submit']['p99'])}",
        ),
        ("submissions/s", lambda q: f"{q['submissions'] / q['elapsed']:.1f}"),
        ("errors", lambda q: str(q["errors"] + q["server_errors"])),
        ('"database is locked"', lambda q: str(q["locked"])),
        (
            "SQLite write-lock wait: total, p50 / p99",
            lambda q: (
                f"{q['lock']['wait_total_s']:.1f} s, {ms(q['lock']['wait_p50_ms'])} / "
                f"{ms(q['lock']['wait_p99_ms'])}"
                if q.get("lock")
                else "–"
            ),
        ),
        (
            "SQLite write lock held p50 / p99, busy",
            lambda q: (
                f"{ms(q['lock']['hold_p50_ms'])} / {ms(q['lock']['hold_p99_ms'])}, "
                f"{100 * q['lock']['hold_total_s'] / q['elapsed']:.0f} %"
                if q.get("lock")
                else "–"
            ),
        ),
    ]
    print_side_by_side(title, runs, "quiz", rows)


def print_webhooks(runs: list[dict]) -> None:
    runs = [run for run in runs if run.get("webhooks")]
    if not runs:
        return
    first = runs[0]["webhooks"]
    duplicates = first["events"] - first["unique"]
    title = (
        f"webhook replay: {first['events']:,} events, {duplicates:,} duplicates "
        f"(first {first.get('untimed', 0):,} untimed)"
    )
    rows = [
        ("p50 / p99", lambda w: f"{ms(w['p50'])} / {ms(w['p99'])}"),
        ("events/s", lambda w: f"{w['events'] / w['elapsed']:.1f}"),
        (
            "paid orders / enrollments / unique events",
            lambda w: f"{w['paid']} / {w['enrolments']} / {w['unique']}",
        ),
        ("exactly once", lambda w: "yes" if w["ok"] else "**no**"),
    ]
    print_side_by_side(title, runs, "webhooks", rows)


def print_side_by_side(title: str, runs: list[dict], part: str, rows) -> None:
    """One markdown table: a row per (label, cell) and a column per database."""
    print()
    print(f"| {title} | " + " | ".join(short_name(run) for run in runs) + " |")
    print("|---|" + "---:|" * len(runs))
    for label, cell in rows:
        print(f"| {label} | " + " | ".join(cell(run[part]) for run in runs) + " |")


def print_conditions(runs: list[dict]) -> None:
    print()
    for run in runs:
        args = run["args"]
        counts = run["counts"]
        errors = run["pages"].get("_server_errors", 0)
        shape = run["gunicorn"]
        print(
            f"- {run['label']}, {run['date']}, {run['cpus']} cores: gunicorn "
            f"{shape['workers']} workers × {shape['threads']} thread"
            f"{'s' if shape['threads'] > 1 else ''} ({shape['worker_class']}), "
            f"production settings, {'Redis' if run['cache'] == 'redis' else 'database'} "
            f"cache; wrk {args['connections']} connections, {args['duration']} s per page "
            f"after {args['warmup']} s warm-up; 1-minute load average "
            f"{run['load'][0]:.1f} before, {run['load'][1]:.1f} after; "
            f"{errors} server errors logged; {run['elapsed'] / 60:.1f} min."
        )
    counts = runs[0]["counts"]
    print(
        f"- Data: {counts['courses']} courses × {counts['modules'] // counts['courses']} "
        f"modules, {counts['questions']} questions, {counts['learners']:,} learners, "
        f"{counts['enrolments']:,} enrollments, {counts['attempts']:,} attempts, "
        f"{counts['certificates']} certificates."
    )
    print(
        "- Worker CPU/req: user + system CPU of gunicorn's workers during the measured "
        "run, over its requests. Queries: SQL statements on a warm second request, "
        "counted in-process (a cache hit runs none)."
    )


def print_database(results: dict) -> None:
    """One database's tables (bench/load.py prints this after each run)."""
    print(f"\n{results['label']}:\n")
    print_pages([results])
    print_quiz([results])
    print_webhooks([results])
    print_conditions([results])


def main(paths: list[str]) -> None:
    runs = [json.loads(Path(path).read_text()) for path in paths]
    print("\n== make bench: every database\n")
    print_pages(runs)
    print_quiz(runs)
    print_webhooks(runs)
    print_conditions(runs)


if __name__ == "__main__":
    main(sys.argv[1:])
