"""The citizen service centre's monthly metrics, per lead agency (found by autodiscovery).

Each is one aggregate query grouped by month and lead agency, for one month (the monthly
rollup) or a range of months (a rebuild); see the registry. A petition counts for the agency that
leads it now: a transferred case counts where it ended up. "Open and overdue" has no history
in the case table, so it is the state at the time of the rollup (run on the 1st, the month's
end); a closed month keeps the figure it had.
"""

import statistics
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Greatest, TruncMonth
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from rdec_portal.accounts.models import Agency
from rdec_portal.accounts.roles import Line
from rdec_portal.performance import registry
from rdec_portal.performance.months import first_of_month, trunc_month
from rdec_portal.performance.registry import Direction, Kind, Metric, register, running_totals
from service_center.hotline.models import HotlineVolume
from service_center.hotline.services import HOTLINE_AGENCY_CODE
from service_center.legal.models import BookingStatus, LegalBooking, LegalConsultation
from service_center.petitions.models import (
    OPEN_STATUSES,
    Channel,
    Petition,
    PetitionRequest,
    Status,
    SurveyAnswer,
)


def _by_agency_month(queryset, month, **aggregates):
    """Aggregates by `month` (an expression giving the month) and lead agency."""
    return (
        queryset.filter(lead_agency__isnull=False)
        .annotate(month=month)
        .values("month", "lead_agency_id")
        .annotate(**aggregates)
        .order_by("month", "lead_agency_id")
    )


def _counts_by_month(queryset, field: str, start: datetime, end: datetime):
    """A count metric by month of one date: rows (month, agency, n, n, None)."""
    rows = _by_agency_month(
        queryset.filter(**{f"{field}__gte": start, f"{field}__lt": end}),
        trunc_month(field),
        n=Count("pk"),
    )
    return ((first_of_month(r["month"]), r["lead_agency_id"], r["n"], r["n"], None) for r in rows)


def received_by_month(start: datetime, end: datetime):
    """The channels' counts added up (the same GROUP BY, shared during a rollup)."""
    totals: dict[tuple[date, int], int] = defaultdict(int)
    for rows in _received_by_month_and_channel(start, end).values():
        for month, agency, n in rows:
            totals[(month, agency)] += n
    return ((month, agency, n, n, None) for (month, agency), n in sorted(totals.items()))


def closed_by_month(start: datetime, end: datetime):
    rows = _finished_by_month(start, end)
    return (
        (month, agency, r["closed"], r["closed"], None)
        for (month, agency), r in rows
        if r["closed"]
    )


def _share_by_month(start, end, part: str, whole: str):
    """Rows (month, agency, part ÷ whole × 100, part, whole) from the shared finished read."""
    return (
        (month, agency, Decimal(r[part]) * 100 / r[whole], r[part], r[whole])
        for (month, agency), r in _finished_by_month(start, end)
        if r[whole]
    )


def replied_on_time_by_month(start: datetime, end: datetime):
    return _share_by_month(start, end, "replied_on_time", "answered")


def dispatch_on_time_by_month(start: datetime, end: datetime):
    return _share_by_month(start, end, "dispatch_on_time", "dispatch_answered")


def open_overdue_by_month(start: datetime, end: datetime):
    """Open and overdue at each month's end: a case is in from the month by which it had been
    received and its due time had passed, so each month adds to the months before."""
    late = Petition.objects.filter(
        status__in=OPEN_STATUSES, received_at__lt=end, due_at__lt=end, due_at__isnull=False
    )
    rows = _by_agency_month(late, trunc_month(Greatest("received_at", "due_at")), n=Count("pk"))
    counts = {(first_of_month(r["month"]), r["lead_agency_id"]): r["n"] for r in rows}
    return running_totals(counts, start, end)


