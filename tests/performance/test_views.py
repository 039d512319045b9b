import re
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rdec_portal.accounts.roles import Line
from rdec_portal.performance.models import ClosedMonth, MonthlyMetric
from rdec_portal.performance.services import _stamp, rollup_month
from tests.accounts.factories import AgencyFactory, UserFactory
from tests.performance.conftest import taipei
from tests.performance.factories import MonthlyMetricFactory

OCTOBER = date(2026, 10, 1)
DASHBOARD = "/performance/"


@pytest.fixture(autouse=True)
def _mid_november():
    with time_machine.travel(taipei(2026, 11, 15, 10), tick=False):
        yield


@pytest.fixture
def figures(agency_a, agency_b):
    """The active staff metric for A and B in October (the figures exist only in the table)."""
    MonthlyMetricFactory(agency=agency_a, value=Decimal(41))
    MonthlyMetricFactory(agency=agency_b, value=Decimal(17))


def table_html(body: str, table_id: str) -> str:
    start = body.index(f'id="{table_id}"')
    return body[start : body.index("</table>", start)]


def test_anonymous_is_sent_to_log_in(client, db):
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_a_user_without_a_role_is_refused(client, agency_a):
    client.force_login(UserFactory(agency=agency_a, roles=[]))
    assert client.get(DASHBOARD).status_code == 403


@pytest.mark.parametrize(
    "who", ["mayor_office", "administrator", *[f"rdec:{line}" for line in Line]]
)
def test_city_wide_roles_see_every_agency(client, figures, request, rdec_user, who):
    user = rdec_user(who.split(":")[1]) if who.startswith("rdec:") else request.getfixturevalue(who)
    client.force_login(user)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    ranked = table_html(response.content.decode(), "metric-accounts-active_staff-ranked")
    assert 'data-agency="PWB"' in ranked
    assert 'data-agency="WRB"' in ranked


@pytest.mark.parametrize("who", ["staff_a", "supervisor_a"])
def test_agency_users_see_only_their_own_agency(client, figures, request, who):
    client.force_login(request.getfixturevalue(who))
    body = client.get(DASHBOARD).content.decode()
    assert 'data-agency="PWB"' in body
    assert "WRB" not in body
    assert 'id="metric-accounts-active_staff-value">41 ' in body


def test_city_wide_value_adds_up_agencies_and_the_default_month_is_the_last_complete_one(
    client, figures, mayor_office, agency_a
):
    MonthlyMetricFactory(agency=agency_a, month=date(2026, 11, 1), value=Decimal(999))
    client.force_login(mayor_office)
    response = client.get(DASHBOARD)
    assert response.context["month"] == OCTOBER
    assert 'id="metric-accounts-active_staff-value">58 ' in response.content.decode()


def test_the_month_picker_accepts_roc_and_shows_errors(client, figures, mayor_office, agency_a):
    MonthlyMetricFactory(agency=agency_a, month=date(2026, 9, 1), value=Decimal(40))
    client.force_login(mayor_office)
    response = client.get(DASHBOARD, {"month": "115/09"})
    assert response.context["month"] == date(2026, 9, 1)
    assert 'id="metric-accounts-active_staff-value">40 ' in response.content.decode()
    response = client.get(DASHBOARD, {"month": "2026-13"})
    assert response.status_code == 200
    assert response.context["month"] == OCTOBER
    assert 'id="month-errors"' in response.content.decode()


def test_league_table_leaves_tiny_samples_out_of_the_ranking(
    client, rows_metric, mayor_office, agency_a, agency_b, rdec_agency
):
    rows_metric([], min_count=10)
    row = {"month": OCTOBER, "line": Line.SERVICE_CENTER, "code": "test.rows"}
    # A's 3 of 3 would top the table; it rests on too few cases.
    MonthlyMetricFactory(agency=agency_a, value=100, numerator=3, denominator=3, **row)
    MonthlyMetricFactory(agency=agency_b, value=80, numerator=40, denominator=50, **row)
    MonthlyMetricFactory(agency=rdec_agency, value=95, numerator=19, denominator=20, **row)
    client.force_login(mayor_office)
    body = client.get(DASHBOARD).content.decode()
    ranked = table_html(body, "metric-test-rows-ranked")
    too_few = table_html(body, "metric-test-rows-too-few")
    assert re.findall(r'data-agency="(\w+)"', ranked) == ["RDEC", "WRB"]
    assert re.findall(r'data-agency="(\w+)"', too_few) == ["PWB"]
    # City-wide: 62 of 73 cases, not the mean of the three rates.
    assert 'id="metric-test-rows-value">84.93 ' in body
    assert 'id="metric-test-rows-status"><span class="status status-not_met">' in body


