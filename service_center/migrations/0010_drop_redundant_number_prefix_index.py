"""Drop sc_petition_number_prefix (migration 0008): Django already gives the unique `number`
column a varchar_pattern_ops index of its own on PostgreSQL (service_center_petition_number_…_like),
which serves `number__startswith`. Two identical indexes only cost every insert twice."""

from django.db import migrations

NAME = "sc_petition_number_prefix"
DEFINITION = "ON service_center_petition (number varchar_pattern_ops)"


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NAME}")


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {NAME} {DEFINITION}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("service_center", "0009_petition_category_district_indexes"),
    ]

    operations = [
        migrations.RunPython(drop_index, create_index),
    ]
