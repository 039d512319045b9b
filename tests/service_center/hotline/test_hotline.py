"""The 1999 hotline volumes: the call centre's CSV (UTF-8, Big5, UTF-16), row-numbered errors
with nothing saved, idempotent re-imports, the pages, who may see them, exports and the metric.

The clock is frozen on 2026-11-26 (tests/service_center/conftest.py): 2026-11 is the current
month and 2026-12 has not begun.
"""

from datetime import date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from rdec_portal.performance.registry import get_metric
from rdec_portal.workflow.models import AuditEntry
from service_center.hotline import selectors as hotline_selectors
from service_center.hotline import services as hotline
from service_center.hotline.models import HotlineCallType, HotlineImport, HotlineVolume
from service_center.hotline.services import HotlineImportError
from tests.service_center.conftest import TAIPEI


def compute(name: str):
    """A service-centre metric's one-month rows, as the monthly rollup reads them."""
    return get_metric(f"service_center.{name}").compute


HOTLINE = reverse("service_center:hotline")
IMPORT = reverse("service_center:hotline_import")

GOOD = (
    "月份,來電類別,通數\r\n"
    '115/09,市政諮詢,"31,204"\r\n'
    "115/09,陳情登錄,12877\r\n"
    "2026-10,市政諮詢,32650\r\n"
    "2026-10,Petitions recorded,13402\r\n"
    "115/10,dispatch,0\r\n"
    ",,\r\n"
)


@pytest.fixture
def call_types(db):
    hotline.hotline_call_types_load()
    return {t.code: t for t in HotlineCallType.objects.all()}


def figures() -> dict[tuple[str, str], int]:
    return {
        (f"{v.month:%Y-%m}", v.call_type.code): v.count
        for v in HotlineVolume.objects.select_related("call_type")
    }


def run(content: bytes, by, name="1999-monthly.csv"):
    return hotline.hotline_import(content=content, file_name=name, by=by)


def errors(content: bytes, by) -> list[str]:
    with pytest.raises(HotlineImportError) as caught:
        run(content, by)
    with translation.override("en"):
        return caught.value.messages


# --- the import -----------------------------------------------------------------------------------


def test_a_good_file_with_a_byte_order_mark_is_imported(frozen, call_types, desk_user):
    record = run(("\ufeff" + GOOD).encode("utf-8"), desk_user)
    assert figures() == {
        ("2026-09", "inquiry"): 31204,
        ("2026-09", "petition"): 12877,
        ("2026-10", "inquiry"): 32650,
        ("2026-10", "petition"): 13402,
        ("2026-10", "dispatch"): 0,
    }
    assert (record.months, record.row_count, record.total_calls) == (
        ["2026-09", "2026-10"],
        5,
        31204 + 12877 + 32650 + 13402,
    )
    entry = AuditEntry.objects.get(action="create", object_id=str(record.pk))
    assert entry.actor == desk_user and entry.changes["months"] == [None, ["2026-09", "2026-10"]]


def test_a_big5_file_from_excel_is_read(frozen, call_types, desk_user):
    run(GOOD.encode("cp950"), desk_user)
    assert figures()[("2026-09", "inquiry")] == 31204
    assert len(figures()) == 5


def test_a_tab_separated_utf16_file_is_read(frozen, call_types, desk_user):
    text = "月份\t來電類別\t通數\n115/10\t無效來電\t3544\n"
    run(text.encode("utf-16"), desk_user)
    assert figures() == {("2026-10", "invalid"): 3544}


def test_columns_may_come_in_any_order_with_english_names(frozen, call_types, desk_user):
    run(b"Count,Month,Type,remark\n120,2026-10,other,x\n", desk_user)
    assert figures() == {("2026-10", "other"): 120}


def test_importing_the_same_file_twice_changes_nothing(frozen, call_types, desk_user):
    run(GOOD.encode(), desk_user)
    first = figures()
    run(GOOD.encode(), desk_user)
    assert figures() == first
    assert HotlineVolume.objects.count() == 5
    assert HotlineImport.objects.count() == 2


def test_a_month_imported_again_is_replaced_whole(frozen, call_types, desk_user):
    run(GOOD.encode(), desk_user)
    run("月份,來電類別,通數\n115/10,市政諮詢,40000\n".encode(), desk_user)
    assert figures() == {
        ("2026-09", "inquiry"): 31204,
        ("2026-09", "petition"): 12877,
        ("2026-10", "inquiry"): 40000,
    }
    latest = AuditEntry.objects.filter(action="create").order_by("-id").first()
    assert latest.changes["replaced_totals"] == [{"2026-10": 32650 + 13402}, None]


