"""Search that scales, on PostgreSQL: the queue searches by number and by words in the text.

`icontains` over two million petitions is a sequential scan. pg_trgm GIN indexes on the
expressions Django compares (UPPER(subject), UPPER(description)) serve `icontains` of three or
more characters; a pattern-ops index serves `number__startswith` whatever the collation.
SQLite has none of these and keeps its plain scan. Built CONCURRENTLY so a live table keeps
taking petitions while they build (hence not atomic).
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

TABLE = "service_center_petition"
INDEXES = {
    "sc_petition_subject_trgm": "USING gin (UPPER(subject) gin_trgm_ops)",
    "sc_petition_description_trgm": "USING gin (UPPER(description) gin_trgm_ops)",
    "sc_petition_number_prefix": "(number varchar_pattern_ops)",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {TABLE} {definition}"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("service_center", "0007_petition_media_url"),
    ]

    operations = [
        # Skipped on databases other than PostgreSQL.
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
