"""Database helpers the ORM has no single call for."""

from django.db import connection


def insert_returning_pk(instance, *, unless_exists: str | None = None) -> int | None:
    """INSERT the unsaved `instance` in one statement and return its new id; with
    `unless_exists` (a unique field), ON CONFLICT (that field) DO NOTHING: None if a row with
    that value exists. PostgreSQL and SQLite alike; no savepoint, no model signals.

    For the hot paths that write a row per request (a citizen's petition, an outbox message):
    Model.save() compiles the same INSERT anew each time, and catching a unique violation needs
    a savepoint around it.
    """
    meta = instance._meta
    quote = connection.ops.quote_name
    columns, values = insert_values(instance)
    placeholders = ", ".join(["%s"] * len(values))
    conflict = do_nothing_on_conflict(meta, unless_exists)
    # Identifiers from the model's own metadata; every value is a parameter.
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608
        f"{conflict} RETURNING {quote(meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return None
    mark_inserted(instance, row[0])
    return instance.pk


def mark_inserted(instance, pk: int) -> None:
    """Make an instance written by hand-made SQL look saved, as Model.save() leaves it."""
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = connection.alias


def insert_values(instance, *, skip: tuple[str, ...] = ()) -> tuple[list[str], list]:
    """The quoted columns and the prepared values of an unsaved instance's INSERT: every
    concrete field but the primary key and those named in `skip`, defaults applied."""
    quote = connection.ops.quote_name
    fields = [f for f in instance._meta.concrete_fields if not f.primary_key and f.name not in skip]
    columns = [quote(f.column) for f in fields]
    values = [f.get_db_prep_save(f.pre_save(instance, add=True), connection) for f in fields]
    return columns, values


def do_nothing_on_conflict(meta, field_name: str | None) -> str:
    """The ON CONFLICT (field) DO NOTHING clause of an INSERT, or nothing without a field."""
    if not field_name:
        return ""
    column = connection.ops.quote_name(meta.get_field(field_name).column)
    return f" ON CONFLICT ({column}) DO NOTHING"