def test_every_bad_row_is_reported_by_line_and_nothing_is_saved(frozen, call_types, desk_user):
    run(GOOD.encode(), desk_user)
    before = figures()
    bad = (
        "月份,來電類別,通數\n"
        "115/09,市政諮詢,100\n"  # line 2 is good
        "115/13,市政諮詢,100\n"
        "115/10,市政諮詢,-5\n"
        "115/10,陳情登錄,many\n"
        "115/10,路燈報修,10\n"
        "115/09,市政諮詢,7\n"
        "2026-12,其他,1\n"
        "115/10,其他\n"
        "115/10,其他,1.5\n"
    )
    assert errors(bad.encode(), desk_user) == [
        "Line 3: “115/13” is not a month: write 2026-10 or 115/10.",
        "Line 4: The count -5 is negative.",
        "Line 5: The count “many” is not a whole number.",
        "Line 6: “路燈報修” is not a known call type. Known types: "
        "市政諮詢、陳情登錄、派工通報、轉接機關、無效來電、其他.",
        "Line 7: 市政諮詢 in 2026-09 is already on line 2.",
        "Line 8: 2026-12 has not begun yet.",
        "Line 9: The row has too few columns.",
        "Line 10: The count “1.5” is not a whole number.",
    ]
    assert figures() == before
    assert HotlineImport.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "The file is empty."),
        (b"\xef\xbb\xbf\r\n  \r\n", "The file is empty."),
        ("月份,來電類別,通數\n".encode(), "The file has a header but no figures."),
        ("月份,類型,數量\n115/10,其他,1\n".encode(), "Line 1 must name the columns"),
        ("月份,月份,來電類別,通數\n".encode(), "Line 1 must name the columns"),
        (b"PK\x03\x04\x00\x00binary\xff\xfe\x00", "neither UTF-8 nor Big5"),
    ],
)
def test_empty_files_and_wrong_columns_are_refused(
    frozen, call_types, desk_user, content, expected
):
    messages = errors(content, desk_user)
    assert len(messages) == 1 and expected in messages[0]
    assert not HotlineVolume.objects.exists()


def test_more_than_fifty_bad_rows_are_summarised(frozen, call_types, desk_user):
    content = "月份,來電類別,通數\n" + "115/10,其他,x\n" * 60
    messages = errors(content.encode(), desk_user)
    assert len(messages) == 51 and messages[-1] == "… and 10 more problems."


def test_a_retired_type_is_refused_but_its_figures_still_show(frozen, call_types, desk_user):
    run("月份,來電類別,通數\n115/10,其他,5\n".encode(), desk_user)
    HotlineCallType.objects.filter(code="other").update(is_active=False)
    assert (
        "not a known call type"
        in errors("月份,來電類別,通數\n115/10,其他,5\n".encode(), desk_user)[0]
    )
    table = hotline_selectors.volume_table(last=date(2026, 10, 1))
    assert "other" in [t.code for t in table.types]


# --- the tables, the metric ------------------------------------------------------------------------


def test_the_twelve_month_table_has_totals_and_gaps(frozen, call_types, desk_user):
    run(GOOD.encode(), desk_user)
    table = hotline_selectors.volume_table(last=date(2026, 10, 1))
    assert [row.month for row in table.rows][0] == date(2025, 11, 1)
    assert len(table.rows) == 12
    october = table.rows[-1]
    codes = [t.code for t in table.types]
    assert october.counts[codes.index("inquiry")] == 32650
    assert october.counts[codes.index("transfer")] is None
    assert october.total == 32650 + 13402
    assert table.rows[0].total is None
    assert table.total == 31204 + 12877 + 32650 + 13402


def test_one_month_by_type_with_the_month_before(frozen, call_types, desk_user):
    run(GOOD.encode(), desk_user)
    items, total, previous, last_year = hotline_selectors.month_figures(month=date(2026, 10, 1))
    by_code = {item.call_type.code: item for item in items}
    assert (total, previous, last_year) == (32650 + 13402, 31204 + 12877, None)
    assert by_code["inquiry"].previous == 31204
    assert round(by_code["inquiry"].share, 1) == round(32650 * 100 / (32650 + 13402), 1)


def test_the_monthly_metric_counts_calls_for_rdec(frozen, call_types, desk_user, rdec_agency):
    run(GOOD.encode(), desk_user)
    october = (datetime(2026, 10, 1, tzinfo=TAIPEI), datetime(2026, 11, 1, tzinfo=TAIPEI))
    assert list(compute("hotline_calls")(*october)) == [
        (rdec_agency.pk, 32650 + 13402, 32650 + 13402, None)
    ]
    august = (datetime(2026, 8, 1, tzinfo=TAIPEI), datetime(2026, 9, 1, tzinfo=TAIPEI))
    assert list(compute("hotline_calls")(*august)) == []