def extensions_by_month(start: datetime, end: datetime):
    rows = (
        PetitionRequest.objects.filter(
            kind=PetitionRequest.Kind.EXTENSION,
            state=PetitionRequest.State.APPROVED,
            decided_at__gte=start,
            decided_at__lt=end,
            petition__lead_agency__isnull=False,
        )
        .annotate(month=trunc_month("decided_at"))
        .values("month", "petition__lead_agency_id")
        .annotate(n=Count("pk"))
        .order_by("month", "petition__lead_agency_id")
    )
    return (
        (first_of_month(r["month"]), r["petition__lead_agency_id"], r["n"], r["n"], None)
        for r in rows
    )


def reopens_by_month(start: datetime, end: datetime):
    return _counts_by_month(Petition.objects.all(), "reopened_at", start, end)


def _satisfaction_by_month(field: str):
    def by_month(start: datetime, end: datetime):
        rows = (
            SurveyAnswer.objects.filter(
                answered_at__gte=start, answered_at__lt=end, petition__lead_agency__isnull=False
            )
            .annotate(month=trunc_month("answered_at"))
            .values("month", "petition__lead_agency_id")
            .annotate(total=Sum(field), answers=Count("pk"))
            .order_by("month", "petition__lead_agency_id")
        )
        return (
            (
                first_of_month(r["month"]),
                r["petition__lead_agency_id"],
                Decimal(r["total"]) / r["answers"],
                r["total"],
                r["answers"],
            )
            for r in rows
        )

    return by_month


def _count(code, label, direction, description, *, by_month):
    return Metric(
        code=f"service_center.{code}",
        line=Line.SERVICE_CENTER,
        label=label,
        unit=_("cases"),
        direction=direction,
        kind=Kind.COUNT,
        description=description,
        by_month=by_month,
    )


METRICS = [
    _count(
        "received",
        _("Petitions received"),
        Direction.HIGHER_IS_BETTER,
        _("Petitions received in the month, by the agency now leading them."),
        by_month=received_by_month,
    ),
    _count(
        "closed",
        _("Petitions closed"),
        Direction.HIGHER_IS_BETTER,
        _("Petitions replied to, or closed as not handled or merged, in the month."),
        by_month=closed_by_month,
    ),
    Metric(
        code="service_center.replied_on_time",
        line=Line.SERVICE_CENTER,
        label=_("Petitions replied on time"),
        unit="%",
        direction=Direction.HIGHER_IS_BETTER,
        kind=Kind.RATIO,
        scale=Decimal(100),
        target=Decimal(95),
        min_count=10,
        by_month=replied_on_time_by_month,
        description=_("Of the replies sent in the month, the share sent by the due time."),
    ),
    Metric(
        code="service_center.dispatch_on_time",
        line=Line.SERVICE_CENTER,
        label=_("Dispatch cases reported back within the clock"),
        unit="%",
        direction=Direction.HIGHER_IS_BETTER,
        kind=Kind.RATIO,
        scale=Decimal(100),
        target=Decimal(95),
        min_count=10,
        by_month=dispatch_on_time_by_month,
        description=_("Of the dispatch cases answered in the month, the share within 24 hours."),
    ),
    _count(
        "open_overdue",
        _("Open and overdue petitions"),
        Direction.LOWER_IS_BETTER,
        _("Open petitions past their due time at the month's end."),
        by_month=open_overdue_by_month,
    ),
    _count(
        "extensions",
        _("Extensions approved"),
        Direction.LOWER_IS_BETTER,
        _("Extensions of the due date approved in the month."),
        by_month=extensions_by_month,
    ),
    _count(
        "reopens",
        _("Petitions reopened"),
        Direction.LOWER_IS_BETTER,
        _("Cases a citizen reopened in the month after the reply."),
        by_month=reopens_by_month,
    ),
]
for _field, _label in (
    ("outcome", _("Satisfaction with the outcome")),
    ("service", _("Satisfaction with the service")),
):
    METRICS.append(
        Metric(
            code=f"service_center.satisfaction_{_field}",
            line=Line.SERVICE_CENTER,
            label=_label,
            unit=_("of 5"),
            direction=Direction.HIGHER_IS_BETTER,
            kind=Kind.RATIO,
            target=Decimal(4),
            min_count=10,
            by_month=_satisfaction_by_month(_field),
            description=_("Average answer (1 to 5) in the surveys answered in the month."),
        )
    )

