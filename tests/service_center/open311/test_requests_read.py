"""GET requests and requests/{id}: fields, status mapping, filters, limits, errors, query count."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from service_center.petitions.models import NotHandledReason, Petition, Status
from service_center.petitions.services import petition_assign
from tests.service_center.conftest import NOW
from tests.service_center.factories import AssignedPetitionFactory, CategoryFactory, PetitionFactory
from tests.service_center.open311.conftest import BASE, fetch_both, parse

# Every internal status, and what Open311 shows for it: None means not public at all.
EXPECTED_STATUS = {
    Status.RECEIVED: None,
    Status.VERIFIED: "open",
    Status.ASSIGNED: "open",
    Status.IN_PROGRESS: "open",
    Status.REPLIED: "closed",
    Status.CLOSED: "closed",
    Status.NOT_HANDLED: "closed",
    Status.MERGED: "closed",
    "expired": None,
}


def numbers(data):
    return [r["service_request_id"] for r in data]


@pytest.fixture
def assigned(frozen, lamp):
    return AssignedPetitionFactory(
        category=lamp,
        description="自由路口路燈不亮。",
        address="高雄市三民區自由一路與民族一路口",
        latitude=Decimal("22.639500"),
        longitude=Decimal("120.302100"),
        media_url="https://photos.example.org/1.jpg\nhttps://photos.example.org/2.jpg",
        due_at=NOW + timedelta(hours=24),
    )


def test_a_request_has_every_field_of_the_standard(client, assigned):
    status, data = fetch_both(client, "requests", language="en")

    assert status == 200
    assert data == [
        {
            "service_request_id": assigned.number,
            "status": "open",
            "status_notes": "Assigned to the responsible agency.",
            "service_name": "Street light out",
            "service_code": "street-light",
            "description": "自由路口路燈不亮。",
            "agency_responsible": "Public Works Bureau",
            "service_notice": "Dispatch case: the responsible agency reports back within 24 hours.",
            "requested_datetime": "2026-11-26T10:00:00+08:00",
            "updated_datetime": "2026-11-26T10:00:00+08:00",
            "expected_datetime": "2026-11-27T10:00:00+08:00",
            "address": "高雄市三民區自由一路與民族一路口",
            "address_id": None,
            "zipcode": None,
            "lat": 22.6395,
            "long": 120.3021,
            "media_url": "https://photos.example.org/1.jpg",
        }
    ]


def test_one_request_by_its_number(client, assigned):
    status, data = fetch_both(client, f"requests/{assigned.number}")
    assert status == 200
    assert numbers(data) == [assigned.number]
    assert data[0]["agency_responsible"] == "高雄市政府工務局"


def test_an_unknown_request_is_404(client, assigned):
    status, data = fetch_both(client, "requests/1151126-9999")
    assert status == 404
    assert data[0]["code"] == 404
    assert "1151126-9999" in data[0]["description"]


def _petition_in(status: str, category) -> Petition:
    extra = {}
    if status == Status.MERGED:
        extra["merged_into"] = PetitionFactory(category=category, status=Status.CLOSED)
    if status == Status.NOT_HANDLED:
        extra["not_handled_reason"] = NotHandledReason.NO_CONTENT
    return PetitionFactory(category=category, status=status, **extra)


@pytest.mark.parametrize("status", list(Status))
def test_every_internal_status_maps_to_open_closed_or_not_public(client, frozen, lamp, status):
    assert status in EXPECTED_STATUS, "decide what Open311 shows for this new status"
    petition = _petition_in(status, lamp)
    expected = EXPECTED_STATUS[status]

    code, data = fetch_both(client, f"requests/{petition.number}")
    listed = fetch_both(client, "requests", service_request_id=petition.number)[1]

    if expected is None:
        assert code == 404
        assert listed == []
    else:
        assert code == 200
        assert data[0]["status"] == expected
        assert numbers(listed) == [petition.number]
        assert numbers(fetch_both(client, "requests", status=expected)[1]).count(petition.number)


def test_status_notes_say_why_a_case_closed(client, frozen, lamp):
    target = PetitionFactory(category=lamp, status=Status.CLOSED)
    merged = PetitionFactory(category=lamp, status=Status.MERGED, merged_into=target)
    declined = PetitionFactory(
        category=lamp, status=Status.NOT_HANDLED, not_handled_reason=NotHandledReason.REPEAT
    )

    _s, data = fetch_both(client, "requests", language="en")

    notes = {r["service_request_id"]: r["status_notes"] for r in data}
    assert notes[merged.number] == f"Merged into case {target.number}, which answers both."
    assert notes[declined.number] == (
        "Closed without handling: Repeats a matter already properly answered."
    )
    assert notes[target.number] == "Closed after the agency's reply."


def test_a_closed_request_is_dated_by_its_closing_and_expects_nothing(client, frozen, lamp):
    closed_at = NOW - timedelta(days=2)
    petition = AssignedPetitionFactory(
        category=lamp,
        status=Status.CLOSED,
        replied_at=NOW - timedelta(days=3),
        closed_at=closed_at,
        received_at=NOW - timedelta(days=5),
    )
    [data] = fetch_both(client, f"requests/{petition.number}")[1]
    assert data["status"] == "closed"
    assert data["updated_datetime"] == "2026-11-24T10:00:00+08:00"
    assert data["requested_datetime"] == "2026-11-21T10:00:00+08:00"
    assert data["expected_datetime"] is None


def test_newest_first(client, frozen, lamp):
    older = PetitionFactory(category=lamp, received_at=NOW - timedelta(days=2))
    newer = PetitionFactory(category=lamp, received_at=NOW - timedelta(days=1))
    assert numbers(fetch_both(client, "requests")[1]) == [newer.number, older.number]


# --- filters ----------------------------------------------------------------------------------


def test_service_code_and_status_take_comma_lists(client, frozen, lamp, agency_a):
    noise = CategoryFactory(code="noise", agency=agency_a)
    other = CategoryFactory(code="other", agency=agency_a)
    lamp_open = PetitionFactory(category=lamp)
    noise_closed = PetitionFactory(category=noise, status=Status.CLOSED)
    PetitionFactory(category=other)

    both = fetch_both(client, "requests", service_code="street-light,noise")[1]
    closed = fetch_both(client, "requests", status="closed")[1]
    either = fetch_both(client, "requests", status="open,closed", service_code="noise")[1]

    assert set(numbers(both)) == {lamp_open.number, noise_closed.number}
    assert numbers(closed) == [noise_closed.number]
    assert numbers(either) == [noise_closed.number]


def test_the_default_window_is_the_last_90_days(client, frozen, lamp):
    inside = PetitionFactory(category=lamp, received_at=NOW - timedelta(days=89))
    PetitionFactory(category=lamp, received_at=NOW - timedelta(days=91))
    assert numbers(fetch_both(client, "requests")[1]) == [inside.number]


def test_start_and_end_date_filter_on_the_requested_time(client, frozen, lamp):
    early = PetitionFactory(category=lamp, received_at=NOW - timedelta(days=120))
    late = PetitionFactory(category=lamp, received_at=NOW - timedelta(days=10))

    window = fetch_both(
        client,
        "requests",
        start_date="2026-07-01T00:00:00+08:00",
        end_date="2026-08-01T00:00:00Z",
    )[1]
    from_start = fetch_both(client, "requests", start_date="2026-11-01T00:00:00+08:00")[1]
    to_end = fetch_both(client, "requests", end_date="2026-09-01T00:00:00+08:00")[1]

    assert numbers(window) == [early.number]
    assert numbers(from_start) == [late.number]
    assert numbers(to_end) == [early.number]


def test_an_offset_whose_plus_was_not_encoded_still_reads(client, frozen, lamp):
    petition = PetitionFactory(category=lamp, received_at=NOW - timedelta(days=1))
    response = client.get(f"{BASE}requests.json?start_date=2026-11-20T00:00:00+08:00")
    assert response.status_code == 200
    assert numbers(parse(response)) == [petition.number]


def test_ids_override_every_other_argument(client, frozen, lamp):
    old = PetitionFactory(category=lamp, received_at=NOW - timedelta(days=400))
    new = PetitionFactory(category=lamp, status=Status.CLOSED)

    data = fetch_both(
        client,
        "requests",
        service_request_id=f"{old.number}, {new.number},no-such-id",
        status="open",
        service_code="noise",
        start_date="not a date",
    )[1]

    assert set(numbers(data)) == {old.number, new.number}


def test_at_most_1000_requests_and_pages_beyond(client, frozen, lamp):
    Petition.objects.bulk_create(
        PetitionFactory.build(category=lamp, received_at=NOW - timedelta(minutes=i))
        for i in range(1001)
    )

    first = parse(client.get(f"{BASE}requests.json"))
    second = parse(client.get(f"{BASE}requests.json", {"page": "2"}))
    small = parse(client.get(f"{BASE}requests.json", {"page": "3", "page_size": "10"}))

    assert len(first) == 1000
    assert len(second) == 1
    assert len(small) == 10
    assert second[0]["requested_datetime"] == (NOW - timedelta(minutes=1000)).isoformat()
    assert small[0]["requested_datetime"] == (NOW - timedelta(minutes=20)).isoformat()


def test_extensions_add_the_public_history_without_its_texts(
    client, frozen, lamp, desk_user, agency_a
):
    petition = PetitionFactory(category=lamp, due_at=NOW + timedelta(hours=24))
    petition.events.create(kind="submitted", is_public=True, created_at=NOW)
    petition.events.create(kind="note", is_public=False, text="內部備註", created_at=NOW)
    petition_assign(petition=petition, agency=agency_a, by=desk_user, note="請工務局處理")

    data = fetch_both(client, "requests", extensions="true", language="en")[1]

    notes = data[0]["notes"]
    assert [n["type"] for n in notes] == ["submitted", "assigned"]
    assert notes[1] == {
        "datetime": "2026-11-26T10:00:00+08:00",
        "description": "Assigned",
        "type": "assigned",
    }
    assert "notes" not in fetch_both(client, "requests")[1][0]
    one = fetch_both(client, f"requests/{petition.number}", extensions="true")[1]
    assert [n["type"] for n in one[0]["notes"]] == ["submitted", "assigned"]


# --- bad arguments ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "mentions"),
    [
        ({"start_date": "yesterday"}, "start_date"),
        ({"end_date": "2026-13-01T00:00:00Z"}, "end_date"),
        # A time without its zone is ambiguous: the standard requires the offset.
        ({"start_date": "2026-11-01T00:00:00"}, "time zone"),
        ({"start_date": "2026-11-01"}, "time zone"),
        (
            {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
            "90 days",
        ),
        (
            {"start_date": "2026-06-01T00:00:00Z", "end_date": "2026-05-01T00:00:00Z"},
            "before end_date",
        ),
        ({"status": "pending"}, "pending"),
        ({"page_size": "5000"}, "page_size"),
        ({"page": "0"}, "page"),
    ],
)
def test_bad_arguments_are_400_with_a_clear_description(client, frozen, lamp, params, mentions):
    status, data = fetch_both(client, "requests", language="en", **params)
    assert status == 400
    assert data[0]["code"] == 400
    assert mentions in data[0]["description"]


def test_every_bad_argument_is_reported_at_once(client, frozen, lamp):
    status, data = fetch_both(client, "requests", start_date="x", status="y", page="z")
    assert status == 400
    assert len(data) == 3


def test_too_many_ids_is_400(client, frozen, lamp):
    ids = ",".join(f"1151126-{i:04d}" for i in range(1001))
    response = client.get(f"{BASE}requests.json", {"service_request_id": ids})
    assert response.status_code == 400
    assert "1000" in parse(response)[0]["description"]


def test_a_thousand_ids_are_fine(client, frozen, lamp):
    petition = PetitionFactory(category=lamp, number="1151126-0999")
    ids = ",".join(f"1151126-{i:04d}" for i in range(1000))
    response = client.get(f"{BASE}requests.json", {"service_request_id": ids})
    assert response.status_code == 200
    assert numbers(parse(response)) == [petition.number]


# --- queries ----------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 20])
def test_list_query_count_does_not_grow_with_rows(
    client, frozen, lamp, agency_a, rows, django_assert_num_queries
):
    target = PetitionFactory(category=lamp, status=Status.CLOSED)
    for i in range(rows):
        PetitionFactory(
            category=lamp,
            status=Status.MERGED if i % 2 else Status.ASSIGNED,
            merged_into=target if i % 2 else None,
            lead_agency=agency_a,
            received_at=timezone.now() - timedelta(minutes=i),
        )
    with django_assert_num_queries(1):
        assert len(parse(client.get(f"{BASE}requests.json"))) == rows + 1
    with django_assert_num_queries(2):
        assert len(parse(client.get(f"{BASE}requests.xml", {"extensions": "true"}))) == rows + 1


def test_one_request_is_one_query(client, assigned, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert client.get(f"{BASE}requests/{assigned.number}.json").status_code == 200


# --- tokens -----------------------------------------------------------------------------------


def test_a_token_resolves_to_its_request_id(client, assigned):
    status, data = fetch_both(client, f"tokens/{assigned.number}")
    assert status == 200
    assert data == [{"service_request_id": assigned.number, "token": assigned.number}]


def test_an_unknown_or_unconfirmed_token_is_404(client, frozen, lamp):
    unconfirmed = PetitionFactory(category=lamp, status=Status.RECEIVED)
    for token in ("1151126-9999", unconfirmed.number):
        status, data = fetch_both(client, f"tokens/{token}")
        assert status == 404
        assert token in data[0]["description"]
