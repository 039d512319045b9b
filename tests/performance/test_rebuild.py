"""Rebuilding a range of months (rollup_metrics --from --to): the metrics that offer by_month are
read once for the range, grouped by month, and the stored rows must be exactly those of the
month-by-month rollup, on generated data with cases on the months' edges in Taipei, a month with
nothing in it, both clocks of "closed", running totals, surveys, extensions, the legal
consultations and the hotline."""

import random
from datetime import date, time, timedelta
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rdec_portal.accounts import roles
from rdec_portal.accounts.roles import Line
from rdec_portal.performance import registry
from rdec_portal.performance.models import ClosedMonth, MonthlyMetric
from rdec_portal.performance.months import month_bounds, month_range
from rdec_portal.performance.registry import Direction, Metric
from rdec_portal.performance.services import rollup_month, rollup_range
from service_center.hotline import services as hotline
from service_center.hotline.models import HotlineCallType, HotlineVolume
from service_center.legal.models import (
    BookingStatus,
    Lawyer,
    LegalBooking,
    LegalConsultation,
    LegalSession,
    LegalSlot,
    LegalVenue,
)
from service_center.petitions.models import (
    Channel,
    NotHandledReason,
    PetitionRequest,
    Status,
    SurveyAnswer,
)
from tests.accounts.factories import UserFactory
from tests.performance.conftest import TAIPEI, taipei
from tests.service_center.factories import (
    AssignedPetitionFactory,
    CategoryFactory,
    DispatchCategoryFactory,
)

FIRST, LAST = date(2026, 1, 1), date(2026, 7, 1)
EMPTY_MONTH = date(2026, 4, 1)  # no case, survey, booking or call has a date in April
# Moments on the edges of months in Taipei (16:00 UTC the day before is midnight here).
EDGES = [
    taipei(2026, 2, 1, 0, 0),
    taipei(2026, 1, 31, 23, 59, 59),
    taipei(2026, 3, 1, 0, 0),
    taipei(2026, 5, 31, 23, 59),
    taipei(2026, 6, 1, 0, 0, 1),
]
NOW = taipei(2026, 8, 20, 10)


@pytest.fixture(autouse=True)
def _august():
    with time_machine.travel(NOW, tick=False):
        yield


SPAN = (taipei(2025, 11, 20), taipei(2026, 7, 31, 23))


def _moment(rng: random.Random, start=SPAN[0], end=SPAN[1]):
    """A random moment in the span (sometimes on a month's edge), never in April."""
    while True:
        if rng.random() < 0.15:
            moment = rng.choice(EDGES)
        else:
            moment = start + timedelta(seconds=rng.randrange(int((end - start).total_seconds())))
        if moment.astimezone(TAIPEI).month != 4 or moment.year != 2026:
            return moment


def _later(rng, moment, most_days=40):
    later = moment + timedelta(hours=rng.randrange(1, most_days * 24))
    return later if later.astimezone(TAIPEI).month != 4 or later.year != 2026 else moment


