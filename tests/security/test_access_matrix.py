"""The access-control matrix: every route, as every kind of user, against each app's table.

The routes come from the URL configuration itself (`get_resolver()`, walked recursively), so a
route added tomorrow is requested tomorrow; a route without a row fails
`test_every_route_has_a_row_and_every_row_a_route`. Each route is requested with GET and POST
(and PUT, PATCH and DELETE under /api/v1/), with an empty body, as each actor in `ACTORS` (or the
row's `actors`, see `actors_for`), and the outcome must be the one the table writes down.

The tables are gathered by convention: every test package `tests/<app>/` holding an
`access.toml` owns the rows of the routes whose views live in the package `<app>` (its label),
and builds the objects its URLs name with `build(w)` in `tests/<app>/access_world.py`; the core
(`tests/portal/`) owns every other route. A new business line adds its two files and edits
nothing here (tests/security/README.md, "Access-control matrix").

Besides the tables, three rules are checked on every answer, so no table can grant what the
issue forbids:

* agency B's staff (and RDEC staff of other lines) never get a 2xx from a URL that names one of
  agency A's objects (rows with `object = "A"`), nor a non-login redirect from a write there;
* the mayor's office never gets a 2xx or a non-login redirect from a write, except on the public
  pages (where they are a citizen like any other) and on rows that say why (`mayor_writes`:
  their own session, password, tokens and inbox);
* anonymous visitors, citizens and a logged-in account whose roles were all removed get a 2xx
  only on rows marked `public = true`, and change nothing anywhere else.

Every app's world is built twice: for agency A (the tables' expectations), and led by RDEC
itself (the "RDEC-led world": the same cases, bookings and venues with RDEC as their agency).
There, every URL of a row with `object = "A"` is requested as the city agencies' staff and as
RDEC staff of every line but the row's: RDEC accounts of other lines belong to the RDEC agency,
and must still get no 2xx and no successful write, and change nothing.

All requests share the worlds, built once per module; each request runs in a transaction that
is rolled back, and each client's cookies are put back after it, so a write that succeeds (a
logout, a "mark all read") never changes what the next request sees.
"""

from __future__ import annotations

import copy
import fnmatch
import importlib
import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import ModuleType, SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from rdec_portal.accounts import roles
from rdec_portal.accounts.roles import Line
from tests.accounts.factories import AgencyFactory, UserFactory

# The world fixture keeps its own transaction open for the module; each test nests in it.
pytestmark = pytest.mark.django_db

TESTS_DIR = Path(__file__).resolve().parents[1]
# The test package whose table holds every route no business app owns.
CORE = "portal"


# --- the tables: one per app, gathered by convention ---------------------------------------------


@dataclass(frozen=True)
class AccessApp:
    """An app's part of the matrix: `tests/<name>/access.toml` and `tests/<name>/access_world.py`.

    `name` is the app's label (the package its views live in), or CORE. The world module has
    `build(w)`, which adds the objects the table's URLs name, all owned by `w.agency_a`, and may
    have `citizen_session(store, w)`, which puts in a citizen's session what their browser holds.
    """

    name: str
    table_path: Path
    table: dict
    world: ModuleType


def discover_apps() -> list[AccessApp]:
    """The core first, then every installed app whose test package has an access table."""
    found = []
    for path in sorted(TESTS_DIR.glob("*/access.toml")):
        name = path.parent.name
        if name != CORE and not apps.is_installed(name):
            continue
        world = importlib.import_module(f"tests.{name}.access_world")
        table = tomllib.loads(path.read_text(encoding="utf-8"))
        found.append(AccessApp(name, path, table, world))
    return sorted(found, key=lambda app: app.name != CORE)


APPS = discover_apps()


