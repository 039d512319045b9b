"""Calendar months: parsing what people type (2026-10 or ROC 115/10), bounds and arithmetic.

A month is always held as the date of its first day, as MonthlyMetric.month stores it.
"""

import re
import unicodedata
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rdec_portal.dates import ROC_OFFSET

INVALID_MONTH = _(
    "Enter a month as YYYY-MM or in the ROC calendar as YYY/MM, for example 2026-10 or 115/10."
)
_INVALID_MONTH_NUMBER = _("The month must be between 1 and 12.")
# Months are reported, planned and charted a few years ahead at most: a later year is a typo, and
# near 9999 the month arithmetic (the next month, a chart's range) would overflow.
MAX_YEAR = 2200
_INVALID_YEAR_RANGE = _("The year must be 2200 (ROC 289) or earlier.")

# A ROC year has at most three digits; four digits means Gregorian (the same rule as dates.py).
_ISO = re.compile(r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})")
_ROC = re.compile(r"(?:民國)?(?P<y>\d{1,3})[-/.](?P<m>\d{1,2})")
_ROC_WORDS = re.compile(r"(?:民國)?(?P<y>\d{1,3})年(?P<m>\d{1,2})月?")
_MAX_LENGTH = 20


def parse_month(value: str) -> date:
    """Parse 2026-10, 2026/10, 115/10, 115-10 or 民國115年10月 into the month's first day.

    Raises django.core.exceptions.ValidationError with a message in the active language.
    """
    if not isinstance(value, str) or len(value) > _MAX_LENGTH:
        raise ValidationError(INVALID_MONTH, code="invalid")
    # NFKC turns full-width digits from Chinese input methods into ASCII.
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value))
    for pattern, offset in ((_ISO, 0), (_ROC, ROC_OFFSET), (_ROC_WORDS, ROC_OFFSET)):
        found = pattern.fullmatch(text)
        if found:
            year, month = int(found["y"]) + offset, int(found["m"])
            break
    else:
        raise ValidationError(INVALID_MONTH, code="invalid")
    if not 1 <= month <= 12:
        raise ValidationError(_INVALID_MONTH_NUMBER, code="invalid_month")
    if year <= ROC_OFFSET:
        raise ValidationError(INVALID_MONTH, code="invalid_year")
    if year > MAX_YEAR:
        raise ValidationError(_INVALID_YEAR_RANGE, code="invalid_year")
    return date(year, month, 1)


def month_of(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_range(first: date, last: date) -> list[date]:
    """Every month from first to last, both included."""
    months, current = [], month_of(first)
    while current <= last:
        months.append(current)
        current = add_months(current, 1)
    return months


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month as a half-open interval [start, end) of aware datetimes in the city's time zone.

    Midnight in Kaohsiung, not UTC: a case filed at 07:00 on the 1st (23:00 UTC the day before)
    belongs to the new month.
    """
    zone = timezone.get_default_timezone()
    start = datetime.combine(month_of(month), time.min, tzinfo=zone)
    end = datetime.combine(add_months(month_of(month), 1), time.min, tzinfo=zone)
    return start, end


def current_month() -> date:
    return month_of(timezone.localdate())


def last_complete_month() -> date:
    return add_months(current_month(), -1)


def iso_month(month: date) -> str:
    """2026-10: the form used in URLs, files and the API."""
    return f"{month:%Y-%m}"


def trunc_month(field):
    """In a query: the month of a moment in the city's time zone, as month_bounds draws it."""
    return TruncMonth(field, tzinfo=timezone.get_default_timezone())


def first_of_month(value) -> date:
    """The month a TruncMonth gave (an aware datetime, or a date for a DateField) as its 1st."""
    if isinstance(value, datetime):
        value = timezone.localtime(value, timezone.get_default_timezone()).date()
    return value.replace(day=1)


def months_between(start: datetime, end: datetime) -> list[date]:
    """The months of the half-open [start, end) that month_bounds gives."""
    return month_range(first_of_month(start), first_of_month(end - timedelta(microseconds=1)))
