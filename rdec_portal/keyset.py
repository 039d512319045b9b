"""Keyset ("cursor") pages for any long HTML list: a page deep in the list costs what the first
one does.

Use `keyset_page(queryset, size=..., after=..., before=...)` instead of Django's Paginator for
a list that can grow past a few thousand rows (a work queue, a log); pass it the queryset
already filtered and ordered as the page shows it. A short list (a few hundred rows at most)
keeps the Paginator and its page numbers.

With page numbers the database reads and throws away every row before the page (OFFSET):
page 401 of the service centre's work queue reads 20,000 rows to show 50. A keyset page starts
from the sort key of the row where the last page stopped, straight from the index. The links
carry that key (`?after=` for the next page, `?before=` for the previous one), and the count
stops at COUNT_CAP, so no page counts two million rows either.

The queryset must be ordered by model fields ending in a unique one (id or number). A null
sorts last going up and first going down, on PostgreSQL and SQLite alike.
"""

import base64
import binascii
import json
from dataclasses import dataclass
from functools import reduce
from operator import and_, or_

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import F, Field, Q, QuerySet

COUNT_CAP = 1000


@dataclass(frozen=True)
class Page:
    rows: list
    next_cursor: str | None
    previous_cursor: str | None
    count: int  # at most count_cap + 1
    count_cap: int

    @property
    def count_is_capped(self) -> bool:
        return self.count > self.count_cap

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


@dataclass(frozen=True)
class _Key:
    field: Field
    descending: bool

    @property
    def name(self) -> str:
        return self.field.attname

    @property
    def nullable(self) -> bool:
        return self.field.null

    def order(self):
        if self.descending:
            return F(self.name).desc(nulls_first=True)
        return F(self.name).asc(nulls_last=True)

    def reversed(self) -> "_Key":
        return _Key(self.field, not self.descending)

    def equal(self, value) -> Q:
        return Q(**{f"{self.name}__isnull": True}) if value is None else Q(**{self.name: value})

    def beyond(self, value) -> Q:
        """Rows strictly after `value` in this key's order."""
        if self.descending:
            if value is None:
                return Q(**{f"{self.name}__isnull": False})
            return Q(**{f"{self.name}__lt": value})
        if value is None:
            return Q(pk__in=[])  # nothing sorts after a null going up
        after = Q(**{f"{self.name}__gt": value})
        return after | Q(**{f"{self.name}__isnull": True}) if self.nullable else after

    def bound(self, value) -> Q:
        """A looser condition on this key alone that an index range can serve."""
        if value is None or (self.nullable and not self.descending):
            return Q()
        return Q(**{f"{self.name}__{'lte' if self.descending else 'gte'}": value})


def keyset_page(
    qs: QuerySet,
    *,
    size: int,
    after: str | None = None,
    before: str | None = None,
    count_cap: int | None = None,
) -> Page:
    """The page of `size` rows after (or before) a cursor; the first page without one.

    The count stops at `count_cap` (COUNT_CAP by default). A cap no larger than the page costs
    no query at all: the page itself shows whether there are more rows than that.
    """
    keys = _keys(qs)
    going_back = before is not None and after is None
    values = _decode(before if going_back else after, keys)
    if going_back and values is not None:
        keys = [key.reversed() for key in keys]
    window = qs.order_by(*[key.order() for key in keys])
    if values is not None:
        window = window.filter(_after(keys, values))
    rows = list(window[: size + 1])
    more, rows = len(rows) > size, rows[:size]
    if going_back and values is not None:
        rows.reverse()
        keys = [key.reversed() for key in keys]
        previous_cursor = _encode(rows[0], keys) if more and rows else None
        next_cursor = _encode(rows[-1], keys) if rows else None
    else:
        previous_cursor = _encode(rows[0], keys) if values is not None and rows else None
        next_cursor = _encode(rows[-1], keys) if more else None
    cap = COUNT_CAP if count_cap is None else count_cap
    count = _count(qs, rows, first=values is None, more=more, cap=cap, size=size)
    return Page(rows, next_cursor, previous_cursor, count, cap)


def _count(qs: QuerySet, rows: list, *, first: bool, more: bool, cap: int, size: int) -> int:
    """The rows in `qs`, or cap + 1 for "more than cap"."""
    if first and not more:
        return len(rows)  # a first page with room to spare holds every row
    if cap <= size:
        return cap + 1  # a full page (or one after it) already shows there are more
    return qs.order_by()[: cap + 1].count()


def cursor_for(qs: QuerySet, row) -> str:
    """The `after` cursor that starts a page of `qs` right after `row` (links, tests, benchmarks)."""
    return _encode(row, _keys(qs))


def _keys(qs: QuerySet) -> list[_Key]:
    keys = []
    for name in qs.query.order_by:
        field_name = name.lstrip("-")
        try:
            field = qs.model._meta.get_field(field_name)
        except FieldDoesNotExist as exc:
            raise ValueError(f"Keyset pages need model fields to order by, not {name!r}.") from exc
        keys.append(_Key(field, name.startswith("-")))
    if not keys:
        raise ValueError("Keyset pages need an ordered queryset.")
    return keys


def _after(keys: list[_Key], values: list) -> Q:
    """(k1 beyond v1) or (k1 = v1 and k2 beyond v2) or ..., plus an index-friendly bound."""
    alternatives = []
    for i, key in enumerate(keys):
        same = [keys[j].equal(values[j]) for j in range(i)]
        alternatives.append(reduce(and_, [*same, key.beyond(values[i])]))
    return keys[0].bound(values[0]) & reduce(or_, alternatives)


def _encode(row, keys: list[_Key]) -> str:
    raw = [
        None if getattr(row, key.name) is None else key.field.value_to_string(row) for key in keys
    ]
    return base64.urlsafe_b64encode(json.dumps(raw).encode()).decode().rstrip("=")


def _decode(cursor: str | None, keys: list[_Key]) -> list | None:
    """The sort key in a cursor, or None for a missing or unreadable one (the first page)."""
    if not cursor:
        return None
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list) or len(raw) != len(keys):
            return None
        return [_value(key, text) for key, text in zip(keys, raw, strict=True)]
    except (ValueError, TypeError, binascii.Error, ValidationError):
        return None


def _value(key: _Key, text):
    if text is None:
        return None
    if not isinstance(text, str):
        raise TypeError("a cursor holds strings")
    return key.field.to_python(text)