# --- the pages -----------------------------------------------------------------------------------


def upload(client, content: bytes, name="1999.csv"):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, content, "text/csv")})


def test_the_service_centre_uploads_and_sees_the_table(client, frozen, call_types, desk_user):
    client.force_login(desk_user)
    response = upload(client, GOOD.encode("cp950"))
    assert response.status_code == 302 and response.url == f"{HOTLINE}?month=2026-10"
    page = client.get(response.url)
    assert page.status_code == 200
    assert page.context["table"].rows[-1].total == 32650 + 13402
    assert 'id="import"' in page.content.decode()


def test_a_bad_upload_lists_the_lines_and_saves_nothing(client, frozen, call_types, desk_user):
    client.force_login(desk_user)
    response = upload(client, "月份,來電類別,通數\n115/10,市政諮詢,-1\n".encode())
    assert response.status_code == 400
    assert 'id="import-errors"' in response.content.decode()
    assert len(response.context["import_errors"]) == 1
    assert not HotlineVolume.objects.exists() and not HotlineImport.objects.exists()


def test_the_mayors_office_reads_but_does_not_import(client, frozen, call_types, mayor_office):
    client.force_login(mayor_office)
    page = client.get(HOTLINE)
    assert page.status_code == 200 and 'id="import"' not in page.content.decode()
    assert client.get(reverse("service_center:hotline_month", args=["2026-10"])).status_code == 200
    assert upload(client, GOOD.encode()).status_code == 403
    assert not HotlineVolume.objects.exists()


def test_agency_staff_may_not_see_the_hotline(client, frozen, call_types, staff_a, supervisor_a):
    for user in (staff_a, supervisor_a):
        client.force_login(user)
        assert client.get(HOTLINE).status_code == 403
        assert client.get(reverse("service_center:hotline_export", args=["csv"])).status_code == 403
        assert upload(client, GOOD.encode()).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client, call_types):
    assert client.get(HOTLINE).status_code == 302
    assert client.post(IMPORT).status_code == 302


def test_a_month_that_is_not_a_month_is_not_found(client, frozen, call_types, desk_user):
    client.force_login(desk_user)
    assert client.get(reverse("service_center:hotline_month", args=["2026-13"])).status_code == 404


def test_the_twelve_months_export_and_the_example_file(client, frozen, call_types, desk_user):
    run(GOOD.encode(), desk_user)
    client.force_login(desk_user)
    with translation.override("en"):
        response = client.get(
            reverse("service_center:hotline_export", args=["csv"]),
            {"month": "2026-10"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    lines = response.content.decode("utf-8-sig").splitlines()
    assert response.status_code == 200 and len(lines) == 13
    assert lines[0].startswith("Month,City service enquiries,")
    assert lines[-1].startswith("2026-10,32650,13402,0,,,,")
    assert lines[-1].endswith(f",{32650 + 13402}")
    assert AuditEntry.objects.filter(action="export").count() == 1
    for fmt in ("xlsx", "ods"):
        assert client.get(reverse("service_center:hotline_export", args=[fmt])).status_code == 200

    example = client.get(reverse("service_center:hotline_example"))
    content = b"".join(example.streaming_content)
    assert run(content, desk_user).months == ["2026-09", "2026-10"]


def _queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_pages_query_counts_do_not_grow_with_months_and_types(
    client, frozen, call_types, desk_user
):
    client.force_login(desk_user)
    run("月份,來電類別,通數\n115/10,其他,1\n".encode(), desk_user)
    few = [
        _queries(client, HOTLINE),
        _queries(client, reverse("service_center:hotline_month", args=["2026-10"])),
    ]
    rows = ["月份,來電類別,通數"] + [
        f"2026-{month:02d},{code},{month * 100}"
        for month in range(1, 11)
        for code in ("inquiry", "petition", "dispatch", "transfer", "invalid", "other")
    ]
    run(("\n".join(rows) + "\n").encode(), desk_user)
    assert [
        _queries(client, HOTLINE),
        _queries(client, reverse("service_center:hotline_month", args=["2026-10"])),
    ] == few


def test_a_count_of_thousands_of_digits_is_too_large_not_a_crash(frozen, call_types, desk_user):
    # int() refuses more than 4,300 digits with a ValueError: checked before it is called.
    huge = "9" * 5000
    (message,) = errors(f"月份,來電類別,通數\n115/10,市政諮詢,{huge}\n".encode(), desk_user)
    assert message.startswith("Line 2: The count") and "too large" in message
    assert len(message) < 200
