"""The service centre's operations, each beside its floor.

Who asks: a handler of the agency with the most open cases (the work queue's heaviest user),
the RDEC service centre (every agency's cases, the whole history) and a citizen filing a
petition. The floors answer the same question with hand-written SQL through a raw cursor.
"""

import functools
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from unittest import mock

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import Count
from django.http import JsonResponse
from django.test import Client
from django.utils import timezone

from bench.harness import depth_check, floor, operation, query_check
from rdec_portal import keyset
from rdec_portal.accounts import roles
from rdec_portal.accounts.models import User
from service_center.petitions import views
from service_center.petitions.models import OPEN_STATUSES, Category, Petition, Status

QUEUE = "/service-center/queue/"
API = "/api/v1/service-center/petitions/"
NEW = "/service-center/petitions/new/"
# "Page 401": how deep the deep page is, in rows, when the list is long enough.
DEEP_ROWS = 20_000
OPEN = tuple(str(s) for s in OPEN_STATUSES)
API_OPEN = "&".join(f"status={s}" for s in OPEN)


# What a citizen types; the floor's bare insert gets (and stores) the same text.
SUBMISSION = {
    "subject": "夜間工廠噪音",
    "description": "附近工廠每天晚上十點後還在運轉，噪音很大，影響睡眠。",
    "name": "陳小華",
    "email": "citizen@example.com",
    "has_consented": "on",
}


@dataclass
class Context:
    staff: Client
    desk: Client
    citizen: Client
    agency_id: int
    case_pk: int
    number: str
    category: Category
    month: tuple[date, date]
    deep: dict = field(default_factory=dict)
    floor_method: dict = field(default_factory=lambda: {"insert": "post"})
    floor_data: dict = field(default_factory=lambda: {"insert": SUBMISSION})
    # Search terms: a rare phrase (trigram index), a common two-character word, a rare one.
    phrase: str = "自由一路21號"
    word: str = "積水"
    rare_word: str = "殯葬"


