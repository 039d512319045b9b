import functools

from django.conf import settings
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, get_urlconf, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from rdec_portal import plugins
from rdec_portal.accounts import roles
from rdec_portal.accounts.roles import Line
from rdec_portal.guards import staff_required


def line_slug(line: str) -> str:
    return line.replace("_", "-")


def business_lines() -> list[dict]:
    """The six lines for the staff navigation, each at the staff start page its app declares
    (rdec_portal/plugins.py); a line whose app has not landed is marked so."""
    return [dict(line) for line in _business_lines_in(get_urlconf() or settings.ROOT_URLCONF)]


@functools.lru_cache(maxsize=16)
def _business_lines_in(urlconf: str) -> tuple[dict, ...]:
    # Every staff page's header asks this; the answer changes only with the URL configuration.
    homes = plugins.staff_homes()
    result = []
    for line in Line:
        url = None
        if line.value in homes:
            try:
                url = reverse(homes[line.value], urlconf=urlconf)
            except NoReverseMatch:
                url = None
        result.append(
            {
                "code": line.value,
                "label": line.label,
                "url": url
                or reverse("line-unavailable", args=[line_slug(line.value)], urlconf=urlconf),
                "available": url is not None,
            }
        )
    return tuple(result)


def public_links() -> list[dict]:
    """The public navigation's links to the lines' citizen pages that exist in this install:
    the entries the apps declare (rdec_portal/plugins.py), each at the first URL that exists."""
    links = []
    for entry in plugins.public_entries():
        url = _first_url(entry.url_names)
        if url is not None:
            links.append({"label": entry.label, "url": url})
    return links


def _first_url(names: tuple[str, ...]) -> str | None:
    return _first_url_in(get_urlconf() or settings.ROOT_URLCONF, tuple(names))


@functools.lru_cache(maxsize=64)
def _first_url_in(urlconf: str, names: tuple[str, ...]) -> str | None:
    # Every page's navigation asks this; the answer changes only with the URL configuration.
    for name in names:
        try:
            return reverse(name, urlconf=urlconf)
        except NoReverseMatch:
            continue
    return None


def role_labels(user) -> list[str]:
    """The user's roles as people read them, in the fixed order of roles.ALL_ROLES."""
    names = roles.role_names(user)
    return [roles.ROLE_LABELS[role] for role in roles.ALL_ROLES if role in names]


@require_safe
def home(request):
    return render(request, "public/home.html")


@staff_required
@require_safe
def staff_home(request):
    # The lines, name, agency and roles come from the context processor, as on every staff page.
    return render(request, "staff/home.html")


@staff_required
@require_safe
def line_unavailable(request, slug):
    for line in Line:
        if line_slug(line.value) == slug:
            return render(request, "staff/line_unavailable.html", {"line": line}, status=200)
    raise Http404


@never_cache
@require_GET
def healthz(request):
    """Liveness for operators and load balancers: the database and the broker."""
    from rdec_portal.workflow.health import broker_status

    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        checks["database"] = f"error: {exc.__class__.__name__}"
    checks["broker"] = broker_status()
    healthy = all(value in ("ok", "disabled") for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )
