"""The monthly rollup and the mayor's dashboard, each beside its floor.

(The SQL below is put together from the models' table names and fixed fragments: every value
goes in as a parameter, hence the S608 exemptions.)

The rollup runs in-process (no request): the real `rollup_month` for the service centre's
metrics and every agency, against the same aggregates written by hand as raw GROUP BY SQL. The
one-month floor reads every petition aggregate in one statement (one pass over the month's
rows, FILTER per metric) plus one small GROUP BY per other table; the full-history floor does
the same grouped by month, each petition counted in the month of each of its dates. The floors
fetch the aggregates and stop: writing the MonthlyMetric rows is the rollup's own cost.

The dashboard is asked by the service centre (every agency) for the last complete month, whose
twelve months the setup rolls up first; its floor is F1, a bare view running SELECT 1.
"""

import io
from dataclasses import dataclass
from datetime import date

from django.core.management import call_command
from django.db import connection
from django.db.models import Min
from django.http import JsonResponse
from django.test import Client
from django.utils import timezone

from bench.harness import DONE, floor, operation
from rdec_portal.accounts import roles
from rdec_portal.accounts.models import User
from rdec_portal.accounts.roles import Line
from rdec_portal.performance import dashboard, registry
from rdec_portal.performance.months import (
    current_month,
    iso_month,
    last_complete_month,
    month_bounds,
    month_of,
)
from rdec_portal.performance.services import rollup_month
from service_center.hotline.models import HotlineVolume
from service_center.legal.models import (
    BookingStatus,
    LegalBooking,
    LegalConsultation,
    LegalSlot,
    LegalVenue,
)
from service_center.petitions.models import (
    OPEN_STATUSES,
    Channel,
    Petition,
    PetitionRequest,
    Status,
    SurveyAnswer,
)

DASHBOARD = "/performance/"


@dataclass
class Context:
    desk: Client
    codes: list[str]
    month: date
    first_month: date


def setup() -> Context:
    desk = User.objects.filter(groups__name=roles.RDEC_SERVICE_CENTER).order_by("pk").first()
    client = Client()
    client.force_login(desk)
    codes = [m.code for m in registry.metrics() if m.line == Line.SERVICE_CENTER]
    first = Petition.objects.aggregate(first=Min("received_at"))["first"]
    month = last_complete_month()
    # The dashboard's twelve months, so it shows what the mayor's office sees.
    for each in dashboard.series_months(month):
        rollup_month(month=each, codes=codes)
    return Context(
        desk=client,
        codes=codes,
        month=month,
        first_month=month_of(timezone.localdate(first)) if first else month,
    )


# --- the floors -----------------------------------------------------------------------------


def _table(model) -> str:
    return model._meta.db_table


PETITION = _table(Petition)
CHANNELS = list(Channel.values)
# A petition's dates, each in its own month: received, replied, ended without a reply, reopened.
RECEIVED = "k.basis = 'r'"
REPLIED = "k.basis = 'p'"
ENDED = "k.basis = 'c'"
REOPENED = "k.basis = 'o'"
STOPPED = f"({REPLIED} OR ({ENDED} AND p.status = %(not_handled)s))"
STOPPED_BY_DUE = (
    "CASE WHEN p.status = %(not_handled)s THEN p.closed_at <= p.due_at "
    "ELSE p.replied_at <= p.due_at END"
)


def _petition_aggregates() -> str:
    """Every petition metric's numbers as FILTERed aggregates over the rows `k` dates."""
    channels = "".join(
        f"count(*) FILTER (WHERE {RECEIVED} AND p.channel = %(channel_{i})s), "
        for i in range(len(CHANNELS))
    )
    return f"""
        count(*) FILTER (WHERE {RECEIVED}) AS received, {channels}
        count(*) FILTER (WHERE {REPLIED} OR {ENDED}) AS closed,
        count(*) FILTER (WHERE {REPLIED} AND p.due_at IS NOT NULL) AS answered,
        count(*) FILTER (WHERE {REPLIED} AND p.replied_at <= p.due_at) AS on_time,
        count(*) FILTER (WHERE {REPLIED} AND c.is_dispatch AND p.due_at IS NOT NULL),
        count(*) FILTER (WHERE {REPLIED} AND c.is_dispatch AND p.replied_at <= p.due_at),
        count(*) FILTER (WHERE {REOPENED}) AS reopens,
        count(*) FILTER (WHERE {STOPPED} AND p.due_at IS NOT NULL) AS finished,
        count(*) FILTER (WHERE {STOPPED} AND p.due_at IS NOT NULL AND {STOPPED_BY_DUE}),
        sum(p.working_days_to_close) FILTER (WHERE {STOPPED}),
        count(p.working_days_to_close) FILTER (WHERE {STOPPED}),
        percentile_cont(0.5) WITHIN GROUP (ORDER BY p.working_days_to_close)
            FILTER (WHERE {STOPPED}) AS days_median
    """


