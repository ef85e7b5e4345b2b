"""The database itself refuses to change audit events, whatever code asks.

PostgreSQL refuses UPDATE and DELETE. SQLite refuses UPDATE; DELETE is refused by the model
and its queryset, because SQLite has no TRUNCATE and Django's test flush deletes rows.
TRUNCATE bypasses row triggers: production should not grant TRUNCATE to the app's role.
"""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER assessments_auditevent_no_update BEFORE UPDATE ON assessments_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS assessments_auditevent_no_update;",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION assessments_auditevent_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER assessments_auditevent_append_only
       BEFORE UPDATE OR DELETE ON assessments_auditevent
       FOR EACH ROW EXECUTE FUNCTION assessments_auditevent_append_only();""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS assessments_auditevent_append_only ON assessments_auditevent;",
    "DROP FUNCTION IF EXISTS assessments_auditevent_append_only();",
]


def forwards(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    statements = {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}.get(
        schema_editor.connection.vendor, []
    )
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0002_auditevent_certificate_certificatedocument_and_more")]
    operations = [migrations.RunPython(forwards, backwards)]
