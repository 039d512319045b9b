from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from rdec_portal.accounts.roles import Line
from tests.accounts.factories import AgencyFactory, UserFactory
from tests.performance.factories import MonthlyMetricFactory

METRICS = "/api/v1/performance/metrics/"
DEFINITIONS = "/api/v1/performance/metric-definitions/"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def figures(agency_a, agency_b):
    MonthlyMetricFactory(agency=agency_a, value=Decimal(41))
    MonthlyMetricFactory(agency=agency_b, value=Decimal(17))
    MonthlyMetricFactory(agency=agency_a, value=Decimal(40), month=date(2026, 9, 1))
    MonthlyMetricFactory(
        agency=agency_b,
        month=date(2026, 8, 1),
        line=Line.SERVICE_CENTER,
        code="service_center.replied_on_time",
        value=Decimal("92.5"),
        numerator=37,
        denominator=40,
    )


def results(api, **params):
    response = api.get(METRICS, params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def keys(rows):
    return [(row["month"], row["agency"], row["code"]) for row in rows]


def test_anonymous_and_users_without_a_role_are_refused(api, figures, agency_a):
    assert api.get(METRICS).status_code in (401, 403)
    api.force_authenticate(UserFactory(agency=agency_a, roles=[]))
    assert api.get(METRICS).status_code == 403
    assert api.get(DEFINITIONS).status_code == 403


def test_mayor_lists_every_agency_newest_month_first(api, figures, mayor_office):
    api.force_authenticate(mayor_office)
    rows = results(api)
    assert keys(rows) == [
        ("2026-10", "PWB", "accounts.active_staff"),
        ("2026-10", "WRB", "accounts.active_staff"),
        ("2026-09", "PWB", "accounts.active_staff"),
        ("2026-08", "WRB", "service_center.replied_on_time"),
    ]
    assert rows[-1]["value"] == "92.5000"
    assert rows[-1]["denominator"] == "40.0000"
    assert rows[0]["agency_name"]


def test_agency_staff_see_only_their_agency(api, figures, staff_a):
    api.force_authenticate(staff_a)
    assert {row["agency"] for row in results(api)} == {"PWB"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"month": "2026-10"}, 2),
        ({"month": "115/10"}, 2),
        ({"month_from": "2026-09", "month_to": "115/09"}, 1),
        ({"month_from": "2026-09"}, 3),
        ({"agency": "WRB"}, 2),
        ({"line": "service_center"}, 1),
        ({"code": "accounts.active_staff", "agency": "PWB"}, 2),
    ],
)
def test_filters(api, figures, mayor_office, params, expected):
    api.force_authenticate(mayor_office)
    assert len(results(api, **params)) == expected


def test_a_bad_month_filter_is_a_clear_400(api, figures, mayor_office):
    api.force_authenticate(mayor_office)
    response = api.get(METRICS, {"month": "2026-13"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "month"


def test_ordering_is_whitelisted(api, figures, mayor_office):
    api.force_authenticate(mayor_office)
    values = [row["value"] for row in results(api, ordering="value")]
    assert values == sorted(values, key=Decimal)
    # An unlisted field is ignored rather than exposing arbitrary ordering.
    assert len(results(api, ordering="computed_at")) == 4


def test_page_size_is_capped(api, mayor_office):
    api.force_authenticate(mayor_office)
    MonthlyMetricFactory.create_batch(3)
    response = api.get(METRICS, {"page_size": 100000})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 3


def test_detail_of_another_agencys_row_is_404(api, figures, staff_a, agency_b):
    api.force_authenticate(staff_a)
    other = MonthlyMetricFactory(agency=agency_b, month=date(2026, 7, 1))
    assert api.get(f"{METRICS}{other.pk}/").status_code == 404


def test_list_query_count_is_the_same_for_one_and_twenty_rows(
    api, mayor_office, django_assert_num_queries
):
    """Guards N+1: agencies are joined, not fetched per row."""
    api.force_authenticate(mayor_office)
    MonthlyMetricFactory()
    results(api)  # the user's roles are read once and then cached on the user object
    with CaptureQueriesContext(connection) as one:
        assert len(results(api)) == 1
    for index in range(19):
        MonthlyMetricFactory(agency=AgencyFactory(code=f"Y{index}"))
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(results(api)) == 20


def test_definitions_list_the_registered_metrics(api, rdec_user):
    api.force_authenticate(rdec_user(Line.RESEARCH))
    response = api.get(DEFINITIONS)
    assert response.status_code == 200
    staff = next(item for item in response.json() if item["code"] == "accounts.active_staff")
    assert staff["line"] == "infoservice"
    assert staff["direction"] == "higher_is_better"
    assert staff["target"] is None
    assert staff["min_count"] == 1
