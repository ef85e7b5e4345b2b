"""The cluster smoke: two web instances, one task worker, PostgreSQL, Redis and S3.

Run through `scripts/cluster-smoke`, which starts PostgreSQL and Redis (DATABASE_URL,
REDIS_URL) and then this driver. The driver starts a local S3-compatible server (moto),
a local stand-in for Stripe's API (tests/fakes), runs the release steps, starts gunicorn
A and B and a worker with the production settings, and drives a clinician over plain
HTTP, alternating instances. Then it kills the worker in the middle of a bulk issue,
restarts it, and checks that every learner got exactly one certificate and one email.

Only loopback addresses. Answers to quizzes are read from the attempt's server-side
snapshot (the page never contains the key), as the test suite does.
"""

import email
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
BULK_LEARNERS = 6
COURSE_TITLE = "Cluster smoke: KAP foundations"
PASSWORD = "smoke-passphrase-not-common-42"
DEADLINE = time.monotonic() + 240  # the whole run, start to finish

rows: list[tuple[str, str, str]] = []
failures: list[str] = []


def check(what: str, where: str, ok: bool, detail: str = "") -> bool:
    rows.append(
        (what, where, ("ok" if ok else "FAIL") + (f" ({detail})" if detail else ""))
    )
    if not ok:
        failures.append(what)
    return ok


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, what: str, timeout: float = 60, interval: float = 0.3):
    end = min(time.monotonic() + timeout, DEADLINE)
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out waiting for {what}")


# --- Plain HTTP with a cookie jar, as a browser behind the load balancer ----------------