@pytest.fixture
def history(agency_a, agency_b, rdec_agency, mayor_office):
    """Petitions, surveys, extensions, legal bookings, hotline calls and staff over 2026."""
    rng = random.Random(20260101)
    agencies = [agency_a, agency_b, rdec_agency]
    categories = [CategoryFactory(agency=a) for a in agencies] + [
        DispatchCategoryFactory(agency=a) for a in agencies
    ]
    statuses = [
        Status.REPLIED,
        Status.CLOSED,
        Status.NOT_HANDLED,
        Status.MERGED,
        Status.ASSIGNED,
        Status.IN_PROGRESS,
    ]
    petitions = []
    for _index in range(160):
        received = _moment(rng)
        status = rng.choice(statuses)
        fields = {
            "category": rng.choice(categories),
            "status": status,
            "channel": rng.choice(list(Channel)),
            "received_at": received,
            "due_at": None if rng.random() < 0.1 else _later(rng, received, 20),
            "working_days_to_close": None if rng.random() < 0.2 else rng.randrange(0, 30),
        }
        if status in (Status.REPLIED, Status.CLOSED) or rng.random() < 0.3:
            fields["replied_at"] = _later(rng, received)
        if status in (Status.CLOSED, Status.NOT_HANDLED, Status.MERGED):
            stop = fields.get("replied_at", received)
            # Sometimes in the month of the reply, sometimes in a later one.
            fields["closed_at"] = _later(rng, stop, rng.choice([1, 45]))
        if status == Status.NOT_HANDLED:
            fields["not_handled_reason"] = NotHandledReason.NO_CONTENT
        if status == Status.MERGED:
            fields["merged_into"] = rng.choice(petitions) if petitions else None
            if fields["merged_into"] is None:
                fields["status"] = Status.CLOSED
        if "replied_at" in fields and rng.random() < 0.2:
            fields["reopened_at"] = _later(rng, fields["replied_at"])
        petition = AssignedPetitionFactory(**fields)
        if rng.random() < 0.1:
            petition.lead_agency = None
            petition.save(update_fields=["lead_agency"])
        petitions.append(petition)

    replied = [p for p in petitions if p.replied_at]
    for petition in rng.sample(replied, 40):
        SurveyAnswer.objects.create(
            petition=petition,
            outcome=rng.randrange(1, 6),
            service=rng.randrange(1, 6),
            answered_at=_later(rng, petition.replied_at),
        )
    for petition in rng.sample(petitions, 40):
        PetitionRequest.objects.create(
            petition=petition,
            kind=PetitionRequest.Kind.EXTENSION,
            state=rng.choice([PetitionRequest.State.APPROVED] * 3 + list(PetitionRequest.State)),
            reason="more time",
            proposed_due_at=NOW,
            requested_by=mayor_office,
            decided_at=_later(rng, petition.received_at),
        )

    lawyer = Lawyer.objects.create(name="林志明", bar_number="(101)台檢證字第1號")
    for number, agency in enumerate([agency_a, rdec_agency]):
        venue = LegalVenue.objects.create(
            code=f"venue-{number}", name_zh="場地", name_en="Venue", agency=agency
        )
        session = LegalSession.objects.create(
            venue=venue,
            lawyer=lawyer,
            kind=LegalSession.Kind.WEEKLY,
            weekday=1,
            start_time=time(14),
            end_time=time(17),
        )
        used = set()
        for slot_number in range(30):
            starts = _moment(rng).replace(microsecond=0)
            while starts in used:
                starts += timedelta(minutes=20)
            used.add(starts)
            slot = LegalSlot.objects.create(
                session=session,
                venue=venue,
                lawyer=lawyer,
                starts_at=starts,
                ends_at=starts + timedelta(minutes=20),
            )
            status = rng.choice([BookingStatus.ATTENDED, BookingStatus.NO_SHOW, "booked"])
            booking = LegalBooking.objects.create(
                reference=f"L{number}{slot_number:04d}",
                slot=slot,
                status=status,
                channel="phone",
                citizen_name="陳小華",
                citizen_phone="0912345678",
                topic="labour",
            )
            if status == BookingStatus.ATTENDED:
                LegalConsultation.objects.create(
                    booking=booking,
                    venue=venue,
                    lawyer=lawyer,
                    held_on=starts.astimezone(TAIPEI).date(),
                    topic="labour",
                    recorded_by=mayor_office,
                )

    hotline.hotline_call_types_load()
    call_types = list(HotlineCallType.objects.all()[:2])
    for month in [date(2025, 12, 1), date(2026, 2, 1), date(2026, 3, 1), date(2026, 7, 1)]:
        for call_type in call_types:
            HotlineVolume.objects.create(
                month=month, call_type=call_type, count=rng.randrange(0, 5000)
            )

    for _index in range(12):
        UserFactory(
            agency=rng.choice(agencies),
            roles=[roles.AGENCY_STAFF],
            date_joined=_moment(rng, start=taipei(2025, 10, 1), end=SPAN[1]),
        )


def _table() -> list[tuple]:
    return list(
        MonthlyMetric.objects.order_by("month", "code", "agency_id").values_list(
            "month", "agency_id", "line", "code", "value", "numerator", "denominator"
        )
    )


def _stale_rows(agency):
    """Rows a rollup must remove: figures of a month that now has none."""
    for code in ("service_center.received", "service_center.working_days_median"):
        MonthlyMetric.objects.create(
            month=EMPTY_MONTH,
            agency=agency,
            line=Line.SERVICE_CENTER,
            code=code,
            value=Decimal(7),
        )


def test_every_metric_but_none_offers_by_month():
    # Every registered metric can be rebuilt by month; a new one without it still works, month
    # by month (test_a_metric_without_by_month_is_rolled_up_month_by_month).
    assert [m.code for m in registry.metrics() if m.by_month is None] == []


def test_a_range_gives_each_month_the_rows_that_month_alone_gives(history):
    start, end = month_bounds(FIRST)[0], month_bounds(LAST)[1]
    checked = 0
    for metric in registry.metrics():
        grouped = sorted(
            (month, agency, value, numerator, denominator)
            for month, agency, value, numerator, denominator in metric.by_month(start, end)
            if agency is not None
        )
        one_by_one = sorted(
            (month, agency, value, numerator, denominator)
            for month in month_range(FIRST, LAST)
            for agency, value, numerator, denominator in metric.compute(*month_bounds(month))
            if agency is not None
        )
        assert grouped == one_by_one, metric.code
        checked += bool(one_by_one)
    # The generated data gives nearly every metric something to compare.
    assert checked >= len(registry.metrics()) - 1