def _dates(where: str) -> str:
    """Each petition once per date it has (in the month, when `where` says so)."""
    return f"""
        FROM {PETITION} p
        JOIN {_table(Petition.category.field.related_model)} c ON c.id = p.category_id
        CROSS JOIN LATERAL (VALUES
            ('r', p.received_at),
            ('p', p.replied_at),
            ('c', CASE WHEN p.status = ANY(%(ended)s) THEN p.closed_at END),
            ('o', p.reopened_at)
        ) AS k(basis, at)
        WHERE p.lead_agency_id IS NOT NULL AND k.at IS NOT NULL {where}
    """


# One month: the month's rows come from each date's own range, so a month reads a month.
MONTH_RANGE = """
    AND k.at >= %(start)s AND k.at < %(end)s
    AND (p.received_at >= %(start)s AND p.received_at < %(end)s
         OR p.replied_at >= %(start)s AND p.replied_at < %(end)s
         OR p.closed_at >= %(start)s AND p.closed_at < %(end)s
         OR p.reopened_at >= %(start)s AND p.reopened_at < %(end)s)
"""
MONTH_MONTH = "date_trunc('month', k.at AT TIME ZONE %(zone)s)"
OVERDUE_MONTH = "date_trunc('month', GREATEST(p.received_at, p.due_at) AT TIME ZONE %(zone)s)"


def _side_tables(month_of_sql) -> list[str]:
    """The other tables' metrics, one GROUP BY each; `month_of_sql(column)` keys the month
    (or is None for one month, filtered by WHERE)."""

    def keyed(column: str, where: str) -> tuple[str, str]:
        if month_of_sql is None:
            return "", f"AND {where}"
        return f"{month_of_sql(column)}, ", ""

    petition_requests = _table(PetitionRequest)
    surveys = _table(SurveyAnswer)
    consultations = _table(LegalConsultation)
    bookings, slots, venues = _table(LegalBooking), _table(LegalSlot), _table(LegalVenue)
    groups = []
    key, where = keyed("r.decided_at", "r.decided_at >= %(start)s AND r.decided_at < %(end)s")
    groups.append(
        f"SELECT {key}p.lead_agency_id, count(*) FROM {petition_requests} r "  # noqa: S608
        f"JOIN {PETITION} p ON p.id = r.petition_id "
        f"WHERE r.kind = %(extension)s AND r.state = %(approved)s "
        f"AND p.lead_agency_id IS NOT NULL {where} GROUP BY {key}p.lead_agency_id"
    )
    key, where = keyed("s.answered_at", "s.answered_at >= %(start)s AND s.answered_at < %(end)s")
    groups.append(
        f"SELECT {key}p.lead_agency_id, sum(s.outcome), sum(s.service), count(*) "  # noqa: S608
        f"FROM {surveys} s JOIN {PETITION} p ON p.id = s.petition_id "
        f"WHERE p.lead_agency_id IS NOT NULL {where} GROUP BY {key}p.lead_agency_id"
    )
    key, where = keyed("l.held_on", "l.held_on >= %(first_day)s AND l.held_on < %(next_day)s")
    groups.append(
        f"SELECT {key}v.agency_id, count(*) FROM {consultations} l "  # noqa: S608
        f"JOIN {venues} v ON v.id = l.venue_id WHERE TRUE {where} GROUP BY {key}v.agency_id"
    )
    key, where = keyed("t.starts_at", "t.starts_at >= %(start)s AND t.starts_at < %(end)s")
    groups.append(
        f"SELECT {key}v.agency_id, count(*), count(*) FILTER (WHERE b.status = %(no_show)s) "  # noqa: S608
        f"FROM {bookings} b JOIN {slots} t ON t.id = b.slot_id "
        f"JOIN {venues} v ON v.id = t.venue_id "
        f"WHERE b.status = ANY(%(booked)s) {where} GROUP BY {key}v.agency_id"
    )
    hotline_where = "" if month_of_sql else "WHERE month = %(first_day)s"
    groups.append(
        f"SELECT month, sum(count) FROM {_table(HotlineVolume)} {hotline_where} GROUP BY month"  # noqa: S608
    )
    return groups


