import csv
import io
import zipfile

import pytest
from django.test import RequestFactory
from openpyxl import load_workbook

from rdec_portal.exports import FORMATS, export_response, write
from rdec_portal.workflow.models import AuditEntry

HEADERS = ["Subject", "Count"]
ROWS = [['=HYPERLINK("http://evil")', 3], ["+1", None]]


def test_csv_keeps_a_formula_as_text_and_opens_as_utf8_in_excel():
    content = write("csv", HEADERS, ROWS, title="t")
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows == [HEADERS, ['\'=HYPERLINK("http://evil")', "3"], ["'+1", ""]]


def test_xlsx_keeps_a_formula_as_text_and_a_number_as_a_number():
    sheet = load_workbook(io.BytesIO(write("xlsx", HEADERS, ROWS, title="2026-10"))).active
    assert sheet.title == "2026-10"
    assert sheet["A2"].data_type == "s"
    assert sheet["A2"].value == ROWS[0][0]
    assert sheet["B2"].value == 3


def test_ods_has_no_formula():
    with zipfile.ZipFile(io.BytesIO(write("ods", HEADERS, ROWS, title="t"))) as ods:
        content = ods.read("content.xml").decode()
    assert "table:formula" not in content
    assert 'office:value-type="float"' in content


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError):
        write("pdf", HEADERS, ROWS, title="t")


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_export_is_a_download_with_the_audit_row_of_who_exported_what(staff_a, fmt):
    request = RequestFactory().get("/x/", {"month": "2026-10"})
    request.user = staff_a
    response = export_response(
        request,
        fmt=fmt,
        headers=HEADERS,
        rows=ROWS,
        title="2026-10",
        filename=f"things-2026-10.{fmt}",
        export="tests.things",
        details={"month": "2026-10"},
    )
    assert response["Content-Disposition"] == f'attachment; filename="things-2026-10.{fmt}"'
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.actor == staff_a
    assert entry.changes == {"export": "tests.things", "format": fmt, "month": "2026-10"}
