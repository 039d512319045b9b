"""Reads of legal consultation the pages share, scoped to the user by the venue's agency: RDEC
service-centre staff and the mayor's office see every venue, a district office's staff only
their own venue, and anyone else none (their lookups are a 404)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from rdec_portal.accounts import roles
from rdec_portal.accounts.roles import Line
from rdec_portal.performance.months import add_months
from service_center.legal.models import (
    LIVE_BOOKING_STATUSES,
    BookingStatus,
    ConsultationTopic,
    Lawyer,
    LegalBooking,
    LegalConsultation,
    LegalSession,
    LegalSlot,
    LegalVenue,
)

# The citizen's personal data shown on a booking's own page; each view is audited.
PERSONAL_FIELDS = ["citizen_name", "citizen_phone", "citizen_email"]


def _scoped(queryset: QuerySet, user, field: str) -> QuerySet:
    return roles.scope_to_agency(queryset, user, line=Line.SERVICE_CENTER, field=field)


def venues_for(user) -> QuerySet[LegalVenue]:
    return _scoped(LegalVenue.objects.select_related("agency"), user, "agency")


def sessions_for(user) -> QuerySet[LegalSession]:
    return _scoped(
        LegalSession.objects.select_related("venue", "lawyer"), user, "venue__agency"
    ).order_by("venue__sort_order", "venue__code", "kind", "weekday", "on_date", "start_time")


def slots_for(user) -> QuerySet[LegalSlot]:
    return _scoped(LegalSlot.objects.select_related("venue", "lawyer"), user, "venue__agency")


def bookings_for(user) -> QuerySet[LegalBooking]:
    return _scoped(
        LegalBooking.objects.select_related("slot", "slot__venue", "slot__lawyer"),
        user,
        "slot__venue__agency",
    )


def consultations_for(user) -> QuerySet[LegalConsultation]:
    return _scoped(
        LegalConsultation.objects.select_related("venue", "lawyer"), user, "venue__agency"
    )


def lawyers() -> QuerySet[Lawyer]:
    """Every lawyer, for the service centre's own pages (their personal data is staff-only)."""
    return Lawyer.objects.order_by("-is_active", "name", "id")


def live_bookings() -> QuerySet[LegalBooking]:
    return LegalBooking.objects.filter(status__in=LIVE_BOOKING_STATUSES)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    zone = timezone.get_default_timezone()
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, start + timedelta(days=1)


@dataclass(frozen=True)
class DaySlot:
    slot: LegalSlot
    booking: LegalBooking | None


def day_slots(user, *, venue: LegalVenue, day: date) -> list[DaySlot]:
    """The venue's slots on a day, each with its live booking (and record): two queries."""
    start, end = day_bounds(day)
    live = live_bookings().select_related("consultation")
    slots = (
        slots_for(user)
        .filter(venue=venue, starts_at__gte=start, starts_at__lt=end)
        .prefetch_related(Prefetch("bookings", queryset=live, to_attr="live_bookings"))
        .order_by("starts_at", "lawyer__name", "id")
    )
    return [DaySlot(slot, slot.live_bookings[0] if slot.live_bookings else None) for slot in slots]


def free_slots(*, venue: LegalVenue, start: datetime, end: datetime) -> QuerySet[LegalSlot]:
    """Slots nobody holds between start and end, for the booking pages."""
    taken = live_bookings().filter(slot=OuterRef("pk"))
    return (
        LegalSlot.objects.filter(
            venue=venue, is_withdrawn=False, starts_at__gte=start, starts_at__lt=end
        )
        .filter(~Exists(taken))
        .select_related("venue")
        .order_by("starts_at", "id")
    )


@dataclass(frozen=True)
class VenueCounts:
    venue: LegalVenue
    topics: list[int]
    total: int
    booked: int
    no_shows: int


@dataclass(frozen=True)
class TopicTable:
    """Consultations in a month by venue (rows) and topic (columns), with totals."""

    month: date
    topics: list[tuple[str, str]]
    rows: list[VenueCounts]
    topic_totals: list[int]
    total: int


def consultation_counts(user, *, month: date) -> TopicTable:
    """The monthly table by venue and topic the user may see: three queries."""
    first, after = month, add_months(month, 1)
    by_cell = {
        (r["venue_id"], r["topic"]): r["n"]
        for r in consultations_for(user)
        .filter(held_on__gte=first, held_on__lt=after)
        .values("venue_id", "topic")
        .annotate(n=Count("pk"))
        .order_by()
    }
    start, _end = day_bounds(first)
    end, _next = day_bounds(after)
    bookings = {
        r["slot__venue_id"]: r
        for r in bookings_for(user)
        .filter(slot__starts_at__gte=start, slot__starts_at__lt=end)
        .values("slot__venue_id")
        .annotate(
            booked=Count("pk", filter=Q(status__in=LIVE_BOOKING_STATUSES)),
            no_shows=Count("pk", filter=Q(status=BookingStatus.NO_SHOW)),
        )
        .order_by()
    }
    topics = list(ConsultationTopic.choices)
    rows = []
    for venue in venues_for(user):
        counts = [by_cell.get((venue.pk, code), 0) for code, _label in topics]
        extra = bookings.get(venue.pk, {})
        rows.append(
            VenueCounts(
                venue=venue,
                topics=counts,
                total=sum(counts),
                booked=extra.get("booked", 0),
                no_shows=extra.get("no_shows", 0),
            )
        )
    topic_totals = [sum(row.topics[i] for row in rows) for i in range(len(topics))]
    return TopicTable(
        month=month, topics=topics, rows=rows, topic_totals=topic_totals, total=sum(topic_totals)
    )


def mask_name(name: str) -> str:
    """陳小華 → 陳○華: enough to greet the right person at the counter, not to identify them."""
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "○"
    return name[0] + "○" * (len(name) - 2) + name[-1]