def merge_tables(access_apps: list[AccessApp]) -> tuple[dict, dict[str, str], list[str]]:
    """One table of every app's rows; which app each row comes from; keys written twice."""
    merged: dict = {"route": {}, "excluded": {}}
    owner_of_row: dict[str, str] = {}
    twice = []
    for app in access_apps:
        for key, row in app.table.get("route", {}).items():
            if key in merged["route"]:
                twice.append(f"{key} ({owner_of_row[key]} and {app.name})")
                continue
            merged["route"][key] = row
            owner_of_row[key] = app.name
        merged["excluded"].update(app.table.get("excluded", {}))
    return merged, owner_of_row, twice


TABLE, ROW_APP, DUPLICATE_ROWS = merge_tables(APPS)

# The columns of every expectation string in the table, in this order.
ACTORS = (
    "anonymous",
    "citizen",
    "no_role",
    "staff_a",
    "staff_b",
    "supervisor_a",
    "rdec_research",
    "rdec_planning",
    "rdec_oversight",
    "rdec_inspection",
    "rdec_service_center",
    "rdec_infoservice",
    "mayor_office",
    "administrator",
)
ANONYMOUS = ("anonymous", "citizen")
# Who must be refused like an anonymous visitor on every page that is not public: the visitors,
# and an account that can still log in but whose roles were all removed (the portal answers it
# with its "no role" page, status 403, or the login page).
REFUSED = (*ANONYMOUS, "no_role")
RDEC_LINE_ACTOR = {line.value: roles.LINE_ROLE[line] for line in Line}
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
API_METHODS = ("GET", *UNSAFE)

TAIPEI = ZoneInfo("Asia/Taipei")
# A Thursday morning: the legal-consultation slot below is next Tuesday.
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=TAIPEI)


# --- the routes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """One URL pattern: its id in the table (the name, else the pattern), and how to build it."""

    key: str
    name: str | None
    pattern: str
    kwarg_names: tuple[str, ...]
    callback: object = field(compare=False, repr=False)


def route_app(route: Route) -> str:
    """The app whose table holds the route's row: the package its view lives in, if that app
    has a table, else the core."""
    view = getattr(route.callback, "view_class", None) or getattr(route.callback, "cls", None)
    module = (view or route.callback).__module__ or ""
    package = module.split(".", 1)[0]
    return package if any(app.name == package for app in APPS) else CORE


def _kwarg_names(pattern) -> list[str]:
    converters = getattr(pattern, "converters", None)
    if converters is not None and hasattr(pattern, "_route"):
        return list(converters)
    return list(pattern.regex.groupindex)


def _walk(resolver, prefix="", namespace=None, names=()):
    for entry in resolver.url_patterns:
        text = str(entry.pattern)
        found = [*names, *_kwarg_names(entry.pattern)]
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry, prefix + text, inner, found)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield Route(
                key=name or prefix + text,
                name=name,
                pattern=prefix + text,
                kwarg_names=tuple(found),
                callback=entry.callback,
            )


def all_routes() -> list[Route]:
    return list(_walk(get_resolver()))


def _excluded(route: Route) -> str | None:
    for key, reason in TABLE.get("excluded", {}).items():
        if fnmatch.fnmatchcase(route.key, key) or fnmatch.fnmatchcase(route.pattern, key):
            return reason
    return None


def routes_under_test() -> list[Route]:
    return [route for route in all_routes() if _excluded(route) is None]


def row_key_for(route: Route) -> str | None:
    """The table row for a route: its exact id, else the first wildcard row that matches it."""
    rows = TABLE["route"]
    if route.key in rows:
        return route.key
    for key in rows:
        if any(ch in key for ch in "*?[") and fnmatch.fnmatchcase(route.key, key):
            return key
    return None


# --- the expectations ---------------------------------------------------------------------------

# What a response is, as the table writes it: the status code, except that a redirect to a login
# page is "login". "any" in the table accepts anything below 500 that is not a login redirect.
LOGIN_PATHS = None


def _login_paths() -> tuple[str, ...]:
    global LOGIN_PATHS
    if LOGIN_PATHS is None:
        LOGIN_PATHS = (reverse(settings.LOGIN_URL), reverse("admin:login"))
    return LOGIN_PATHS


