"""Hand-written SQL that a measured need calls for. Do not copy it into a new app.

Everything else in the service centre writes through the ORM in `transaction.atomic()`, and a
new business line should do the same. The one exception lives here: the public petition form's
submission, which the benchmark holds to a target only one statement meets —
bench/results/latest.md, row "Public petition submission (form POST)": 2.82× the bare SQL
insert against a target of at most 3×, with one query. A petition without files on
PostgreSQL is written by `insert_at_once()`: the day's number, the petition, its first history
line, the staff filer's audit row and the citizen's email in one data-modifying WITH statement.
Any other submission (files, SQLite) takes the ORM path in `services._insert_in_steps`, and
`tests/service_center/petitions/test_services.py` checks that both store the same rows.

If the benchmark row no longer needs it (a faster database, a different target), delete this
module and let every submission take the steps.
"""

import json

from django.db import connection

from rdec_portal.db import do_nothing_on_conflict, insert_values, mark_inserted
from rdec_portal.workflow.outbox import outbox_hand_over
from service_center.petitions.models import Petition, PetitionNumberSequence


def can_insert_at_once(*, files) -> bool:
    """A petition without files, on PostgreSQL (data-modifying WITH): the hot path."""
    return connection.vendor == "postgresql" and not files


def insert_at_once(petition, *, day, number_prefix: str, event, audit, message) -> bool:
    """Write the unsaved `petition` with its unsaved first `event`, staff `audit` row (or None)
    and outbox `message` (or None; its key and payload say "{pk}" for the new id) in one
    statement. False if the petition's idempotency key was taken.

    Outside a transaction it commits on its own, and the day's counter row is locked only while
    the statement runs, not until a later COMMIT; inside the caller's transaction it commits
    (and holds that lock) with it, and has no savepoint of its own: a database error here aborts
    the caller's transaction. A repeat that arrives after the first form committed takes no
    number; one sent at the same moment finds the key taken at the INSERT and leaves a gap in
    the day's numbers.
    """
    quote = connection.ops.quote_name
    sequence = quote(PetitionNumberSequence._meta.db_table)
    steps: list[str] = []
    params: list = []

    def step(name: str, sql_and_params: tuple[str, list]) -> None:
        steps.append(f"{name} AS ({sql_and_params[0]})")
        params.extend(sql_and_params[1])

    step(
        "n",
        (
            f"INSERT INTO {sequence} (day, last) SELECT %s, 1"  # noqa: S608 - the model's table
            f" WHERE NOT EXISTS (SELECT 1 FROM {quote(Petition._meta.db_table)}"
            " WHERE idempotency_key = %s)"
            f" ON CONFLICT (day) DO UPDATE SET last = {sequence}.last + 1 RETURNING last",
            [day, petition.idempotency_key],
        ),
    )
    # The number as services._next_number() writes it: at least four digits.
    number = (
        "%s || lpad(n.last::text, greatest(4, length(n.last::text)), '0')",
        [number_prefix],
    )
    step(
        "p",
        insert_from(
            petition,
            source="n",
            computed={"number": number},
            unless_exists="idempotency_key",
            returning="id, number",
        ),
    )
    step("e", insert_from(event, source="p", computed={"petition": ("p.id", [])}))
    if audit is not None:
        names = {"object_id": ("p.id::text", []), "object_repr": ("p.number", [])}
        step("a", insert_from(audit, source="p", computed=names))
    if message is not None:
        key = ("replace(%s, '{pk}', p.id::text)", [message.key])
        payload = (
            f"%s::jsonb || jsonb_build_object('petition', p.id, 'key', {key[0]})",
            [json.dumps(message.payload), *key[1]],
        )
        computed = {"key": key, "payload": payload}
        step(
            "o",
            insert_from(
                message, source="p", computed=computed, unless_exists="key", returning="id"
            ),
        )
    message_id = "(SELECT id FROM o)" if message is not None else "NULL"
    # Every step built from the models' metadata; every value is a parameter.
    sql = f"WITH {', '.join(steps)} SELECT p.id, p.number, {message_id} FROM p"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False
    petition_id, petition.number, message_id = row
    mark_inserted(petition, petition_id)
    if message_id is not None:
        outbox_hand_over(message_id)
    return True


def insert_from(
    instance,
    *,
    source: str,
    computed: dict[str, tuple[str, list]],
    unless_exists: str | None = None,
    returning: str | None = None,
) -> tuple[str, list]:
    """`INSERT … SELECT … FROM source` of an unsaved instance, for one step of a data-modifying
    WITH (PostgreSQL): each field named in `computed` takes an SQL expression over `source`
    with its parameters, every other field the instance's own value. Returns SQL and params."""
    meta = instance._meta
    quote = connection.ops.quote_name
    columns, params = insert_values(instance, skip=tuple(computed))
    expressions = ["%s"] * len(params)
    for name, (expression, expression_params) in computed.items():
        columns.append(quote(meta.get_field(name).column))
        expressions.append(expression)
        params.extend(expression_params)
    conflict = do_nothing_on_conflict(meta, unless_exists)
    # Identifiers from the model's own metadata; every value is a parameter.
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(columns)})"  # noqa: S608
        f" SELECT {', '.join(expressions)} FROM {source}{conflict}"
        f"{f' RETURNING {returning}' if returning else ''}"
    )
    return sql, params
