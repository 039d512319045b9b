"""Writing many rows fast: PostgreSQL COPY through psycopg 3, bulk_create elsewhere (SQLite).

At full scale the petition and event tables are loaded with their secondary indexes and
constraints dropped and rebuilt afterwards (one sort per index instead of two million inserts
into each), into tables truncated in the same transaction so COPY can write the rows frozen
and VACUUM has no hint bits left to set.
"""

import json
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import islice

from django.db import connection, models

_SQLITE_BATCH = 500


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def columns(model: type[models.Model]) -> list[str]:
    """The model's columns in the order the row tuples give them (attname = column here)."""
    return [field.attname for field in model._meta.concrete_fields]


def write_rows(model: type[models.Model], rows: Iterable[tuple], *, freeze: bool = False) -> int:
    """Insert rows given as tuples in `columns(model)` order. Returns how many."""
    if is_postgresql():
        return _copy(model, rows, freeze=freeze)
    return _bulk_create(model, rows)


def _copy(model, rows, *, freeze: bool) -> int:
    fields = model._meta.concrete_fields
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    # COPY's text format takes JSON as its text; everything else psycopg adapts itself.
    json_at = [i for i, f in enumerate(fields) if f.get_internal_type() == "JSONField"]
    table = connection.ops.quote_name(model._meta.db_table)
    options = " WITH (FREEZE)" if freeze else ""
    count = 0
    connection.ensure_connection()
    statement = f"COPY {table} ({names}) FROM STDIN{options}"
    with connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            if json_at:
                row = list(row)
                for i in json_at:
                    row[i] = None if row[i] is None else json.dumps(row[i])
            copy.write_row(row)
            count += 1
    return count


def _bulk_create(model, rows) -> int:
    names = columns(model)
    count = 0
    iterator: Iterator[tuple] = iter(rows)
    while batch := list(islice(iterator, _SQLITE_BATCH)):
        model.objects.bulk_create([model(**dict(zip(names, row, strict=True))) for row in batch])
        count += len(batch)
    return count


def truncate(*models_: type[models.Model]) -> None:
    """Empty the tables (and every table referencing them), ids restarting at 1."""
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models_)
    with connection.cursor() as cursor:
        if is_postgresql():
            cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        else:
            for model in models_:
                model.objects.all().delete()


@contextmanager
def without_secondary_indexes(*models_: type[models.Model], progress=None):
    """PostgreSQL: drop the tables' indexes, unique and foreign-key constraints; rebuild them
    after the block exactly as they were (definitions read from the catalogue). `progress`
    hears about each rebuild that took a while."""
    rebuild: list[str] = []
    with connection.cursor() as cursor:
        # Deferred checks still pending (rows written earlier in the transaction) would forbid
        # altering their tables: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for model in models_:
            rebuild.extend(_drop_secondary(cursor, model._meta.db_table))
    yield
    with connection.cursor() as cursor:
        # One sort per index with room to do it in memory, on both cores.
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("SET LOCAL max_parallel_maintenance_workers = 2")
        for statement in rebuild:
            started = time.monotonic()
            cursor.execute(statement)
            took = time.monotonic() - started
            if progress is not None and took > 5:
                progress(f"{took:.0f} s for {statement[:90]}")


def _drop_secondary(cursor, table: str) -> list[str]:
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = %s
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                          WHERE c.conrelid = %s::regclass AND c.conname = i.indexname)
        """,
        [table, table],
    )
    indexes = cursor.fetchall()
    cursor.execute(
        """
        SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint
        WHERE conrelid = %s::regclass AND contype IN ('u', 'f')
        ORDER BY contype DESC
        """,
        [table],
    )
    constraints = cursor.fetchall()
    quoted = connection.ops.quote_name(table)
    for name, _definition, _kind in constraints:
        cursor.execute(f"ALTER TABLE {quoted} DROP CONSTRAINT {connection.ops.quote_name(name)}")
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    # Indexes first, then unique constraints (their own index), then foreign keys (validated).
    return [definition for _name, definition in indexes] + [
        f"ALTER TABLE {quoted} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}"
        for name, definition, _kind in constraints
    ]


def reset_sequences(*models_: type[models.Model]) -> None:
    """After explicit ids: the next ORM insert continues after the largest id."""
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), list(models_))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def next_id(model: type[models.Model]) -> int:
    found = model.objects.aggregate(top=models.Max("pk"))["top"]
    return (found or 0) + 1
