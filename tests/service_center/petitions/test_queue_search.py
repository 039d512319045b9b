"""Search by number and by words, and the API's filters, as they must work over two million cases:
with the indexes of migration 0008 on PostgreSQL, and the same answers on SQLite."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from service_center.petitions import selectors
from service_center.petitions.models import Petition
from tests.service_center.conftest import NOW, TAIPEI
from tests.service_center.factories import AssignedPetitionFactory, CategoryFactory

QUEUE = reverse("service_center:queue")
API = "/api/v1/service-center/petitions/"


def numbers(response):
    return sorted(row["number"] for row in response.context["rows"])


@pytest.fixture
def cases(frozen, agency_a):
    cat = CategoryFactory(agency=agency_a)
    made = {
        "light": AssignedPetitionFactory(
            number="1151125-0001", category=cat, subject="自由一路路燈故障", description="路燈不亮"
        ),
        "noise": AssignedPetitionFactory(
            number="1151125-0002",
            category=cat,
            subject="夜間噪音",
            description="Factory NOISE after 10 pm",
        ),
        "pothole": AssignedPetitionFactory(
            number="1151126-0001", category=cat, subject="坑洞", description="機車道坑洞積水"
        ),
    }
    return made


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("1151125-0002", ["1151125-0002"]),  # a whole number
        ("1151125", ["1151125-0001", "1151125-0002"]),  # a day's numbers
        ("1151125-000", ["1151125-0001", "1151125-0002"]),
        ("  1151126-0001 ", ["1151126-0001"]),  # pasted with spaces
        ("自由一路", ["1151125-0001"]),  # words of three characters and more: trigram index
        ("積水", ["1151126-0001"]),  # two characters, the usual Chinese word
        ("noise", ["1151125-0002"]),  # Latin text, any case
        ("PM", ["1151125-0002"]),
        ("不存在的字", []),
    ],
)
def test_the_queue_finds_cases_by_number_start_and_by_words(client, staff_a, cases, q, expected):
    client.force_login(staff_a)
    assert numbers(client.get(QUEUE, {"q": q})) == expected


def test_a_whole_number_finds_that_case_not_text_quoting_it(client, staff_a, cases):
    cases["pothole"].description = "同 1151125-0002 的噪音案"
    cases["pothole"].save(update_fields=["description"])
    client.force_login(staff_a)
    assert numbers(client.get(QUEUE, {"q": "1151125-0002"})) == ["1151125-0002"]
    # Part of a number still searches the text too.
    assert numbers(client.get(QUEUE, {"q": "1151125-000"})) == [
        "1151125-0001",
        "1151125-0002",
        "1151126-0001",
    ]


def test_the_api_searches_the_same_way(client, staff_a, cases):
    client.force_login(staff_a)
    found = client.get(API, {"q": "1151125"}).json()["results"]
    assert sorted(p["number"] for p in found) == ["1151125-0001", "1151125-0002"]


def test_api_date_filters_take_local_days(client, staff_a, frozen, agency_a):
    cat = CategoryFactory(agency=agency_a)
    late_evening = AssignedPetitionFactory(
        category=cat, received_at=datetime(2026, 11, 24, 23, 30, tzinfo=TAIPEI)
    )
    next_morning = AssignedPetitionFactory(
        category=cat, received_at=datetime(2026, 11, 25, 0, 30, tzinfo=TAIPEI)
    )
    client.force_login(staff_a)

    def found(**query):
        return {p["number"] for p in client.get(API, query).json()["results"]}

    assert found(received_to="2026-11-24") == {late_evening.number}
    assert found(received_from="115/11/25") == {next_morning.number}
    assert found(received_from="2026-11-24", received_to="2026-11-25") == {
        late_evening.number,
        next_morning.number,
    }
    assert found(received_from="2026-11-26") == set()


def test_the_api_list_neither_sorts_distinct_rows_nor_converts_dates(client, desk_user, cases):
    client.force_login(desk_user)
    day = (NOW - timedelta(days=1)).date().isoformat()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(
            API, {"status": ["assigned", "in_progress"], "channel": "web", "received_from": day}
        )
    assert response.status_code == 200 and len(response.json()["results"]) == 3
    listing = [q["sql"] for q in queries.captured_queries if "service_center_petition" in q["sql"]]
    # DISTINCT would sort every matching row before the page; a date cast would read them all.
    assert listing and not any("DISTINCT" in sql.upper() for sql in listing)
    assert not any(
        "AT TIME ZONE" in sql.upper() or "django_datetime_cast_date" in sql for sql in listing
    )


def test_postgresql_has_indexes_that_serve_the_search_and_sqlite_does_without(cases):
    names = {"sc_petition_subject_trgm", "sc_petition_description_trgm"}
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
            assert not names & {row[0] for row in cursor.fetchall()}
            return
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'service_center_petition'"
        )
        assert names <= {row[0] for row in cursor.fetchall()}
        # With sequential scans priced out, the plans show the ORM's own SQL meets the indexes.
        cursor.execute("SET LOCAL enable_seqscan = off")
        plans = {}
        for q in ("自由一路", "1151125"):
            found = Petition.objects.filter(selectors.search_q(q)).order_by()
            sql, params = found.query.sql_with_params()
            cursor.execute(f"EXPLAIN {sql}", params)
            plans[q] = "\n".join(row[0] for row in cursor.fetchall())
    assert "sc_petition_subject_trgm" in plans["自由一路"]
    assert "sc_petition_description_trgm" in plans["自由一路"]
    # Django's own varchar_pattern_ops index on the unique number serves its prefix.
    assert "service_center_petition_number_" in plans["1151125"] and "_like" in plans["1151125"]


def test_api_filters_by_category_district_and_agency_codes(
    client, desk_user, cases, agency_a, agency_b
):
    from tests.accounts.factories import AgencyFactory

    district = AgencyFactory(code="D-SANMIN", kind="district")
    other = AssignedPetitionFactory(category=CategoryFactory(agency=agency_b), district=district)
    client.force_login(desk_user)

    def found(**query):
        return {p["number"] for p in client.get(API, query).json()["results"]}

    assert found(category=other.category.code) == {other.number}
    assert found(district="D-SANMIN") == {other.number}
    assert found(lead_agency=agency_a.code) == {p.number for p in cases.values()}
    assert found(category="no-such-category") == set()
    assert found(lead_agency="NOPE") == set()


def test_the_api_list_reads_no_handler_rows(client, desk_user, cases):
    client.force_login(desk_user)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(API).json()
    assert {p["assignee"] for p in body["results"]} == {None}
    listing = [q["sql"] for q in queries.captured_queries if "service_center_petition" in q["sql"]]
    assert listing and not any('"accounts_user"' in sql for sql in listing)
