"""The working-day calendar: the only way deadlines are computed.

A day is a working day unless it is a weekend or a Taiwan public holiday, with two corrections:
the `holidays` package's make-up workdays (補班) turn a weekend day into a working day, and a
`CalendarOverride` row (a typhoon day off, a make-up workday the package does not know yet) wins
over everything. So: override > package (holidays and make-up workdays) > weekend.

Counting rule ("day 0"): `add_working_days(start, n)` counts from start's day 0, which is start
itself when it is a working day, otherwise the next working day. A petition received on a Saturday
is treated as received on Monday: day 0 is Monday and 6 working days later is the next Tuesday.

Each process keeps the working days of the years it has needed, loaded with one query for a span
of years. A `CalendarOverride` save or delete clears this process's copy at once and bumps a
version number in the shared cache, which every other process checks every few seconds.
"""

import logging
import threading
import time
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import holidays
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from rdec_portal.cache_versions import bump_shared_version, shared_version
from rdec_portal.workflow.models import CalendarOverride

logger = logging.getLogger(__name__)

# A deadline is at most this many working days away (about 20 years); larger is a caller's bug.
MAX_WORKING_DAYS = 5000

_VERSION_KEY = "workflow:calendar:version"
# How often a process asks the shared cache whether another process changed an override.
_VERSION_CHECK_SECONDS = 10
# A bound on staleness even if a change never reached the shared cache (e.g. a rolled-back save).
_MAX_AGE_SECONDS = 3600


@dataclass(frozen=True)
class Day:
    """One day as the calendar page shows it."""

    date: date
    is_working_day: bool
    holiday: str = ""
    override_kind: str = ""
    override_reason: str = ""


@dataclass(frozen=True)
class _Year:
    working_days: tuple[date, ...]
    holiday_names: dict[date, str]
    overrides: dict[date, tuple[str, str]]


class _Cache:
    """Per-process cache of loaded years, validated against a version in the shared cache."""

    def __init__(self):
        self.lock = threading.Lock()
        self.clear()

    def clear(self):
        self.years: dict[int, _Year] = {}
        self.version = None
        self.loaded_at = time.monotonic()
        self.checked_at = time.monotonic()

    def validate(self):
        now = time.monotonic()
        if now - self.loaded_at > _MAX_AGE_SECONDS:
            self.clear()
        elif now - self.checked_at > _VERSION_CHECK_SECONDS:
            self.checked_at = now
            if _shared_version() != self.version:
                self.clear()


_cache = _Cache()


def _shared_version():
    return shared_version(_VERSION_KEY)


def calendar_cache_clear() -> None:
    """Forget this process's loaded years (tests; the override signals do it themselves)."""
    with _cache.lock:
        _cache.clear()


def _bump_shared_version() -> None:
    calendar_cache_clear()
    bump_shared_version(_VERSION_KEY)  # a failure: other processes catch up in _MAX_AGE_SECONDS


@receiver(post_save, sender=CalendarOverride, dispatch_uid="workflow_calendar_override_saved")
@receiver(post_delete, sender=CalendarOverride, dispatch_uid="workflow_calendar_override_deleted")
def _override_changed(**kwargs) -> None:
    # Clear now, so this transaction sees its own change, and again after commit, so that a
    # reload that happened in between (seeing uncommitted data elsewhere) is not kept.
    calendar_cache_clear()
    transaction.on_commit(_bump_shared_version)


def _build_years(first: int, last: int) -> dict[int, _Year]:
    """Load years first..last: the package's holidays and ONE query for the overrides."""
    package = holidays.Taiwan(years=range(first, last + 1), language="zh_TW")
    makeup = set(package.weekend_workdays)
    overrides: dict[date, tuple[str, str]] = {
        row.date: (row.kind, row.reason)
        for row in CalendarOverride.objects.filter(
            date__gte=date(first, 1, 1), date__lte=date(last, 12, 31)
        ).only("date", "kind", "reason")
    }
    result = {}
    for year in range(first, last + 1):
        day = date(year, 1, 1)
        working = []
        while day.year == year:
            if _is_working(day, package, makeup, overrides):
                working.append(day)
            day += timedelta(days=1)
        result[year] = _Year(
            working_days=tuple(working),
            holiday_names={d: str(n) for d, n in package.items() if d.year == year},
            overrides={d: v for d, v in overrides.items() if d.year == year},
        )
    return result


def _is_working(day: date, package, makeup: set[date], overrides: dict) -> bool:
    if day in overrides:
        return overrides[day][0] == CalendarOverride.Kind.WORKDAY
    if day in makeup:
        return True
    if day in package:
        return False
    return day.weekday() < 5


