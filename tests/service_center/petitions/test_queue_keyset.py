"""Keyset pages in the HTML work queue: every case once, in order, both ways, at any depth."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from rdec_portal import keyset
from service_center.petitions import views
from service_center.petitions.models import Petition, Status
from tests.service_center.conftest import NOW
from tests.service_center.factories import AssignedPetitionFactory, CategoryFactory

QUEUE = reverse("service_center:queue")


def numbers(response):
    return [row["number"] for row in response.context["rows"]]


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 3)


@pytest.fixture
def mixed(frozen, agency_a):
    """Eleven cases of agency A: some share a due time, two have none, received times differ."""
    cat = CategoryFactory(agency=agency_a)
    made = [
        AssignedPetitionFactory(
            category=cat,
            due_at=NOW + timedelta(days=n % 4),
            received_at=NOW - timedelta(hours=n),
        )
        for n in range(9)
    ]
    for n in range(2):
        made.append(
            AssignedPetitionFactory(
                category=cat,
                status=Status.RECEIVED,
                due_at=None,
                received_at=NOW - timedelta(days=n),
            )
        )
    return made


def walk(client, query, *, direction="after"):
    """Follow Next (or Previous) links from the first (or a last) page; the pages in order."""
    pages = [numbers(response := client.get(QUEUE, query))]
    cursor_name = "next_cursor" if direction == "after" else "previous_cursor"
    while cursor := getattr(response.context["page"], cursor_name):
        response = client.get(QUEUE, {**query, direction: cursor})
        pages.append(numbers(response))
    return pages, response


@pytest.mark.parametrize("sort", ["due", "-due", "received", "-received", "number", "-number"])
def test_next_links_visit_every_case_once_in_the_sort_order(
    client, staff_a, mixed, small_pages, sort
):
    client.force_login(staff_a)
    query = {"status": "", "sort": sort}
    pages, _last = walk(client, query)
    everything = [n for page in pages for n in page]
    assert len(everything) == len(mixed) == len(set(everything))
    # The order is the database's own for that sort, nulls last going up and first going down.
    keys = {"due": "due_at", "received": "received_at", "number": "number"}
    field = keys[sort.lstrip("-")]
    ordered = sorted(mixed, key=lambda p: (getattr(p, field) is None, getattr(p, field), p.pk))
    if sort.startswith("-"):
        ordered.reverse()
    assert everything == [p.number for p in ordered]


def test_previous_links_give_the_same_pages_backwards(client, staff_a, mixed, small_pages):
    client.force_login(staff_a)
    query = {"status": "", "sort": "due"}
    forward, last = walk(client, query)
    backward, _first = walk(
        client, {**query, "before": last.context["page"].previous_cursor}, direction="before"
    )
    assert [forward[-2], *reversed(forward[:-2])] == backward


def test_a_broken_or_foreign_cursor_shows_the_first_page(client, staff_a, mixed, small_pages):
    client.force_login(staff_a)
    first = numbers(client.get(QUEUE, {"status": ""}))
    for cursor in [
        "not-base64!",
        "WyJ4Il0",
        "W10",
        keyset.cursor_for(Petition.objects.order_by("id"), mixed[0]),
    ]:
        response = client.get(QUEUE, {"status": "", "after": cursor})
        assert response.status_code == 200
        assert numbers(response) == first


def test_a_page_deep_in_the_list_costs_the_same_queries_as_the_first(
    client, staff_a, mixed, small_pages
):
    client.force_login(staff_a)
    query = {"status": "", "sort": "-received"}
    pages, last = walk(client, query)
    deep_cursor = keyset.cursor_for(
        Petition.objects.order_by("-received_at", "-id"), Petition.objects.get(number=pages[2][0])
    )
    counts = []
    for extra in ({}, {"after": deep_cursor}):
        with CaptureQueriesContext(connection) as queries:
            client.get(QUEUE, {**query, **extra})
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert not any("OFFSET" in q["sql"].upper() for q in queries.captured_queries)


def test_the_count_stops_at_the_cap(client, staff_a, mixed, monkeypatch):
    monkeypatch.setattr(keyset, "COUNT_CAP", 5)
    client.force_login(staff_a)
    capped = client.get(QUEUE, {"status": ""}, HTTP_ACCEPT_LANGUAGE="en")
    exact = client.get(QUEUE, {"status": "received"}, HTTP_ACCEPT_LANGUAGE="en")
    assert capped.context["page"].count_is_capped and not exact.context["page"].count_is_capped
    assert exact.context["page"].count == 2
    with translation.override("en"):
        assert "More than 5 cases" in capped.content.decode()
        assert ">2 cases<" in exact.content.decode()


def test_the_handler_list_shows_a_new_colleague_at_once(
    client, supervisor_a, staff_a, agency_a, frozen, django_user_model, run_on_commit
):
    from django.core.cache import cache

    cache.clear()
    AssignedPetitionFactory(category=CategoryFactory(agency=agency_a))
    client.force_login(supervisor_a)
    before = client.get(QUEUE).content.decode()
    assert f'value="{staff_a.pk}"' in before
    # The list's version moves when the account's transaction commits.
    newcomer = run_on_commit(django_user_model.objects.create, username="newcomer", agency=agency_a)
    after = client.get(QUEUE).content.decode()
    assert f'value="{newcomer.pk}"' in after
    newcomer.last_name = "改名"
    run_on_commit(newcomer.save)
    assert "改名" in client.get(QUEUE).content.decode()
    cache.clear()


def test_a_text_search_is_not_counted_beyond_its_page(client, staff_a, mixed, small_pages):
    client.force_login(staff_a)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(QUEUE, {"status": "", "q": "路燈"})
    page = response.context["page"]
    assert len(page.rows) == 3 and page.has_next
    assert page.count_is_capped and page.count_cap == 3
    assert not any(
        "COUNT(*)" in q["sql"] and "service_center_petition" in q["sql"] for q in queries
    )
