"""Legal consultation pages for staff: the rota, lawyers, the day's bookings per venue, booking,
recording consultations, and the monthly counts with exports.

Thin views: forms parse, permissions.py decides who may, services.py writes, selectors.py reads
(scoped to the user). Another agency's venue, slot or booking is a 404; a step the user may not
take is a 403.
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from rdec_portal.exports import FORMATS, export_response
from rdec_portal.guards import staff_required
from rdec_portal.performance.forms import MonthPickerForm
from rdec_portal.performance.months import iso_month, last_complete_month
from rdec_portal.workflow.audit import audit_personal_data_view
from rdec_portal.workflow.calendar import is_working_day
from service_center.legal import permissions, selectors, services
from service_center.legal.forms import (
    BookingForm,
    CancelForm,
    DayForm,
    EmptyForm,
    GenerateForm,
    LawyerForm,
    RecordForm,
    SessionForm,
)
from service_center.legal.models import BookingStatus, LegalBooking
from service_center.legal.services import LegalError

# How far ahead the day page offers its "next days with slots" links.
LOOKAHEAD_DAYS = 28


def _rota_manager(request):
    if not permissions.can_manage_rota(request.user):
        raise PermissionDenied


def _context(request, **extra) -> dict:
    # is_desk: the service centre's own links in the shared sub-navigation.
    desk = permissions.can_manage_rota(request.user)
    return {"can_manage_rota": desk, "is_desk": desk, **extra}


# --- home and rota ------------------------------------------------------------------------------


@login_required
@require_safe
@staff_required
def home(request):
    venues = list(selectors.venues_for(request.user).filter(is_active=True))
    if not venues:
        raise Http404
    today = timezone.localdate()
    return render(
        request,
        "service_center/legal/home.html",
        _context(request, venues=venues, today=today),
    )


@login_required
@require_safe
@staff_required
def rota(request):
    venues = selectors.venues_for(request.user)
    if not venues.exists():
        raise Http404
    sessions = selectors.sessions_for(request.user)
    context = _context(request, sessions=sessions)
    if permissions.can_manage_rota(request.user):
        today = timezone.localdate()
        context["generate_form"] = GenerateForm(
            initial={"start": today, "end": today + timedelta(days=27)}, venues=venues
        )
    return render(request, "service_center/legal/rota.html", context)


@staff_required
def session_edit(request, pk=None):
    _rota_manager(request)
    venues = selectors.venues_for(request.user)
    session = get_object_or_404(selectors.sessions_for(request.user), pk=pk) if pk else None
    data = request.POST if request.method == "POST" else None
    if session is None:
        form = SessionForm(data, venues=venues, initial={"kind": "weekly", "slot_minutes": 20})
    else:
        form = SessionForm.for_session(session, venues=venues, data=data)
    if data is not None and form.is_valid():
        try:
            _save_session(request, session, form)
        except LegalError as exc:
            form.add_service_errors(exc)
        else:
            return redirect("service_center:legal_rota")
    status = 400 if data is not None else 200
    return render(
        request,
        "service_center/legal/session_form.html",
        _context(request, form=form, session=session),
        status=status,
    )


def _save_session(request, session, form) -> None:
    if session is None:
        services.legal_session_create(plan=form.plan(), by=request.user, request=request)
        messages.success(request, _("The session is on the rota. Generate its slots next."))
        return
    change = services.legal_session_update(
        session=session, plan=form.plan(), by=request.user, request=request
    )
    messages.success(request, _("The session is changed."))
    if change.withdrawn:
        messages.info(
            request,
            _("%(count)d free future slots were withdrawn: generate the slots again.")
            % {"count": change.withdrawn},
        )
    if change.still_booked:
        messages.warning(
            request,
            _("%(count)d booked slots keep their old time: call the citizens to rebook.")
            % {"count": change.still_booked},
        )


@login_required
@require_POST
@staff_required
def generate(request):
    _rota_manager(request)
    venues = selectors.venues_for(request.user)
    form = GenerateForm(request.POST, venues=venues)
    if form.is_valid():
        try:
            result = services.legal_slots_generate(
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                venue=form.cleaned_data["venue"],
                by=request.user,
                request=request,
            )
        except LegalError as exc:
            form.add_service_errors(exc)
        else:
            _generated_messages(request, result)
            return redirect("service_center:legal_rota")
    context = _context(request, sessions=selectors.sessions_for(request.user), generate_form=form)
    return render(request, "service_center/legal/rota.html", context, status=400)


def _generated_messages(request, result: services.Generated) -> None:
    messages.success(request, _("%(count)d slots created.") % {"count": result.created})
    if result.days_off:
        days = "、".join(day.isoformat() for day in result.days_off)
        messages.info(request, _("No slots on days off: %(days)s.") % {"days": days})
    if result.withdrawn:
        messages.info(
            request,
            _("%(count)d free slots on days off were withdrawn.") % {"count": result.withdrawn},
        )
    if result.booked_on_days_off:
        messages.warning(
            request,
            _(
                "%(count)d bookings fall on days off: call the citizens and cancel them on the "
                "day's page."
            )
            % {"count": result.booked_on_days_off},
        )


# --- lawyers ------------------------------------------------------------------------------------


@login_required
@require_safe
@staff_required
def lawyers(request):
    _rota_manager(request)
    return render(
        request, "service_center/legal/lawyers.html", _context(request, lawyers=selectors.lawyers())
    )


@staff_required
def lawyer_edit(request, pk=None):
    _rota_manager(request)
    lawyer = get_object_or_404(selectors.lawyers(), pk=pk) if pk else None
    data = request.POST if request.method == "POST" else None
    form = LawyerForm.for_lawyer(lawyer, data) if lawyer else LawyerForm(data)
    if data is not None and form.is_valid():
        try:
            if lawyer is None:
                services.legal_lawyer_create(
                    details=form.details(), by=request.user, request=request
                )
            else:
                services.legal_lawyer_update(
                    lawyer=lawyer, details=form.details(), by=request.user, request=request
                )
        except LegalError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The lawyer's details are saved."))
            return redirect("service_center:legal_lawyers")
    return render(
        request,
        "service_center/legal/lawyer_form.html",
        _context(request, form=form, lawyer=lawyer),
        status=400 if data is not None else 200,
    )


# --- the day at a venue -------------------------------------------------------------------------


@login_required
@require_safe
@staff_required
def day(request, code):
    venue = get_object_or_404(selectors.venues_for(request.user), code=code)
    form = DayForm(request.GET or None)
    chosen = form.cleaned_data.get("day") if form.is_valid() else None
    the_day = chosen or timezone.localdate()
    rows = [
        (
            row.slot,
            row.booking,
            selectors.mask_name(row.booking.citizen_name) if row.booking else "",
        )
        for row in selectors.day_slots(request.user, venue=venue, day=the_day)
    ]
    context = _context(
        request,
        venue=venue,
        day=the_day,
        form=form,
        rows=rows,
        previous_day=the_day - timedelta(days=1),
        next_day=the_day + timedelta(days=1),
        can_work=permissions.can_work_at(request.user, venue),
        is_working_day=is_working_day(the_day),
        now=timezone.now(),
    )
    return render(request, "service_center/legal/day.html", context)


def _day_url(slot) -> str:
    day = timezone.localdate(slot.starts_at)
    return f"{reverse('service_center:legal_day', args=[slot.venue.code])}?day={day.isoformat()}"


# --- booking ------------------------------------------------------------------------------------


@staff_required
def book(request, pk):
    slot = get_object_or_404(selectors.slots_for(request.user), pk=pk)
    if not permissions.can_work_at(request.user, slot.venue):
        raise PermissionDenied
    if request.method != "POST":
        context = _context(request, form=BookingForm(), slot=slot)
        return render(request, "service_center/legal/book.html", context)
    form = BookingForm(request.POST)
    if form.is_valid():
        try:
            booking = services.legal_booking_create(
                slot=slot,
                citizen=form.citizen(),
                channel=form.cleaned_data["channel"],
                by=request.user,
                request=request,
            )
        except LegalError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _("Booked. Booking number %(reference)s.") % {"reference": booking.reference},
            )
            return redirect(_day_url(slot))
    context = _context(request, form=form, slot=slot)
    return render(request, "service_center/legal/book.html", context, status=400)


def _booking_or_404(request, pk) -> LegalBooking:
    return get_object_or_404(
        selectors.bookings_for(request.user).select_related("consultation"), pk=pk
    )


def _action_forms(booking: LegalBooking, now) -> dict:
    forms = {}
    if booking.status == BookingStatus.BOOKED:
        forms["cancel"] = CancelForm()
        if booking.slot.starts_at <= now:
            forms["no-show"] = EmptyForm()
    today = timezone.localdate(now)
    started = timezone.localdate(booking.slot.starts_at) <= today
    if started and booking.status in (BookingStatus.BOOKED, BookingStatus.NO_SHOW):
        forms["record"] = RecordForm(initial={"topic": booking.topic})
    record = getattr(booking, "consultation", None)
    if record is not None:
        forms["update-record"] = RecordForm(initial={"topic": record.topic, "note": record.note})
    return forms


def _render_booking(request, booking, bound=None, status=200):
    can_work = permissions.can_work_at(request.user, booking.slot.venue)
    forms = _action_forms(booking, timezone.now()) if can_work else {}
    if bound is not None:
        forms[bound[0]] = bound[1]
    if can_work and booking.contact_removed_at is None:  # nothing personal left to see
        audit_personal_data_view(
            actor=request.user, obj=booking, fields=selectors.PERSONAL_FIELDS, request=request
        )
    context = _context(
        request,
        booking=booking,
        record=getattr(booking, "consultation", None),
        forms=forms,
        show_personal=can_work,
        masked_name=selectors.mask_name(booking.citizen_name),
        day_url=_day_url(booking.slot),
    )
    return render(request, "service_center/legal/booking.html", context, status=status)


@login_required
@require_safe
@staff_required
def booking(request, pk):
    return _render_booking(request, _booking_or_404(request, pk))


ACTION_FORMS = {
    "cancel": CancelForm,
    "no-show": EmptyForm,
    "record": RecordForm,
    "update-record": RecordForm,
}


def _act(action, booking, data, request):
    common = {"by": request.user, "request": request}
    if action == "cancel":
        services.legal_booking_cancel(booking=booking, reason=data["reason"], **common)
        return _("The booking is cancelled; the slot is free again.")
    if action == "no-show":
        services.legal_booking_no_show(booking=booking, **common)
        return _("Marked as not come.")
    if action == "record":
        services.legal_consultation_record(
            booking=booking, topic=data["topic"], note=data["note"], **common
        )
        return _("The consultation is recorded.")
    services.legal_consultation_update(
        consultation=booking.consultation, topic=data["topic"], note=data["note"], **common
    )
    return _("The record is corrected.")


@login_required
@require_POST
@staff_required
def booking_action(request, pk, action):
    booking = _booking_or_404(request, pk)
    if action not in ACTION_FORMS:
        raise Http404
    if not permissions.can_work_at(request.user, booking.slot.venue):
        raise PermissionDenied
    if action == "update-record" and getattr(booking, "consultation", None) is None:
        raise Http404
    form = ACTION_FORMS[action](request.POST)
    if form.is_valid():
        try:
            done = _act(action, booking, form.cleaned_data, request)
        except LegalError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, done)
            return redirect("service_center:legal_booking", pk=booking.pk)
    booking = _booking_or_404(request, pk)
    return _render_booking(request, booking, bound=(action, form), status=400)


# --- monthly counts -----------------------------------------------------------------------------


def _picked_month(request):
    form = MonthPickerForm(request.GET)
    month = form.cleaned_data["month"] if form.is_valid() else None
    return form, month or last_complete_month()


@login_required
@require_safe
@staff_required
def stats(request):
    if not selectors.venues_for(request.user).exists():
        raise Http404
    form, month = _picked_month(request)
    table = selectors.consultation_counts(request.user, month=month)
    context = _context(
        request,
        form=form,
        month=month,
        month_iso=iso_month(month),
        table=table,
        export_formats=list(FORMATS),
    )
    return render(request, "service_center/legal/stats.html", context)


def stats_rows(table: selectors.TopicTable) -> tuple[list[str], list[list]]:
    headers = [
        _("Month"),
        _("Venue"),
        _("Agency code"),
        *[str(label) for _code, label in table.topics],
        _("Consultations"),
        _("Bookings"),
        _("Did not come"),
    ]
    month = iso_month(table.month)
    rows = [
        [
            month,
            row.venue.name,
            row.venue.agency.code,
            *row.topics,
            row.total,
            row.booked,
            row.no_shows,
        ]
        for row in table.rows
    ]
    return headers, rows


@login_required
@require_safe
@staff_required
def stats_export(request, fmt):
    if fmt not in FORMATS or not selectors.venues_for(request.user).exists():
        raise Http404
    _form, month = _picked_month(request)
    headers, rows = stats_rows(selectors.consultation_counts(request.user, month=month))
    title = iso_month(month)
    return export_response(
        request,
        fmt=fmt,
        headers=headers,
        rows=rows,
        title=title,
        filename=f"legal-consultations-{title}.{fmt}",
        export="service_center.legal_counts",
        details={"month": title},
    )
