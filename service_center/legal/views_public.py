"""The citizens' booking page for a free legal consultation. No login.

The same privacy rules as a petition: only what is needed to arrange the consultation, consent
to the personal-data notice, and nothing personal shown back (the receipt shows the booking
number, venue and time). Online, one consultation to come per phone number, a few bookings per
address an hour, and the same form sent twice books once.
"""

import uuid
from datetime import datetime, time, timedelta

from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from rdec_portal.client import client_address
from rdec_portal.ratelimit import RateLimit
from rdec_portal.workflow.calendar import is_working_day
from service_center.legal import selectors, services
from service_center.legal.forms import PublicBookingForm
from service_center.legal.models import BookingChannel, LegalBooking, LegalVenue
from service_center.legal.services import LegalError

# Online bookings open from tomorrow (the venue prepares the day's list) for four weeks.
HORIZON_DAYS = 28
BOOKED_SESSION_KEY = "service_center_legal_booked"
BOOKINGS_PER_ADDRESS = 5
RATE_WINDOW_SECONDS = 60 * 60
CANCEL_TEMPLATE = "service_center/legal/public_cancel.html"


def _bookable(venue):
    zone = timezone.get_default_timezone()
    start = datetime.combine(timezone.localdate() + timedelta(days=1), time.min, tzinfo=zone)
    slots = selectors.free_slots(venue=venue, start=start, end=start + timedelta(days=HORIZON_DAYS))
    # A typhoon day declared after the slots were made: not offered, even before staff withdraw.
    return [s for s in slots if is_working_day(timezone.localdate(s.starts_at))]


def _rate_limit() -> RateLimit:
    return RateLimit("sc.legal.booking", BOOKINGS_PER_ADDRESS, RATE_WINDOW_SECONDS)


def _rate_key(request) -> str:
    return client_address(request)


def _count_booking(key: str) -> None:
    _rate_limit().hit(key)


def _remember(request, token: str, booking: LegalBooking) -> None:
    booked = request.session.get(BOOKED_SESSION_KEY, {})
    booked[token] = booking.pk
    request.session[BOOKED_SESSION_KEY] = dict(list(booked.items())[-5:])


@never_cache
@require_http_methods(["GET", "POST"])
def book(request):
    venues = list(LegalVenue.objects.filter(is_active=True).order_by("sort_order", "code"))
    code = request.POST.get("venue") or request.GET.get("venue")
    venue = next((v for v in venues if v.code == code), None)
    if venue is None:
        return render(request, "service_center/legal/public_venues.html", {"venues": venues})
    slots = _bookable(venue)
    if request.method != "POST":
        form = PublicBookingForm(initial={"token": uuid.uuid4().hex}, slots=slots)
        return _form(request, venue, form)
    form = PublicBookingForm(request.POST, slots=slots)
    token = request.POST.get("token", "")
    if token and token in request.session.get(BOOKED_SESSION_KEY, {}):
        return redirect("service_center:legal_public_thanks")
    if not _rate_limit().check(_rate_key(request)).allowed:
        form.add_error(None, _("Too many bookings from this connection. Please call 1999."))
        return _form(request, venue, form, status=429)
    if form.is_valid():
        slot = next(s for s in slots if s.pk == form.cleaned_data["slot"])
        try:
            booking = services.legal_booking_create(
                slot=slot, citizen=form.citizen(), channel=BookingChannel.WEB
            )
        except LegalError as exc:
            form.add_service_errors(exc)
        else:
            _count_booking(_rate_key(request))
            _remember(request, form.cleaned_data["token"], booking)
            return redirect("service_center:legal_public_thanks")
    return _form(request, venue, form, status=400)


def _form(request, venue, form, status=200):
    return render(
        request,
        "service_center/legal/public_book.html",
        {"venue": venue, "form": form, "horizon": HORIZON_DAYS},
        status=status,
    )


@never_cache
@require_safe
def thanks(request):
    """This browser's last booking: number, venue and time, nothing personal."""
    booked = list(request.session.get(BOOKED_SESSION_KEY, {}).values())
    booking = (
        LegalBooking.objects.select_related("slot", "slot__venue")
        .defer("citizen_name", "citizen_phone", "citizen_email", "summary", "needs")
        .filter(pk=booked[-1])
        .first()
        if booked
        else None
    )
    if booking is None:
        return redirect("service_center:legal_public")
    return render(
        request,
        "service_center/legal/public_thanks.html",
        {"booking": booking, "cancel_token": services.citizen_cancel_token(booking)},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def cancel(request, token):
    """The citizen's own link: GET shows the booking and a button, POST cancels it (a mail or
    chat app opening the link cancels nothing)."""
    booking = services.booking_from_cancel_token(token)
    if booking is None:
        return render(request, CANCEL_TEMPLATE, {"booking": None}, status=404)
    if request.method != "POST":
        return render(request, CANCEL_TEMPLATE, {"booking": booking})
    try:
        booking = services.legal_booking_cancel_online(booking=booking, request=request)
    except LegalError as exc:
        context = {"booking": booking, "error": exc.messages[0]}
        return render(request, CANCEL_TEMPLATE, context, status=409)
    return render(request, CANCEL_TEMPLATE, {"booking": booking, "cancelled_now": True})
