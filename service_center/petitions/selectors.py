"""Every read the pages, the API and the tasks share, scoped to the user where staff read."""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from rdec_portal.accounts import roles
from rdec_portal.accounts.roles import Line
from service_center.petitions.models import (
    OPEN_STATUSES,
    Petition,
    PetitionEvent,
    PetitionRequest,
    Status,
)
from service_center.petitions.privacy import PETITIONER_FIELDS

# What a citizen holding the number and secret sees: never the personal-data fields.
PUBLIC_FIELDS = (
    "id",
    "number",
    "status",
    "channel",
    "category__name_zh",
    "category__name_en",
    "subject",
    "address",
    "received_at",
    "confirmed_at",
    "due_at",
    "replied_at",
    "closed_at",
    "reply",
    "reopen_count",
    "not_handled_reason",
)


# --- public -------------------------------------------------------------------------------------


def public_petition(number: str) -> Petition | None:
    """A petition by its number, for the tracking page (personal data deferred, never shown)."""
    return (
        Petition.objects.select_related("category", "lead_agency", "merged_into")
        .defer("petitioner_name", "petitioner_email", "petitioner_phone", "petitioner_address")
        .filter(number=number)
        .first()
    )


def public_events(petition: Petition) -> QuerySet[PetitionEvent]:
    return (
        petition.events.filter(is_public=True).select_related("agency").order_by("created_at", "id")
    )


# --- staff --------------------------------------------------------------------------------------


def _base() -> QuerySet[Petition]:
    return Petition.objects.select_related("category", "lead_agency", "assignee", "district")


def petitions_for(user) -> QuerySet[Petition]:
    """Every case the user may open: the service centre and the mayor's office see all; an
    agency's staff see the cases it leads or supports. Another agency's case is simply not here
    (404), and so is RDEC's own for RDEC staff of other lines (`roles.home_agency_id`)."""
    if not roles.is_staff_user(user):
        return Petition.objects.none()
    if roles.sees_all_agencies(user, Line.SERVICE_CENTER):
        return _base()
    agency_id = roles.home_agency_id(user)
    if agency_id is None:
        return Petition.objects.none()
    supports = Petition.supporting_agencies.through.objects.filter(
        petition_id=OuterRef("pk"), agency_id=agency_id
    )
    return _base().filter(Q(lead_agency_id=agency_id) | Q(Exists(supports)))


def queue_base(user) -> QuerySet[Petition]:
    """The work queue: the agency's own cases (those it leads); everything for the service centre."""
    if not roles.is_staff_user(user):
        return Petition.objects.none()
    return roles.scope_to_agency(_base(), user, line=Line.SERVICE_CENTER, field="lead_agency")


# What a queue row shows and pages by: a page of 50 full rows would carry 50 descriptions of up
# to 4,000 characters and four joined models each, for a table that prints none of them.
QUEUE_ROW_FIELDS = (
    "number",
    "subject",
    "status",
    "received_at",
    "due_at",
    "category__name_zh",
    "category__name_en",
    "assignee__first_name",
    "assignee__last_name",
)


def queue_page_rows(qs: QuerySet[Petition], *, to_mask: bool = False) -> QuerySet[Petition]:
    """The queue's cases with only what its table prints (see petitions/queue.py, queue_rows),
    and the petitioner's details when the subjects are `to_mask`."""
    fields = (*QUEUE_ROW_FIELDS, *PETITIONER_FIELDS) if to_mask else QUEUE_ROW_FIELDS
    return qs.select_related(None).select_related("category", "assignee").only(*fields)


def triage_queue(user) -> QuerySet[Petition]:
    """Confirmed cases waiting for the service centre to assign them, oldest first."""
    return queue_base(user).filter(status=Status.VERIFIED).order_by("received_at", "id")


def case_events(petition: Petition) -> QuerySet[PetitionEvent]:
    return petition.events.select_related("actor", "agency").order_by("created_at", "id")


def pending_requests(petition: Petition) -> QuerySet[PetitionRequest]:
    return petition.requests.filter(state=PetitionRequest.State.PENDING).select_related(
        "requested_by", "proposed_agency"
    )


@dataclass(frozen=True)
class QueueFilters:
    status: str = ""
    overdue: bool = False
    due_within: int | None = None
    category: int | None = None
    channel: str = ""
    district: int | None = None
    received_from: date | None = None
    received_to: date | None = None
    q: str = ""
    sort: str = "due"


SORTS = {
    "due": ("due_at", "id"),
    "-due": ("-due_at", "-id"),
    "received": ("received_at", "id"),
    "-received": ("-received_at", "-id"),
    "number": ("number",),
    "-number": ("-number",),
}


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def filter_queue(qs: QuerySet[Petition], f: QueueFilters, *, now: datetime) -> QuerySet[Petition]:
    """Apply the work-queue filters; each one has an index behind it."""
    if f.status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif f.status:
        qs = qs.filter(status=f.status)
    if f.overdue:
        qs = qs.filter(status__in=OPEN_STATUSES, due_at__lt=now)
    if f.due_within is not None:
        qs = qs.filter(
            status__in=OPEN_STATUSES, due_at__gte=now, due_at__lt=now + timedelta(days=f.due_within)
        )
    if f.category:
        qs = qs.filter(category_id=f.category)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.district:
        qs = qs.filter(district_id=f.district)
    if f.received_from:
        qs = qs.filter(received_at__gte=_day_start(f.received_from))
    if f.received_to:
        qs = qs.filter(received_at__lt=_day_start(f.received_to + timedelta(days=1)))
    if f.q.strip():
        qs = qs.filter(search_q(f.q.strip()))
    return qs.order_by(*SORTS.get(f.sort, SORTS["due"]))


# Digits with at most one dash: the start of a case number (1151126-0001), typed or pasted.
_NUMBER_START = re.compile(r"\d+(-\d*)?")
# A whole case number: ROC date and the day's running number.
_WHOLE_NUMBER = re.compile(r"\d{7}-\d{4}")


def search_q(text: str) -> Q:
    """Search by number and by words in the text.

    A number or its start uses the number's pattern-ops index (Django's own, on PostgreSQL);
    words use the trigram indexes of migration 0008, which serve three or more characters. A shorter word, common
    in Chinese, is matched in the rows the other filters leave: cheap in the open queue, a
    scan over the whole history (the service centre README, "Benchmark").

    A whole case number finds that case alone, through the unique index: OR-ed with the text
    search, PostgreSQL may walk every open case of the agency instead (33 ms against 1 ms at
    three million cases), to find text that quotes the number, which nobody searching it wants.
    """
    if _WHOLE_NUMBER.fullmatch(text):
        return Q(number=text)
    words = Q(subject__icontains=text) | Q(description__icontains=text)
    if _NUMBER_START.fullmatch(text):
        return Q(number__startswith=text) | words
    return words
