"""Staff pages for reply templates: the list, creating, editing, deactivating.

Every staff user sees their agency's and the city-wide templates (the service centre sees all);
supervisors keep their agency's, the service centre the city-wide ones.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from rdec_portal.guards import staff_required
from service_center.petitions import permissions as petition_permissions
from service_center.replies import permissions, selectors, services
from service_center.replies.forms import ReplyTemplateForm
from service_center.replies.services import ReplyTemplateError

PAGE_SIZE = 50
FORM_TEMPLATE = "service_center/replies/form.html"


def _template_or_404(request, pk):
    return get_object_or_404(selectors.reply_templates_for(request.user), pk=pk)


@login_required
@require_safe
@staff_required
def template_list(request):
    # City-wide templates first on every database (NULLs sort first on SQLite, last on PostgreSQL).
    rows = selectors.reply_templates_for(request.user).order_by(
        F("agency__kind").asc(nulls_first=True),
        "agency__sort_order",
        "agency__code",
        "title",
        "id",
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": [(t, permissions.can_manage(request.user, t)) for t in page.object_list],
        "can_create": permissions.can_create(request.user),
        "is_desk": petition_permissions.is_service_desk(request.user),
    }
    return render(request, "service_center/replies/list.html", context)


@staff_required
def template_new(request):
    if not permissions.can_create(request.user):
        raise PermissionDenied
    desk = petition_permissions.is_service_desk(request.user)
    form = ReplyTemplateForm(request.POST or None, choose_agency=desk)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.reply_template_create(
                by=request.user,
                agency=data.get("agency") if desk else request.user.agency,
                title=data["title"],
                body=data["body"],
                category=data["category"],
                request=request,
            )
        except ReplyTemplateError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The reply template is saved."))
            return redirect("service_center:reply_templates")
    status = 400 if request.method == "POST" else 200
    return render(request, FORM_TEMPLATE, {"form": form, "template": None}, status=status)


@staff_required
def template_edit(request, pk):
    template = _template_or_404(request, pk)
    if not permissions.can_manage(request.user, template):
        raise PermissionDenied
    initial = {"title": template.title, "body": template.body, "category": template.category}
    form = ReplyTemplateForm(request.POST or None, initial=initial, choose_agency=False)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.reply_template_update(
                template=template,
                by=request.user,
                title=data["title"],
                body=data["body"],
                category=data["category"],
                request=request,
            )
        except ReplyTemplateError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The reply template is saved."))
            return redirect("service_center:reply_templates")
    status = 400 if request.method == "POST" else 200
    return render(request, FORM_TEMPLATE, {"form": form, "template": template}, status=status)


@login_required
@require_POST
@staff_required
def template_set_active(request, pk, state):
    if state not in ("activate", "deactivate"):
        raise Http404
    template = _template_or_404(request, pk)
    if not permissions.can_manage(request.user, template):
        raise PermissionDenied
    services.reply_template_set_active(
        template=template, by=request.user, is_active=state == "activate", request=request
    )
    if state == "activate":
        messages.success(request, _("The reply template is offered again."))
    else:
        messages.success(request, _("The reply template is no longer offered."))
    return redirect("service_center:reply_templates")
