"""Dates in the ROC (Minguo) calendar, as Taiwanese users read and type them.

ROC year = Gregorian year - 1911, so 2025-04-02 is 民國114年4月2日, written 114/04/02.
People type either calendar, so every date a person enters goes through one parser.
"""

import re
import unicodedata
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ROC_OFFSET = 1911

# A ROC year has at most three digits for the next 900 years; four digits means Gregorian.
_ISO = re.compile(r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})")
_ROC = re.compile(r"(?:民國)?(?P<y>\d{1,3})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})")
_ROC_WORDS = re.compile(r"(?:民國)?(?P<y>\d{1,3})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日?")
# Longer than any date anyone types: refuse it before running a regex over it.
_MAX_LENGTH = 30

INVALID_FORMAT = _(
    "Enter a date as YYYY-MM-DD or in the ROC calendar as YYY/MM/DD, for example 114/04/02."
)
INVALID_DATE = _("“%(value)s” is not a real date: check the month and the day.")
INVALID_ROC_YEAR = _("The ROC year must be 1 (1912) or later.")


def to_roc(d: date) -> tuple[int, int, int]:
    """(ROC year, month, day). Dates before 1912 have no ROC year."""
    if d.year <= ROC_OFFSET:
        raise ValueError(f"{d.isoformat()} is before the ROC calendar (1912)")
    return d.year - ROC_OFFSET, d.month, d.day


def format_roc_long(d: date) -> str:
    """民國114年4月2日: the form used in letters and on pages."""
    year, month, day = to_roc(d)
    return f"民國{year}年{month}月{day}日"


def format_roc_short(d: date) -> str:
    """114/04/02: the form used in tables and forms."""
    year, month, day = to_roc(d)
    return f"{year:03d}/{month:02d}/{day:02d}"


def _normalise(value: str) -> str:
    # NFKC turns full-width digits and slashes (１１４／０４／０２), common with Chinese IMEs,
    # into ASCII; spaces are dropped so "民國 114 年 4 月 2 日" parses too.
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value))


def _match(text: str) -> tuple[int, int, int, bool]:
    """(year, month, day, is_roc) or raise for an unrecognised shape."""
    for pattern, is_roc in ((_ISO, False), (_ROC, True), (_ROC_WORDS, True)):
        found = pattern.fullmatch(text)
        if found:
            return int(found["y"]), int(found["m"]), int(found["d"]), is_roc
    raise ValidationError(INVALID_FORMAT, code="invalid")


def parse_date_roc_or_iso(value: str) -> date:
    """Parse 2025-04-02, 114/04/02, 114-4-2 or 民國114年4月2日 into a date.

    Raises django.core.exceptions.ValidationError with a message in the active language.
    """
    if not isinstance(value, str) or len(value) > _MAX_LENGTH:
        raise ValidationError(INVALID_FORMAT, code="invalid")
    text = _normalise(value)
    year, month, day, is_roc = _match(text)
    if is_roc:
        if year < 1:
            raise ValidationError(INVALID_ROC_YEAR, code="invalid_year")
        year += ROC_OFFSET
    try:
        return date(year, month, day)
    except ValueError:
        raise ValidationError(
            INVALID_DATE, code="invalid_date", params={"value": value.strip()}
        ) from None