def outcome(response) -> str:
    if 300 <= response.status_code < 400:
        target = response.get("Location", "").split("?", 1)[0]
        if target.endswith(_login_paths()):
            return "login"
    return str(response.status_code)


NOT_REQUESTED = "-"


def matches(expected: str, got: str) -> bool:
    if expected == "any":
        return got != "login" and not got.startswith("5")
    return got in expected.split("|")


def expectations(row: dict) -> dict[str, dict[str, str]]:
    """{method: {actor: expected}} from a row's whitespace-separated columns."""
    result = {}
    for method in API_METHODS:
        if method not in row:
            continue
        cells = row[method].split()
        if len(cells) != len(ACTORS):
            raise AssertionError(
                f"{method} has {len(cells)} columns; it needs {len(ACTORS)}: {', '.join(ACTORS)}"
            )
        result[method] = dict(zip(ACTORS, cells, strict=True))
    return result


def is_success(got: str) -> bool:
    """A 2xx, or a redirect that is not to a login page (a form that worked redirects)."""
    return got[0] in "23" and got != "login"


def must_not_write(row: dict, method: str, actor: str, strangers=None) -> bool:
    """Whether this actor's request may change nothing at all (see rule_violations)."""
    if method not in UNSAFE:
        return False
    if row.get("object") == "A" and actor in (outsiders(row) if strangers is None else strangers):
        return True
    if row.get("public"):
        return False
    if actor == "mayor_office":
        return not row.get("mayor_writes")
    return actor in REFUSED


def rule_violations(
    row: dict, method: str, actor: str, got: str, wrote=(), *, strangers=None
) -> list[str]:
    """The issue's rules, checked on an outcome (the table's, or a response's with the tables
    its request wrote to):

    * another agency's staff (and RDEC staff of other lines) get no 2xx from agency A's
      object, and no success from a write to it (`strangers`: who they are, `outsiders(row)`
      unless given; in the RDEC-led world, `rdec_led_outsiders(row)`);
    * the mayor's office gets no success from a write outside the public pages, unless the row
      says why (`mayor_writes`: their own session, password, tokens and inbox);
    * anonymous visitors, citizens and an account without a role get a 2xx only on rows
      marked `public`;
    * and whoever must not write (those three cases) changes no table at all.
    """
    problems = []
    if got == NOT_REQUESTED:
        return problems
    if strangers is None:
        strangers = outsiders(row)
    if wrote and must_not_write(row, method, actor, strangers):
        problems.append(f"wrote to {', '.join(sorted(wrote))}")
    if got == "any":
        got = "200"  # "any" allows success, so it must obey the same rules
    success = [part for part in got.split("|") if is_success(part)]
    if not success:
        return problems
    if row.get("object") == "A" and actor in strangers:
        if method == "GET" and any(part.startswith("2") for part in success):
            problems.append("another agency's staff read agency A's object")
        if method in UNSAFE:
            problems.append("another agency's staff wrote to agency A's object")
    mayor_may = row.get("public") or row.get("mayor_writes")
    if actor == "mayor_office" and method in UNSAFE and not mayor_may:
        problems.append("the mayor's office wrote (it is read-only)")
    reached = any(part.startswith("2") for part in success)
    if actor in ANONYMOUS and not row.get("public") and reached:
        problems.append("an anonymous visitor reached a page not marked public")
    if actor == "no_role" and not row.get("public") and reached:
        problems.append("an account without a role reached a page not marked public")
    return problems


def outsiders(row: dict) -> set[str]:
    """Who must never read or write a row's agency-A object: agency B, and RDEC staff of lines
    other than the object's (`line`; "*" when every RDEC line reads it, e.g. the figures)."""
    line = row.get("line", "service_center")
    rdec = set(RDEC_LINE_ACTOR.values())
    if line == "*":
        return {"staff_b"}
    return {"staff_b", *(rdec - {RDEC_LINE_ACTOR[line]})}


