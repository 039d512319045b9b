"""The arguments of GET requests: read them all, report every bad one at once, filter.

Per the standard: `service_request_id` (comma list) overrides every other argument;
`service_code` and `status` are comma lists; `start_date` and `end_date` filter on the requested
time, span at most 90 days and default to the last 90 days; at most 1,000 requests. An empty
argument is the same as a missing one. `page` and `page_size` are the common extension for
walking past the first 1,000; `extensions=true` adds the public history as `notes`.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from service_center.open311.errors import bad_request
from service_center.open311.selectors import CLOSED, OPEN
from service_center.petitions.models import Petition

MAX_WINDOW = timedelta(days=90)
MAX_RESULTS = 1000
MAX_IDS = MAX_RESULTS
_STATUSES = {"open": OPEN, "closed": CLOSED}
# "+08:00" sent unencoded in a query string arrives as " 08:00": put the plus back.
_LOST_PLUS = re.compile(r"^(.*\d) (\d{2}(?::?\d{2})?)$")
# ASCII digits only: str.isdigit() also says yes to "²" and "①", which int() then refuses.
_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


@dataclass(frozen=True)
class RequestQuery:
    ids: tuple[str, ...] | None
    service_codes: tuple[str, ...]
    statuses: tuple[str, ...]
    start: datetime
    end: datetime
    page: int
    page_size: int
    with_notes: bool


def _split(value: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))


def parse_w3c(name: str, value: str, errors: list) -> datetime | None:
    """A W3C date-time with its offset, or None after noting the error."""
    text = _LOST_PLUS.sub(r"\1+\2", value.strip())
    try:
        moment = parse_datetime(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        errors.append(
            _(
                "%(name)s must be a date and time with its time zone in W3C format, "
                "e.g. 2026-11-26T00:00:00+08:00 or 2026-11-25T16:00:00Z; got “%(value)s”."
            )
            % {"name": name, "value": value[:40]}
        )
        return None
    return moment


def _window(params, now: datetime, errors: list) -> tuple[datetime, datetime]:
    start = end = None
    if params.get("start_date", "").strip():
        start = parse_w3c("start_date", params["start_date"], errors)
    if params.get("end_date", "").strip():
        end = parse_w3c("end_date", params["end_date"], errors)
    if start and end:
        if start > end:
            errors.append(_("start_date must be before end_date."))
        elif end - start > MAX_WINDOW:
            errors.append(_("start_date and end_date may be at most 90 days apart."))
    elif start:
        end = start + MAX_WINDOW
    elif end:
        start = end - MAX_WINDOW
    else:
        start, end = now - MAX_WINDOW, now
    return start, end


def _statuses(params, errors: list) -> tuple[str, ...]:
    statuses = _split(params.get("status", "").lower())
    unknown = [s for s in statuses if s not in _STATUSES]
    if unknown:
        errors.append(
            _("status must be open, closed or both, comma-separated; got “%(value)s”.")
            % {"value": ",".join(unknown)[:40]}
        )
    return statuses


def _positive(params, name: str, default: int, maximum: int, errors: list) -> int:
    text = params.get(name, "").strip()
    if not text:
        return default
    if not _WHOLE_NUMBER.fullmatch(text) or not 1 <= int(text) <= maximum:
        errors.append(
            _("%(name)s must be a whole number from 1 to %(max)d.") % {"name": name, "max": maximum}
        )
        return default
    return int(text)


def parse_request_query(params, *, now: datetime) -> RequestQuery:
    """Read GET requests' arguments; raises an Open311Error listing every bad one."""
    errors: list[str] = []
    ids = _split(params.get("service_request_id", "")) or None
    if ids and len(ids) > MAX_IDS:
        errors.append(
            _("Ask for at most %(max)d service_request_id values at a time.") % {"max": MAX_IDS}
        )
    if ids:
        # The ids override every other argument, so the others are not even checked.
        start, end, statuses, codes = now, now, (), ()
    else:
        start, end = _window(params, now, errors)
        statuses, codes = _statuses(params, errors), _split(params.get("service_code", ""))
    page = _positive(params, "page", 1, 1_000_000, errors)
    page_size = _positive(params, "page_size", MAX_RESULTS, MAX_RESULTS, errors)
    if errors:
        raise bad_request(*errors)
    return RequestQuery(
        ids=ids,
        service_codes=codes,
        statuses=statuses,
        start=start,
        end=end,
        page=page,
        page_size=page_size,
        with_notes=params.get("extensions", "").strip().lower() == "true",
    )


def filter_requests(qs: QuerySet[Petition], query: RequestQuery) -> QuerySet[Petition]:
    """The page of requests the query asks for (the queryset is already newest first)."""
    if query.ids:
        qs = qs.filter(number__in=query.ids)
    else:
        qs = qs.filter(received_at__gte=query.start, received_at__lte=query.end)
        if query.service_codes:
            qs = qs.filter(category__code__in=query.service_codes)
        if query.statuses:
            qs = qs.filter(status__in=[s for name in query.statuses for s in _STATUSES[name]])
    offset = (query.page - 1) * query.page_size
    return qs[offset : offset + query.page_size]