for _metric in METRICS:
    register(_metric)


# --- closing: on time, working days, and intake by channel --------------------------------------
#
# The handling clock stops at the reply or at the "not handled" registration: that is when the
# deadline is met (petitions/services.py) and what the "closed" metric counts. The formal closing 14 days
# later (after the reopen window) says nothing about the agency's speed, so "closed on time" and
# "working days to close" are measured at the clock's stop. Working days cannot be counted in
# SQL portably, so petition_reply and petition_mark_not_handled store working_days_to_close
# (from confirmation, or from the reopening for a reopened case); the average is then one
# aggregate query, and the median one query of the month's values, taken per agency in Python
# (a month is at most tens of thousands of small integers).

NOT_HANDLED = Q(status=Status.NOT_HANDLED)


def _stopped_by_due():
    return (NOT_HANDLED & Q(closed_at__lte=F("due_at"))) | (
        ~NOT_HANDLED & Q(replied_at__lte=F("due_at"))
    )


def _finished_by_month(start: datetime, end: datetime):
    """[((month, agency), totals)] for the metrics of finished petitions ("closed", replied on
    time, dispatch on time, closed on time, average working days), read together: one GROUP BY
    month of the replies, one of the other endings ("not handled", merged) in another month than
    the reply. So a petition counts once in a month where both happened and in each month where
    they happened apart: in a month, Q(replied in it) | Q(ended in it). Shared
    during a rollup (registry.shared)."""

    def read():
        has_due = Q(due_at__isnull=False)
        dispatch = Q(category__is_dispatch=True)
        replied = _by_agency_month(
            Petition.objects.filter(replied_at__gte=start, replied_at__lt=end),
            trunc_month("replied_at"),
            closed=Count("pk"),
            answered=Count("pk", filter=has_due),
            replied_on_time=Count("pk", filter=Q(replied_at__lte=F("due_at"))),
            dispatch_answered=Count("pk", filter=dispatch & has_due),
            dispatch_on_time=Count("pk", filter=dispatch & Q(replied_at__lte=F("due_at"))),
            clock_finished=Count("pk", filter=has_due),
            clock_on_time=Count("pk", filter=has_due & _stopped_by_due()),
            days_total=Sum("working_days_to_close"),
            days_counted=Count("working_days_to_close"),
        )
        ended_apart = _by_agency_month(
            Petition.objects.filter(
                status__in=[Status.NOT_HANDLED, Status.MERGED],
                closed_at__gte=start,
                closed_at__lt=end,
            )
            .alias(replied_month=trunc_month("replied_at"), closed_month=trunc_month("closed_at"))
            .filter(Q(replied_at__isnull=True) | ~Q(replied_month=F("closed_month"))),
            trunc_month("closed_at"),
            closed=Count("pk"),
            clock_finished=Count("pk", filter=NOT_HANDLED & has_due),
            clock_on_time=Count("pk", filter=NOT_HANDLED & has_due & _stopped_by_due()),
            days_total=Sum("working_days_to_close", filter=NOT_HANDLED),
            days_counted=Count("working_days_to_close", filter=NOT_HANDLED),
        )
        names = ["closed", "answered", "replied_on_time", "dispatch_answered"]
        names += ["dispatch_on_time", "clock_finished", "clock_on_time"]
        names += ["days_total", "days_counted"]
        totals: dict[tuple[date, int], dict] = {}
        for rows in (replied, ended_apart):
            for r in rows:
                key = (first_of_month(r["month"]), r["lead_agency_id"])
                sums = totals.setdefault(key, dict.fromkeys(names, 0))
                for name in names:
                    sums[name] += r.get(name) or 0
        return sorted(totals.items())

    return registry.shared(("finished_by_month", start, end), read)


def closed_on_time_by_month(start: datetime, end: datetime):
    return _share_by_month(start, end, "clock_on_time", "clock_finished")


def working_days_average_by_month(start: datetime, end: datetime):
    return (
        (month, agency, Decimal(r["days_total"]) / r["days_counted"], r["days_total"])
        + (r["days_counted"],)
        for (month, agency), r in _finished_by_month(start, end)
        if r["days_counted"]
    )


