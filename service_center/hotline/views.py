"""1999 hotline volumes: the 12-month table, one month by type, the CSV import and exports.

RDEC service-centre staff import; they and the mayor's office read. Anyone else gets a 403:
the hotline belongs to no other agency.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from rdec_portal.exports import FORMATS, export_response
from rdec_portal.guards import staff_required
from rdec_portal.performance.forms import MonthPickerForm
from rdec_portal.performance.months import add_months, iso_month, last_complete_month, parse_month
from service_center.hotline import permissions, selectors, services
from service_center.hotline.forms import HotlineUploadForm
from service_center.hotline.services import HotlineImportError
from service_center.petitions.catalogue import DATA_DIR

EXAMPLE_CSV = DATA_DIR / "hotline_example.csv"


def _reader(request):
    if not permissions.can_read(request.user):
        raise PermissionDenied


def _last_month(request):
    """(form, month): the window's last month as asked, else the latest imported or last month."""
    form = MonthPickerForm(request.GET)
    month = form.cleaned_data["month"] if form.is_valid() else None
    return form, month or selectors.latest_month() or last_complete_month()


def _page(request, *, upload_form=None, import_errors=None, status=200):
    form, last = _last_month(request)
    context = {
        "form": form,
        "month": last,
        "month_iso": iso_month(last),
        "previous_window": iso_month(add_months(last, -12)),
        "next_window": iso_month(add_months(last, 12)),
        "table": selectors.volume_table(last=last),
        "imports": selectors.recent_imports(),
        "can_import": permissions.can_import(request.user),
        "is_desk": permissions.can_import(request.user),
        "upload_form": upload_form or HotlineUploadForm(),
        "import_errors": import_errors or [],
        "export_formats": list(FORMATS),
    }
    return render(request, "service_center/hotline/volumes.html", context, status=status)


@login_required
@require_safe
@staff_required
def volumes(request):
    _reader(request)
    return _page(request)


@login_required
@require_POST
@staff_required
def upload(request):
    if not permissions.can_import(request.user):
        raise PermissionDenied
    form = HotlineUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, upload_form=form, status=400)
    upload_file = form.cleaned_data["file"]
    try:
        record = services.hotline_import(
            content=upload_file.read(),
            file_name=upload_file.name,
            by=request.user,
            request=request,
        )
    except HotlineImportError as exc:
        return _page(request, upload_form=form, import_errors=exc.messages, status=400)
    messages.success(
        request,
        _("Imported %(rows)d rows for %(months)s: %(calls)s calls.")
        % {
            "rows": record.row_count,
            "months": "、".join(record.months),
            "calls": f"{record.total_calls:,}",
        },
    )
    return redirect(f"{reverse('service_center:hotline')}?month={record.months[-1]}")


@login_required
@require_safe
@staff_required
def month(request, month):
    _reader(request)
    try:
        chosen = parse_month(month)
    except ValidationError:
        raise Http404 from None
    figures, total, previous_total, last_year_total = selectors.month_figures(month=chosen)
    context = {
        "month": chosen,
        "figures": figures,
        "total": total,
        "previous_total": previous_total,
        "last_year_total": last_year_total,
        "previous_month": iso_month(add_months(chosen, -1)),
        "next_month": iso_month(add_months(chosen, 1)),
        "is_desk": permissions.can_import(request.user),
    }
    return render(request, "service_center/hotline/month.html", context)


def table_rows(table: selectors.VolumeTable) -> tuple[list[str], list[list]]:
    headers = [_("Month"), *[t.name for t in table.types], _("Total")]
    rows = [[iso_month(row.month), *row.counts, row.total] for row in table.rows]
    return headers, rows


@login_required
@require_safe
@staff_required
def export(request, fmt):
    _reader(request)
    if fmt not in FORMATS:
        raise Http404
    _form, last = _last_month(request)
    headers, rows = table_rows(selectors.volume_table(last=last))
    title = iso_month(last)
    return export_response(
        request,
        fmt=fmt,
        headers=headers,
        rows=rows,
        title=title,
        filename=f"hotline-calls-to-{title}.{fmt}",
        export="service_center.hotline_volumes",
        details={"month": title},
    )


@login_required
@require_safe
@staff_required
def example(request):
    """The documented file format as a file to start from."""
    _reader(request)
    return FileResponse(
        EXAMPLE_CSV.open("rb"),
        as_attachment=True,
        filename="hotline-example.csv",
        content_type="text/csv; charset=utf-8",
    )
