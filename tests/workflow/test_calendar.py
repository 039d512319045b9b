from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from django.core.cache import cache

from rdec_portal.workflow import calendar
from rdec_portal.workflow.calendar import (
    add_calendar_hours,
    add_working_days,
    day_end,
    is_working_day,
    month_days,
    next_working_day,
    working_days_between,
    working_days_deadline,
)
from rdec_portal.workflow.models import CalendarOverride

TAIPEI = ZoneInfo("Asia/Taipei")

pytestmark = pytest.mark.django_db


def _reference_is_working(day: date) -> bool:
    """An independent day-by-day oracle straight from the holidays package (no overrides)."""
    package = holidays.Taiwan(years=day.year)
    if day in package.weekend_workdays:
        return True
    return day not in package and day.weekday() < 5


def _reference_add(start: date, n: int) -> date:
    day = start
    while not _reference_is_working(day):
        day += timedelta(days=1)
    step = 1 if n >= 0 else -1
    for _ in range(abs(n)):
        day += timedelta(days=step)
        while not _reference_is_working(day):
            day += timedelta(days=step)
    return day


def test_weekends_are_days_off_and_weekdays_working_days():
    assert is_working_day(date(2025, 3, 7))  # Friday
    assert not is_working_day(date(2025, 3, 8))  # Saturday
    assert not is_working_day(date(2025, 3, 9))  # Sunday
    assert is_working_day(date(2025, 3, 10))  # Monday
    assert add_working_days(date(2025, 3, 7), 1) == date(2025, 3, 10)


def test_2025_lunar_new_year_is_nine_days_off():
    # 1/25 (Sat) to 2/2 (Sun): weekend, bridge day 1/27, eve 1/28, new year 1/29-1/31.
    off = [date(2025, 1, 25) + timedelta(days=i) for i in range(9)]
    assert not any(is_working_day(day) for day in off)
    assert is_working_day(date(2025, 1, 24))
    assert is_working_day(date(2025, 2, 3))
    assert add_working_days(date(2025, 1, 24), 1) == date(2025, 2, 3)


def test_2025_02_08_saturday_is_a_make_up_workday():
    assert date(2025, 2, 8).weekday() == 5
    assert is_working_day(date(2025, 2, 8))
    assert add_working_days(date(2025, 2, 7), 1) == date(2025, 2, 8)
    assert next_working_day(date(2025, 2, 7)) == date(2025, 2, 8)


def test_day_0_is_the_next_working_day_when_received_on_a_day_off():
    saturday = date(2025, 2, 1)
    assert add_working_days(saturday, 0) == date(2025, 2, 3)
    # Day 0 is Monday 2/3; six working days on (2/8 is a make-up Saturday) is Monday 2/10.
    assert add_working_days(saturday, 6) == date(2025, 2, 10)
    assert add_working_days(date(2025, 2, 3), 0) == date(2025, 2, 3)


def test_typhoon_day_off_override_wins_and_clears_the_cache_when_saved_and_deleted():
    assert add_working_days(date(2024, 10, 1), 1) == date(2024, 10, 2)
    override_2 = CalendarOverride.objects.create(
        date=date(2024, 10, 2), kind=CalendarOverride.Kind.DAY_OFF, reason="山陀兒颱風停班"
    )
    CalendarOverride.objects.create(
        date=date(2024, 10, 3), kind=CalendarOverride.Kind.DAY_OFF, reason="山陀兒颱風停班"
    )
    assert not is_working_day(date(2024, 10, 2))
    assert add_working_days(date(2024, 10, 1), 1) == date(2024, 10, 4)
    override_2.delete()
    assert add_working_days(date(2024, 10, 1), 1) == date(2024, 10, 2)


def test_make_up_workday_override_makes_a_saturday_and_a_holiday_working_days():
    CalendarOverride.objects.create(
        date=date(2026, 3, 7), kind=CalendarOverride.Kind.WORKDAY, reason="補行上班"
    )
    CalendarOverride.objects.create(
        date=date(2025, 10, 10), kind=CalendarOverride.Kind.WORKDAY, reason="test"
    )
    assert is_working_day(date(2026, 3, 7))
    assert add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 7)
    assert is_working_day(date(2025, 10, 10))


def test_day_off_override_beats_the_packages_make_up_workday():
    CalendarOverride.objects.create(
        date=date(2025, 2, 8), kind=CalendarOverride.Kind.DAY_OFF, reason="颱風"
    )
    assert not is_working_day(date(2025, 2, 8))
    assert add_working_days(date(2025, 2, 7), 1) == date(2025, 2, 10)


def test_long_spans_across_year_boundaries_match_a_day_by_day_count():
    assert add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 2)
    for start, n in [
        (date(2024, 12, 20), 30),
        (date(2024, 6, 3), 250),
        (date(2020, 1, 2), 2000),
        (date(2026, 2, 10), -400),
    ]:
        due = add_working_days(start, n)
        assert due == _reference_add(start, n)
        assert working_days_between(start, due) == n