def rdec_led_outsiders(row: dict) -> set[str]:
    """Who must never read or write a row's object when RDEC itself leads it: every city
    agency's staff, and RDEC staff of lines other than the object's (they belong to the RDEC
    agency, but reach a line's objects only through that line's role)."""
    line = row.get("line", "service_center")
    rdec = set(RDEC_LINE_ACTOR.values())
    if line == "*":
        return {"staff_a", "staff_b", "supervisor_a"}
    return {"staff_a", "staff_b", "supervisor_a", *(rdec - {RDEC_LINE_ACTOR[line]})}


# --- the worlds: the objects of agency A, and the same objects led by RDEC ---------------------


def build_actors() -> SimpleNamespace:
    """The three agencies and one account per actor (the clients log in as these)."""
    w = SimpleNamespace(now=NOW)
    w.agency_a = AgencyFactory(
        code="PWB", name_zh="高雄市政府工務局", name_en="Public Works Bureau"
    )
    w.agency_b = AgencyFactory(code="WRB", name_zh="高雄市政府水利局", name_en="Water Resources")
    w.rdec = AgencyFactory(code="RDEC", name_zh="高雄市政府研究發展考核委員會", name_en="RDEC")
    users = {
        "staff_a": (w.agency_a, [roles.AGENCY_STAFF]),
        "staff_b": (w.agency_b, [roles.AGENCY_STAFF]),
        "supervisor_a": (w.agency_a, [roles.AGENCY_SUPERVISOR]),
        **{role: (w.rdec, [role]) for role in RDEC_LINE_ACTOR.values()},
        "mayor_office": (w.rdec, [roles.MAYOR_OFFICE]),
    }
    w.users = {
        actor: UserFactory(username=f"matrix_{actor}", agency=agency, roles=groups)
        for actor, (agency, groups) in users.items()
    }
    w.users["administrator"] = UserFactory(
        username="matrix_administrator",
        agency=w.rdec,
        roles=[roles.ADMINISTRATOR],
        is_staff=True,
        is_superuser=True,
    )
    # An account of agency A whose roles were all removed while it could still log in.
    w.users["no_role"] = UserFactory(
        username="matrix_no_role", agency=w.agency_a, roles=[roles.AGENCY_STAFF]
    )
    w.users["no_role"].groups.clear()
    return w


def build_world(actors: SimpleNamespace, *, agency, staff, supervisor) -> SimpleNamespace:
    """Every app's objects, owned by `agency`, whose staff and supervisor are given.

    The world is what `build(w)` in each app's access_world.py reads and fills: `w.agency_a`
    (the owner), `w.staff_a`, `w.supervisor_a`, `w.users` (every actor's account), `w.agency_b`,
    `w.rdec` and `w.now`; each app adds its objects as attributes, which its table's URLs name.
    """
    w = SimpleNamespace(
        now=NOW,
        agency_a=agency,
        agency_b=actors.agency_b,
        rdec=actors.rdec,
        staff_a=staff,
        supervisor_a=supervisor,
        users=actors.users,
    )
    for app in APPS:
        app.world.build(w)
    return w


def build_rdec_led_world(actors: SimpleNamespace) -> SimpleNamespace:
    """The same objects, led by RDEC: its cases, its venue and bookings, its templates, ..."""
    staff = UserFactory(
        username="matrix_rdec_agency_staff", agency=actors.rdec, roles=[roles.AGENCY_STAFF]
    )
    supervisor = UserFactory(
        username="matrix_rdec_agency_supervisor",
        agency=actors.rdec,
        roles=[roles.AGENCY_SUPERVISOR],
    )
    return build_world(actors, agency=actors.rdec, staff=staff, supervisor=supervisor)


def citizen_session(w) -> str:
    """A browser holding what each app's `citizen_session` puts in it (agency A's tracked case
    and booked consultation, for the service centre)."""
    store = SessionStore()
    for app in APPS:
        fill_session = getattr(app.world, "citizen_session", None)
        if fill_session is not None:
            fill_session(store, w)
    store.create()
    return store.session_key


