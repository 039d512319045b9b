"""The benchmark's own code at a small scale on the test database: seeding, every operation and
check, the table and the result files. Timings are not asserted: only that the harness works.

The harness runs at CI_ROWS, the issue's small scale, so every operation, floor and check of
`make bench` runs here on the same code and cannot rot; the seeding tests need fewer rows."""

import json

import pytest
from django.db import connection

from bench import database, harness, seed
from rdec_portal.performance.models import MonthlyMetric
from rdec_portal.performance.months import last_complete_month
from service_center.petitions import services
from service_center.petitions.models import Category, Petition, PetitionEvent, Status
from tests.service_center.factories import PetitionFactory

ROWS = 2_000
CI_ROWS = 20_000
# The rollup floors are PostgreSQL SQL (the benchmark runs on PostgreSQL only): on SQLite, the
# development default, the other modules still run.
POSTGRESQL_ONLY = {"bench.performance"}


@pytest.fixture
def seeded(db):
    return seed.seed(rows=ROWS)


def test_seeding_writes_ten_years_of_cases_with_their_history(seeded):
    assert seeded.petitions == Petition.objects.count() == ROWS
    assert seeded.events == PetitionEvent.objects.count() > 3 * ROWS
    first, last = Petition.objects.order_by("received_at")[:: ROWS - 1]
    assert (last.received_at - first.received_at).days > 9 * 365
    statuses = set(Petition.objects.values_list("status", flat=True))
    assert {Status.CLOSED, Status.IN_PROGRESS, Status.NOT_HANDLED} <= statuses
    closed = Petition.objects.filter(status=Status.CLOSED).first()
    kinds = list(closed.events.order_by("created_at").values_list("kind", flat=True))
    assert kinds[0] == "submitted" and kinds[-1] == "closed"


def test_a_petition_filed_after_seeding_gets_the_next_number_of_the_day(seeded):
    result = services.petition_submit(
        category=Category.objects.get(code="noise"),
        subject="夜間噪音",
        description="工廠夜間運轉。",
        name="陳小華",
        phone="0912345678",
        has_consented=True,
    )
    assert result.created and Petition.objects.count() == ROWS + 1


def _modules() -> list[str]:
    if connection.vendor == "postgresql":
        return harness.MODULES
    return [name for name in harness.MODULES if name not in POSTGRESQL_ONLY]


def test_the_harness_measures_every_operation_and_writes_well_formed_tables(db, tmp_path):
    seed.seed(rows=CI_ROWS)
    modules = _modules()
    # One run of each, its queries counted as it runs: the quickest run that misses nothing.
    report = harness.run(repeat=1, warmup=0, rows=CI_ROWS, modules=modules)
    paths = harness.write_results(report, tmp_path)

    names = [op.name for op in harness._operations if op.module in modules]
    assert [row.operation for row in report.rows] == names
    assert {"bench.service_center", "bench.open311"} <= {op.module for op in harness._operations}
    assert len(report.query_rows) == 2 and len(report.depth_rows) == 2
    data = json.loads(paths[0].read_text(encoding="utf-8"))
    assert set(data) == {"meta", "rows", "query_rows", "depth_rows", "passed"}
    assert data["meta"]["rows"] == CI_ROWS and data["meta"]["repeat"] == 1
    for row in data["rows"]:
        assert row["timing"]["runs"] == row["floor_timing"]["runs"] == 1
        assert row["timing"]["median_ms"] > 0 and row["ratio"] > 0

    if "bench.performance" in modules:
        _assert_the_rollup_floor_computes_what_the_rollup_stores()

    tables = _tables(paths[1].read_text(encoding="utf-8"))
    assert [len(t) - 2 for t in tables] == [len(names), 2, 2]
    for table in tables:
        widths = {len(line.split("|")) for line in table}
        assert len(widths) == 1  # every line has the header's columns
        assert all(line.rstrip().endswith(("| pass |", "| **miss** |")) for line in table[2:])


def _assert_the_rollup_floor_computes_what_the_rollup_stores():
    """The floor is the same aggregates by hand, not something cheaper that would flatter."""
    from bench import performance

    month = last_complete_month()
    floor = performance.month_petition_figures(month)
    stored = {
        (row.code, row.agency_id): row
        for row in MonthlyMetric.objects.filter(month=month, code__startswith="service_center.")
    }
    received = {a: f["received"] for a, f in floor.items() if f["received"]}
    assert received and received == {
        agency: row.value for (code, agency), row in stored.items() if code.endswith(".received")
    }
    on_time = {a: (f["on_time"], f["answered"]) for a, f in floor.items() if f["answered"]}
    assert on_time and on_time == {
        agency: (row.numerator, row.denominator)
        for (code, agency), row in stored.items()
        if code.endswith(".replied_on_time")
    }


def _tables(text: str) -> list[list[str]]:
    tables, current = [], []
    for line in text.splitlines():
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    return tables + ([current] if current else [])


def test_a_database_with_petitions_not_written_by_the_benchmark_is_refused(db):
    PetitionFactory()
    with pytest.raises(database.BenchDatabaseError):
        database.needs_seed(ROWS, force=True)


def test_a_seeded_database_is_measured_again_without_seeding(seeded):
    database.read_marker()
    database.write_marker(ROWS, seeded.now)
    assert database.needs_seed(ROWS, force=False) is False
    assert database.needs_seed(ROWS * 2, force=False) is True
    assert database.needs_seed(ROWS, force=True) is True