def test_the_series_shows_twelve_months(client, figures, mayor_office, agency_a):
    MonthlyMetricFactory(agency=agency_a, month=date(2025, 11, 1), value=Decimal(5))
    MonthlyMetricFactory(agency=agency_a, month=date(2025, 10, 1), value=Decimal(777))
    client.force_login(mayor_office)
    response = client.get(DASHBOARD)
    series = table_html(response.content.decode(), "metric-accounts-active_staff-series")
    assert series.count('<th scope="col">') == 13
    assert ">5<" in series
    assert "777" not in series
    assert "<polyline" in response.content.decode()


def _dashboard_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(DASHBOARD).status_code == 200
    return [query["sql"] for query in queries.captured_queries]


def test_dashboard_query_count_does_not_grow_with_agencies_or_months(
    client, rows_metric, mayor_office
):
    """Guards N+1: one query for the month's rows, one for the 12-month sums, whatever their size."""
    rows_metric([])
    client.force_login(mayor_office)
    MonthlyMetricFactory(month=OCTOBER)
    _dashboard_queries(client)  # the first page also fills the caches (the unread count)
    few = len(_dashboard_queries(client))
    for index in range(12):
        agency = AgencyFactory(code=f"X{index}")
        for months_back in range(12):
            month = date(2025 + (10 + months_back) // 12, (9 + months_back) % 12 + 1, 1)
            MonthlyMetricFactory(agency=agency, month=month)
            MonthlyMetricFactory(
                agency=agency, month=month, code="test.rows", value=90, denominator=100
            )
    assert len(_dashboard_queries(client)) == few
    assert few <= 12


def _tables(queries: list[str]) -> set[str]:
    return {name for sql in queries for name in re.findall(r'(?:FROM|JOIN) "?(\w+)"?', sql)}


def test_dashboard_reads_only_the_rollup_table_and_agencies(client, figures, mayor_office):
    client.force_login(mayor_office)
    with CaptureQueriesContext(connection) as shell:
        client.get(reverse("staff-home"))
    page_tables = _tables(_dashboard_queries(client)) - _tables(
        [q["sql"] for q in shell.captured_queries]
    )
    assert page_tables <= {
        "performance_monthlymetric",
        "performance_closedmonth",
        "performance_rollupstamp",
        "accounts_agency",
    }
    # The figures shown are the stored ones: agencies A and B have no staff accounts at all.
    assert "41" in client.get(DASHBOARD).content.decode()


def test_drill_down_shows_one_agencys_twelve_months(client, figures, mayor_office, agency_a):
    MonthlyMetricFactory(agency=agency_a, month=date(2026, 5, 1), value=Decimal(33))
    client.force_login(mayor_office)
    url = reverse("performance:metric", args=["accounts.active_staff"])
    response = client.get(url, {"agency": "PWB", "month": "2026-10"})
    history = table_html(response.content.decode(), "agency-history")
    assert history.count("data-month=") == 12
    assert 'data-month="2026-05"' in history
    assert "33" in history
    assert "41" in history


def test_drill_down_without_agency_shows_every_agency(client, figures, mayor_office):
    client.force_login(mayor_office)
    response = client.get(reverse("performance:metric", args=["accounts.active_staff"]))
    matrix = table_html(response.content.decode(), "agency-matrix")
    assert re.findall(r'data-agency="(\w+)"', matrix) == ["PWB", "WRB"]


def test_drill_down_hides_other_agencies_and_unknown_metrics(client, figures, staff_a):
    client.force_login(staff_a)
    url = reverse("performance:metric", args=["accounts.active_staff"])
    assert client.get(url, {"agency": "PWB"}).status_code == 200
    assert client.get(url, {"agency": "WRB"}).status_code == 404
    assert client.get(url, {"agency": "NOPE"}).status_code == 404
    matrix = table_html(client.get(url).content.decode(), "agency-matrix")
    assert re.findall(r'data-agency="(\w+)"', matrix) == ["PWB"]
    assert client.get(reverse("performance:metric", args=["no.such"])).status_code == 404


def test_administrator_closes_reopens_and_recomputes_from_the_dashboard(
    client, administrator, agency_a
):
    UserFactory(agency=agency_a, roles=["agency_staff"], date_joined=taipei(2026, 1, 1))
    client.force_login(administrator)
    assert 'id="month-close"' in client.get(DASHBOARD).content.decode()
    response = client.post(reverse("performance:month-close", args=["2026-10"]))
    assert response.status_code == 302
    assert ClosedMonth.objects.filter(month=OCTOBER).exists()
    body = client.get(DASHBOARD).content.decode()
    assert 'id="month-closed"' in body
    assert 'id="month-reopen"' in body
    client.post(reverse("performance:month-reopen", args=["2026-10"]))
    assert not ClosedMonth.objects.exists()
    client.post(reverse("performance:month-recompute", args=["2026-10"]))
    assert MonthlyMetric.objects.filter(month=OCTOBER, code="accounts.active_staff").exists()


def test_closing_the_current_month_shows_the_reason(client, administrator):
    client.force_login(administrator)
    response = client.post(reverse("performance:month-close", args=["2026-11"]), follow=True)
    assert not ClosedMonth.objects.exists()
    assert "message-error" in response.content.decode()


@pytest.mark.parametrize("who", ["mayor_office", "staff_a"])
def test_others_cannot_close_or_see_the_buttons(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert 'id="month-close"' not in client.get(DASHBOARD).content.decode()
    assert client.post(reverse("performance:month-close", args=["2026-10"])).status_code == 403
    assert client.post(reverse("performance:month-recompute", args=["2026-10"])).status_code == 403
    assert not ClosedMonth.objects.exists()


def test_drill_down_query_count_does_not_grow_with_agencies(client, mayor_office):
    """Guards N+1: every agency's 12 months come from one query with the agencies joined."""
    client.force_login(mayor_office)
    url = reverse("performance:metric", args=["accounts.active_staff"])
    MonthlyMetricFactory(month=OCTOBER)
    assert client.get(url).status_code == 200  # fills the caches (the unread count)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for index in range(15):
        agency = AgencyFactory(code=f"Z{index}")
        for month in (date(2026, 9, 1), OCTOBER):
            MonthlyMetricFactory(agency=agency, month=month)
    with CaptureQueriesContext(connection) as many:
        body = client.get(url).content.decode()
    assert body.count("data-agency=") == 16
    assert len(many.captured_queries) == len(few.captured_queries)


def _active_staff_value(body: str) -> str:
    return re.search(r'id="metric-accounts-active_staff-value">(\S*) ', body)[1]


def test_a_cached_dashboard_shows_the_next_rollup_at_once(client, mayor_office, agency_a):
    """The panels are cached under the rollup's stamp: a rollup that commits changes the page."""
    UserFactory(agency=agency_a, roles=["agency_staff"], date_joined=taipei(2026, 1, 1))
    rollup_month(month=OCTOBER)
    client.force_login(mayor_office)
    before = _dashboard_queries(client)
    # Agency A's one account (the mayor's office user opened after October).
    assert _active_staff_value(client.get(DASHBOARD).content.decode()) == "1"
    # Served from the cache: the figures and the 12-month sums are not read again.
    cached = _dashboard_queries(client)
    assert not any("SUM(" in sql for sql in cached)
    assert len(cached) < len(before)
    UserFactory(agency=agency_a, roles=["agency_staff"], date_joined=taipei(2026, 2, 1))
    rollup_month(month=OCTOBER)
    assert _active_staff_value(client.get(DASHBOARD).content.decode()) == "2"


def test_the_cache_keeps_each_agencys_figures_to_itself(
    client, figures, staff_a, staff_b, mayor_office
):
    _stamp()  # as a rollup does: from now on the dashboard caches
    client.force_login(staff_a)
    assert 'data-agency="PWB"' in client.get(DASHBOARD).content.decode()
    client.force_login(staff_b)
    body = client.get(DASHBOARD).content.decode()
    assert 'data-agency="WRB"' in body
    assert 'data-agency="PWB"' not in body
    client.force_login(mayor_office)
    body = client.get(DASHBOARD).content.decode()
    assert 'data-agency="PWB"' in body
    assert 'data-agency="WRB"' in body


def test_the_cache_keeps_each_language_to_itself(client, figures, mayor_office):
    _stamp()
    client.force_login(mayor_office)
    chinese = client.get(DASHBOARD, headers={"accept-language": "zh-hant"}).content.decode()
    english = client.get(DASHBOARD, headers={"accept-language": "en"}).content.decode()
    assert "Public Works Bureau" in english
    assert "高雄市政府工務局" in chinese
    assert "Public Works Bureau" not in chinese


def test_the_panels_escape_what_they_show(client, mayor_office):
    AgencyFactory(code="X&Y", name_zh="<b>局</b>", name_en="<b>Bureau</b>")
    MonthlyMetricFactory(agency__code="Q", agency__name_en="A & B", value=Decimal("1234.5"))
    client.force_login(mayor_office)
    body = client.get(DASHBOARD, headers={"accept-language": "en"}).content.decode()
    ranked = table_html(body, "metric-accounts-active_staff-ranked")
    assert "A &amp; B" in ranked
    assert "?agency=Q&amp;month=2026-10" in ranked
    assert ">1,234.50<" in ranked


def test_the_month_picker_lists_months_with_figures_and_marks_the_chosen_one(
    client, figures, mayor_office, agency_a
):
    MonthlyMetricFactory(agency=agency_a, month=date(2026, 3, 1))
    client.force_login(mayor_office)
    body = client.get(DASHBOARD, {"month": "2026-03"}).content.decode()
    options = re.findall(r'<option value="([\d-]+)"( selected)?>', body)
    assert options == [("2026-10", ""), ("2026-03", " selected")]