def working_days_median_by_month(start: datetime, end: datetime):
    """The medians of working_days_median for every month: the values of the range, keyed by the
    month the clock stopped in (two queries: replies, and "not handled" in another month than
    a reply), the median taken per month and agency in Python."""
    timed = Petition.objects.filter(working_days_to_close__isnull=False, lead_agency__isnull=False)
    replied = (
        timed.filter(replied_at__gte=start, replied_at__lt=end)
        .annotate(month=trunc_month("replied_at"))
        .values_list("month", "lead_agency_id", "working_days_to_close")
        .order_by()
    )
    ended_apart = (
        timed.filter(NOT_HANDLED, closed_at__gte=start, closed_at__lt=end)
        .alias(replied_month=trunc_month("replied_at"), closed_month=trunc_month("closed_at"))
        .filter(Q(replied_at__isnull=True) | ~Q(replied_month=F("closed_month")))
        .annotate(month=trunc_month("closed_at"))
        .values_list("month", "lead_agency_id", "working_days_to_close")
        .order_by()
    )
    values: dict[tuple[date, int], list[int]] = defaultdict(list)
    for rows in (replied, ended_apart):
        for month, agency_id, days in rows.iterator(chunk_size=5000):
            values[(first_of_month(month), agency_id)].append(days)
    for (month, agency_id), days in sorted(values.items()):
        median = Decimal(str(statistics.median(days)))
        yield month, agency_id, median, median * len(days), len(days)


def _received_by_month_and_channel(start: datetime, end: datetime) -> dict:
    """{channel: [(month, agency, n)]}: one GROUP BY for all the channels' metrics (shared
    during a rollup, see registry.shared)."""

    def read():
        rows = (
            Petition.objects.filter(
                received_at__gte=start, received_at__lt=end, lead_agency__isnull=False
            )
            .annotate(month=trunc_month("received_at"))
            .values("channel", "month", "lead_agency_id")
            .annotate(n=Count("pk"))
            .order_by("channel", "month", "lead_agency_id")
        )
        by_channel: dict[str, list] = defaultdict(list)
        for r in rows:
            by_channel[r["channel"]].append(
                (first_of_month(r["month"]), r["lead_agency_id"], r["n"])
            )
        return dict(by_channel)

    return registry.shared(("received_by_month_and_channel", start, end), read)


def _received_via_by_month(channel: str):
    def by_month(start: datetime, end: datetime):
        rows = _received_by_month_and_channel(start, end).get(channel, [])
        return ((month, agency, n, n, None) for month, agency, n in rows)

    return by_month


def _working_days_metric(code, label, description, *, by_month):
    return Metric(
        code=f"service_center.{code}",
        line=Line.SERVICE_CENTER,
        label=label,
        unit=_("working days"),
        direction=Direction.LOWER_IS_BETTER,
        kind=Kind.RATIO,
        min_count=10,
        description=description,
        by_month=by_month,
    )


CLOSING_METRICS = [
    Metric(
        code="service_center.closed_on_time",
        line=Line.SERVICE_CENTER,
        label=_("Petitions closed on time"),
        unit="%",
        direction=Direction.HIGHER_IS_BETTER,
        kind=Kind.RATIO,
        scale=Decimal(100),
        target=Decimal(95),
        min_count=10,
        by_month=closed_on_time_by_month,
        description=_(
            "Of the petitions replied to or registered as not handled in the month, the share "
            "finished by the due time (an approved extension moves the due time)."
        ),
    ),
    _working_days_metric(
        "working_days_average",
        _("Average working days to close"),
        _(
            "Working days from confirmation to the reply (or to “not handled”), averaged over "
            "the petitions finished in the month."
        ),
        by_month=working_days_average_by_month,
    ),
    _working_days_metric(
        "working_days_median",
        _("Median working days to close"),
        _(
            "The middle value of the working days to close of the petitions finished in the "
            "month; city-wide, the agencies' medians weighted by their cases."
        ),
        by_month=working_days_median_by_month,
    ),
]
for _channel in Channel:
    CLOSING_METRICS.append(
        _count(
            f"channel.{_channel.value}",
            format_lazy(_("Petitions received: {channel}"), channel=_channel.label),
            Direction.HIGHER_IS_BETTER,
            _(
                "Petitions received in the month through this channel, by the agency now leading them."
            ),
            by_month=_received_via_by_month(_channel.value),
        )
    )

