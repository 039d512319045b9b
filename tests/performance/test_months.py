from datetime import date, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from rdec_portal.performance.months import (
    add_months,
    last_complete_month,
    month_bounds,
    month_range,
    parse_month,
)
from tests.performance.conftest import TAIPEI, taipei


@pytest.mark.parametrize(
    "text",
    [
        "2026-10",
        "2026/10",
        "2026.10",
        " 2026-10 ",
        "115/10",
        "115-10",
        "民國115年10月",
        "115年10月",
        "１１５／１０",
    ],
)
def test_parse_month_reads_iso_and_roc(text):
    assert parse_month(text) == date(2026, 10, 1)


@pytest.mark.parametrize(
    "text", ["2026-13", "115/0", "October", "", "2026", "0/10", "2026-10-15x", "1" * 30]
)
def test_parse_month_rejects_what_is_not_a_month(text):
    with pytest.raises(ValidationError):
        parse_month(text)


def test_month_bounds_are_midnight_in_kaohsiung_half_open():
    start, end = month_bounds(date(2026, 12, 15))
    assert start == taipei(2026, 12, 1)
    assert end == taipei(2027, 1, 1)
    assert start.utcoffset().total_seconds() == 8 * 3600


def test_add_months_and_range_cross_years():
    assert add_months(date(2026, 1, 1), -1) == date(2025, 12, 1)
    assert add_months(date(2025, 12, 1), 13) == date(2027, 1, 1)
    assert month_range(date(2025, 11, 1), date(2026, 2, 1)) == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]


def test_last_complete_month_follows_the_kaohsiung_calendar():
    # 1 November 00:30 in Kaohsiung is still 31 October in UTC.
    with time_machine.travel(datetime(2026, 11, 1, 0, 30, tzinfo=TAIPEI), tick=False):
        assert last_complete_month() == date(2026, 10, 1)
