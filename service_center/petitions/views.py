"""Staff pages: the agency work queue, the case page and the service centre's triage desk.

Thin views: forms parse, services decide, selectors read (already scoped to the user).
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from rdec_portal.due import due_state
from rdec_portal.exports import FORMATS, export_response
from rdec_portal.forms import add_service_errors
from rdec_portal.guards import staff_required
from rdec_portal.keyset import keyset_page
from rdec_portal.workflow.audit import audit_personal_data_view
from service_center.nearby import selectors as nearby_selectors
from service_center.petitions import exports, permissions, selectors, services, steps
from service_center.petitions.catalogue_cache import catalogue_version
from service_center.petitions.files import download_name
from service_center.petitions.forms import (
    AcceptForm,
    AssignForm,
    DecisionForm,
    ExtensionForm,
    MergeForm,
    NoteForm,
    NotHandledForm,
    ReplyForm,
    StaffPetitionForm,
    TransferForm,
    TransferRequestForm,
)
from service_center.petitions.models import (
    OPEN_STATUSES,
    Petition,
    PetitionRequest,
    Status,
)
from service_center.petitions.privacy import PETITIONER_FIELDS, petition_mask
from service_center.petitions.queue import (
    BulkAssignForm,
    QueueFilterSet,
    queue_rows,
    queue_rows_html,
)
from service_center.petitions.services import PetitionError
from service_center.replies.picker import picker_for_case

PAGE_SIZE = 50


@login_required
@require_safe
@staff_required
def home(request):
    now = timezone.now()
    mine = selectors.queue_base(request.user)
    context = {
        "open_count": mine.filter(status__in=OPEN_STATUSES).count(),
        "overdue_count": mine.filter(status__in=OPEN_STATUSES, due_at__lt=now).count(),
        "is_desk": permissions.is_service_desk(request.user),
    }
    return render(request, "service_center/petitions/staff/home.html", context)


# --- the work queue ---------------------------------------------------------------------------


@login_required
@require_safe
@staff_required
def queue(request):
    now = timezone.now()
    filterset = QueueFilterSet(request.GET, selectors.queue_base(request.user), now=now)
    filters = filterset.queue_filters
    mask = not permissions.sees_petitioners_in_queue(request.user)
    rows = selectors.queue_page_rows(filterset.qs, to_mask=mask)
    # Keyset pages: a page deep in a two-million-row list costs what the first one does. A text
    # search is not counted beyond its page: counting would read every case the words miss.
    query = _query_without_page(request)
    page = keyset_page(
        rows,
        size=PAGE_SIZE,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        count_cap=PAGE_SIZE if filters.q.strip() else None,
    )
    rows = queue_rows(page.rows, now, mask_subjects=mask)
    bulk_form = _bulk_form(request)
    context = {
        "form": filterset.form,
        "page": page,
        "rows": rows,
        "rows_html": queue_rows_html(rows, selectable=bulk_form is not None),
        "bulk_form": bulk_form,
        "query": query,
        "filters_key": f"{catalogue_version()}:{query}",
        "sort": filters.sort,
        "is_desk": permissions.is_service_desk(request.user),
    }
    return render(request, "service_center/petitions/staff/queue.html", context)


@login_required
@require_safe
@staff_required
def queue_export(request, fmt):
    """The queue as filtered on the page, as a file; the export is audited."""
    if fmt not in FORMATS:
        raise Http404
    now = timezone.now()
    rows = QueueFilterSet(request.GET, selectors.queue_base(request.user), now=now).qs
    # The file masks the subjects for the same readers as the page does.
    mask = not permissions.sees_petitioners_in_queue(request.user)
    headers, rows = exports.queue_table(rows, now=now, mask_subjects=mask)
    return export_response(
        request,
        fmt=fmt,
        headers=headers,
        rows=rows,
        title=timezone.localdate(now).isoformat(),
        filename=f"petitions-{timezone.localdate(now).isoformat()}.{fmt}",
        export="service_center.queue",
        details={"query": request.GET.urlencode()},
    )


def _bulk_form(request, data=None):
    if permissions.bulk_assign_agency_id(request.user) is None:
        return None
    return BulkAssignForm(data, agency=request.user.agency)


def _query_without_page(request) -> str:
    query = request.GET.copy()
    for name in ("page", "after", "before"):
        query.pop(name, None)
    return query.urlencode()


@login_required
@require_POST
@staff_required
def queue_assign(request):
    """Give the ticked cases to one handler (a supervisor spreading the work)."""
    form = _bulk_form(request, request.POST)
    if form is None:
        raise PermissionDenied
    if not form.is_valid():
        messages.error(request, _("Choose a handler and at least one case."))
        return redirect("service_center:queue")
    result = services.petitions_bulk_assign(
        petitions=form.cleaned_data["cases"],
        by=request.user,
        assignee=form.cleaned_data["assignee"],
        request=request,
    )
    for error in result.errors:
        # A ticked id that is not the agency's case is passed over, as the page always has.
        if error.petition is not None:
            messages.warning(request, f"{error.petition.number}: {error.detail}")
    done = len(result.assigned)
    messages.success(request, _("%(count)d cases assigned.") % {"count": done})
    query = request.POST.get("return_query", "")
    return redirect(
        f"{reverse('service_center:queue')}?{query}" if query else reverse("service_center:queue")
    )


# --- the case page ----------------------------------------------------------------------------


def _case_or_404(request, pk) -> Petition:
    return get_object_or_404(selectors.petitions_for(request.user), pk=pk)


# The form each step of the table (steps.py) is typed into on the case page.
FORMS = {
    "assign": AssignForm,
    "accept": AcceptForm,
    "reply": ReplyForm,
    "extension": ExtensionForm,
    "transfer-request": TransferRequestForm,
    "transfer": TransferForm,
    "merge": MergeForm,
    "not-handled": NotHandledForm,
    "close": DecisionForm,
    "note": NoteForm,
}


def _step_form(name, petition, data=None):
    if name == "accept":
        return AcceptForm(data, agency=petition.lead_agency)
    if name == "assign" and data is None:
        return AssignForm(initial={"agency": petition.category.agency_id})
    return FORMS[name](data)


def _action_forms(request, petition) -> dict:
    """The forms of the steps the user may take now, in the table's order."""
    return {
        step.name: _step_form(step.name, petition)
        for step in steps.allowed_steps(request.user, petition)
    }


