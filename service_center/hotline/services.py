"""Monthly 1999 hotline volumes: the call centre's CSV import and the tables per month.

The call centre's file (an example is data/hotline_example.csv):

- CSV with a header row; comma-separated, or tab-separated as Excel's "Unicode text" saves it.
- Encoding: UTF-8 with or without a byte-order mark, UTF-16 with its byte-order mark, or Big5
  (Microsoft's cp950, as Excel on Traditional Chinese Windows saves "CSV").
- Three columns, in any order, the header in Chinese or English: 月份 / month, 來電類別 / type,
  通數 / count. Other columns are ignored.
- month: 2026-10, 2026/10, ROC 115/10 or 民國115年10月; not after the current month.
- type: a call type's Chinese name, English name or code (spaces, case and full-width letters
  do not matter). An unknown type is refused, never created: a misspelt type would otherwise
  start a second series and split the month's figures. New types are added in the admin.
- count: a whole number, zero or more; thousands separators (1,234) are allowed.
- A month may appear with any of the types, each type once per month.

Every row is checked before anything is saved. Any bad row refuses the whole file, with every
problem listed by its line number in the file (the header is line 1). Importing a month replaces
all of that month's figures, so importing the same file twice changes nothing.
"""

import csv
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from rdec_portal.performance.months import current_month, iso_month, parse_month
from rdec_portal.workflow.audit import audit_record
from rdec_portal.workflow.models import AuditEntry
from service_center.hotline.models import HotlineCallType, HotlineImport, HotlineVolume

CALL_TYPES_CSV = Path(__file__).resolve().parent.parent / "data" / "hotline_call_types.csv"
# The hotline is RDEC's: its monthly metric belongs to this agency.
HOTLINE_AGENCY_CODE = "RDEC"
MAX_FILE_BYTES = 1024 * 1024
MAX_ROWS = 5000
# The column's limit in the database; a real month is far below it.
MAX_COUNT = 2_147_483_647
# More errors than this are summarised: the file is wrong in some general way.
MAX_REPORTED_ERRORS = 50

COLUMNS = {
    "month": ("月份", "month", "年月"),
    "type": ("來電類別", "type", "call type", "類別"),
    "count": ("通數", "count", "calls", "來電數"),
}
_COUNT = re.compile(r"\d{1,3}(,\d{3})+|\d+")


class HotlineImportError(ValidationError):
    """The file was refused; `messages` lists every problem, each with its line number."""


@dataclass(frozen=True)
class ParsedRow:
    line: int
    month: date
    call_type: HotlineCallType
    count: int


# --- reading the file ---------------------------------------------------------------------------


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip().casefold()


