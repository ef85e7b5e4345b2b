"""Upgrading keeps every certificate record: data written under the schema before the
certificate domain moved into its own package reads back unchanged after `migrate`."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

# The last migrations before the move (commit 7bfc510).
BEFORE = {
    "assessments": "0003_audit_events_append_only",
    "courses": "0004_emdr_map_label",
}

SCRIPT = textwrap.dedent(
    """
    import django, json, sys
    django.setup()
    from datetime import date
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = json.loads(sys.argv[1])
    for app, name in before.items():
        call_command("migrate", app, name, verbosity=0)
    old = MigrationExecutor(connection).loader.project_state(
        [(app, name) for app, name in before.items()]
    ).apps

    User = old.get_model("auth", "User")
    Locale = old.get_model("wagtailcore", "Locale")
    ContentType = old.get_model("contenttypes", "ContentType")
    CoursePage = old.get_model("courses", "CoursePage")
    learner = User.objects.create(username="dana", email="dana@example.com")
    content_type, _ = ContentType.objects.get_or_create(
        app_label="courses", model="coursepage"
    )
    course = CoursePage.objects.create(
        title="Foundations", draft_title="Foundations", slug="foundations",
        path="00010009", depth=2, numchild=0, url_path="/foundations/",
        content_type_id=content_type.pk, locale=Locale.objects.first(),
        summary="s", price=0, ce_hours="6.50",
    )
    old.get_model("assessments", "EvaluationResponse").objects.create(
        user=learner, course=course, answers=[{"item_id": 1, "value": "5"}]
    )
    old.get_model("assessments", "Certificate").objects.create(
        user=learner, course=course, code="K7QF00MIGRATE", learner_name="Dana M. Reyes",
        licence_number="PSY-1234", course_title="Foundations",
        completion_date=date(2026, 11, 2), ce_hours="6.50", provider_name="KAP",
    )
    old.get_model("assessments", "AuditEvent").objects.create(
        action="issue", certificate_code="K7QF00MIGRATE", reason="before the move"
    )

    call_command("migrate", verbosity=0)

    from assessments.certificates.models import AuditEvent, Certificate, EvaluationResponse
    certificate = Certificate.objects.get(code="K7QF00MIGRATE")
    print(json.dumps({
        "learner_name": certificate.learner_name,
        "licence_number": certificate.licence_number,
        "ce_hours": str(certificate.ce_hours),
        "completion_date": certificate.completion_date.isoformat(),
        "evaluations": EvaluationResponse.objects.filter(course=certificate.course).count(),
        "audit": list(AuditEvent.objects.values_list("reason", flat=True)),
    }))
    """
)


def test_certificate_records_survive_the_upgrade(tmp_path):
    import json

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "training.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'upgrade.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(BEFORE)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    after = json.loads(result.stdout.strip().splitlines()[-1])
    assert after == {
        "learner_name": "Dana M. Reyes",
        "licence_number": "PSY-1234",
        "ce_hours": "6.50",
        "completion_date": "2026-11-02",
        "evaluations": 1,
        "audit": ["before the move"],
    }
