"""Keyset pages on any model: here the core's agencies, ordered by a nullable key."""

import pytest

from rdec_portal.accounts.models import Agency
from rdec_portal.keyset import cursor_for, keyset_page
from tests.accounts.factories import AgencyFactory


@pytest.fixture
def agencies(db):
    parent = AgencyFactory(code="P00")
    children = [AgencyFactory(code=f"C{n:02d}", parent=parent) for n in range(4)]
    return [parent, *children]


def _ordered():
    return Agency.objects.order_by("parent", "id")


def _walk_forward(size):
    seen, cursor = [], None
    while True:
        page = keyset_page(_ordered(), size=size, after=cursor)
        seen += [row.pk for row in page.rows]
        if not page.has_next:
            return seen
        cursor = page.next_cursor


def test_next_pages_visit_every_row_once_in_order_with_nulls_last(agencies):
    assert _walk_forward(2) == [a.pk for a in _ordered()]
    assert _walk_forward(2)[-1] == agencies[0].pk  # the agency without a parent


def test_previous_pages_give_the_same_rows_backwards(agencies):
    last = keyset_page(_ordered(), size=2, after=cursor_for(_ordered(), _ordered()[2]))
    back = keyset_page(_ordered(), size=2, before=last.previous_cursor)
    assert [row.pk for row in back.rows] == [a.pk for a in _ordered()[1:3]]


def test_a_broken_cursor_gives_the_first_page(agencies):
    page = keyset_page(_ordered(), size=2, after="not-a-cursor")
    assert [row.pk for row in page.rows] == [a.pk for a in _ordered()[:2]]
    assert not page.has_previous


def test_the_count_stops_at_the_cap(agencies):
    page = keyset_page(_ordered(), size=2, after=cursor_for(_ordered(), _ordered()[0]), count_cap=3)
    assert page.count_is_capped


def test_unordered_or_related_orderings_are_refused(db):
    with pytest.raises(ValueError):
        keyset_page(Agency.objects.order_by("parent__code", "id"), size=5)
    with pytest.raises(ValueError):
        keyset_page(Agency.objects.order_by(), size=5)