def decode(content: bytes) -> str:
    """The file's text: UTF-16 or UTF-8 by their byte-order marks, UTF-8, else Big5 (cp950)."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp950")
    except UnicodeDecodeError:
        raise HotlineImportError(
            _("The file is neither UTF-8 nor Big5 text. Save it from the spreadsheet as CSV.")
        ) from None


def _reader(text: str):
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _header_map(header: list[str]) -> dict[str, int]:
    """Column positions by meaning; refuses a file missing a column or naming one twice."""
    names = [_normalise(cell) for cell in header]
    found = {}
    for key, aliases in COLUMNS.items():
        positions = [i for i, name in enumerate(names) if name in {_normalise(a) for a in aliases}]
        if len(positions) != 1:
            raise HotlineImportError(
                _(
                    "Line 1 must name the columns 月份 (month), 來電類別 (type) and 通數 (count), "
                    "each once. The file has: %(found)s."
                ),
                params={"found": ", ".join(cell.strip() for cell in header) or "—"},
            )
        found[key] = positions[0]
    return found


def _type_lookup() -> dict[str, HotlineCallType]:
    lookup = {}
    for call_type in HotlineCallType.objects.filter(is_active=True):
        for name in (call_type.code, call_type.name_zh, call_type.name_en):
            lookup[_normalise(name)] = call_type
    return lookup


def _row_error(line: int, message, **params) -> ValidationError:
    return ValidationError(
        _("Line %(line)d: %(problem)s"),
        params={"line": line, "problem": _Lazy(message, params)},
    )


class _Lazy:
    """A message with its parameters, put into words only when the error is shown, so it comes
    out in the language of the page that shows it."""

    def __init__(self, message, params):
        self.message, self.params = message, params

    def __str__(self):
        return str(self.message) % self.params if self.params else str(self.message)


def _parse_month(text: str, line: int, errors: list) -> date | None:
    try:
        month = parse_month(text)
    except ValidationError:
        errors.append(
            _row_error(
                line,
                _("“%(value)s” is not a month: write 2026-10 or 115/10."),
                value=text.strip(),
            )
        )
        return None
    if month > current_month():
        errors.append(_row_error(line, _("%(month)s has not begun yet."), month=iso_month(month)))
        return None
    return month


def _parse_count(text: str, line: int, errors: list) -> int | None:
    value = unicodedata.normalize("NFKC", text).strip()
    if value.startswith("-") and _COUNT.fullmatch(value[1:]):
        errors.append(_row_error(line, _("The count %(value)s is negative."), value=value))
        return None
    if not _COUNT.fullmatch(value):
        errors.append(
            _row_error(line, _("The count “%(value)s” is not a whole number."), value=value or "—")
        )
        return None
    digits = value.replace(",", "").lstrip("0") or "0"
    # Length first: int() refuses more than 4,300 digits with a ValueError.
    if len(digits) > len(str(MAX_COUNT)) or int(digits) > MAX_COUNT:
        shown = value if len(value) <= 20 else f"{value[:20]}…"
        errors.append(_row_error(line, _("The count %(value)s is too large."), value=shown))
        return None
    count = int(digits)
    return count


def _parse_type(text: str, line: int, errors: list, lookup: dict) -> HotlineCallType | None:
    call_type = lookup.get(_normalise(text))
    if call_type is None:
        known = "、".join(dict.fromkeys(t.name_zh for t in lookup.values()))
        errors.append(
            _row_error(
                line,
                _("“%(value)s” is not a known call type. Known types: %(known)s."),
                value=text.strip() or "—",
                known=known,
            )
        )
    return call_type


def _parse_rows(rows, columns: dict[str, int], lookup: dict, errors: list) -> list[ParsedRow]:
    parsed: list[ParsedRow] = []
    seen: dict[tuple[date, int], int] = {}
    width = max(columns.values()) + 1
    for line, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue  # a blank line, as spreadsheets leave at the end
        if len(cells) < width:
            errors.append(_row_error(line, _("The row has too few columns.")))
            continue
        month = _parse_month(cells[columns["month"]], line, errors)
        call_type = _parse_type(cells[columns["type"]], line, errors, lookup)
        count = _parse_count(cells[columns["count"]], line, errors)
        if month is None or call_type is None or count is None:
            continue
        key = (month, call_type.pk)
        if key in seen:
            errors.append(
                _row_error(
                    line,
                    _("%(type)s in %(month)s is already on line %(first)d."),
                    type=call_type.name_zh,
                    month=iso_month(month),
                    first=seen[key],
                )
            )
            continue
        seen[key] = line
        parsed.append(ParsedRow(line, month, call_type, count))
    return parsed


def _raise(errors: list) -> None:
    shown = errors[:MAX_REPORTED_ERRORS]
    if len(errors) > MAX_REPORTED_ERRORS:
        shown.append(
            ValidationError(
                _("… and %(count)d more problems."),
                params={"count": len(errors) - MAX_REPORTED_ERRORS},
            )
        )
    raise HotlineImportError(shown)


def parse(content: bytes) -> list[ParsedRow]:
    """Every row of the file, checked; HotlineImportError listing every problem otherwise."""
    if len(content) > MAX_FILE_BYTES:
        raise HotlineImportError(_("The file is larger than 1 MB: is it the monthly CSV?"))
    text = decode(content)
    if not text.strip():
        raise HotlineImportError(_("The file is empty."))
    try:
        numbered = list(enumerate(_reader(text), start=1))
    except csv.Error as exc:
        raise HotlineImportError(
            _("The file is not readable as CSV: %(reason)s"), params={"reason": str(exc)}
        ) from None
    columns = _header_map(numbered[0][1])
    if len(numbered) - 1 > MAX_ROWS:
        raise HotlineImportError(
            _("The file has more than %(max)d rows."), params={"max": MAX_ROWS}
        )
    errors: list = []
    parsed = _parse_rows(numbered[1:], columns, _type_lookup(), errors)
    if errors:
        _raise(errors)
    if not parsed:
        raise HotlineImportError(_("The file has a header but no figures."))
    return parsed


# --- the import ---------------------------------------------------------------------------------


@transaction.atomic
def hotline_import(*, content: bytes, file_name: str, by, request=None) -> HotlineImport:
    """Check the whole file, then replace the figures of every month it contains."""
    rows = parse(content)
    months = sorted({row.month for row in rows})
    replaced = {
        iso_month(r["month"]): r["total"]
        for r in HotlineVolume.objects.filter(month__in=months)
        .values("month")
        .annotate(total=Sum("count"))
        .order_by()
    }
    HotlineVolume.objects.filter(month__in=months).delete()
    record = HotlineImport.objects.create(
        file_name=file_name[:200],
        sha256=hashlib.sha256(content).hexdigest(),
        months=[iso_month(month) for month in months],
        row_count=len(rows),
        total_calls=sum(row.count for row in rows),
        imported_by=by,
    )
    HotlineVolume.objects.bulk_create(
        HotlineVolume(month=row.month, call_type=row.call_type, count=row.count, source=record)
        for row in rows
    )
    audit_record(
        actor=by,
        action=AuditEntry.Action.CREATE,
        obj=record,
        changes={
            "months": [None, record.months],
            "total_calls": [None, record.total_calls],
            "replaced_totals": [replaced or None, None],
        },
        request=request,
    )
    return record


# --- reference data -----------------------------------------------------------------------------


@transaction.atomic
def hotline_call_types_load(*, path: Path = CALL_TYPES_CSV) -> int:
    """Create or update the call types in the reference file. Idempotent; returns the count."""
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        HotlineCallType.objects.update_or_create(
            code=row["code"],
            defaults={
                "name_zh": row["name_zh"],
                "name_en": row["name_en"],
                "sort_order": int(row["sort_order"]),
            },
        )
    return len(rows)