@pytest.fixture(scope="module")
def worlds(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("matrix-media")
    with (
        django_db_blocker.unblock(),
        time_machine.travel(NOW, tick=False),
        override_settings(MEDIA_ROOT=str(media)),
        transaction.atomic(),
    ):
        actors = build_actors()
        a = build_world(
            actors,
            agency=actors.agency_a,
            staff=actors.users["staff_a"],
            supervisor=actors.users["supervisor_a"],
        )
        rdec_led = build_rdec_led_world(actors)
        clients = {"anonymous": Client()}
        citizen = Client()
        citizen.cookies[settings.SESSION_COOKIE_NAME] = citizen_session(a)
        clients["citizen"] = citizen
        for actor, user in actors.users.items():
            client = Client()
            client.force_login(user)
            clients[actor] = client
        for w in (a, rdec_led):
            w.clients = clients
        yield SimpleNamespace(a=a, rdec_led=rdec_led, media=media)
        transaction.set_rollback(True)


@pytest.fixture
def world(worlds):
    """Agency A's world: the one the tables' expectations are written for."""
    return worlds.a


@pytest.fixture(autouse=True)
def _matrix_media(settings, worlds):
    # The shared conftest gives each test a fresh media folder; the worlds' photos live in ours.
    settings.MEDIA_ROOT = str(worlds.media)


# --- requests -----------------------------------------------------------------------------------


def fill(template, w) -> str:
    return str(template).format(w=w)


def build_url(route: Route, row: dict, w) -> str:
    if "url" in row:
        return fill(row["url"], w)
    values = {name: fill(value, w) for name, value in row.get("kwargs", {}).items()}
    missing = [name for name in route.kwarg_names if name not in values]
    if missing:
        raise AssertionError(f"row {route.key!r} needs kwargs for {missing} (or a `url`)")
    kwargs = {name: values[name] for name in route.kwarg_names}
    if route.name:
        return reverse(route.name, kwargs=kwargs)
    # An unnamed pattern: put the values in its converters or groups.
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: kwargs[m.group(1)], route.pattern)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: kwargs[m.group(1)], path)
    return "/" + path.replace("[/]?", "").replace("^", "").replace("$", "").replace("\\.", ".")


# Tables a request may write to without changing anything anyone asked to change: the session
# (saved on every request) and the audit log (every view of personal data is recorded).
NOT_A_WRITE = {"django_session", "workflow_auditentry"}
_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


def request(client: Client, method: str, url: str, *, api: bool) -> tuple[str, set[str]]:
    """One request with an empty body, rolled back; the client's cookies are put back after.

    Returns the outcome and the tables the request wrote to."""
    saved = copy.deepcopy(client.cookies)
    cache.clear()  # rate limits and throttles count per address: every request starts afresh
    body = {"data": "{}", "content_type": "application/json"} if api else {}
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        if method == "GET":
            response = client.get(url)
        elif method == "POST" and not api:
            response = client.post(url, {})
        else:
            response = client.generic(method, url, **body)
        if response.streaming:
            # Read to the end: the client's wrapper then closes the file (never response.close(),
            # whose request_finished signal would close the connection inside the transaction).
            b"".join(response.streaming_content)
        transaction.set_rollback(True)
    client.cookies = saved
    wrote = {m.group(1) for q in queries.captured_queries if (m := _WRITE.match(q["sql"]))}
    return outcome(response), wrote - NOT_A_WRITE


def methods_for(route: Route, row: dict) -> list[str]:
    return [method for method in API_METHODS if method in row]


def is_api(route: Route) -> bool:
    return route.pattern.startswith(("api/v1/", "open311/"))


def actors_for(route: Route, row: dict) -> tuple[str, ...]:
    """Who is sent to this route: every actor, unless the row names its `actors` (to spare
    requests that cannot differ, the row says why). On a wildcard row, a route whose key is in
    the row's `sample` is still requested as every actor."""
    chosen = row.get("actors")
    if chosen is None or route.key in row.get("sample", ()):
        return ACTORS
    return tuple(actor for actor in ACTORS if actor in chosen)