def _params(**extra) -> dict:
    return {
        "ended": [Status.NOT_HANDLED, Status.MERGED],
        "not_handled": Status.NOT_HANDLED,
        "open": [str(s) for s in OPEN_STATUSES],
        "extension": PetitionRequest.Kind.EXTENSION,
        "approved": PetitionRequest.State.APPROVED,
        "no_show": BookingStatus.NO_SHOW,
        "booked": [BookingStatus.ATTENDED, BookingStatus.NO_SHOW],
        "zone": timezone.get_current_timezone_name(),
        **{f"channel_{i}": channel for i, channel in enumerate(CHANNELS)},
        **extra,
    }


def _fetch(statements: list[str], params: dict) -> JsonResponse:
    counts = []
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement, params)
            counts.append(len(cursor.fetchall()))
    return JsonResponse({"rows": counts})


def _month_statements(month: date) -> tuple[list[str], dict]:
    start, end = month_bounds(month)
    params = _params(start=start, end=end, first_day=month, next_day=end.date())
    petitions = (
        f"SELECT p.lead_agency_id, {_petition_aggregates()} {_dates(MONTH_RANGE)} "
        "GROUP BY p.lead_agency_id"
    )
    overdue = (
        f"SELECT p.lead_agency_id, count(*) FROM {PETITION} p WHERE p.status = ANY(%(open)s) "  # noqa: S608
        "AND p.received_at < %(end)s AND p.due_at < %(end)s AND p.lead_agency_id IS NOT NULL "
        "GROUP BY p.lead_agency_id"
    )
    return [petitions, overdue, *_side_tables(None)], params


def month_petition_figures(month: date) -> dict[int, dict]:
    """The one-month floor's petition aggregates by agency, by column name (for the test that
    holds the floor to the rollup's own numbers)."""
    statements, params = _month_statements(month)
    with connection.cursor() as cursor:
        cursor.execute(statements[0], params)
        names = [column.name for column in cursor.description]
        return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


@floor("rollup-month")
def rollup_month_floor(request, ctx):
    return _fetch(*_month_statements(ctx.month))


@floor("rollup-history")
def rollup_history_floor(request, ctx):
    petitions = (
        f"SELECT {MONTH_MONTH}, p.lead_agency_id, {_petition_aggregates()} {_dates('')} "
        "GROUP BY 1, 2"
    )
    # Open and overdue at each month's end: open cases by the month both dates had passed,
    # added up month by month.
    overdue = (
        "SELECT month, agency, sum(n) OVER (PARTITION BY agency ORDER BY month) FROM ("  # noqa: S608
        f"SELECT {OVERDUE_MONTH} AS month, p.lead_agency_id AS agency, count(*) AS n "
        f"FROM {PETITION} p WHERE p.status = ANY(%(open)s) AND p.due_at IS NOT NULL "
        "AND p.lead_agency_id IS NOT NULL GROUP BY 1, 2) AS overdue"
    )

    def monthly(column: str) -> str:
        return f"date_trunc('month', {column})"

    return _fetch([petitions, overdue, *_side_tables(monthly)], _params())


@floor("select-1")
def select_one_floor(request, ctx):
    """F1: a bare view behind the same middleware, one trivial query."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"ok": True})


# --- the operations -------------------------------------------------------------------------


@operation(
    "Monthly rollup, one month: service-centre metrics, every agency",
    floor="rollup-month",
    target=1.5,
    client=None,
)
def rollup_one_month(ctx):
    rollup_month(month=ctx.month, codes=ctx.codes)
    return DONE


@operation(
    "Monthly rollup, full-history rebuild (rollup_metrics --from --to)",
    floor="rollup-history",
    target=1.5,
    client=None,
    repeat=1,
    warmup=0,
)
def rollup_rebuild(ctx):
    codes = [arg for code in ctx.codes for arg in ("--code", code)]
    first, last = iso_month(ctx.first_month), iso_month(current_month())
    call_command("rollup_metrics", "--from", first, "--to", last, *codes, stdout=io.StringIO())
    return DONE


@operation("Mayor's dashboard (HTML, 12 months)", floor="select-1", target=10, client="desk")
def dashboard_page(ctx):
    return ctx.desk.get(DASHBOARD, {"month": iso_month(ctx.month)})