class Browser:
    """One person's browser. Cookies are per host, not per port, so a session started on
    instance A is sent to instance B, as a browser would behind one site name."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def request(self, base: str, method: str, path: str, data=None, headers=None):
        parts = urlsplit(base)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        body = None
        sent = {
            # The load balancer terminated TLS: production settings want HTTPS.
            "X-Forwarded-Proto": "https",
            "Host": parts.netloc,
            "Referer": f"https://{parts.netloc}{path}",
            **(headers or {}),
        }
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            if isinstance(data, (bytes, str)):
                body = data.encode() if isinstance(data, str) else data
            else:
                body = urlencode(data or [], doseq=True).encode()
                sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
                if "csrftoken" in self.cookies:
                    sent["X-CSRFToken"] = self.cookies["csrftoken"]
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        content = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        connection.close()
        return response.status, response.headers, content

    def get(self, base, path, **kw):
        return self.request(base, "GET", path, **kw)

    def post(self, base, path, data=None, **kw):
        return self.request(base, "POST", path, data=data, **kw)


def location(headers) -> str:
    target = headers.get("Location", "")
    parts = urlsplit(target)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# --- Processes ----------------------------------------------------------------------------


class Processes:
    def __init__(self, workdir: Path, env: dict):
        self.workdir, self.env, self.running = workdir, env, {}

    def start(self, name: str, args: list[str], extra_env=None) -> subprocess.Popen:
        log = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115 (kept open)
        process = subprocess.Popen(
            args,
            cwd=ROOT,
            env={**self.env, **(extra_env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.running[name] = process
        return process

    def kill(self, name: str, sig=signal.SIGKILL) -> None:
        process = self.running.pop(name)
        os.killpg(process.pid, sig)
        process.wait(timeout=30)

    def stop_all(self) -> None:
        for name in list(self.running):
            try:
                self.kill(name, signal.SIGTERM)
            except Exception:
                pass

    def tail(self, name: str, lines: int = 30) -> str:
        path = self.workdir / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def manage(env: dict, *args: str, timeout: float = 300) -> None:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}"
        )


# --- Email, from the file backend the worker writes ---------------------------------------


def read_mail(mail_dir: Path) -> list[dict]:
    messages = []
    for path in sorted(mail_dir.glob("*.log")):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if not chunk.strip():
                continue
            message = email.message_from_bytes(chunk)
            part = next(
                (p for p in message.walk() if p.get_content_type() == "text/plain"),
                message,
            )
            body = (part.get_payload(decode=True) or b"").decode(errors="replace")
            messages.append(
                {"to": message["To"], "subject": message["Subject"], "body": body}
            )
    return messages


# --- Seed ---------------------------------------------------------------------------------


def seed() -> dict:
    """A small CE course built from the shipped curriculum, an administrator, and learners
    who have finished everything but have no certificate (for the bulk issue)."""
    from decimal import Decimal

    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    from assessments import services as attempt_services
    from assessments.certificates.services import evaluation_form_ensure
    from assessments.curriculum.loader import (
        read_question_files,
        upsert_question,
        upsert_quiz,
    )
    from assessments.models import EvaluationResponse, QuizKind
    from courses import services as course_services
    from courses.curriculum.loader import (
        CATALOGUE_SLUG,
        LoadReport,
        catalogue_parent,
        course_fields,
        module_fields,
        read_course_folders,
        upsert_child,
    )
    from courses.models import CourseIndexPage, CoursePage, LearnerProfile, ModulePage

    report = LoadReport()
    foundations, modules_yaml = next(
        (c, m) for c, m in read_course_folders() if c["slug"] == "foundations-of-kap"
    )
    catalogue = upsert_child(
        catalogue_parent(),
        CourseIndexPage,
        CATALOGUE_SLUG,
        {"title": "Courses"},
        report,
    )
    fields = course_fields({**foundations, "slug": "cluster-smoke"})
    fields.update(title=COURSE_TITLE, price=Decimal("349.00"), ce_hours=Decimal("2"))
    course = upsert_child(catalogue, CoursePage, "cluster-smoke", fields, report)
    modules = [
        upsert_child(course, ModulePage, source["slug"], module_fields(source), report)
        for source in modules_yaml[:2]
    ]
    kinds = [module.kind for module in modules]
    for item in read_question_files():
        if set(item.get("tags", [])) & set(kinds):
            upsert_question(item)
    module_quiz = upsert_quiz(
        {"module": modules[0]},
        {"title": "Module quiz", "kind": QuizKind.MODULE, "question_count": 3},
        tags=[kinds[0]],
    )
    post_test = upsert_quiz(
        {"course": course, "kind": QuizKind.POST_TEST},
        {"title": "Post-test", "question_count": 4, "attempt_limit": 2},
        tags=kinds,
    )
    evaluation_form_ensure(course=course)

    User = get_user_model()
    admin = User.objects.create_superuser(
        username="smoke-admin", email="admin@smoke.test", password=PASSWORD
    )
    EmailAddress.objects.create(
        user=admin, email=admin.email, verified=True, primary=True
    )
    learners = []
    for index in range(BULK_LEARNERS):
        user = User.objects.create_user(
            username=f"bulk{index}", email=f"bulk{index}@smoke.test", password=PASSWORD
        )
        LearnerProfile.objects.create(
            user=user,
            legal_name=f"Bulk Learner {index}",
            profession="lcsw",
            licence_number=f"LCSW-{1000 + index}",
            licence_jurisdiction="Oregon",
            licence_in_good_standing=True,
        )
        course_services.enrolment_grant(
            user=user, course=course, actor=admin, reason="Cluster smoke"
        )
        for quiz in (module_quiz, post_test):
            attempt = attempt_services.attempt_start(user=user, quiz=quiz)
            attempt_services.attempt_submit(
                attempt=attempt, answers=correct_answers(attempt.snapshot)
            )
        for module in modules:
            course_services.progress_record_visit(user=user, module=module)
        # Stored directly, as an import from another system would: no certificate yet.
        EvaluationResponse.objects.create(user=user, course=course, answers=[])
        learners.append(user.email)
    return {
        "course_id": course.pk,
        "modules": [module.url for module in modules],
        "module_quiz": module_quiz.pk,
        "post_test": post_test.pk,
        "learners": learners,
    }


def correct_answers(snapshot: dict) -> dict:
    answers = {}
    for question in snapshot["questions"]:
        correct = [o["id"] for o in question["options"] if o["is_correct"]]
        if question["type"] == "ordering":
            answers[question["id"]] = question["correct_order"]
        elif question["type"] == "multiple":
            answers[question["id"]] = correct
        else:
            answers[question["id"]] = correct[0]
    return answers


def answer_form(attempt_id: int) -> list[tuple[str, str]]:
    """The form a learner who knows the material would post (grading.parse_answers)."""
    from assessments.models import Attempt

    snapshot = Attempt.objects.get(pk=attempt_id).snapshot
    form = []
    for question in snapshot["questions"]:
        name = f"q-{question['id']}"
        if question["type"] == "ordering":
            for position, option_id in enumerate(question["correct_order"], start=1):
                form.append((f"{name}-{option_id}", str(position)))
        elif question["type"] == "multiple":
            form += [(name, o["id"]) for o in question["options"] if o["is_correct"]]
        else:
            form.append(
                (name, next(o["id"] for o in question["options"] if o["is_correct"]))
            )
    return form


# --- The run ------------------------------------------------------------------------------


def main() -> int:
    for name in ("DATABASE_URL", "REDIS_URL"):
        if not os.environ.get(name, "").startswith(("postgres", "redis")):
            print(f"{name} must point at PostgreSQL/Redis: run scripts/cluster-smoke")
            return 2
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="kap-cluster-"))
    mail_dir = workdir / "mail"
    mail_dir.mkdir()
    ports = {"s3": free_port(), "a": free_port(), "b": free_port()}
    base_a, base_b = f"http://127.0.0.1:{ports['a']}", f"http://127.0.0.1:{ports['b']}"

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from tests.fakes.stripe_api import FakeStripe

    fake_stripe = FakeStripe().start()
    webhook_secret = "whsec_cluster_smoke_" + secrets.token_hex(8)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "training.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_BASE_URL": base_a,
        "STATIC_ROOT": str(workdir / "static"),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "STRIPE_SECRET_KEY": "sk_test_cluster_smoke",
        "STRIPE_WEBHOOK_SECRET": webhook_secret,
        "STRIPE_API_BASE": fake_stripe.base_url,
        "OB3_SIGNING_KEY": Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode(),
        "AWS_STORAGE_BUCKET_NAME": "kap-cluster-smoke",
        "AWS_S3_ENDPOINT_URL": f"http://127.0.0.1:{ports['s3']}",
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_ACCESS_KEY_ID": "smoke",
        "AWS_SECRET_ACCESS_KEY": "smoke-secret",
        "TASKS_MAX_PENDING_AGE": "4",  # so /readyz/ notices a stopped worker quickly
        "TASKS_HOUSEKEEPING_INTERVAL": "5",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "4",
        "LOG_LEVEL": "INFO",
    }
    # The driver reads the database through Django too; its own logs stay quiet.
    os.environ.update(env, LOG_LEVEL="WARNING")
    processes = Processes(workdir, env)
    try:
        run(processes, env, workdir, mail_dir, ports, base_a, base_b, fake_stripe)
    except Exception as error:  # reported in the table, with the processes' logs
        check("run to the end", "-", False, f"{type(error).__name__}: {error}")
        for name in ("web-a", "web-b", "worker", "s3"):
            print(f"--- {name} (last lines) ---\n{processes.tail(name)}")
    finally:
        processes.stop_all()
        fake_stripe.stop()
    elapsed = time.monotonic() - started
    width = max(len(what) for what, _, _ in rows)
    print(f"\n{'check':<{width}}  where  result")
    print(f"{'-' * width}  -----  ------")
    for what, where, result in rows:
        print(f"{what:<{width}}  {where:<5}  {result}")
    print(
        f"\n{len(rows) - len(failures)} of {len(rows)} checks passed in {elapsed:.0f} s."
    )
    if not failures and not os.environ.get("KEEP_CLUSTER_LOGS"):
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"Logs kept in {workdir}")
    return 1 if failures else 0


def run(processes, env, workdir, mail_dir, ports, base_a, base_b, fake_stripe):
    processes.start(
        "s3",
        [
            str(Path(PYTHON).parent / "moto_server"),
            "-H",
            "127.0.0.1",
            "-p",
            str(ports["s3"]),
        ],
    )
    import boto3

    s3 = boto3.client(
        "s3",
        endpoint_url=env["AWS_S3_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id="smoke",
        aws_secret_access_key="smoke-secret",
    )
    wait_for(lambda: _s3_up(s3), "the S3 server")
    s3.create_bucket(Bucket=env["AWS_STORAGE_BUCKET_NAME"])

    # The Procfile's release step.
    release_started = time.monotonic()
    release = subprocess.run(
        [
            "sh",
            "-c",
            f"{PYTHON} manage.py migrate --noinput && "
            f"{PYTHON} manage.py collectstatic --noinput -v 0 && "
            f"{PYTHON} manage.py createcachetable",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if release.returncode:
        raise RuntimeError(f"release failed:\n{release.stderr[-3000:]}")
    import django

    django.setup()
    data = seed()
    check(
        "release (migrate, collectstatic), seed",
        "-",
        True,
        f"{time.monotonic() - release_started:.0f} s",
    )

    gunicorn = str(Path(PYTHON).parent / "gunicorn")
    for name, port in (("web-a", ports["a"]), ("web-b", ports["b"])):
        processes.start(
            name,
            [gunicorn, "-c", "gunicorn.conf.py"],
            {"GUNICORN_BIND": f"127.0.0.1:{port}"},
        )
    worker_env = {"WORKER_ID": "smoke-worker-1"}
    worker_args = [
        PYTHON,
        "manage.py",
        "run_worker",
        "--queue-name",
        "*",
        "--interval",
        "0.2",
    ]
    processes.start("worker", worker_args, worker_env)

    browser = Browser()
    for name, base in (("A", base_a), ("B", base_b)):
        status, _, body = wait_for(
            lambda base=base: _ready(browser, base), f"/readyz/ on {name}", timeout=90
        )
        checks = json.loads(body)["checks"]
        check(
            "/readyz/: database, cache, storage, tasks",
            name,
            status == 200,
            ", ".join(f"{k} {'ok' if v['ok'] else 'down'}" for k, v in checks.items()),
        )

    # --- A clinician ---------------------------------------------------------------
    clinician = Browser()
    address = "nia.clinician@smoke.test"
    clinician.get(base_a, "/accounts/signup/")
    status, headers, _ = clinician.post(
        base_a,
        "/accounts/signup/",
        {"email": address, "password1": PASSWORD, "password2": PASSWORD},
    )
    verification = wait_for(
        lambda: _subject(mail_dir, address, "Confirm"), "the verification email"
    )
    link = re.search(r"/accounts/confirm-email/[^\s/]+/", verification[0]["body"])
    status_get, _, _ = clinician.get(base_a, link.group(0))
    status, headers, _ = clinician.post(base_a, link.group(0), {})
    check(
        "sign up, verification email from the worker, verify",
        "A",
        status == 302 and status_get == 200 and "sessionid" in clinician.cookies,
    )
    status, headers, _ = clinician.post(
        base_b,
        "/learn/profile/",
        {
            "legal_name": "Nia Clinician",
            "profession": "lcsw",
            "licence_number": "LCSW-4242",
            "licence_jurisdiction": "Oregon",
            "licence_in_good_standing": "on",
        },
    )
    check("professional profile (session from A)", "B", status == 302)

    status, headers, _ = clinician.post(
        base_a, f"/learn/checkout/{data['course_id']}/", {}
    )
    session_id = headers.get("Location", "").rsplit("/", 1)[-1]
    session = fake_stripe.sessions.get(session_id)
    check(
        "checkout starts a Stripe session", "A", status == 302 and session is not None
    )
    paid = fake_stripe.complete(session_id)
    event = json.loads(
        (ROOT / "tests/fixtures/stripe/checkout.session.completed.json").read_text()
    )
    event["id"] = "evt_cluster_smoke_1"
    event["data"]["object"].update(
        id=session_id,
        client_reference_id=paid["client_reference_id"],
        payment_intent=paid["payment_intent"],
        amount_total=paid["amount_total"],
    )
    payload = json.dumps(event)
    import stripe

    signature = stripe.WebhookSignature.generate_signature_header(
        payload, env["STRIPE_WEBHOOK_SECRET"]
    )
    status, _, body = Browser().post(
        base_b,
        "/learn/webhooks/stripe/",
        payload,
        headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
    )
    receipt = wait_for(
        lambda: _subject(mail_dir, address, "Your receipt"), "the receipt"
    )
    check(
        "signed webhook pays; receipt emailed by the worker",
        "B",
        status == 200 and bool(receipt),
        body.decode()[:20],
    )

    # Study and pass, alternating instances.
    module_1, module_2 = data["modules"]
    status_1, _, page_1 = clinician.get(base_a, module_1)
    status, headers, _ = clinician.post(
        base_b, f"/learn/quizzes/{data['module_quiz']}/start/", {}
    )
    attempt_path = location(headers)
    attempt_id = int(re.search(r"/attempts/(\d+)/", attempt_path).group(1))
    status_page, _, _ = clinician.get(base_a, attempt_path)
    status, headers, _ = clinician.post(base_b, attempt_path, answer_form(attempt_id))
    _, _, result = clinician.get(base_a, location(headers))
    check(
        "module 1 read, its quiz started, answered and passed",
        "A+B",
        status_1 == 200 and status_page == 200 and b"You passed" in result,
    )
    status_2, _, _ = clinician.get(base_b, module_2)
    status, headers, _ = clinician.post(
        base_a, f"/learn/quizzes/{data['post_test']}/start/", {}
    )
    attempt_path = location(headers)
    attempt_id = int(re.search(r"/attempts/(\d+)/", attempt_path).group(1))
    status, headers, _ = clinician.post(base_b, attempt_path, answer_form(attempt_id))
    _, _, result = clinician.get(base_a, location(headers))
    check(
        "module 2 read; post-test passed",
        "B+A",
        status_2 == 200 and b"You passed" in result,
    )

    evaluation_path = f"/learn/evaluation/{data['course_id']}/"
    _, _, form_html = clinician.get(base_a, evaluation_path)
    ratings = set(re.findall(r'type="radio" name="(item_\d+)"', form_html.decode()))
    answers = [
        (name, "5" if name in ratings else "Screening before every session.")
        for name in sorted(set(re.findall(r'name="(item_\d+)"', form_html.decode())))
    ]
    status, headers, _ = clinician.post(base_b, evaluation_path, answers)
    check(
        "evaluation submitted: certificate issued",
        "B",
        status == 302 and "certificates" in headers.get("Location", ""),
    )

    from assessments.models import Certificate, CertificateDocument

    certificate = Certificate.objects.get(user__email=address)
    wait_for(
        lambda: CertificateDocument.objects.filter(certificate=certificate).exists(),
        "the worker to render the PDF",
    )
    _, _, mine = clinician.get(base_b, "/learn/certificates/")
    status, headers, pdf = clinician.get(
        base_b, f"/learn/certificates/{certificate.code}/pdf/"
    )
    from io import BytesIO

    from pypdf import PdfReader

    pdf_text = (
        " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
        if pdf.startswith(b"%PDF")
        else ""
    )
    stored = s3.list_objects_v2(
        Bucket=env["AWS_STORAGE_BUCKET_NAME"], Prefix="private/certificates/"
    ).get("Contents", [])
    anonymous = http.client.HTTPConnection("127.0.0.1", ports["s3"], timeout=10)
    anonymous.request(
        "GET",
        f"/{env['AWS_STORAGE_BUCKET_NAME']}/{stored[0]['Key']}" if stored else "/",
    )
    anonymous_status = anonymous.getresponse().status
    check(
        "certificate PDF rendered by the worker, stored in S3, downloaded",
        "B",
        status == 200
        and certificate.code in pdf_text
        and b"Download the PDF" in mine
        and len(stored) == 1,
        f"{len(pdf)} bytes; anonymous S3 GET {anonymous_status}",
    )
    status, _, verify = Browser().get(
        base_a, f"/certificates/verify/{certificate.code}/"
    )
    check(
        "public verification page says valid",
        "A",
        status == 200 and b"Nia Clinician" in verify and b"Valid" in verify,
    )
    issued_mail = wait_for(
        lambda: _subject(mail_dir, address, "Your certificate"), "the certificate email"
    )
    time.sleep(1)  # a duplicate, if any, would be written by now
    counts = {
        "verification": len(_subject(mail_dir, address, "Confirm")),
        "receipt": len(_subject(mail_dir, address, "Your receipt")),
        "certificate": len(_subject(mail_dir, address, "Your certificate")),
    }
    check(
        "clinician's emails: one each",
        "-",
        counts == {"verification": 1, "receipt": 1, "certificate": 1}
        and bool(issued_mail),
        str(counts),
    )

    # --- Bulk issue; the worker is killed in the middle --------------------------------
    admin = Browser()
    admin.get(base_a, "/accounts/login/")
    status, _, _ = admin.post(
        base_a, "/accounts/login/", {"login": "admin@smoke.test", "password": PASSWORD}
    )
    bulk_path = "/admin/certificates/records/bulk/"
    _, _, bulk_page = admin.get(base_b, f"{bulk_path}?course={data['course_id']}")
    eligible = f"{BULK_LEARNERS} eligible learners".encode() in bulk_page
    # The first POST shows the confirmation page; the confirmed one starts the tasks.
    _, _, confirm_page = admin.post(
        base_b, bulk_path, {"course": str(data["course_id"])}
    )
    eligible = eligible and b"Issue these certificates?" in confirm_page
    status, headers, _ = admin.post(
        base_a, bulk_path, {"course": str(data["course_id"]), "confirmed": "yes"}
    )
    progress_path = location(headers)
    check(
        "bulk issue started: one task per learner",
        "B+A",
        status == 302 and eligible and "/bulk/" in progress_path,
    )

    bulk_docs = CertificateDocument.objects.filter(
        certificate__user__email__in=data["learners"]
    )
    wait_for(lambda: bulk_docs.count() >= 1, "the first bulk PDF", interval=0.1)
    processes.kill("worker")  # SIGKILL: no chance to finish or clean up
    from django_tasks_db.models import DBTaskResult

    left = BULK_LEARNERS - bulk_docs.count()
    cut_short = DBTaskResult.objects.running().count()
    check(
        "worker killed (SIGKILL) mid bulk issue",
        "-",
        left > 0,
        f"{BULK_LEARNERS - left} of {BULK_LEARNERS} PDFs done, "
        f"{cut_short} task(s) cut short",
    )
    status, _, body = wait_for(
        lambda: _not_ready(browser, base_a),
        "/readyz/ to notice the stopped worker",
        timeout=30,
    )
    check(
        "/readyz/ is 503 while tasks wait",
        "A",
        status == 503 and b'"tasks": {"ok": false' in body,
    )

    processes.start("worker", worker_args, worker_env)
    wait_for(
        lambda: all(
            _subject(mail_dir, learner, "Your certificate")
            for learner in data["learners"]
        ),
        "every bulk email",
        timeout=120,
    )
    progress = wait_for(
        lambda: _progress(admin, base_b, progress_path),
        "the bulk issue's progress page to say done",
        timeout=30,
    )
    requeued = re.findall(r"Requeued (\d+) task", processes.tail("worker", 100_000))
    taken_back = int(requeued[-1]) if requeued else 0
    check(
        "worker restarted under its id took the cut-short task back",
        "-",
        taken_back == cut_short,
        f"{taken_back} requeued at start",
    )
    check(
        "bulk issue progress (from task results) says done",
        "B",
        progress["issued"] == BULK_LEARNERS and progress["failed"] == 0,
        f"{progress['issued']} issued, {progress['failed']} failed",
    )
    time.sleep(1.5)  # a duplicate, if any, would be written by now
    per_learner = {
        learner: (
            Certificate.objects.filter(user__email=learner).count(),
            CertificateDocument.objects.filter(
                certificate__user__email=learner
            ).count(),
            len(_subject(mail_dir, learner, "Your certificate")),
        )
        for learner in data["learners"]
    }
    exact = all(value == (1, 1, 1) for value in per_learner.values())
    check(
        "every learner: one certificate, one PDF, one email",
        "-",
        exact,
        "" if exact else str(per_learner),
    )
    status, _, _ = browser.get(base_b, "/readyz/")
    check("/readyz/ back to 200", "B", status == 200)
    json_lines = _json_log_lines(workdir / "web-a.log")
    check(
        "web logs: JSON lines, each with a request id",
        "A",
        json_lines[0] > 0 and json_lines[0] == json_lines[1],
        f"{json_lines[1]} of {json_lines[0]} lines",
    )


def _s3_up(s3) -> bool:
    try:
        s3.list_buckets()
        return True
    except Exception:
        return False


def _ready(browser, base):
    try:
        status, _, body = browser.get(base, "/readyz/")
    except OSError:
        return None
    return (status, None, body.decode()) if status == 200 else None


def _not_ready(browser, base):
    status, headers, body = browser.get(base, "/readyz/")
    return (status, headers, body) if status == 503 else None


def _progress(admin, base, path):
    status, _, body = admin.get(base, path, headers={"Accept": "application/json"})
    progress = json.loads(body) if status == 200 else {}
    return progress if progress.get("finished") else None


def _subject(mail_dir, address, start):
    return [
        m
        for m in read_mail(mail_dir)
        if m["to"] == address and start in (m["subject"] or "")
    ]


def _json_log_lines(path: Path) -> tuple[int, int]:
    total = with_id = 0
    for line in path.read_text(errors="replace").splitlines():
        if not line.startswith("{"):
            continue
        total += 1
        record = json.loads(line)
        with_id += bool(record.get("request_id"))
    return total, with_id


if __name__ == "__main__":
    sys.exit(main())
