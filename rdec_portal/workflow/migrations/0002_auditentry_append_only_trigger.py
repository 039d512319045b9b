"""The audit log is append-only in the database too, not only in the model.

On PostgreSQL a trigger refuses every UPDATE and DELETE of an audit row, so neither a raw query,
a queryset `.update()` nor a bulk `.delete()` can rewrite history. TRUNCATE stays allowed: the
test suite empties tables with it, and only the database owner can run it.
SQLite (laptops, the default test run) has no such trigger.
"""

from django.db import migrations

# Separate statements, so no SQL splitter has to understand the $$-quoted function body.
FORWARD = [
    """
CREATE OR REPLACE FUNCTION workflow_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'workflow_auditentry is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
""",
    """
CREATE TRIGGER workflow_auditentry_append_only
    BEFORE UPDATE OR DELETE ON workflow_auditentry
    FOR EACH ROW EXECUTE FUNCTION workflow_auditentry_append_only()
""",
]

REVERSE = [
    "DROP TRIGGER IF EXISTS workflow_auditentry_append_only ON workflow_auditentry",
    "DROP FUNCTION IF EXISTS workflow_auditentry_append_only()",
]


class PostgreSQLOnlyRunSQL(migrations.RunSQL):
    """RunSQL that does nothing on any database but PostgreSQL."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0001_initial"),
    ]

    operations = [
        PostgreSQLOnlyRunSQL(sql=FORWARD, reverse_sql=REVERSE),
    ]
