from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from rdec_portal.accounts import roles
from rdec_portal.accounts.roles import Line


def line_slug(line: str) -> str:
    return line.replace("_", "-")


def business_lines() -> list[dict]:
    """The six lines for the staff navigation; a line whose app has not landed is marked so."""
    result = []
    for line in Line:
        url = None
        if apps.is_installed(line.value):
            try:
                url = reverse(f"{line.value}:home")
            except NoReverseMatch:
                url = None
        result.append(
            {
                "code": line.value,
                "label": line.label,
                "url": url or reverse("line-unavailable", args=[line_slug(line.value)]),
                "available": url is not None,
            }
        )
    return result


def home(request):
    return render(request, "public/home.html")


@login_required
def staff_home(request):
    user = request.user
    role_labels = [
        roles.ROLE_LABELS[r] for r in sorted(roles.role_names(user)) if r in roles.ROLE_LABELS
    ]
    return render(
        request,
        "staff/home.html",
        {"lines": business_lines(), "role_labels": role_labels, "agency": user.agency},
    )


@login_required
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
