"""ROC (民國) dates in templates: `{% load roc %}` then `{{ d|roc_date }}`.

In Chinese the ROC calendar alone ("民國114年4月2日"); in English the Gregorian date with the ROC
year after it ("2 April 2025 (ROC 114)"), because English readers know the Gregorian year but
must still match the ROC dates on the letters and forms they receive. The short form (114/04/02)
is the same in both languages: it is what tables and the date fields show and accept.

Every filter shows "—" for a missing value, so a blank date never renders as "None".
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django import template
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from rdec_portal.dates import format_roc_long, format_roc_short, to_roc

register = template.Library()

EMPTY = "—"
# The city's time: a moment is shown as the clock on the wall in Kaohsiung, whatever the
# request's active time zone.
TAIPEI = ZoneInfo("Asia/Taipei")


def _in_chinese() -> bool:
    return (get_language() or "").startswith("zh")


def _to_date(value) -> date | None:
    if isinstance(value, datetime):
        return _to_taipei(value).date()
    if isinstance(value, date):
        return value
    return None


def _to_taipei(value: datetime) -> datetime:
    # A naive datetime is taken to be Taipei time already, as Django's own template filters do.
    return timezone.localtime(value, TAIPEI) if timezone.is_aware(value) else value


def _long(d: date) -> str:
    if d.year <= 1911:
        # No ROC year before the Republic: an old date reads plainly rather than breaking a page.
        return d.isoformat()
    if _in_chinese():
        return format_roc_long(d)
    roc_year = to_roc(d)[0]
    return _("%(date)s (ROC %(year)s)") % {
        "date": formats.date_format(d, "j F Y"),
        "year": roc_year,
    }


@register.filter
def roc_date(value) -> str:
    """民國114年4月2日; in English "2 April 2025 (ROC 114)"."""
    d = _to_date(value)
    return EMPTY if d is None else _long(d)


@register.filter
def roc_short(value) -> str:
    """114/04/02 in every language."""
    d = _to_date(value)
    if d is None:
        return EMPTY
    return d.isoformat() if d.year <= 1911 else format_roc_short(d)


@register.filter
def roc_datetime(value) -> str:
    """民國114年4月2日 14:05, in Taipei time; a plain date shows without a time."""
    if not isinstance(value, datetime):
        return roc_date(value)
    local = _to_taipei(value)
    return f"{_long(local.date())} {local:%H:%M}"


@register.filter
def roc_month(value) -> str:
    """民國114年4月; in English "April 2025 (ROC 114)": monthly reports and metrics."""
    d = _to_date(value)
    if d is None:
        return EMPTY
    if d.year <= 1911:
        return f"{d:%Y-%m}"
    roc_year = to_roc(d)[0]
    if _in_chinese():
        return f"民國{roc_year}年{d.month}月"
    return _("%(month)s (ROC %(year)s)") % {
        "month": formats.date_format(d, "F Y"),
        "year": roc_year,
    }