def test_the_rebuild_stores_what_the_month_by_month_rollup_stores(history, agency_a):
    _stale_rows(agency_a)
    for month in month_range(FIRST, LAST):
        rollup_month(month=month)
    month_by_month = _table()
    assert {row[0] for row in month_by_month} == set(month_range(FIRST, LAST))
    # April has only the running totals (open and overdue, staff accounts, none of the rest).
    april = {row[3] for row in month_by_month if row[0] == EMPTY_MONTH}
    assert april == {"service_center.open_overdue", "accounts.active_staff"}

    MonthlyMetric.objects.all().delete()
    _stale_rows(agency_a)
    written = rollup_range(first=FIRST, last=LAST)
    assert _table() == month_by_month
    assert sum(written.values()) == len(month_by_month)
    assert not MonthlyMetric.objects.filter(month=EMPTY_MONTH, value=7).exists()


def _reads_of_cases(queries) -> list[str]:
    """The queries that read the case tables (not the rollup's own table)."""
    return [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].startswith("SELECT") and "performance_" not in query["sql"]
    ]


def test_the_rebuild_reads_each_metric_once_not_once_a_month(history):
    with CaptureQueriesContext(connection) as one_month:
        rollup_range(first=FIRST, last=FIRST)
    with CaptureQueriesContext(connection) as seven_months:
        rollup_range(first=FIRST, last=LAST)
    reads = _reads_of_cases(seven_months)
    assert len(reads) == len(_reads_of_cases(one_month))
    # At most two per metric (the closing clocks read replies and other endings apart), and
    # the eight channels' counts come from one GROUP BY.
    assert len(reads) <= 2 * len(registry.metrics())
    assert sum('"channel"' in sql and "GROUP BY" in sql for sql in reads) == 1


def test_the_command_rebuilds_a_range_and_skips_closed_months(history, agency_a):
    ClosedMonth.objects.create(month=date(2026, 3, 1))
    MonthlyMetric.objects.create(
        month=date(2026, 3, 1),
        agency=agency_a,
        line=Line.SERVICE_CENTER,
        code="service_center.received",
        value=Decimal(99),
    )
    out = StringIO()
    call_command("rollup_metrics", "--from", "2026-01", "--to", "2026-07", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[2] == "2026-03: skipped, the month is closed"
    assert [line[:7] for line in lines] == [f"{m:%Y-%m}" for m in month_range(FIRST, LAST)]
    # The closed month keeps its figure.
    assert MonthlyMetric.objects.get(month=date(2026, 3, 1)).value == 99
    stored = MonthlyMetric.objects.filter(month=date(2026, 2, 1)).count()
    assert lines[1] == f"2026-02: {stored} rows"


def test_a_metric_without_by_month_is_rolled_up_month_by_month(rows_metric, agency_a):
    metric, calls = rows_metric([(agency_a.pk, 95, 19, 20)])
    assert metric.by_month is None
    written = rollup_range(first=FIRST, last=date(2026, 3, 1), codes=[metric.code])
    assert written == {date(2026, 1, 1): 1, date(2026, 2, 1): 1, date(2026, 3, 1): 1}
    assert calls == [month_bounds(m) for m in month_range(FIRST, date(2026, 3, 1))]
    assert MonthlyMetric.objects.filter(code=metric.code).count() == 3


def test_a_month_closed_during_the_rebuild_is_left_alone(rows_metric, agency_a):
    """The close wins: the chunk is rolled back and done month by month, skipping it."""

    def closing(start, end):
        ClosedMonth.objects.get_or_create(month=date(2026, 2, 1))
        return [(date(2026, m, 1), agency_a.pk, 5, 5, None) for m in (1, 2, 3)]

    metric, _calls = rows_metric([(agency_a.pk, 5, 5, None)], by_month=closing)
    written = rollup_range(first=FIRST, last=date(2026, 3, 1), codes=[metric.code])
    assert written == {date(2026, 1, 1): 1, date(2026, 2, 1): None, date(2026, 3, 1): 1}
    assert sorted(MonthlyMetric.objects.values_list("month", flat=True)) == [
        date(2026, 1, 1),
        date(2026, 3, 1),
    ]


def test_by_month_must_be_a_function():
    with pytest.raises(ValueError, match="by_month"):
        Metric(
            code="test.bad",
            line=Line.SERVICE_CENTER,
            label="Bad",
            unit="",
            direction=Direction.HIGHER_IS_BETTER,
            compute=lambda start, end: [],
            by_month="no",
        )
