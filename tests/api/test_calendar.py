from datetime import date

import pytest

from rdec_portal.workflow.calendar import calendar_cache_clear
from rdec_portal.workflow.models import CalendarOverride
from tests.api.utils import EN, error_of

WORKING_DAYS = "/api/v1/workflow/calendar/working-days/"
OVERRIDES = "/api/v1/workflow/calendar/overrides/"


@pytest.fixture(autouse=True)
def _fresh_calendar():
    calendar_cache_clear()
    yield
    calendar_cache_clear()


@pytest.fixture
def typhoon(db):
    return CalendarOverride.objects.create(
        date=date(2025, 7, 8), kind=CalendarOverride.Kind.DAY_OFF, reason="颱風停班"
    )


@pytest.fixture
def signed_in(api, staff_a):
    api.force_authenticate(staff_a)
    return api


@pytest.mark.parametrize(
    "start", ["2025-07-07", "2025/7/7", "114/07/07", "114-7-7", "民國114年7月7日", "1140707"]
)
def test_working_days_skip_weekends_and_typhoon_days(signed_in, typhoon, start):
    response = signed_in.get(WORKING_DAYS, {"start": start, "days": 5}, HTTP_ACCEPT_LANGUAGE=EN)

    assert response.status_code == 200
    assert response.json() == {
        "start": "2025-07-07",
        "days": 5,
        "due": "2025-07-15",
        "skipped": [
            {"date": "2025-07-08", "kind": "day_off", "reason": "颱風停班"},
            {"date": "2025-07-12", "kind": "weekend", "reason": "Weekend"},
            {"date": "2025-07-13", "kind": "weekend", "reason": "Weekend"},
        ],
    }


def test_working_days_over_lunar_new_year_end_on_the_make_up_workday(signed_in, db):
    body = signed_in.get(WORKING_DAYS, {"start": "2025-01-27", "days": 5}).json()

    assert body["due"] == "2025-02-08"
    assert [day["date"] for day in body["skipped"]] == [
        "2025-01-27",
        "2025-01-28",
        "2025-01-29",
        "2025-01-30",
        "2025-01-31",
        "2025-02-01",
        "2025-02-02",
    ]
    assert {day["kind"] for day in body["skipped"][:5]} == {"holiday"}


def test_day_zero_of_a_saturday_is_the_next_monday(signed_in, db):
    body = signed_in.get(WORKING_DAYS, {"start": "2025-07-05", "days": 0}).json()

    assert body["due"] == "2025-07-07"
    assert [day["date"] for day in body["skipped"]] == ["2025-07-05", "2025-07-06"]


@pytest.mark.parametrize(
    ("params", "attr", "code"),
    [
        ({"start": "114/13/40", "days": 5}, "start", "invalid_date"),
        ({"start": "0/01/01", "days": 5}, "start", "invalid_year"),
        ({"start": "tomorrow", "days": 5}, "start", "invalid"),
        ({"start": "9999-12-31", "days": 5}, "start", "out_of_range"),
        ({"days": 5}, "start", "required"),
        ({"start": "2025-07-07", "days": -1}, "days", "min_value"),
        ({"start": "2025-07-07", "days": 5001}, "days", "max_value"),
        ({"start": "2025-07-07", "days": "five"}, "days", "invalid"),
    ],
)
def test_bad_working_day_questions_are_a_400_on_the_parameter(signed_in, db, params, attr, code):
    response = signed_in.get(WORKING_DAYS, params)

    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    assert (error_of(response)["attr"], error_of(response)["code"]) == (attr, code)


def test_an_impossible_roc_date_gets_a_clear_message(signed_in, db):
    response = signed_in.get(
        WORKING_DAYS, {"start": "114/13/40", "days": 5}, HTTP_ACCEPT_LANGUAGE=EN
    )

    assert error_of(response)["detail"] == (
        "“114/13/40” is not a real date: check the month and the day."
    )


def test_working_days_need_a_signed_in_staff_user(api, db):
    response = api.get(WORKING_DAYS, {"start": "2025-07-07", "days": 5})

    assert response.status_code == 401


def test_overrides_list_newest_first_with_filters(signed_in, typhoon):
    CalendarOverride.objects.create(
        date=date(2025, 2, 8), kind=CalendarOverride.Kind.WORKDAY, reason="補班"
    )

    everything = signed_in.get(OVERRIDES).json()["results"]
    workdays = signed_in.get(OVERRIDES, {"kind": "workday"}).json()["results"]
    summer = signed_in.get(OVERRIDES, {"date_from": "114/06/01"}).json()["results"]

    assert everything == [
        {"date": "2025-07-08", "kind": "day_off", "reason": "颱風停班"},
        {"date": "2025-02-08", "kind": "workday", "reason": "補班"},
    ]
    assert [row["date"] for row in workdays] == ["2025-02-08"]
    assert [row["date"] for row in summer] == ["2025-07-08"]


def test_a_bad_override_date_filter_is_a_400(signed_in, typhoon):
    response = signed_in.get(OVERRIDES, {"date_to": "114/02/30"})

    assert response.status_code == 400
    assert error_of(response)["attr"] == "date_to"


def test_overrides_are_read_only(signed_in, typhoon):
    response = signed_in.post(OVERRIDES, {"date": "2025-08-01", "kind": "day_off", "reason": "x"})

    assert response.status_code == 405
    assert CalendarOverride.objects.count() == 1


@pytest.mark.parametrize("size", [1, 20])
def test_overrides_query_count_does_not_grow_with_rows(
    signed_in, db, django_assert_num_queries, size
):
    CalendarOverride.objects.bulk_create(
        CalendarOverride(date=date(2024, 1, 1 + n), kind="day_off", reason=f"R{n}")
        for n in range(size)
    )

    # The role check, COUNT, SELECT.
    with django_assert_num_queries(3):
        assert len(signed_in.get(OVERRIDES).json()["results"]) == size