def _render_case(request, petition, bound=None, status=200):
    now = timezone.now()
    forms = _action_forms(request, petition)
    if bound is not None:
        forms[bound[0]] = bound[1]
    # ?template=<id> pre-fills the reply form (the picker works without JavaScript).
    picker = picker_for_case(request, petition, forms)
    for action, form in forms.items():
        # Several action forms share field names (text, reason): each gets its own element ids,
        # so every label points at its own field.
        form.auto_id = f"id_{action}_%s"
    show_personal = permissions.can_see_personal_data(request.user, petition)
    if show_personal:
        audit_personal_data_view(
            actor=request.user, obj=petition, fields=PETITIONER_FIELDS, request=request
        )
    # Who may not see the petitioner (supporting agencies, the mayor's office) does not see the
    # details typed into the subject or description either.
    shown = (lambda text: text) if show_personal else petition_mask(petition)
    context = {
        "petition": petition,
        "subject": shown(petition.subject),
        "description": shown(petition.description),
        "due": due_state(petition.due_at, now, is_open=petition.is_open),
        "events": selectors.case_events(petition),
        # Read once, with the uploaders: the file list and the dispatch photos both use them.
        "attachments": list(petition.attachments.select_related("uploaded_by")),
        "requests": selectors.pending_requests(petition),
        "supporting": petition.supporting_agencies.all(),
        "forms": forms,
        "actions": [(name, steps.STEPS[name].label, form) for name, form in forms.items()],
        "show_personal": show_personal,
        "can_decide_extension": permissions.can_decide_extension(request.user, petition),
        "is_desk": permissions.is_service_desk(request.user),
        "reply_picker": picker,
    }
    return render(request, "service_center/petitions/staff/case.html", context, status=status)