def table_name(route: Route) -> str:
    return f"tests/{route_app(route)}/access.toml"


def reaching_url(route: Route, row: dict, w) -> str:
    url = build_url(route, row, w)
    match = resolve(url.split("?", 1)[0])
    assert match.func is route.callback or match.route == route.pattern.replace("^", ""), (
        f"{url} does not reach {route.key}: fix its kwargs or url in {table_name(route)}"
    )
    return url


ROUTES = routes_under_test()
# The routes whose URL names an object of the world's agency: requested again in the RDEC-led
# world.
OBJECT_ROUTES = [
    route
    for route in ROUTES
    if (key := row_key_for(route)) is not None and TABLE["route"][key].get("object") == "A"
]


@pytest.mark.parametrize("route", ROUTES, ids=[route.key for route in ROUTES])
def test_route_answers_as_the_table_says(route, world):
    key = row_key_for(route)
    if key is None:
        pytest.fail(f"{route.key} ({route.pattern}) has no row: add one to {table_name(route)}")
    row = TABLE["route"][key]
    url = reaching_url(route, row, world)
    diffs, broken = [], []
    for method, expected in expectations(row).items():
        for actor in actors_for(route, row):
            got, wrote = request(world.clients[actor], method, url, api=is_api(route))
            if not matches(expected[actor], got):
                diffs.append((method, actor, expected[actor], got))
            problems = rule_violations(row, method, actor, got, wrote)
            broken += [(method, actor, got, problem) for problem in problems]
    message = [f"{route.key}  {url}"]
    if diffs:
        message.append("  method  actor                expected  got")
        message += [f"  {m:7} {a:20} {e:9} {g}" for m, a, e, g in diffs]
    if broken:
        message += [f"  RULE {m} {a} got {g}: {p}" for m, a, g, p in broken]
    if diffs or broken:
        pytest.fail("\n".join(message), pytrace=False)


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=[route.key for route in OBJECT_ROUTES])
def test_rdec_led_objects_stay_with_their_line(route, worlds):
    """In the RDEC-led world, the city agencies' staff and RDEC staff of the other lines get no
    2xx from a URL naming the object, no success from a write to it, and change nothing."""
    row = TABLE["route"][row_key_for(route)]
    w = worlds.rdec_led
    url = reaching_url(route, row, w)
    strangers = rdec_led_outsiders(row)
    broken = []
    for method in expectations(row):
        for actor in actors_for(route, row):
            if actor not in strangers:
                continue
            got, wrote = request(w.clients[actor], method, url, api=is_api(route))
            problems = rule_violations(row, method, actor, got, wrote, strangers=strangers)
            broken += [f"  RULE {method} {actor} got {got}: {problem}" for problem in problems]
    if broken:
        pytest.fail("\n".join([f"{route.key}  {url}  (led by RDEC)", *broken]), pytrace=False)


def test_the_rdec_led_world_is_led_by_rdec_and_open_to_its_line(worlds):
    """The RDEC-led world's objects are RDEC's, and the service centre's own RDEC staff still
    reach them: the refusals above come from the line, not from a world nobody can see."""
    w = worlds.rdec_led
    assert w.agency_a == w.rdec
    assert w.petition_a.lead_agency == w.rdec
    assert w.venue_a.agency == w.rdec
    assert w.booking_a.slot.venue.agency == w.rdec
    for name, pk in (("case", w.petition_a.pk), ("legal_booking", w.booking_a.pk)):
        url = reverse(f"service_center:{name}", args=[pk])
        assert request(w.clients["rdec_service_center"], "GET", url, api=False)[0] == "200"
        assert request(w.clients["rdec_research"], "GET", url, api=False)[0] == "404"


