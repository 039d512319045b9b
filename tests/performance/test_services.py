from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from rdec_portal.accounts.roles import AGENCY_STAFF, Line
from rdec_portal.performance.models import ClosedMonth, MonthlyMetric
from rdec_portal.performance.services import (
    MonthClosedError,
    PerformanceError,
    month_close,
    month_reopen,
    rollup_month,
)
from rdec_portal.workflow.models import AuditEntry
from tests.accounts.factories import UserFactory
from tests.performance.conftest import taipei
from tests.performance.factories import MonthlyMetricFactory

OCTOBER = date(2026, 10, 1)


def table(month=OCTOBER):
    return {
        (r.month, r.agency_id, r.line, r.code, r.value, r.numerator, r.denominator)
        for r in MonthlyMetric.objects.filter(month=month)
    }


@pytest.fixture
def two_agency_rows(agency_a, agency_b):
    return [
        (agency_a.pk, Decimal("92.5"), 37, 40),
        (agency_b.pk, Decimal("80"), 8, 10),
    ]


def test_rollup_stores_each_row_with_the_month_line_and_code(
    rows_metric, two_agency_rows, agency_a
):
    rows_metric(two_agency_rows)
    written = rollup_month(month=OCTOBER, codes=["test.rows"])
    assert written == 2
    assert (
        OCTOBER,
        agency_a.pk,
        Line.SERVICE_CENTER,
        "test.rows",
        Decimal("92.5"),
        37,
        40,
    ) in table()


def test_rollup_passes_the_month_as_kaohsiung_midnights(rows_metric, two_agency_rows):
    _metric, calls = rows_metric(two_agency_rows)
    rollup_month(month=date(2026, 10, 17), codes=["test.rows"])
    assert calls == [(taipei(2026, 10, 1), taipei(2026, 11, 1))]
    assert {row[0] for row in table()} == {OCTOBER}


def test_rollup_twice_gives_identical_rows(rows_metric, two_agency_rows):
    rows_metric(two_agency_rows)
    rollup_month(month=OCTOBER, codes=["test.rows"])
    first = table()
    rollup_month(month=OCTOBER, codes=["test.rows"])
    assert table() == first
    assert MonthlyMetric.objects.count() == 2


def test_rollup_updates_changed_figures_in_place(rows_metric, two_agency_rows, agency_a):
    rows_metric(two_agency_rows)
    rollup_month(month=OCTOBER, codes=["test.rows"])
    ids = set(MonthlyMetric.objects.values_list("pk", flat=True))
    two_agency_rows[0] = (agency_a.pk, Decimal("95"), 38, 40)
    rollup_month(month=OCTOBER, codes=["test.rows"])
    assert set(MonthlyMetric.objects.values_list("pk", flat=True)) == ids
    assert MonthlyMetric.objects.get(agency=agency_a).value == Decimal("95")


def test_rollup_removes_an_agency_that_no_longer_appears(rows_metric, two_agency_rows, agency_b):
    rows_metric(two_agency_rows)
    rollup_month(month=OCTOBER, codes=["test.rows"])
    del two_agency_rows[1]
    rollup_month(month=OCTOBER, codes=["test.rows"])
    assert not MonthlyMetric.objects.filter(agency=agency_b).exists()
    assert MonthlyMetric.objects.count() == 1


def test_rollup_of_a_metric_with_no_rows_empties_its_month_only(
    rows_metric, two_agency_rows, agency_a
):
    rows_metric(two_agency_rows)
    rollup_month(month=OCTOBER, codes=["test.rows"])
    other_month = MonthlyMetricFactory(month=date(2026, 9, 1), agency=agency_a, code="test.rows")
    other_metric = MonthlyMetricFactory(month=OCTOBER, agency=agency_a, code="test.other")
    two_agency_rows.clear()
    assert rollup_month(month=OCTOBER, codes=["test.rows"]) == 0
    assert set(MonthlyMetric.objects.all()) == {other_month, other_metric}


def test_rollup_stores_all_its_metrics_in_the_same_few_statements(
    rows_metric, two_agency_rows, agency_a
):
    # The metrics here compute without a query: what is counted is the rollup's own writing.
    codes = ["test.rows", "test.second", "test.third"]
    for code in codes:
        rows_metric(two_agency_rows, code=code)
    rollup_month(month=OCTOBER, codes=codes[:1])
    with CaptureQueriesContext(connection) as one:
        rollup_month(month=OCTOBER, codes=codes[:1])
    with CaptureQueriesContext(connection) as three:
        rollup_month(month=OCTOBER, codes=codes)
    assert len(three) == len(one)
    assert MonthlyMetric.objects.filter(month=OCTOBER).count() == 6
    stale = MonthlyMetricFactory(month=OCTOBER, agency=agency_a, code="test.second", line="x")
    rollup_month(month=OCTOBER, codes=codes)
    assert not MonthlyMetric.objects.filter(pk=stale.pk).exists()
    assert MonthlyMetric.objects.filter(month=OCTOBER).count() == 6