def test_negative_n_counts_backwards_from_day_0():
    assert add_working_days(date(2025, 2, 3), -1) == date(2025, 1, 24)
    # Sunday 2/9: day 0 is Monday 2/10, one working day before it is the make-up Saturday.
    assert add_working_days(date(2025, 2, 9), -1) == date(2025, 2, 8)
    assert add_working_days(date(2026, 1, 2), -1) == date(2025, 12, 31)


def test_working_days_between_counts_from_day_0():
    assert working_days_between(date(2025, 1, 24), date(2025, 2, 3)) == 1
    assert working_days_between(date(2025, 2, 3), date(2025, 1, 24)) == -1
    assert working_days_between(date(2025, 3, 5), date(2025, 3, 5)) == 0
    # Received Saturday, replied Monday: Monday is day 0, so no working day was used.
    assert working_days_between(date(2025, 3, 8), date(2025, 3, 10)) == 0
    assert working_days_between(date(2025, 3, 8), date(2025, 3, 9)) == 0
    # A Sunday end counts the working days up to it.
    assert working_days_between(date(2025, 3, 5), date(2025, 3, 9)) == 2


def test_add_calendar_hours_ignores_days_off_and_answers_in_taipei_time():
    friday_evening = datetime(2025, 1, 24, 17, 0, tzinfo=TAIPEI)
    assert add_calendar_hours(friday_evening, 24) == datetime(2025, 1, 25, 17, 0, tzinfo=TAIPEI)
    result = add_calendar_hours(datetime(2025, 1, 24, 9, 0, tzinfo=UTC), 24)
    assert result.utcoffset() == timedelta(hours=8)
    assert (result.year, result.month, result.day, result.hour) == (2025, 1, 25, 17)
    assert add_calendar_hours(friday_evening, -2) == datetime(2025, 1, 24, 15, 0, tzinfo=TAIPEI)


def test_working_days_deadline_is_the_end_of_the_due_day():
    received = datetime(2025, 1, 24, 18, 30, tzinfo=TAIPEI)
    due = working_days_deadline(received, 1)
    assert due == day_end(date(2025, 2, 3))
    assert due.astimezone(TAIPEI).date() == date(2025, 2, 3)
    assert due + timedelta(microseconds=1) == datetime(2025, 2, 4, tzinfo=TAIPEI)


def test_one_query_loads_a_span_of_years_and_then_none(django_assert_num_queries):
    with django_assert_num_queries(1):
        add_working_days(date(2020, 1, 2), 2000)
    with django_assert_num_queries(0):
        add_working_days(date(2021, 5, 3), 500)
        is_working_day(date(2024, 2, 8))
        working_days_between(date(2020, 3, 1), date(2027, 3, 1))


def test_another_process_change_reaches_this_process_through_the_shared_version(
    monkeypatch, django_assert_num_queries, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(calendar, "_VERSION_CHECK_SECONDS", -1)
    is_working_day(date(2025, 5, 5))
    with django_assert_num_queries(0):
        is_working_day(date(2025, 5, 5))
    # Another process saved an override: only the shared version changed here.
    cache.add(calendar._VERSION_KEY, 0, timeout=None)
    cache.incr(calendar._VERSION_KEY)
    with django_assert_num_queries(1):
        is_working_day(date(2025, 5, 5))
    before = cache.get(calendar._VERSION_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        CalendarOverride.objects.create(date=date(2025, 5, 6), kind="day_off", reason="颱風")
    assert cache.get(calendar._VERSION_KEY) == before + 1


@pytest.mark.parametrize("n", [1.5, "3", None, True])
def test_n_must_be_an_int(n):
    with pytest.raises(TypeError):
        add_working_days(date(2025, 3, 3), n)


def test_bad_dates_and_huge_spans_are_refused():
    with pytest.raises(TypeError):
        add_working_days(datetime(2025, 3, 3, 9, 0, tzinfo=TAIPEI), 1)
    with pytest.raises(TypeError):
        is_working_day("2025-03-03")
    with pytest.raises(ValueError):
        add_working_days(date(2025, 3, 3), 10**6)
    with pytest.raises(TypeError):
        add_calendar_hours(datetime(2025, 3, 3, 9, 0), 24)  # naive


def test_month_days_name_holidays_and_overrides():
    CalendarOverride.objects.create(
        date=date(2025, 1, 6), kind=CalendarOverride.Kind.DAY_OFF, reason="颱風停班"
    )
    days = {d.date: d for d in month_days(2025, 1)}
    assert len(days) == 31
    assert days[date(2025, 1, 29)].holiday == "春節"
    assert not days[date(2025, 1, 29)].is_working_day
    assert days[date(2025, 1, 6)].override_kind == "day_off"
    assert days[date(2025, 1, 6)].override_reason == "颱風停班"
    assert days[date(2025, 1, 2)].is_working_day