def _years(first: int, last: int) -> dict[int, _Year]:
    """The loaded years first..last, loading the missing ones with one query."""
    with _cache.lock:
        _cache.validate()
        missing = [y for y in range(first, last + 1) if y not in _cache.years]
        if missing:
            if _cache.version is None:
                _cache.version = _shared_version()
            _cache.years.update(_build_years(min(missing), max(missing)))
        return {y: _cache.years[y] for y in range(first, last + 1)}


def _working_days(first: int, last: int) -> list[date]:
    years = _years(first, last)
    result: list[date] = []
    for year in range(first, last + 1):
        result.extend(years[year].working_days)
    return result


def _check_day(value, name: str = "day") -> None:
    # datetime is a subclass of date; taking its date silently would hide a time-zone bug.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise TypeError(f"{name} must be a date, not {type(value).__name__}.")


def _check_count(n) -> None:
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"n must be an int, not {type(n).__name__}.")
    if abs(n) > MAX_WORKING_DAYS:
        raise ValueError(f"n must be between -{MAX_WORKING_DAYS} and {MAX_WORKING_DAYS}.")


def _span_years(start: date, n: int) -> tuple[int, int]:
    """Years that surely hold n working days from start (a margin for holidays and typhoons)."""
    reach = timedelta(days=abs(n) * 7 // 5 + abs(n) // 5 + 40)
    if n >= 0:
        return start.year, (start + reach).year
    # Day 0 of a late-December start can fall in the next year.
    return (start - reach).year, start.year + 1


def is_working_day(day: date) -> bool:
    _check_day(day)
    year = _years(day.year, day.year)[day.year]
    index = bisect_left(year.working_days, day)
    return index < len(year.working_days) and year.working_days[index] == day


def add_working_days(start: date, n: int) -> date:
    """The working day n working days after start's day 0 (before it if n is negative).

    Day 0 is start if it is a working day, else the next working day, so n=0 gives day 0.
    """
    _check_day(start, "start")
    _check_count(n)
    first, last = _span_years(start, n)
    while True:
        days = _working_days(first, last)
        day0 = bisect_left(days, start)
        index = day0 + n
        if day0 < len(days) and 0 <= index < len(days):
            return days[index]
        # Only a run of day-off overrides longer than the margin gets here: widen and retry.
        if index < 0:
            first -= 1
        else:
            last += 1


def next_working_day(day: date) -> date:
    """The first working day strictly after day."""
    _check_day(day)
    return add_working_days(day + timedelta(days=1), 0)


def working_days_between(start: date, end: date) -> int:
    """Working days from start's day 0 to end: the n for which add_working_days(start, n) == end.

    That inverse holds whenever end is a working day and either start is a working day or end is
    not before start. A non-working end counts the working days up to it; an end between start
    and its day 0 gives 0. Negative when end is before start.
    """
    _check_day(start, "start")
    _check_day(end, "end")
    first, last = min(start, end).year, max(start, end).year + 1
    days = _working_days(first, last)
    day0 = bisect_left(days, start)
    if end >= start:
        return max(0, bisect_right(days, end) - 1 - day0)
    return bisect_left(days, end) - day0


def add_calendar_hours(start: datetime, hours: int) -> datetime:
    """start plus hours of clock time, weekends and holidays included (e.g. 24 h to report back).

    Returned in Asia/Taipei local time (the portal's TIME_ZONE; Taiwan has no daylight saving).
    """
    if not isinstance(start, datetime) or timezone.is_naive(start):
        raise TypeError("start must be an aware datetime.")
    _check_count(hours)
    return timezone.localtime(start + timedelta(hours=hours), timezone.get_default_timezone())


def day_end(day: date) -> datetime:
    """The last moment of day in local time: when a deadline "due on day" expires."""
    _check_day(day)
    midnight = datetime.combine(day + timedelta(days=1), datetime.min.time())
    return timezone.make_aware(midnight, timezone.get_default_timezone()) - timedelta(
        microseconds=1
    )


def working_days_deadline(received_at: datetime, n: int) -> datetime:
    """The due moment for "reply within n working days" of something received at received_at."""
    if not isinstance(received_at, datetime) or timezone.is_naive(received_at):
        raise TypeError("received_at must be an aware datetime.")
    received_on = timezone.localdate(received_at, timezone.get_default_timezone())
    return day_end(add_working_days(received_on, n))


def month_days(year: int, month: int) -> list[Day]:
    """Every day of a month with its working-day status, holiday name and override."""
    info = _years(year, year)[year]
    working = set(info.working_days)
    day = date(year, month, 1)
    result = []
    while day.month == month:
        kind, reason = info.overrides.get(day, ("", ""))
        result.append(
            Day(
                date=day,
                is_working_day=day in working,
                holiday=info.holiday_names.get(day, ""),
                override_kind=kind,
                override_reason=reason,
            )
        )
        day += timedelta(days=1)
    return result
