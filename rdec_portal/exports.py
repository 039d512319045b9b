"""Audited file exports: a table (headers and rows) as CSV, XLSX or ODS (the government's ODF
policy), with the audit row of who exported what.

Use `export_response()` in every view that hands staff a file of rows: it writes the file,
records the export in the audit log and returns the download. Build the rows as plain values
(numbers stay numbers so a spreadsheet can add them up; months and times as ISO text) and never
put personal data in them: the file leaves the portal. The writers neutralise text a spreadsheet
would run as a formula (a citizen's subject "=HYPERLINK(...)" stays text).
"""

import csv
import io
from decimal import Decimal

from django.http import HttpResponse

from rdec_portal.workflow.audit import audit_record
from rdec_portal.workflow.models import AuditEntry

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}
FORMATS = tuple(CONTENT_TYPES)

# A text cell starting with one of these is a formula to Excel and LibreOffice.
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


def write(fmt: str, headers: list[str], rows: list[list], *, title: str) -> bytes:
    """The file's bytes in one of FORMATS; `title` names the sheet (CSV has none)."""
    if fmt == "csv":
        return to_csv(headers, rows)
    if fmt == "xlsx":
        return to_xlsx(headers, rows, title=title)
    if fmt == "ods":
        return to_ods(headers, rows, title=title)
    raise ValueError(f"Unknown export format {fmt!r}.")


def export_response(
    request,
    *,
    fmt: str,
    headers: list[str],
    rows: list[list],
    title: str,
    filename: str,
    export: str,
    details: dict | None = None,
) -> HttpResponse:
    """The download of `rows` as `filename` (with its extension), audited.

    `export` names what was exported in the audit row ("service_center.queue"); `details` adds
    what picked the rows (the month, the filters' query string). Check `fmt in FORMATS` first
    (a 404 for anything else).
    """
    content = write(fmt, headers, rows, title=title)
    audit_record(
        actor=request.user,
        action=AuditEntry.Action.EXPORT,
        changes={"export": export, "format": fmt, **(details or {})},
        request=request,
    )
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