def test_each_app_brings_its_table_and_world():
    """The core and the service centre are found by the convention, each table with rows and
    each world with its `build`; no route has a row in two tables."""
    assert [app.name for app in APPS][:1] == [CORE]
    assert "service_center" in [app.name for app in APPS]
    for app in APPS:
        assert app.table.get("route"), f"{app.table_path} has no [route] rows"
        assert callable(getattr(app.world, "build", None)), f"tests.{app.name}.access_world"
    assert not DUPLICATE_ROWS, f"Rows written in two tables: {DUPLICATE_ROWS}"


def test_every_route_has_a_row_and_every_row_a_route():
    routes = routes_under_test()
    missing = [
        f"{r.key}  ({r.pattern}) in {table_name(r)}" for r in routes if row_key_for(r) is None
    ]
    assert not missing, (
        "These routes have no row; add one to the table of the app that owns the view, saying "
        "who may reach them (see tests/security/README.md):\n  " + "\n  ".join(missing)
    )
    misplaced = sorted(
        f"{r.key}: its row is in tests/{ROW_APP[row_key_for(r)]}/access.toml, not {table_name(r)}"
        for r in routes
        if ROW_APP[row_key_for(r)] != route_app(r)
    )
    assert not misplaced, "Rows in another app's table (move them):\n  " + "\n  ".join(misplaced)
    used = {row_key_for(r) for r in routes}
    stale = sorted(f"{key} ({ROW_APP[key]})" for key in set(TABLE["route"]) - used)
    assert not stale, f"Rows for routes that no longer exist (remove them): {stale}"


def test_rows_name_their_pattern_and_every_method():
    """A row's `path` is the route's pattern (a renamed path is noticed), and each row lists
    GET and POST, plus PUT, PATCH and DELETE under /api/v1/."""
    problems = []
    for route in routes_under_test():
        key = row_key_for(route)
        if key is None:
            continue
        row = TABLE["route"][key]
        if key == route.key and row.get("path") != route.pattern:
            problems.append(f"{key}: path should be {route.pattern!r}, not {row.get('path')!r}")
        wanted = API_METHODS if route.pattern.startswith("api/v1/") else ("GET", "POST")
        absent = [method for method in wanted if method not in row]
        if absent:
            problems.append(f"{key}: no expectation for {absent}")
    assert not problems, "\n".join(problems)


def test_the_table_itself_keeps_the_rules():
    """The table cannot promise what the issue forbids: B reading A's objects, the mayor's office
    writing, anonymous visitors reaching staff pages."""
    problems = []
    for key, row in TABLE["route"].items():
        for method, expected in expectations(row).items():
            for actor, value in expected.items():
                for problem in rule_violations(row, method, actor, value):
                    problems.append(f"{key} {method} {actor} = {value}: {problem}")
        problems += [f"{key}: {problem}" for problem in actor_problems(key, row)]
        if row.get("object") not in (None, "A"):
            problems.append(f"{key}: object is agency A's or absent")
        if row.get("line", "service_center") not in (*RDEC_LINE_ACTOR, "*"):
            problems.append(f"{key}: line must be a business line or '*'")
    assert not problems, "\n".join(problems)


def actor_problems(key: str, row: dict) -> list[str]:
    """A row that names its `actors` writes "-" in exactly the other columns (nobody else is
    asked, so the table claims nothing for them), unless it is a wildcard row with a `sample`:
    there every column is checked on the sampled routes, each of which the row must cover."""
    chosen = row.get("actors")
    if chosen is None:
        if "sample" in row:
            return ["a `sample` needs `actors`: who is sent to the routes outside it"]
        cells = [cell for cells in expectations(row).values() for cell in cells.values()]
        return ["'-' without `actors`"] if NOT_REQUESTED in cells else []
    problems = [f"unknown actor {actor!r} in `actors`" for actor in chosen if actor not in ACTORS]
    sample = row.get("sample")
    for method, cells in expectations(row).items():
        for actor, cell in cells.items():
            skipped = actor not in chosen and not sample
            if skipped != (cell == NOT_REQUESTED):
                wanted = "'-'" if skipped else "an outcome"
                problems.append(f"{method} {actor} needs {wanted}")
    if sample:
        covered = {r.key for r in routes_under_test() if row_key_for(r) == key}
        problems += [
            f"sample {name!r} is not a route of this row" for name in sample if name not in covered
        ]
    return problems