def test_rollup_drops_rows_without_agency_or_value_and_rounds_to_four_places(rows_metric, agency_a):
    rows_metric([(None, 5, 5, 5), (agency_a.pk, None, 0, 0), (agency_a.pk, 2 / 3, 2, 3)])
    assert rollup_month(month=OCTOBER, codes=["test.rows"]) == 1
    assert MonthlyMetric.objects.get().value == Decimal("0.6667")


def test_rollup_runs_every_registered_metric_by_default(rows_metric, two_agency_rows, agency_a):
    UserFactory(agency=agency_a, roles=[AGENCY_STAFF], date_joined=taipei(2026, 1, 1))
    rows_metric(two_agency_rows)
    rows_metric([(agency_a.pk, 1, None, None)], code="test.second")
    rollup_month(month=OCTOBER)
    codes = set(MonthlyMetric.objects.values_list("code", flat=True))
    assert {"test.rows", "test.second", "accounts.active_staff"} <= codes


def test_rollup_refuses_a_closed_month_and_leaves_it_untouched(
    rows_metric, two_agency_rows, administrator, agency_a
):
    rows_metric(two_agency_rows)
    rollup_month(month=OCTOBER, codes=["test.rows"])
    before = table()
    with time_machine.travel(taipei(2026, 11, 5), tick=False):
        month_close(month=OCTOBER, by=administrator)
    two_agency_rows[0] = (agency_a.pk, Decimal("10"), 4, 40)
    with pytest.raises(MonthClosedError):
        rollup_month(month=OCTOBER, codes=["test.rows"])
    assert table() == before


def test_rollup_asked_for_by_a_person_is_audited(rows_metric, two_agency_rows, administrator):
    rows_metric(two_agency_rows)
    rollup_month(month=OCTOBER, codes=["test.rows"], by=administrator)
    entry = AuditEntry.objects.get(actor=administrator)
    assert entry.changes == {"rollup": "2026-10", "rows": 2}


@time_machine.travel(taipei(2026, 11, 5), tick=False)
def test_close_and_reopen_are_audited(administrator):
    closed = month_close(month=date(2026, 10, 20), by=administrator)
    assert closed.month == OCTOBER
    assert closed.closed_by == administrator
    month_reopen(month=OCTOBER, by=administrator)
    assert not ClosedMonth.objects.exists()
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(ClosedMonth)
    ).order_by("at", "id")
    assert [e.changes["closed"] for e in entries] == [[False, True], [True, False]]
    assert {e.actor for e in entries} == {administrator}


@time_machine.travel(taipei(2026, 11, 5), tick=False)
@pytest.mark.parametrize("user", ["mayor_office", "staff_a", "rdec_planning"])
def test_only_an_administrator_closes_or_reopens(request, user, rdec_user, administrator):
    person = rdec_user(Line.PLANNING) if user == "rdec_planning" else request.getfixturevalue(user)
    with pytest.raises(PerformanceError):
        month_close(month=OCTOBER, by=person)
    assert not ClosedMonth.objects.exists()
    month_close(month=OCTOBER, by=administrator)
    with pytest.raises(PerformanceError):
        month_reopen(month=OCTOBER, by=person)
    assert ClosedMonth.objects.filter(month=OCTOBER).exists()


@time_machine.travel(taipei(2026, 10, 31, 23, 0), tick=False)
def test_the_current_month_cannot_be_closed(administrator):
    with translation.override("en"), pytest.raises(PerformanceError, match="not over"):
        month_close(month=OCTOBER, by=administrator)
    assert not ClosedMonth.objects.exists()


@time_machine.travel(taipei(2026, 11, 5), tick=False)
def test_closing_twice_or_reopening_an_open_month_says_so(administrator):
    with translation.override("en"), pytest.raises(PerformanceError, match="not closed"):
        month_reopen(month=OCTOBER, by=administrator)
    month_close(month=OCTOBER, by=administrator)
    with translation.override("en"), pytest.raises(PerformanceError, match="already closed"):
        month_close(month=OCTOBER, by=administrator)
    assert ClosedMonth.objects.count() == 1
