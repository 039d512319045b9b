from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from rdec_portal.workflow.models import Notification
from tests.api.utils import EN, error_of

URL = "/api/v1/workflow/notifications/"
TAIPEI = timezone.get_fixed_timezone(8 * 60)


def make(recipient, title, *, at=None, read=False):
    at = at or timezone.now()
    return Notification.objects.create(
        recipient=recipient, title=title, created_at=at, read_at=at if read else None
    )


@pytest.fixture
def inbox(staff_a, colleague_a):
    base = datetime(2025, 4, 1, 9, 0, tzinfo=TAIPEI)
    return {
        "old": make(staff_a, "Old, read", at=base, read=True),
        "new": make(staff_a, "New", at=base + timedelta(days=1)),
        "newest": make(staff_a, "Newest", at=base + timedelta(days=2)),
        "theirs": make(colleague_a, "Someone else's", at=base),
    }


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["title"] for row in response.json()["results"]]


def test_the_inbox_holds_only_the_users_own_notifications_newest_first(api, staff_a, inbox):
    api.force_authenticate(staff_a)

    response = api.get(URL)

    assert titles(response) == ["Newest", "New", "Old, read"]
    first = response.json()["results"][0]
    assert set(first) == {"id", "title", "body", "url", "created_at", "read_at", "is_read"}
    assert first["is_read"] is False


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"is_read": "false"}, ["Newest", "New"]),
        ({"is_read": "true"}, ["Old, read"]),
        ({"created_from": "114/04/02"}, ["Newest", "New"]),
        ({"created_to": "2025-04-02"}, ["New", "Old, read"]),
        ({"created_from": "民國114年4月2日", "created_to": "114-4-2"}, ["New"]),
        ({"ordering": "created_at"}, ["Old, read", "New", "Newest"]),
    ],
)
def test_inbox_filters_take_iso_and_roc_dates(api, staff_a, inbox, params, expected):
    api.force_authenticate(staff_a)

    assert titles(api.get(URL, params)) == expected


@pytest.mark.parametrize(
    ("params", "attr"),
    [({"created_from": "114/13/40"}, "created_from"), ({"is_read": "maybe"}, "is_read")],
)
def test_bad_inbox_filters_are_a_400(api, staff_a, inbox, params, attr):
    api.force_authenticate(staff_a)

    response = api.get(URL, params, HTTP_ACCEPT_LANGUAGE=EN)

    assert response.status_code == 400
    assert error_of(response)["attr"] == attr


def test_the_impossible_date_says_so(api, staff_a, inbox):
    api.force_authenticate(staff_a)

    response = api.get(URL, {"created_from": "114/13/40"}, HTTP_ACCEPT_LANGUAGE=EN)

    assert error_of(response)["detail"] == (
        "“114/13/40” is not a real date: check the month and the day."
    )


def test_the_inbox_pages_by_cursor(api, staff_a, inbox):
    api.force_authenticate(staff_a)

    first = api.get(URL, {"page_size": 2}).json()
    second = api.get(first["next"]).json()

    assert [row["title"] for row in first["results"]] == ["Newest", "New"]
    assert [row["title"] for row in second["results"]] == ["Old, read"]
    assert second["next"] is None


def test_another_users_notification_is_a_404(api, staff_a, inbox):
    api.force_authenticate(staff_a)

    assert api.get(f"{URL}{inbox['theirs'].pk}/").status_code == 404
    response = api.post(f"{URL}{inbox['theirs'].pk}/mark-read/")

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    inbox["theirs"].refresh_from_db()
    assert inbox["theirs"].read_at is None


def test_mark_read(api, staff_a, inbox):
    api.force_authenticate(staff_a)
    moment = datetime(2025, 4, 10, 8, 30, tzinfo=TAIPEI)

    with time_machine.travel(moment, tick=False):
        response = api.post(f"{URL}{inbox['new'].pk}/mark-read/")

    assert response.status_code == 200
    assert response.json()["is_read"] is True
    assert response.json()["read_at"] == "2025-04-10T08:30:00+08:00"
    inbox["new"].refresh_from_db()
    assert inbox["new"].read_at == moment


def test_mark_read_twice_keeps_the_first_read_time(api, staff_a, inbox):
    api.force_authenticate(staff_a)
    first_read = inbox["old"].read_at

    response = api.post(f"{URL}{inbox['old'].pk}/mark-read/")

    assert response.status_code == 200
    inbox["old"].refresh_from_db()
    assert inbox["old"].read_at == first_read


def test_mark_all_read_touches_only_the_users_unread(api, staff_a, inbox):
    api.force_authenticate(staff_a)

    response = api.post(f"{URL}mark-all-read/")

    assert response.json() == {"marked": 2}
    assert not Notification.objects.filter(recipient=staff_a, read_at__isnull=True).exists()
    inbox["theirs"].refresh_from_db()
    assert inbox["theirs"].read_at is None


def test_the_inbox_needs_authentication(api, inbox):
    assert api.get(URL).status_code == 401
    assert api.post(f"{URL}mark-all-read/").status_code == 401
    assert Notification.objects.filter(read_at__isnull=True).count() == 3


def test_notifications_cannot_be_written_directly(api, staff_a, inbox):
    api.force_authenticate(staff_a)

    assert api.post(URL, {"title": "Fake"}).status_code == 405
    assert api.delete(f"{URL}{inbox['new'].pk}/").status_code == 405
    assert Notification.objects.count() == 4


@pytest.mark.parametrize("size", [1, 20])
def test_list_query_count_does_not_grow_with_rows(api, staff_a, django_assert_num_queries, size):
    for n in range(size):
        make(staff_a, f"N{n}")
    api.force_authenticate(staff_a)

    # The role check, then one page (the cursor needs no COUNT).
    with django_assert_num_queries(2):
        assert len(titles(api.get(URL))) == size


@pytest.mark.parametrize("size", [1, 20])
def test_detail_query_count(api, staff_a, django_assert_num_queries, size):
    rows = [make(staff_a, f"N{n}") for n in range(size)]
    api.force_authenticate(staff_a)

    with django_assert_num_queries(2):
        assert api.get(f"{URL}{rows[-1].pk}/").status_code == 200