def test_rule_checks_catch_a_hole():
    """The rules fire: a table row granting B its read, the mayor a write, or anonymous a staff
    page is reported (so the checks above cannot pass by never looking)."""
    case = {"object": "A"}
    assert rule_violations(case, "GET", "staff_b", "200")
    assert rule_violations(case, "GET", "rdec_research", "200")
    assert not rule_violations(case, "GET", "rdec_service_center", "200")
    assert rule_violations(case, "POST", "staff_b", "302")
    assert not rule_violations(case, "POST", "staff_b", "login")
    assert rule_violations({}, "POST", "mayor_office", "201")
    assert not rule_violations({"mayor_writes": "own inbox"}, "POST", "mayor_office", "302")
    assert rule_violations({}, "POST", "mayor_office", "200")
    assert rule_violations({}, "GET", "no_role", "200")
    assert not rule_violations({}, "GET", "no_role", "403")
    assert rule_violations({}, "POST", "no_role", "403", {"sc_petition"})
    assert not rule_violations({"public": True}, "GET", "no_role", "200")
    assert rule_violations({}, "POST", "mayor_office", "403", {"sc_petition"})
    assert rule_violations(case, "POST", "staff_b", "404", {"sc_petition"})
    assert not rule_violations({"public": True}, "POST", "anonymous", "302", {"sc_follower"})
    assert rule_violations({}, "GET", "anonymous", "200")
    assert not rule_violations({"public": True}, "GET", "citizen", "200")
    assert rule_violations({}, "GET", "citizen", "any")
    # In the RDEC-led world, RDEC staff of other lines and the city agencies' staff are strangers.
    led = rdec_led_outsiders(case)
    assert rule_violations(case, "GET", "rdec_research", "200", strangers=led)
    assert rule_violations(case, "GET", "staff_a", "200", strangers=led)
    assert rule_violations(case, "POST", "rdec_planning", "400", {"sc_petition"}, strangers=led)
    assert not rule_violations(case, "GET", "rdec_service_center", "200", strangers=led)
    assert not rule_violations(case, "GET", "mayor_office", "200", strangers=led)
    assert rdec_led_outsiders({"object": "A", "line": "*"}) == {
        "staff_a",
        "staff_b",
        "supervisor_a",
    }


def test_a_write_is_seen(world):
    """The write check sees a real write (staff A marking their inbox read), and nothing of a
    refused one (agency B marking A's notification read), so "wrote nothing" means something."""
    url = reverse("workflow:inbox-read-all")
    assert request(world.clients["staff_a"], "POST", url, api=False) == (
        "302",
        {"workflow_notification"},
    )
    api_url = reverse("workflow-notification-mark-read", args=[world.notification_a.pk])
    assert request(world.clients["staff_b"], "POST", api_url, api=True) == ("404", set())


def test_a_row_that_spares_actors_says_so():
    """`actors` and "-" go together, and a wildcard row's sample names its own routes, so a
    typo cannot quietly leave an actor or a route unrequested."""
    spared = " ".join(["200"] + [NOT_REQUESTED] * (len(ACTORS) - 1))
    everyone = " ".join(["200"] * len(ACTORS))
    assert not actor_problems("x", {"actors": ["anonymous"], "GET": spared})
    assert actor_problems("x", {"actors": ["anonymous"], "GET": everyone})
    assert actor_problems("x", {"GET": spared})
    assert actor_problems("x", {"actors": ["anonymus"], "GET": spared})
    wildcard = {"actors": ["anonymous"], "GET": everyone}
    assert not actor_problems("admin:*", {**wildcard, "sample": ["admin:index"]})
    assert actor_problems("admin:*", {**wildcard, "sample": ["admin:no_such_page"]})
    assert actor_problems("admin:*", {**wildcard, "sample": ["healthz"]})
