"""No input gives a 5xx: malformed values thrown at the core's and the service centre's routes.

Each route gets, in each of the query parameters it reads (and a few it does not), a NUL byte, a
superscript digit as a number, years 9999 and 0, a ROC year far out, overlong text and signs.
Paths get NUL bytes and far-out months. The API gets deeply nested and oversized JSON bodies.
Any 5xx fails the route, listing every input that caused one.
"""

import json

import pytest
from django.urls import reverse

from rdec_portal.accounts import roles
from tests.accounts.factories import UserFactory

BAD_VALUES = [
    "\x00",
    "a\x00b",
    "²",
    "١٢",  # Arabic-Indic digits: str.isdigit() says yes
    "-1",
    "9999",
    "9999-12",
    "9999-12-31",
    "9999/12/31",
    "999/12/31",
    "0000-01-01",
    "0/0/0",
    "10000-01-01",
    "1e9",
    "99999999999999999999999",
    "x" * 3000,
    "'\"<>%",
]
KEYS = [
    "page",
    "page_size",
    "month",
    "month_from",
    "month_to",
    "year",
    "start",
    "days",
    "date",
    "date_from",
    "date_to",
    "created_from",
    "created_to",
    "q",
    "status",
    "agency",
    "ordering",
    "start_date",
    "end_date",
    "updated_after",
    "due_within",
    "lat",
    "long",
    "category",
]


# Alone in each parameter, so another parameter's error cannot hide the one that fails.
ONE_BY_ONE = ["²", "9999-12-31", "9999-12", "999/12/31"]


def _server_errors(client, method, url):
    """Every (parameters, status) that answered a 5xx."""
    send = client.get if method == "get" else client.post
    attempts = [dict.fromkeys(KEYS, value) for value in BAD_VALUES]
    attempts += [{key: value} for key in KEYS for value in ONE_BY_ONE]
    found = []
    for params in attempts:
        response = send(url, params)
        if response.status_code >= 500:
            shown = {key: value[:20] for key, value in params.items()}
            found.append(
                (shown if len(params) == 1 else next(iter(shown.values())), response.status_code)
            )
    return found


@pytest.fixture
def superuser(administrator):
    return administrator


@pytest.fixture
def desk(rdec_agency):
    return UserFactory(
        username="desk", agency=rdec_agency, roles=[roles.LINE_ROLE[roles.Line.SERVICE_CENTER]]
    )


# ---- the core ------------------------------------------------------------------------------------

CORE_ANONYMOUS = [
    ("get", "home", []),
    ("get", "accounts:login", []),
    ("post", "accounts:login", []),
    ("get", "accounts:password_reset", []),
    ("post", "accounts:password_reset", []),
    ("get", "api-root", []),
]
CORE_STAFF = [
    ("get", "staff-home", []),
    ("get", "accounts:profile", []),
    ("get", "accounts:tokens", []),
    ("get", "workflow:inbox", []),
    ("get", "workflow:calendar", []),
    ("get", "performance:dashboard", []),
    ("get", "performance:export", ["csv"]),
    ("get", "performance:export", ["xlsx"]),
]
CORE_API = [
    "/api/v1/accounts/agencies/",
    "/api/v1/accounts/me/",
    "/api/v1/workflow/notifications/",
    "/api/v1/workflow/calendar/working-days/",
    "/api/v1/workflow/calendar/overrides/",
    "/api/v1/performance/metrics/",
    "/api/v1/performance/metric-definitions/",
]


@pytest.mark.parametrize(("method", "name", "args"), CORE_ANONYMOUS)
def test_core_public_routes(client, db, method, name, args):
    assert _server_errors(client, method, reverse(name, args=args)) == []


@pytest.mark.parametrize(("method", "name", "args"), CORE_STAFF)
def test_core_staff_routes(client, superuser, method, name, args):
    client.force_login(superuser)
    assert _server_errors(client, method, reverse(name, args=args)) == []


@pytest.mark.parametrize("url", CORE_API)
def test_core_api_routes(client, superuser, url):
    client.force_login(superuser)
    assert _server_errors(client, "get", url) == []


@pytest.mark.parametrize("url", CORE_API[:2])
def test_core_public_api_routes_anonymously(client, db, url):
    assert _server_errors(client, "get", url) == []


@pytest.mark.parametrize(
    "path",
    [
        "/%00/",
        "/accounts/%00/",
        "/accounts/tokens/%00/revoke/",
        "/performance/metric/%00/",
        "/performance/metric/a%00b/",
        "/performance/export/%00/",
        "/api/v1/accounts/agencies/%00/",
        "/api/v1/accounts/agencies/a%00b/",
        "/api/v1/performance/metrics/%00/",
        "/api/%00",
        "/admin/accounts/user/%00/change/",
    ],
)
def test_core_paths_with_a_nul_byte(client, superuser, path):
    client.force_login(superuser)
    assert client.get(path).status_code < 500


