"""The mayor's dashboard. Every page reads only MonthlyMetric (with Agency for names, and the
rollup's stamp to find its cached panels)."""

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from rdec_portal.accounts import roles
from rdec_portal.exports import FORMATS, export_response
from rdec_portal.guards import staff_required
from rdec_portal.performance import dashboard, exports, registry, selectors, services
from rdec_portal.performance.forms import MonthPickerForm
from rdec_portal.performance.months import iso_month, last_complete_month, parse_month
from rdec_portal.templatetags.roc import roc_month


def _picked_month(request):
    """(form, month): the month asked for, else the last complete month."""
    form = MonthPickerForm(request.GET)
    month = form.cleaned_data["month"] if form.is_valid() else None
    return form, month or last_complete_month()


def _month_options(months_with_data, month) -> str:
    """The month picker's <option>s, newest first, built once rather than cell by cell."""
    choices = sorted({*months_with_data, month, last_complete_month()}, reverse=True)
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((iso_month(c), " selected" if c == month else "", roc_month(c)) for c in choices),
    )


def _scope_context(request, month):
    return {
        "month": month,
        "month_iso": iso_month(month),
        "sees_every_agency": selectors.sees_every_agency(request.user),
    }


@require_GET
@staff_required
def dashboard_view(request):
    form, month = _picked_month(request)
    metrics = registry.metrics()
    scope = _scope_context(request, month)
    parts = _dashboard_parts(request.user, metrics, month, scope["sees_every_agency"])
    context = {
        **scope,
        "form": form,
        "month_options": _month_options(parts["months"], month),
        "panels_html": mark_safe(parts["panels"]),  # noqa: S308 - rendered by dashboard.panels_html
        "closed": selectors.closed_month(month),
        "can_manage": roles.has_role(request.user, roles.ADMINISTRATOR),
        "export_formats": list(FORMATS),
    }
    return render(request, "performance/dashboard.html", context)


def _dashboard_parts(user, metrics, month, sees_every_agency) -> dict:
    """The panels' HTML and the months with figures, from the cache while no rollup wrote."""
    key = dashboard.parts_cache_key(
        selectors.rollup_stamp(),
        metrics=metrics,
        scope=selectors.figures_scope(user),
        month=month,
    )
    parts = cache.get(key) if key else None
    if parts is None:
        codes = [metric.code for metric in metrics]
        months = dashboard.series_months(month)
        panels = dashboard.panels_html(
            metrics,
            month=month,
            figures=selectors.month_figures(user, month=month, codes=codes),
            sums=selectors.series_sums(user, first=months[0], last=month, codes=codes),
            sees_every_agency=sees_every_agency,
        )
        parts = {"panels": str(panels), "months": selectors.months_with_data(user)}
        if key:
            cache.set(key, parts, dashboard.PANELS_CACHE_SECONDS)
    return parts


def _metric_or_404(code: str) -> registry.Metric:
    try:
        return registry.get_metric(code)
    except KeyError:
        raise Http404 from None


def _agency_rows(metric, months, by_month):
    return list(zip(months, dashboard.agency_series(metric, months, by_month), strict=True))


@require_GET
@staff_required
def metric_detail_view(request, code):
    metric = _metric_or_404(code)
    form, month = _picked_month(request)
    agency = None
    if request.GET.get("agency"):
        agency = selectors.visible_agency(request.user, request.GET["agency"])
        if agency is None:
            raise Http404
    months = dashboard.series_months(month)
    history = selectors.metric_history(
        request.user, code=code, first=months[0], last=month, agency=agency
    )
    rows = [
        (row_agency, dashboard.agency_series(metric, months, by_month))
        for row_agency, by_month in history.items()
    ]
    context = {
        **_scope_context(request, month),
        "form": form,
        "metric": metric,
        "agency": agency,
        "series_months": months,
        "rows": rows,
        "agency_rows": _agency_rows(metric, months, history.get(agency, {})) if agency else [],
        "month_options": _month_options(selectors.months_with_data(request.user), month),
    }
    return render(request, "performance/metric_detail.html", context)


@require_GET
@staff_required
def export_view(request, fmt):
    if fmt not in FORMATS:
        raise Http404
    form, month = _picked_month(request)
    if form.errors:
        # A file named after a month nobody asked for would be worse than no file.
        return HttpResponseBadRequest(form.errors["month"][0], content_type="text/plain")
    headers, rows = exports.month_table(request.user, month=month)
    return export_response(
        request,
        fmt=fmt,
        headers=headers,
        rows=rows,
        title=iso_month(month),
        filename=f"rdec-monthly-metrics-{iso_month(month)}.{fmt}",
        export="performance.monthly_metrics",
        details={"month": iso_month(month)},
    )


def _month_action(action):
    """A POST that changes a month's state; the service says whether the user may."""

    @require_POST
    @staff_required
    def view(request, month):
        try:
            month = parse_month(month)
        except ValidationError:
            raise Http404 from None
        if not roles.has_role(request.user, roles.ADMINISTRATOR):
            raise PermissionDenied
        try:
            message = action(request, month)
        except services.PerformanceError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, message)
        return redirect(f"{reverse('performance:dashboard')}?month={iso_month(month)}")

    return view


def _close(request, month):
    services.month_close(month=month, by=request.user)
    return _("The month is closed: the rollup no longer changes its figures.")


def _reopen(request, month):
    services.month_reopen(month=month, by=request.user)
    return _("The month is open again: recompute it to correct its figures.")


def _recompute(request, month):
    rows = services.rollup_month(month=month, by=request.user)
    return _("The month was recomputed: %(rows)s figures.") % {"rows": rows}


month_close_view = _month_action(_close)
month_reopen_view = _month_action(_reopen)
month_recompute_view = _month_action(_recompute)