def setup() -> Context:
    agency_id = _busiest_agency()
    staff = User.objects.filter(agency_id=agency_id, groups__name=roles.AGENCY_STAFF).first()
    desk = User.objects.filter(groups__name=roles.RDEC_SERVICE_CENTER).first()
    today = timezone.localdate()
    last_month_end = today.replace(day=1) - timedelta(days=1)
    ctx = Context(
        staff=_client(staff),
        desk=_client(desk),
        citizen=Client(),
        agency_id=agency_id,
        case_pk=_closed_case(agency_id),
        number=_open_number(agency_id),
        category=Category.objects.get(code="noise"),
        month=(last_month_end.replace(day=1), last_month_end),
    )
    ctx.deep = _deep_positions()
    return ctx


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _busiest_agency() -> int:
    top = (
        Petition.objects.filter(status__in=OPEN_STATUSES, lead_agency__isnull=False)
        .values("lead_agency")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    return top["lead_agency"]


def _closed_case(agency_id: int) -> int:
    """A case closed a while ago, with its whole history."""
    recent = (
        Petition.objects.filter(lead_agency_id=agency_id, status=Status.CLOSED)
        .order_by("-received_at")
        .values_list("pk", flat=True)[:100]
    )
    return list(recent)[-1]


def _open_number(agency_id: int) -> str:
    return (
        Petition.objects.filter(lead_agency_id=agency_id, status__in=OPEN_STATUSES)
        .order_by("due_at")
        .values_list("number", flat=True)
        .first()
    )


def _deep_positions() -> dict:
    """The closed case DEEP_ROWS into the newest-first list of closed cases (half-way on a small
    database). Closed cases on both pages, so the pages differ in depth, not in what they hold."""
    closed = Petition.objects.filter(status=Status.CLOSED).order_by("-received_at", "-id")
    depth = min(DEEP_ROWS, closed.count() // 2)
    row = closed.only("received_at", "id")[depth]
    return {
        "rows": depth,
        "received_at": row.received_at,
        "id": row.id,
        "cursor": keyset.cursor_for(closed, row),
    }


# --- the floors -----------------------------------------------------------------------------

LIST_SQL = """
    SELECT p.id, p.number, p.subject, c.name_zh, p.status, p.channel, p.received_at, p.due_at,
           u.last_name, u.first_name, la.code, d.code, p.is_anonymous
    FROM service_center_petition p
    JOIN service_center_category c ON c.id = p.category_id
    LEFT JOIN accounts_user u ON u.id = p.assignee_id
    LEFT JOIN accounts_agency la ON la.id = p.lead_agency_id
    LEFT JOIN accounts_agency d ON d.id = p.district_id
"""
OPEN_SQL = "p.status IN (%s, %s, %s)"
WORDS_SQL = "(UPPER(p.subject) LIKE UPPER(%s) OR UPPER(p.description) LIKE UPPER(%s))"
NEWEST = " ORDER BY p.received_at DESC, p.id DESC LIMIT 50"
SOONEST = " ORDER BY p.due_at, p.id LIMIT 50"


def _rows(sql: str, params) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return JsonResponse({"results": rows}, encoder=DjangoJSONEncoder)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@floor("queue")
def queue_floor(request, ctx):
    where = f" WHERE p.lead_agency_id = %s AND {OPEN_SQL}"
    return _rows(LIST_SQL + where + SOONEST, [ctx.agency_id, *OPEN])


@floor("queue-month")
def queue_month_floor(request, ctx):
    where = " WHERE p.category_id = %s AND p.received_at >= %s AND p.received_at < %s"
    start, end = ctx.month
    params = [ctx.category.pk, _day_start(start), _day_start(end + timedelta(days=1))]
    return _rows(LIST_SQL + where + NEWEST, params)


@floor("number")
def number_floor(request, ctx):
    where = f" WHERE p.lead_agency_id = %s AND {OPEN_SQL} AND p.number LIKE %s"
    return _rows(LIST_SQL + where + SOONEST, [ctx.agency_id, *OPEN, f"{ctx.number}%"])


@floor("phrase")
def phrase_floor(request, ctx):
    return _rows(LIST_SQL + f" WHERE {WORDS_SQL}" + NEWEST, [f"%{ctx.phrase}%"] * 2)


@floor("word-open")
def word_open_floor(request, ctx):
    where = f" WHERE p.lead_agency_id = %s AND {OPEN_SQL} AND {WORDS_SQL}"
    return _rows(LIST_SQL + where + SOONEST, [ctx.agency_id, *OPEN, *[f"%{ctx.word}%"] * 2])


@floor("rare-word")
def rare_word_floor(request, ctx):
    return _rows(LIST_SQL + f" WHERE {WORDS_SQL}" + NEWEST, [f"%{ctx.rare_word}%"] * 2)


@floor("closed")
def closed_floor(request, ctx):
    return _rows(LIST_SQL + " WHERE p.status = %s" + NEWEST, [Status.CLOSED])


@floor("closed-deep")
def closed_deep_floor(request, ctx):
    """The same list from the row DEEP_ROWS down: a keyset page, straight from the index."""
    where = " WHERE p.status = %s AND (p.received_at, p.id) < (%s, %s)"
    params = [Status.CLOSED, ctx.deep["received_at"], ctx.deep["id"]]
    return _rows(LIST_SQL + where + NEWEST, params)


@floor("case")
def case_floor(request, ctx):
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT p.*, c.name_zh, la.name_zh, u.last_name, u.first_name
            FROM service_center_petition p
            JOIN service_center_category c ON c.id = p.category_id
            LEFT JOIN accounts_agency la ON la.id = p.lead_agency_id
            LEFT JOIN accounts_user u ON u.id = p.assignee_id
            WHERE p.id = %s
            """,
            [ctx.case_pk],
        )
        case = cursor.fetchone()
        cursor.execute(
            """
            SELECT e.kind, e.is_public, e.text, e.created_at, u.last_name, u.first_name, a.name_zh
            FROM service_center_petitionevent e
            LEFT JOIN accounts_user u ON u.id = e.actor_id
            LEFT JOIN accounts_agency a ON a.id = e.agency_id
            WHERE e.petition_id = %s ORDER BY e.created_at, e.id
            """,
            [ctx.case_pk],
        )
        events = cursor.fetchall()
    return JsonResponse({"case": case, "events": events}, encoder=DjangoJSONEncoder)


@floor("insert")
def insert_floor(request, ctx):
    """A bare view inserting one petition row (in its own transaction, committed)."""
    now = timezone.now()
    row = {
        **_insert_defaults(),
        "number": f"B{uuid.uuid4().hex[:19]}",
        "secret_hash": "0" * 64,
        "channel": "web",
        "status": "received",
        "category_id": ctx.category.pk,
        "subject": request.POST.get("subject", ""),
        "description": request.POST.get("description", ""),
        "petitioner_name": request.POST.get("name", ""),
        "petitioner_email": request.POST.get("email", ""),
        "has_consented": True,
        "received_at": now,
        "created_at": now,
        "updated_at": now,
    }
    names = ", ".join(row)
    marks = ", ".join(["%s"] * len(row))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO service_center_petition ({names}) VALUES ({marks})",  # noqa: S608 - column names from the model
            list(row.values()),
        )
    return JsonResponse({"ok": True}, status=201)


@functools.cache
def _insert_defaults() -> dict:
    """Every other NOT NULL column at its default, so columns added later keep the floor valid."""
    values = {}
    for f in Petition._meta.concrete_fields:
        if f.primary_key or f.null:
            continue
        default = f.get_default()
        values[f.column] = f.get_db_prep_save(default, connection)
    return values


# --- the operations -------------------------------------------------------------------------


def _month_query(ctx) -> dict:
    start, end = ctx.month
    return {"category": ctx.category.pk, "received_from": start, "received_to": end}


@operation(
    "Work queue page: own agency, open cases, soonest due", floor="queue", target=3, client="staff"
)
def queue_page(ctx):
    return ctx.staff.get(QUEUE)


@operation("Work queue API: the same", floor="queue", target=3, client="staff")
def queue_api(ctx):
    return ctx.staff.get(f"{API}?{API_OPEN}&ordering=due_at")


@operation(
    "Work queue page: service centre, one category, last month, newest first",
    floor="queue-month",
    target=3,
    client="desk",
)
def queue_month_page(ctx):
    return ctx.desk.get(QUEUE, {"status": "", "sort": "-received", **_month_query(ctx)})


@operation("Work queue API: the same", floor="queue-month", target=3, client="desk")
def queue_month_api(ctx):
    start, end = ctx.month
    query = {"category": ctx.category.code, "received_from": start, "received_to": end}
    return ctx.desk.get(API, query)


@operation(
    "Work queue page: service centre, closed cases, newest first, first page",
    floor="closed",
    target=3,
    client="desk",
)
def closed_page(ctx):
    return queue_page_depth(ctx, False)


@operation(
    "Work queue page: the same, deep page (keyset cursor)",
    floor="closed-deep",
    target=3,
    client="desk",
)
def closed_page_deep(ctx):
    return queue_page_depth(ctx, True)


@operation("Work queue API: the same, first page", floor="closed", target=3, client="desk")
def closed_api(ctx):
    return queue_api_depth(ctx, False)


@operation("Work queue API: the same, deep page", floor="closed-deep", target=3, client="desk")
def closed_api_deep(ctx):
    return queue_api_depth(ctx, True)


@operation("Search by case number (page)", floor="number", target=3, client="staff")
def search_number(ctx):
    return ctx.staff.get(QUEUE, {"q": ctx.number})


@operation("Search a rare phrase, whole history (page)", floor="phrase", target=3, client="desk")
def search_phrase(ctx):
    return ctx.desk.get(QUEUE, {"status": "", "sort": "-received", "q": ctx.phrase})


@operation(
    "Search a two-character word in the open queue (page)",
    floor="word-open",
    target=3,
    client="staff",
)
def search_word_open(ctx):
    return ctx.staff.get(QUEUE, {"q": ctx.word})


@operation(
    "Search a rare two-character word, whole history (page)",
    floor="rare-word",
    target=3,
    repeat=3,
    warmup=1,
    client="desk",
)
def search_rare_word(ctx):
    return ctx.desk.get(QUEUE, {"status": "", "sort": "-received", "q": ctx.rare_word})


@operation(
    "Case page (lead agency, personal data shown and audited)",
    floor="case",
    target=4,
    client="staff",
)
def case_page(ctx):
    return ctx.staff.get(f"/service-center/cases/{ctx.case_pk}/")


@operation("Case API", floor="case", target=4, client="staff")
def case_api(ctx):
    return ctx.staff.get(f"{API}{ctx.case_pk}/")


@operation("Public petition submission (form POST)", floor="insert", target=3, client="citizen")
def submit(ctx):
    return ctx.citizen.post(
        NEW, {**SUBMISSION, "idempotency_key": uuid.uuid4().hex, "category": ctx.category.pk}
    )


# --- structural checks ----------------------------------------------------------------------


@query_check("Work queue page (service centre, all cases)")
def queue_page_rows(ctx, rows):
    with mock.patch.object(views, "PAGE_SIZE", rows):
        return ctx.desk.get(QUEUE, {"status": "", "sort": "-received"})


@query_check("Work queue API (service centre, all cases)")
def queue_api_rows(ctx, rows):
    return ctx.desk.get(API, {"page_size": rows})


@depth_check("Work queue page, service centre, closed cases, newest first")
def queue_page_depth(ctx, deep):
    query = {"status": Status.CLOSED, "sort": "-received"}
    if deep:
        query["after"] = ctx.deep["cursor"]
    return ctx.desk.get(QUEUE, query)


@depth_check("Work queue API, service centre, closed cases, newest first")
def queue_api_depth(ctx, deep):
    if not deep:
        return ctx.desk.get(API, {"status": Status.CLOSED})
    return ctx.desk.get(_api_cursor_url(ctx.deep["received_at"]))


def _api_cursor_url(position: datetime) -> str:
    from rest_framework.pagination import Cursor

    from service_center.petitions.api import PetitionPagination

    pagination = PetitionPagination()
    pagination.base_url = f"http://testserver{API}?status={Status.CLOSED}"
    return pagination.encode_cursor(Cursor(offset=0, reverse=False, position=str(position)))
