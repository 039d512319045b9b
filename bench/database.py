"""The benchmark's own PostgreSQL database: created if missing, migrated, seeded once per size.

A marker table (bench_seed) records what was seeded, so a second `make bench` with the same BENCH_ROWS
measures at once instead of seeding again. A database holding petitions without that marker
was not made by the benchmark (development data, say) and is refused, never overwritten.
"""

from dataclasses import dataclass
from datetime import datetime

import dj_database_url
import psycopg
from django.core.management import call_command
from django.db import connection
from psycopg import sql

# Bump when bench.seed generates different data: older benchmark databases are seeded again.
SEED_VERSION = 1


class BenchDatabaseError(RuntimeError):
    pass


@dataclass(frozen=True)
class Marker:
    rows: int
    version: int
    seeded_at: datetime


def ensure_database(url: str) -> None:
    """Create the database named in `url` if the server does not have it yet."""
    config = dj_database_url.parse(url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        raise BenchDatabaseError("The benchmark runs on PostgreSQL: give a postgres:// URL.")
    params = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v is not None}) as server:
        found = server.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not found:
            server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))


def migrate() -> None:
    call_command("migrate", interactive=False, verbosity=0)


def read_marker() -> Marker | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_seed (rows bigint, version int, seeded_at timestamptz)"
        )
        cursor.execute("SELECT rows, version, seeded_at FROM bench_seed")
        row = cursor.fetchone()
    return Marker(*row) if row else None


def write_marker(rows: int, seeded_at: datetime) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM bench_seed")
        cursor.execute(
            "INSERT INTO bench_seed (rows, version, seeded_at) VALUES (%s, %s, %s)",
            [rows, SEED_VERSION, seeded_at],
        )


def needs_seed(rows: int, *, force: bool) -> bool:
    """True if the database must be (re)seeded for `rows`; raises if it is not the bench's."""
    from service_center.petitions.models import Petition

    marker = read_marker()
    if marker is None and Petition.objects.exists():
        raise BenchDatabaseError(
            "This database has petitions the benchmark did not write. Point BENCH_DATABASE_URL "
            "at a database of its own (default postgres://postgres@127.0.0.1:5432/rdec_bench)."
        )
    return force or marker is None or (marker.rows, marker.version) != (rows, SEED_VERSION)


def vacuum_analyze() -> None:
    """Fresh statistics and a visibility map, as a long-running database has them."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