def test_a_nul_byte_in_an_api_query_gets_the_documented_parse_error(client, superuser):
    # The schema documents a 400 of type client_error with the code parse_error, no other.
    client.force_login(superuser)
    response = client.get("/api/v1/performance/metrics/?agency=a%00b")
    assert response.status_code == 400
    assert response.json()["type"] == "client_error"
    assert [error["code"] for error in response.json()["errors"]] == ["parse_error"]


@pytest.mark.parametrize("month", ["9999-12", "0000-01", "10000-01", "999/12", "²", "a\x00b"])
@pytest.mark.parametrize("name", ["month-close", "month-reopen", "month-recompute"])
def test_core_month_paths_out_of_range(client, superuser, name, month):
    client.force_login(superuser)
    url = reverse(f"performance:{name}", args=["M"]).replace("/M/", f"/{month}/")
    assert client.post(url).status_code < 500
    assert client.get(url).status_code < 500


def test_a_metric_in_year_9999(client, superuser):
    client.force_login(superuser)
    url = reverse("performance:metric", args=["x"])
    assert _server_errors(client, "get", url) == []


# ---- JSON bodies ---------------------------------------------------------------------------------

JSON_POSTS = [
    "/api/v1/workflow/notifications/mark-all-read/",
    "/api/v1/service-center/petitions/bulk-assign/",
]


@pytest.mark.parametrize("url", JSON_POSTS)
def test_deeply_nested_json_is_a_400(client, superuser, url):
    client.force_login(superuser)
    body = "[" * 100_000 + "]" * 100_000
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["type"] == "client_error"


@pytest.mark.parametrize("url", [*JSON_POSTS, "/api/v1/workflow/calendar/overrides/"])
def test_an_oversized_json_body_is_a_413(client, superuser, settings, url):
    client.force_login(superuser)
    body = json.dumps({"note": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "request_too_large"


def test_an_oversized_form_is_a_413(client, db, settings):
    body = "username=" + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post(
        reverse("accounts:login"), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413


def test_a_request_over_the_upload_cap_is_refused_before_it_is_read(client, db, settings):
    settings.MAX_REQUEST_BODY_BYTES = 1000
    response = client.post(
        reverse("service_center:petition_new"),
        {"attachment": ("x.pdf", b"%PDF-" + b"0" * 2000)},
    )
    assert response.status_code == 413


# ---- the service centre --------------------------------------------------------------------------

SERVICE_CENTER_PUBLIC = [
    ("get", "service_center:petition_new", []),
    ("post", "service_center:petition_new", []),
    ("get", "service_center:track", []),
    ("post", "service_center:track", []),
    ("get", "service_center:nearby", []),
    ("get", "service_center:legal_public", []),
    ("get", "service_center:petition_thanks", []),
]
SERVICE_CENTER_STAFF = [
    ("get", "service_center:home", []),
    ("get", "service_center:queue", []),
    ("get", "service_center:queue_export", ["csv"]),
    ("get", "service_center:desk", []),
    ("get", "service_center:reply_templates", []),
    ("get", "service_center:legal_home", []),
    ("get", "service_center:legal_rota", []),
    ("get", "service_center:legal_lawyers", []),
    ("get", "service_center:legal_stats", []),
    ("get", "service_center:legal_stats_export", ["csv"]),
    ("get", "service_center:hotline", []),
    ("get", "service_center:hotline_export", ["csv"]),
]
OPEN311 = [
    ("open311:discovery", {}),
    ("open311:services", {}),
    ("open311:service", {"code": "x"}),
    ("open311:requests", {}),
    ("open311:request", {"number": "x"}),
    ("open311:token", {"token": "x"}),
]


@pytest.mark.parametrize(("method", "name", "args"), SERVICE_CENTER_PUBLIC)
def test_service_center_public_routes(client, db, method, name, args):
    assert _server_errors(client, method, reverse(name, args=args)) == []


@pytest.mark.parametrize(("method", "name", "args"), SERVICE_CENTER_STAFF)
def test_service_center_staff_routes(client, superuser, method, name, args):
    client.force_login(superuser)
    assert _server_errors(client, method, reverse(name, args=args)) == []


@pytest.mark.parametrize(("name", "kwargs"), OPEN311)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_routes(client, db, name, kwargs, fmt):
    url = reverse(name, kwargs={**kwargs, "fmt": fmt})
    assert _server_errors(client, "get", url) == []


@pytest.mark.parametrize(
    "path",
    [
        "/service-center/track/%00/",
        "/service-center/track/a%00b/reopen/",
        "/service-center/petitions/confirm/%00/",
        "/service-center/petitions/%00/me-too/",
        "/service-center/follow/%00/",
        "/service-center/legal/venues/%00/",
        "/service-center/hotline/%00/",
        "/service-center/hotline/9999-12/",
        "/service-center/hotline/10000-01/",
        "/open311/v2/requests/%00.json",
        "/open311/v2/services/%00.xml",
        "/open311/v2/tokens/%00.json",
    ],
)
def test_service_center_paths(client, superuser, path):
    client.force_login(superuser)
    assert client.get(path).status_code < 500
