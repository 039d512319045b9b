"""The month's table as CSV, XLSX and ODS (the government's ODF policy). Months in files are ISO
(2026-10); numbers are numbers, so a spreadsheet can add them up."""

import csv
import io
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from rdec_portal.accounts.roles import Line
from rdec_portal.performance import registry, selectors
from rdec_portal.performance.months import iso_month
from rdec_portal.performance.registry import Status

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}


def _headers() -> list[str]:
    return [
        _("Month"),
        _("Agency code"),
        _("Agency"),
        _("Business line"),
        _("Metric code"),
        _("Metric"),
        _("Unit"),
        _("Value"),
        _("Numerator"),
        _("Denominator"),
        _("Target"),
        _("Status"),
    ]


def month_table(user, *, month: date) -> tuple[list[str], list[list]]:
    """(headers, rows) of the month's figures the user may see, for every registered metric."""
    metrics = {metric.code: metric for metric in registry.metrics()}
    rows = []
    for row in selectors.month_rows(user, month=month, codes=list(metrics)):
        metric = metrics[row.code]
        rows.append(
            [
                iso_month(month),
                row.agency.code,
                row.agency.name,
                str(Line(row.line).label),
                row.code,
                str(metric.label),
                str(metric.unit),
                row.value,
                row.numerator,
                row.denominator,
                metric.target,
                str(Status(metric.status(row.value)).label),
            ]
        )
    return _headers(), rows


# A text cell starting with one of these is a formula to Excel and LibreOffice: a citizen's
# subject "=HYPERLINK(...)" must stay text in the file a staff member opens.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value):
    """A cell for CSV: text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(headers: list[str], rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows([[csv_text(cell) for cell in row] for row in rows])
    # The byte-order mark makes Excel read the file as UTF-8 rather than Big5.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(headers: list[str], rows: list[list], *, title: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
        # openpyxl stores any text starting with "=" as a formula: keep every text cell text.
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _ods_cell(value):
    from odf.table import TableCell
    from odf.text import P

    if value is None:
        return TableCell()
    if isinstance(value, Decimal | int):
        cell = TableCell(valuetype="float", value=str(value))
    else:
        cell = TableCell(valuetype="string")
    cell.addElement(P(text=str(value)))
    return cell


def to_ods(headers: list[str], rows: list[list], *, title: str) -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableRow

    document = OpenDocumentSpreadsheet()
    table = Table(name=title)
    for values in [headers, *rows]:
        table_row = TableRow()
        for value in values:
            table_row.addElement(_ods_cell(value))
        table.addElement(table_row)
    document.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def render(fmt: str, user, *, month: date) -> bytes:
    headers, rows = month_table(user, month=month)
    if fmt == "csv":
        return to_csv(headers, rows)
    if fmt == "xlsx":
        return to_xlsx(headers, rows, title=iso_month(month))
    return to_ods(headers, rows, title=iso_month(month))
