"""Open311 GeoReport v2, each endpoint beside its floor.

Who asks: a partner system filing with its api_key (a system account of the service centre,
as Open311 filing requires), and anyone reading the public list and one request. The list asks
for one service's open requests in the last 30 days, the way a city app polls; the floors read
the same rows with hand-written SQL and answer plain JSON.
"""

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.http import JsonResponse
from django.test import Client
from django.utils import timezone

from bench.harness import floor, operation
from rdec_portal.accounts import roles
from rdec_portal.accounts.models import User
from rdec_portal.accounts.services import api_token_create
from service_center.open311.formatters import w3c
from service_center.open311.selectors import OPEN, PUBLIC_STATUSES
from service_center.petitions.models import Category, Petition, Status

REQUESTS = "/open311/v2/requests.json"
WINDOW = timedelta(days=30)
# Open311 lets one key file POST_LIMIT requests a minute: the filings take turns over this many
# keys, so a long run never meets the limit (which is not what is measured).
KEYS = 20


# The bare insert the POST is measured against stores the same text (see post_request).
FLOOR_SUBMISSION = {
    "subject": "夜間工廠噪音，每天晚上十點後還在運轉。",
    "description": "夜間工廠噪音，每天晚上十點後還在運轉。",
    "name": "陳小華",
    "email": "citizen@example.com",
}


@dataclass
class Context:
    public: Client
    category: Category
    start: datetime
    end: datetime
    number: str
    keys: itertools.cycle
    floor_method: dict = field(default_factory=lambda: {"insert": "post"})
    floor_data: dict = field(default_factory=lambda: {"insert": FLOOR_SUBMISSION})


def setup() -> Context:
    desk = User.objects.filter(groups__name=roles.RDEC_SERVICE_CENTER).order_by("pk").first()
    keys = [api_token_create(user=desk, name=f"bench {n}")[1] for n in range(KEYS)]
    end = timezone.now().replace(microsecond=0)  # the seconds W3C dates carry
    return Context(
        public=Client(),
        category=Category.objects.get(code="noise"),
        start=end - WINDOW,
        end=end,
        number=_closed_number(),
        keys=itertools.cycle(keys),
    )


def _closed_number() -> str:
    """A request closed a while ago (the 100th newest closed one)."""
    recent = (
        Petition.objects.filter(status=Status.CLOSED)
        .order_by("-received_at", "-id")
        .values_list("number", flat=True)[:100]
    )
    return list(recent)[-1]


# --- the floors -----------------------------------------------------------------------------

REQUEST_SQL = """
    SELECT p.number, p.status, p.description, p.address, p.latitude, p.longitude, p.media_url,
           p.is_confidential, p.not_handled_reason, p.received_at, p.updated_at, p.due_at,
           p.replied_at, p.closed_at, c.code, c.name_zh, c.name_en, la.name_zh, la.name_en,
           m.number
    FROM service_center_petition p
    JOIN service_center_category c ON c.id = p.category_id
    LEFT JOIN accounts_agency la ON la.id = p.lead_agency_id
    LEFT JOIN service_center_petition m ON m.id = p.merged_into_id
"""


def _marks(values) -> str:
    return ", ".join(["%s"] * len(values))


def _rows(sql: str, params) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return JsonResponse({"results": rows}, encoder=DjangoJSONEncoder)


@floor("open311-requests")
def requests_floor(request, ctx):
    where = (
        f" WHERE p.status IN ({_marks(OPEN)}) AND p.received_at >= %s AND p.received_at <= %s"
        " AND c.code = %s ORDER BY p.received_at DESC, p.id DESC LIMIT 1000"
    )
    return _rows(REQUEST_SQL + where, [*OPEN, ctx.start, ctx.end, ctx.category.code])


@floor("open311-request")
def request_floor(request, ctx):
    where = f" WHERE p.number = %s AND p.status IN ({_marks(PUBLIC_STATUSES)})"
    return _rows(REQUEST_SQL + where, [ctx.number, *PUBLIC_STATUSES])


# --- the operations -------------------------------------------------------------------------


@operation(
    "Open311 POST requests (form-encoded, api_key)", floor="insert", target=3, client="public"
)
def post_request(ctx):
    return ctx.public.post(
        REQUESTS,
        {
            "api_key": next(ctx.keys),
            "service_code": ctx.category.code,
            "description": f"夜間工廠噪音，每天晚上十點後還在運轉。{uuid.uuid4().hex[:8]}",
            "lat": "22.627",
            "long": "120.301",
            "first_name": "小華",
            "last_name": "陳",
            "email": "citizen@example.com",
        },
    )


@operation(
    "Open311 GET requests: one service, open, 30-day window",
    floor="open311-requests",
    target=3,
    client="public",
)
def get_requests(ctx):
    query = {
        "service_code": ctx.category.code,
        "status": "open",
        "start_date": w3c(ctx.start),
        "end_date": w3c(ctx.end),
    }
    return ctx.public.get(REQUESTS, query)


@operation("Open311 GET requests/{id}", floor="open311-request", target=4, client="public")
def get_request(ctx):
    return ctx.public.get(f"/open311/v2/requests/{ctx.number}.json")
