import csv
import io
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from odf import opendocument, table, teletype
from openpyxl import load_workbook

from tests.performance.conftest import taipei
from tests.performance.factories import MonthlyMetricFactory


@pytest.fixture(autouse=True)
def _figures(agency_a, agency_b):
    with time_machine.travel(taipei(2026, 11, 15, 10), tick=False):
        MonthlyMetricFactory(agency=agency_a, value=Decimal(41))
        MonthlyMetricFactory(agency=agency_b, value=Decimal(17))
        MonthlyMetricFactory(agency=agency_a, value=Decimal(5), month=date(2026, 9, 1))
        yield


def download(client, fmt, month="2026-10"):
    response = client.get(reverse("performance:export", args=[fmt]), {"month": month})
    assert response.status_code == 200
    assert f'filename="rdec-monthly-metrics-{month}.{fmt}"' in response["Content-Disposition"]
    return response.content


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_rows(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.title == "2026-10"
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def ods_rows(content: bytes) -> list[list[str]]:
    document = opendocument.load(io.BytesIO(content))
    rows = []
    for row in document.spreadsheet.getElementsByType(table.TableRow):
        rows.append([teletype.extractText(cell) for cell in row.getElementsByType(table.TableCell)])
    return rows


@pytest.mark.parametrize(
    ("fmt", "read"), [("csv", csv_rows), ("xlsx", xlsx_rows), ("ods", ods_rows)]
)
def test_export_holds_the_months_rows(client, mayor_office, fmt, read):
    client.force_login(mayor_office)
    rows = read(download(client, fmt))
    assert len(rows) == 3
    body = {row[1]: row for row in rows[1:]}
    assert set(body) == {"PWB", "WRB"}
    assert body["PWB"][0] == "2026-10"
    assert body["PWB"][4] == "accounts.active_staff"
    assert Decimal(str(body["PWB"][7])) == 41
    assert Decimal(str(body["WRB"][7])) == 17


def test_xlsx_values_are_numbers(client, mayor_office):
    client.force_login(mayor_office)
    rows = xlsx_rows(download(client, "xlsx"))
    assert isinstance(rows[1][7], int | float)


def test_ods_values_are_numbers(client, mayor_office):
    client.force_login(mayor_office)
    document = opendocument.load(io.BytesIO(download(client, "ods")))
    cells = document.spreadsheet.getElementsByType(table.TableRow)[1].getElementsByType(
        table.TableCell
    )
    assert cells[7].getAttribute("valuetype") == "float"


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_agency_staff_export_only_their_agency(client, staff_a, fmt):
    client.force_login(staff_a)
    read = {"csv": csv_rows, "xlsx": xlsx_rows, "ods": ods_rows}[fmt]
    rows = read(download(client, fmt))
    assert [row[1] for row in rows[1:]] == ["PWB"]


def test_export_of_an_unknown_format_or_for_anonymous_is_refused(client, mayor_office):
    assert client.get(reverse("performance:export", args=["csv"])).status_code == 302
    client.force_login(mayor_office)
    assert client.get(reverse("performance:export", args=["pdf"])).status_code == 404


def test_export_of_a_bad_month_is_refused_with_the_reason(client, mayor_office):
    client.force_login(mayor_office)
    response = client.get(
        reverse("performance:export", args=["csv"]), {"month": "2026-13"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "between 1 and 12" in response.content.decode()


def test_export_query_count_does_not_grow_with_rows(
    client, mayor_office, django_assert_max_num_queries, django_assert_num_queries
):
    """Guards N+1: agencies come with their rows, in one query."""
    client.force_login(mayor_office)
    with django_assert_max_num_queries(10) as captured:
        download(client, "csv")
    few = len(captured)
    for index in range(20):
        MonthlyMetricFactory(agency__code=f"X{index}", value=Decimal(index))
    with django_assert_num_queries(few):
        download(client, "csv")