@login_required
@require_safe
@staff_required
def case(request, pk):
    # The survey answer and the "me too" count come with the case: two round trips fewer.
    cases = selectors.petitions_for(request.user).select_related("survey")
    petition = get_object_or_404(nearby_selectors.with_follower_count(cases), pk=pk)
    return _render_case(request, petition)


@login_required
@require_POST
@staff_required
def case_action(request, pk, action):
    petition = _case_or_404(request, pk)
    step = steps.STEPS.get(action)
    if step is None or not step.allowed(request.user, petition):
        raise PermissionDenied
    form = _step_form(action, petition, request.POST)
    if form.is_valid():
        try:
            step.run(petition, form.cleaned_data, by=request.user, request=request)
        except PetitionError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, str(step.success))
            return redirect("service_center:case", pk=petition.pk)
    return _render_case(request, petition, bound=(action, form), status=400)


@login_required
@require_POST
@staff_required
def request_decide(request, pk, decision):
    """A supervisor decides an extension; the service centre decides a transfer."""
    req = get_object_or_404(
        PetitionRequest.objects.select_related("petition", "proposed_agency"),
        pk=pk,
        petition__in=selectors.petitions_for(request.user),
    )
    if decision not in ("approve", "reject"):
        raise Http404
    note = DecisionForm(request.POST).data.get("note", "")[:1000]
    try:
        _decide(request, req, decision == "approve", note)
    except PetitionError as exc:
        messages.error(request, exc.messages[0])
    return redirect("service_center:case", pk=req.petition_id)


def _decide(request, req, approve: bool, note: str) -> None:
    decision = steps.DECISIONS[req.kind]
    if not decision.may(request.user, req.petition):
        raise PermissionDenied
    decision.run(req, by=request.user, approve=approve, note=note, request=request)
    messages.success(request, str(decision.success))


@login_required
@require_safe
@staff_required
def attachment(request, pk, attachment_pk):
    petition = _case_or_404(request, pk)
    item = get_object_or_404(petition.attachments, pk=attachment_pk)
    return FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        # The extension of the type the content proved, whatever the citizen named the file.
        filename=download_name(item.original_name, item.content_type),
        content_type=item.content_type,
    )


# --- the service centre's desk ----------------------------------------------------------------


def _desk_only(request):
    if not permissions.is_service_desk(request.user):
        raise PermissionDenied


@login_required
@require_safe
@staff_required
def desk(request):
    _desk_only(request)
    now = timezone.now()
    waiting = selectors.triage_queue(request.user)
    page = Paginator(waiting, PAGE_SIZE).get_page(request.GET.get("page"))
    transfers = (
        PetitionRequest.objects.filter(
            kind=PetitionRequest.Kind.TRANSFER, state=PetitionRequest.State.PENDING
        )
        .select_related("petition", "proposed_agency", "requested_by", "petition__lead_agency")
        .order_by("requested_at")[:100]
    )
    unconfirmed = Petition.objects.filter(
        status=Status.RECEIVED, received_at__lt=now - timedelta(days=3)
    ).count()
    context = {
        "page": page,
        "rows": [(p, due_state(p.due_at, now, is_open=p.is_open)) for p in page.object_list],
        "transfers": transfers,
        "unconfirmed": unconfirmed,
        "is_desk": True,
    }
    return render(request, "service_center/petitions/staff/desk.html", context)


@staff_required
def record(request):
    """The service centre records a petition from the counter, the 1999 line, a letter or a fax."""
    _desk_only(request)
    if request.method != "POST":
        form = StaffPetitionForm.new(initial={"channel": "phone_1999"})
        return render(request, "service_center/petitions/staff/record.html", {"form": form})
    form = StaffPetitionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            result = services.petition_submit(form.draft(), by=request.user, request=request)
        except PetitionError as exc:
            form.add_service_errors(exc)
        else:
            return render(
                request,
                "service_center/petitions/staff/recorded.html",
                {"petition": result.petition, "secret": result.secret},
            )
    return render(
        request,
        "service_center/petitions/staff/record.html",
        {"form": form, "files_dropped": bool(request.FILES)},
        status=400,
    )
