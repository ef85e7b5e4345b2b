"""Replay Stripe webhooks against a running server and check exactly-once fulfilment.

    .venv/bin/python bench/webhooks.py [--events 1000] [--duplicates 0.2] [--database-url URL]

Seeds pending orders through the real services (checkout goes to a local fake of Stripe's
API), starts gunicorn with production settings on loopback, then sends signed
`checkout.session.completed` events from 8 concurrent senders: 80% unique, 20% redeliveries.
Prints p50/p99 latency and checks that every unique event produced one paid order and one
enrolment, and that no duplicate produced anything.
"""

import argparse
import json
import os
import random
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._server import (  # noqa: E402
    gunicorn,
    manage,
    percentile,
    production_env,
    production_gunicorn,
    workspace,
)


def seed_orders(count: int, *, prefix: str = "bench", load: bool = True) -> list[dict]:
    """`count` learners with a pending order each for the Foundations course, made through
    checkout_start against a local fake of Stripe's API. `load=False` when the course is
    already there (bench/load.py's data set)."""
    import django

    django.setup()
    from decimal import Decimal

    from django.conf import settings
    from django.contrib.auth import get_user_model

    from courses import services, services_orders
    from courses.curriculum.loader import load_curriculum
    from courses.models import CoursePage
    from tests.fakes.stripe_api import FakeStripe

    fake = FakeStripe().start()
    settings.COURSES_STRIPE_API_BASE = fake.base_url
    settings.COURSES_STRIPE_SECRET_KEY = "sk_test_bench"
    if load:
        load_curriculum()
    course = CoursePage.objects.get(slug="foundations-of-kap")
    User = get_user_model()
    sessions = []
    for index in range(count):
        user = User(username=f"{prefix}{index}", email=f"{prefix}{index}@example.com")
        user.set_unusable_password()  # production hashing would dominate the set-up time
        user.save()
        services.profile_update(
            user=user,
            legal_name=f"Bench Learner {index}",
            profession="lcsw",
            licence_number=f"B-{index}",
            licence_jurisdiction="Oregon",
            licence_in_good_standing=True,
        )
        order, _ = services_orders.checkout_start(
            user=user, course=course, success_url="http://x/s", cancel_url="http://x/c"
        )
        sessions.append(
            {
                "user_id": user.pk,
                "session_id": order.checkout_session_id,
                "reference": order.reference,
                "amount": int(order.amount * 100),
            }
        )
    fake.stop()
    assert course.price == Decimal("349.00")
    return sessions


def event_payload(session: dict, event_id: str) -> str:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": "checkout.session.completed",
            "data": {
                "object": {
                    "id": session["session_id"],
                    "object": "checkout.session",
                    "status": "complete",
                    "payment_status": "paid",
                    "amount_total": session["amount"],
                    "currency": "usd",
                    "client_reference_id": session["reference"],
                    "payment_intent": "pi_" + session["session_id"],
                    "metadata": {},
                }
            },
        }
    )


def replay(
    base: str,
    sessions: list[dict],
    *,
    events: int,
    duplicates: float,
    concurrency: int,
    warmup: int = 0,
) -> dict:
    """Send one signed event per session, plus redeliveries of random ones, shuffled.
    The first `warmup` deliveries count for exactly-once but are not timed (each server
    process's first requests load the URL patterns, the SDK and the templates)."""
    import stripe

    secret = os.environ["STRIPE_WEBHOOK_SECRET"]
    deliveries = [(s, f"evt_bench_{i}") for i, s in enumerate(sessions)]
    deliveries += random.Random(7).choices(deliveries, k=events - len(sessions))
    random.Random(11).shuffle(deliveries)
    url = base + "/learn/webhooks/stripe/"

    def send(delivery):
        session, event_id = delivery
        body = event_payload(session, event_id)
        header = stripe.WebhookSignature.generate_signature_header(body, secret)
        request = urllib.request.Request(
            url,
            data=body.encode(),
            headers={"Content-Type": "application/json", "Stripe-Signature": header},
        )
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                outcome = response.read().decode()
        except Exception as error:  # noqa: BLE001 - every failure is counted
            outcome = f"error: {error}"
        return time.perf_counter() - started, outcome

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(send, deliveries))
    return {
        "elapsed": time.perf_counter() - started,
        "latencies": [latency for latency, _ in results[warmup:]],
        "outcomes": [outcome for _, outcome in results],
    }


def exactly_once(sessions: list[dict], outcomes: list[str]) -> dict:
    """What the database holds for these sessions' learners, against what it should."""
    from courses.models import Enrolment, Order

    users = [s["user_id"] for s in sessions]
    return {
        "unique": len(sessions),
        "processed": outcomes.count("processed"),
        "duplicate": outcomes.count("duplicate"),
        "errors": sum(1 for o in outcomes if o not in ("processed", "duplicate")),
        "paid": Order.objects.filter(user__in=users, status="paid").count(),
        "enrolments": Enrolment.objects.filter(user__in=users, status="active").count(),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--duplicates", type=float, default=0.2)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    args = parser.parse_args()

    unique = round(args.events * (1 - args.duplicates))
    with workspace() as workdir:
        env = production_env(workdir, args.database_url)
        if args.database_url:
            manage(env, "flush", "--noinput")
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "createcachetable")
        os.environ.update({k: v for k, v in env.items() if k != "PYTHONPATH"})
        sessions = seed_orders(unique)
        with gunicorn(env) as base:
            run = replay(
                base,
                sessions,
                events=args.events,
                duplicates=args.duplicates,
                concurrency=args.concurrency,
                warmup=args.events // 20,
            )
        check = exactly_once(sessions, run["outcomes"])
        latencies = run["latencies"]
        backend = "PostgreSQL" if args.database_url else "SQLite"
        shape = production_gunicorn()
        print(
            f"\nWebhook replay on {backend}: {len(run['outcomes'])} events "
            f"({unique} unique), {args.concurrency} concurrent senders, gunicorn "
            f"{shape['workers']} workers x {shape['threads']} threads"
        )
        print(f"  throughput   {len(run['outcomes']) / run['elapsed']:8.1f} events/s")
        print(f"  p50 latency  {percentile(latencies, 0.5) * 1000:8.1f} ms")
        print(f"  p99 latency  {percentile(latencies, 0.99) * 1000:8.1f} ms")
        print(
            f"  processed    {check['processed']:8d}   duplicate {check['duplicate']:5d}"
            f"   errors {check['errors']}"
        )
        print(f"  paid orders  {check['paid']:8d}   expected {unique}")
        print(f"  enrolments   {check['enrolments']:8d}   expected {unique}")
        ok = check["paid"] == check["enrolments"] == check["processed"] == unique
        print("  RESULT", "OK: exactly once" if ok else "MISMATCH")
        sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
