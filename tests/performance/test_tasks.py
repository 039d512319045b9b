from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from rdec_portal.performance.models import ClosedMonth, MonthlyMetric
from rdec_portal.performance.tasks import (
    rollup_current_month,
    rollup_month_task,
    rollup_previous_month,
)
from tests.performance.conftest import taipei


@pytest.fixture
def one_row(rows_metric, agency_a, clean_registry):
    """Only a throw-away metric is registered, so the counts below are exact."""
    clean_registry._REGISTRY.clear()
    rows_metric([(agency_a.pk, Decimal("95"), 19, 20)])


def months_stored():
    return sorted(MonthlyMetric.objects.values_list("month", flat=True))


@pytest.mark.parametrize("given", ["2026-10", "115/10"])
def test_task_rolls_up_the_month_given_as_iso_or_roc(one_row, given):
    assert rollup_month_task(given) == 1
    assert months_stored() == [date(2026, 10, 1)]


def test_task_with_a_bad_month_fails_clearly(one_row):
    with pytest.raises(ValueError, match="'2026-13' is not a month"):
        rollup_month_task("2026-13")
    assert not MonthlyMetric.objects.exists()


def test_task_skips_a_closed_month(one_row):
    ClosedMonth.objects.create(month=date(2026, 10, 1))
    assert rollup_month_task("2026-10") == 0
    assert not MonthlyMetric.objects.exists()


@time_machine.travel(taipei(2026, 11, 1, 0, 30), tick=False)
def test_scheduled_tasks_pick_the_previous_and_current_month_in_kaohsiung(one_row):
    # 00:30 on 1 November in Kaohsiung is 16:30 on 31 October in UTC.
    rollup_previous_month()
    assert months_stored() == [date(2026, 10, 1)]
    rollup_current_month()
    assert months_stored() == [date(2026, 10, 1), date(2026, 11, 1)]


def test_beat_schedule_names_registered_tasks():
    from rdec_portal.celery import app

    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {"performance.rollup_previous_month", "performance.rollup_current_month"} <= scheduled
    assert scheduled & set(app.tasks) >= {
        "performance.rollup_previous_month",
        "performance.rollup_current_month",
    }


def run(*args) -> str:
    out = StringIO()
    call_command("rollup_metrics", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("given", ["2026-10", "115/10", "民國115年10月"])
def test_command_rolls_up_one_month(one_row, given):
    assert run("--month", given) == "2026-10: 1 rows\n"
    assert months_stored() == [date(2026, 10, 1)]


def test_command_back_fills_a_range_and_skips_closed_months(one_row):
    ClosedMonth.objects.create(month=date(2026, 1, 1))
    output = run("--from", "114/11", "--to", "2026-02")
    assert output.splitlines() == [
        "2025-11: 1 rows",
        "2025-12: 1 rows",
        "2026-01: skipped, the month is closed",
        "2026-02: 1 rows",
    ]
    assert months_stored() == [date(2025, 11, 1), date(2025, 12, 1), date(2026, 2, 1)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2026-13"], "'2026-13' is not a month"),
        (["--month", "soon"], "'soon' is not a month"),
        ([], "Give --month, or both --from and --to"),
        (["--from", "2026-01"], "Give --month, or both --from and --to"),
        (["--month", "2026-10", "--from", "2026-01", "--to", "2026-02"], "not both"),
        (["--from", "2026-05", "--to", "2026-01"], "--from must not be after --to"),
        (["--month", "2026-10", "--code", "test.nope"], "Unknown metric code"),
    ],
)
def test_command_refuses_bad_input_and_writes_nothing(one_row, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not MonthlyMetric.objects.exists()
