"""Database triggers that refuse UPDATE and DELETE on the audit log (SQLite and PostgreSQL)."""

from django.db import migrations

SQLITE_UP = [
    """CREATE TRIGGER core_auditrecord_no_update BEFORE UPDATE ON core_auditrecord
       BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;""",
    """CREATE TRIGGER core_auditrecord_no_delete BEFORE DELETE ON core_auditrecord
       BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS core_auditrecord_no_update;",
    "DROP TRIGGER IF EXISTS core_auditrecord_no_delete;",
]
POSTGRES_UP = [
    """CREATE OR REPLACE FUNCTION core_auditrecord_refuse() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit records are append-only'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER core_auditrecord_append_only BEFORE UPDATE OR DELETE ON core_auditrecord
       FOR EACH ROW EXECUTE FUNCTION core_auditrecord_refuse();""",
    """CREATE TRIGGER core_auditrecord_no_truncate BEFORE TRUNCATE ON core_auditrecord
       FOR EACH STATEMENT EXECUTE FUNCTION core_auditrecord_refuse();""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS core_auditrecord_append_only ON core_auditrecord;",
    "DROP TRIGGER IF EXISTS core_auditrecord_no_truncate ON core_auditrecord;",
    "DROP FUNCTION IF EXISTS core_auditrecord_refuse();",
]


def _run(statements_by_vendor):
    def apply(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