for _metric in CLOSING_METRICS:
    register(_metric)


# --- legal consultation (per venue's agency) and 1999 hotline calls (RDEC) -----------------------
# Consultations by topic do not fit the per-agency shape; the legal pages show them by topic.


def legal_consultations_by_month(start: datetime, end: datetime):
    rows = (
        LegalConsultation.objects.filter(held_on__gte=start.date(), held_on__lt=end.date())
        .annotate(month=TruncMonth("held_on"))
        .values("month", "venue__agency_id")
        .annotate(n=Count("pk"))
        .order_by("month", "venue__agency_id")
    )
    return ((first_of_month(r["month"]), r["venue__agency_id"], r["n"], r["n"], None) for r in rows)


def legal_no_shows_by_month(start: datetime, end: datetime):
    rows = (
        LegalBooking.objects.filter(
            slot__starts_at__gte=start,
            slot__starts_at__lt=end,
            status__in=[BookingStatus.ATTENDED, BookingStatus.NO_SHOW],
        )
        .annotate(month=trunc_month("slot__starts_at"))
        .values("month", "slot__venue__agency_id")
        .annotate(due=Count("pk"), missed=Count("pk", filter=Q(status=BookingStatus.NO_SHOW)))
        .order_by("month", "slot__venue__agency_id")
    )
    return (
        (
            first_of_month(r["month"]),
            r["slot__venue__agency_id"],
            Decimal(r["missed"]) * 100 / r["due"],
            r["missed"],
            r["due"],
        )
        for r in rows
    )


def hotline_calls_by_month(start: datetime, end: datetime):
    """Each month's calls (rows stored on the month's first day, as hotline_calls reads them)."""
    agency_id = Agency.objects.filter(code=HOTLINE_AGENCY_CODE).values_list("pk", flat=True).first()
    if agency_id is None:
        return []
    totals = (
        HotlineVolume.objects.filter(month__gte=start.date(), month__lt=end.date())
        .values("month")
        .annotate(total=Sum("count"))
        .order_by("month")
    )
    return [
        (r["month"], agency_id, r["total"], r["total"], None)
        for r in totals
        if r["total"] and r["month"].day == 1
    ]


LEGAL_AND_HOTLINE_METRICS = [
    Metric(
        code="service_center.legal_consultations",
        line=Line.SERVICE_CENTER,
        label=_("Legal consultations"),
        unit=_("consultations"),
        direction=Direction.HIGHER_IS_BETTER,
        kind=Kind.COUNT,
        by_month=legal_consultations_by_month,
        description=_("Consultations with volunteer lawyers recorded in the month, by venue."),
    ),
    Metric(
        code="service_center.legal_no_shows",
        line=Line.SERVICE_CENTER,
        label=_("Legal consultations missed"),
        unit="%",
        direction=Direction.LOWER_IS_BETTER,
        kind=Kind.RATIO,
        scale=Decimal(100),
        min_count=10,
        by_month=legal_no_shows_by_month,
        description=_(
            "Of the booked consultations due in the month, the share the citizen missed."
        ),
    ),
    # Volume has no better direction; with no target it is shown, never judged.
    Metric(
        code="service_center.hotline_calls",
        line=Line.SERVICE_CENTER,
        label=_("1999 hotline calls"),
        unit=_("calls"),
        direction=Direction.HIGHER_IS_BETTER,
        kind=Kind.COUNT,
        by_month=hotline_calls_by_month,
        description=_(
            "Calls to the 1999 hotline in the month, all types, from the call centre's file."
        ),
    ),
]
for _metric in LEGAL_AND_HOTLINE_METRICS:
    register(_metric)
