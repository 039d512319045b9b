"""Legal consultation: the rota of volunteer lawyers, bookable slots, bookings and records.

Every write is a `legal_<entity>_<verb>(*, ...)` service here; the reads the pages share are in
selectors.py (scoped to the user by the venue's agency) and who may do what in permissions.py.

The rota holds sessions (weekly, or on one date). `legal_slots_generate` turns them into slots
for a range of dates, skipping days that are not working days (holidays, typhoon days off from
the working-day calendar). One live booking per slot is a database constraint, so two counters
booking the same slot at the same moment cannot both succeed; a cancellation frees the slot.
"""

import csv
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from rdec_portal.accounts.models import Agency
from rdec_portal.workflow.audit import audit_changes, audit_record, audit_snapshot
from rdec_portal.workflow.calendar import is_working_day
from rdec_portal.workflow.models import AuditEntry
from service_center.legal.models import (
    BookingChannel,
    BookingStatus,
    ConsultationTopic,
    Lawyer,
    LegalBooking,
    LegalConsultation,
    LegalSession,
    LegalSlot,
    LegalVenue,
)
from service_center.legal.selectors import PERSONAL_FIELDS, day_bounds, live_bookings

VENUES_CSV = Path(__file__).resolve().parent.parent / "data" / "legal_venues.csv"
# One generation covers at most a quarter: a typing mistake must not create years of slots.
MAX_GENERATE_DAYS = 92
# No 0/O, 1/I/L: the booking number is read out on the phone.
_REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_REFERENCE_LENGTH = 8
_PHONE = re.compile(r"[0-9+()#\- ]{6,30}")

TAKEN = _("This slot has just been booked by someone else: choose another time.")


class LegalError(ValidationError):
    """A rota or booking step that cannot be done, with a message a person can act on."""


# --- lawyers --------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class LawyerDetails:
    name: str
    bar_number: str
    specialities: list[str]
    phone: str = ""
    email: str = ""
    is_active: bool = True


def _check_lawyer(details: LawyerDetails) -> None:
    errors = {}
    if not details.name.strip():
        errors["name"] = _("Enter the lawyer's name.")
    if not details.bar_number.strip():
        errors["bar_number"] = _("Enter the bar certificate number.")
    unknown = set(details.specialities) - set(ConsultationTopic.values)
    if unknown:
        errors["specialities"] = _("Choose specialities from the list.")
    if errors:
        raise LegalError(errors)


def _save_lawyer(lawyer: Lawyer) -> None:
    try:
        with transaction.atomic():
            lawyer.save()
    except IntegrityError:
        raise LegalError(
            {"bar_number": _("Another lawyer already has this bar certificate number.")}
        ) from None


def _apply_lawyer(lawyer: Lawyer, details: LawyerDetails) -> None:
    lawyer.name = details.name.strip()
    lawyer.bar_number = details.bar_number.strip()
    lawyer.specialities = [
        code for code in ConsultationTopic.values if code in details.specialities
    ]
    lawyer.phone = details.phone.strip()
    lawyer.email = details.email.strip()
    lawyer.is_active = details.is_active


@transaction.atomic
def legal_lawyer_create(*, details: LawyerDetails, by, request=None) -> Lawyer:
    _check_lawyer(details)
    lawyer = Lawyer()
    _apply_lawyer(lawyer, details)
    _save_lawyer(lawyer)
    audit_record(
        actor=by,
        action=AuditEntry.Action.CREATE,
        obj=lawyer,
        changes=audit_changes(None, lawyer),
        request=request,
    )
    return lawyer


@transaction.atomic
def legal_lawyer_update(*, lawyer: Lawyer, details: LawyerDetails, by, request=None) -> Lawyer:
    _check_lawyer(details)
    lawyer = Lawyer.objects.select_for_update().get(pk=lawyer.pk)
    before = audit_snapshot(lawyer)
    _apply_lawyer(lawyer, details)
    _save_lawyer(lawyer)
    audit_record(
        actor=by,
        action=AuditEntry.Action.UPDATE,
        obj=lawyer,
        changes=audit_changes(before, lawyer),
        request=request,
    )
    return lawyer


# --- the rota -------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class SessionPlan:
    """What a rota session is: where, who, when, and how long each consultation lasts."""

    venue: LegalVenue
    lawyer: Lawyer | None
    kind: str
    start_time: time
    end_time: time
    weekday: int | None = None
    on_date: date | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    slot_minutes: int = 20
    note: str = ""
    is_active: bool = True


_TIMING_FIELDS = ("kind", "weekday", "on_date", "start_time", "end_time", "slot_minutes")


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def _check_plan(plan: SessionPlan) -> None:
    errors = {}
    if plan.kind == LegalSession.Kind.WEEKLY and plan.weekday is None:
        errors["weekday"] = _("Choose the weekday of a weekly session.")
    if plan.kind == LegalSession.Kind.DATED:
        if plan.on_date is None:
            errors["on_date"] = _("Give the date of a one-off session.")
        elif not is_working_day(plan.on_date):
            errors["on_date"] = _("This date is not a working day: choose another.")
    if not 10 <= plan.slot_minutes <= 180:
        errors["slot_minutes"] = _("A consultation lasts between 10 and 180 minutes.")
    elif _minutes(plan.end_time) - _minutes(plan.start_time) < plan.slot_minutes:
        errors["end_time"] = _("The session must end after its start, with room for one slot.")
    if plan.valid_from and plan.valid_until and plan.valid_until < plan.valid_from:
        errors["valid_until"] = _("The last date cannot be before the first.")
    if plan.lawyer is not None and not plan.lawyer.is_active and plan.is_active:
        errors["lawyer"] = _("This lawyer is no longer active.")
    if errors:
        raise LegalError(errors)


def _apply_plan(session: LegalSession, plan: SessionPlan) -> None:
    weekly = plan.kind == LegalSession.Kind.WEEKLY
    session.venue = plan.venue
    session.lawyer = plan.lawyer
    session.kind = plan.kind
    session.weekday = plan.weekday if weekly else None
    session.on_date = None if weekly else plan.on_date
    session.valid_from = plan.valid_from if weekly else None
    session.valid_until = plan.valid_until if weekly else None
    session.start_time = plan.start_time
    session.end_time = plan.end_time
    session.slot_minutes = plan.slot_minutes
    session.note = plan.note.strip()
    session.is_active = plan.is_active


@transaction.atomic
def legal_session_create(*, plan: SessionPlan, by, request=None) -> LegalSession:
    _check_plan(plan)
    session = LegalSession()
    _apply_plan(session, plan)
    session.save()
    audit_record(
        actor=by,
        action=AuditEntry.Action.CREATE,
        obj=session,
        changes=audit_changes(None, session),
        request=request,
    )
    return session


@dataclass(frozen=True)
class SessionChange:
    session: LegalSession
    # Future free slots taken back because the time, lawyer or status changed.
    withdrawn: int
    # Future booked slots left at their old time: the citizens must be told or rebooked.
    still_booked: int


def _future_slots(session: LegalSession, now: datetime) -> QuerySet[LegalSlot]:
    return LegalSlot.objects.filter(session=session, starts_at__gt=now, is_withdrawn=False)


def _free(queryset: QuerySet[LegalSlot]) -> QuerySet[LegalSlot]:
    return queryset.filter(~Exists(live_bookings().filter(slot=OuterRef("pk"))))


@transaction.atomic
def legal_session_update(
    *, session: LegalSession, plan: SessionPlan, by, request=None
) -> SessionChange:
    """Change a session. Its future free slots follow: a new lawyer takes them over; a new time,
    or a session switched off, withdraws them (generate again for the new times)."""
    _check_plan(plan)
    now = timezone.now()
    session = LegalSession.objects.select_for_update().get(pk=session.pk)
    before = audit_snapshot(session)
    _apply_plan(session, plan)
    session.save()
    changes = audit_changes(before, session)
    future = _future_slots(session, now)
    withdrawn = still_booked = 0
    if any(name in changes for name in (*_TIMING_FIELDS, "venue")) or not session.is_active:
        withdrawn = _free(future).update(
            is_withdrawn=True, withdrawn_reason=str(_("The rota changed."))
        )
        still_booked = _future_slots(session, now).count()
    elif "lawyer" in changes:
        # The citizen booked a time, not a person: the new lawyer takes the booked slots too.
        future.update(lawyer=session.lawyer)
    audit_record(
        actor=by,
        action=AuditEntry.Action.UPDATE,
        obj=session,
        changes={**changes, "withdrawn_slots": [None, withdrawn]} if withdrawn else changes,
        request=request,
    )
    return SessionChange(session=session, withdrawn=withdrawn, still_booked=still_booked)


# --- slots ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Generated:
    created: int
    # Days in the range on which a session would run but which are not working days.
    days_off: list[date]
    # Free slots taken back because their day has become a day off (e.g. a typhoon).
    withdrawn: int
    # Booked slots on such days: staff phone the citizens and cancel them on the day's page.
    booked_on_days_off: int


def _runs_on(session: LegalSession, day: date) -> bool:
    if session.kind == LegalSession.Kind.DATED:
        return session.on_date == day
    return (
        session.weekday == day.weekday()
        and (session.valid_from is None or session.valid_from <= day)
        and (session.valid_until is None or day <= session.valid_until)
    )


def _slots_of(session: LegalSession, day: date) -> list[LegalSlot]:
    zone = timezone.get_default_timezone()
    start = datetime.combine(day, session.start_time, tzinfo=zone)
    close = datetime.combine(day, session.end_time, tzinfo=zone)
    step = timedelta(minutes=session.slot_minutes)
    slots = []
    while start + step <= close:
        slots.append(
            LegalSlot(
                session=session,
                venue_id=session.venue_id,
                lawyer_id=session.lawyer_id,
                starts_at=start,
                ends_at=start + step,
            )
        )
        start += step
    return slots


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def _check_range(start: date, end: date) -> None:
    if end < start:
        raise LegalError({"end": _("The last date cannot be before the first.")})
    if (end - start).days >= MAX_GENERATE_DAYS:
        raise LegalError(
            {"end": _("Generate at most %(days)d days at a time.") % {"days": MAX_GENERATE_DAYS}}
        )


def _on_days(days: list[date]) -> Q:
    condition = Q(pk__in=[])
    for day in days:
        day_start, day_end = day_bounds(day)
        condition |= Q(starts_at__gte=day_start, starts_at__lt=day_end)
    return condition


@transaction.atomic
def legal_slots_generate(
    *, start: date, end: date, venue: LegalVenue | None = None, by, request=None
) -> Generated:
    """Create the slots of every active session (of one venue, or all) from start to end.

    Idempotent: a slot that exists is not made again. Days that are not working days get no
    slots, and free slots already made on a day that has since become a day off are withdrawn.
    """
    _check_range(start, end)
    sessions = LegalSession.objects.filter(is_active=True, venue__is_active=True)
    if venue is not None:
        sessions = sessions.filter(venue=venue)
    sessions = list(sessions)
    wanted, days_off = [], []
    for day in _days(start, end):
        running = [session for session in sessions if _runs_on(session, day)]
        if running and not is_working_day(day):
            days_off.append(day)
        elif running:
            wanted.extend(slot for session in running for slot in _slots_of(session, day))
    first, _ = day_bounds(start)
    _, last = day_bounds(end)
    existing = set(
        LegalSlot.objects.filter(
            session__in=sessions, starts_at__gte=first, starts_at__lt=last
        ).values_list("session_id", "starts_at")
    )
    new = [slot for slot in wanted if (slot.session_id, slot.starts_at) not in existing]
    # ignore_conflicts: a generation running at the same time may have made some of them.
    LegalSlot.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    withdrawn, booked = _withdraw_days_off(start, end, venue)
    result = Generated(len(new), days_off, withdrawn, booked)
    audit_record(
        actor=by,
        action=AuditEntry.Action.CREATE,
        changes={
            "legal_slots_generate": {
                "venue": venue.code if venue else None,
                "start": start.isoformat(),
                "end": end.isoformat(),
                "created": result.created,
                "withdrawn": withdrawn,
            }
        },
        request=request,
    )
    return result


def _withdraw_days_off(start: date, end: date, venue: LegalVenue | None) -> tuple[int, int]:
    off = [day for day in _days(start, end) if not is_working_day(day)]
    if not off:
        return 0, 0
    slots = LegalSlot.objects.filter(_on_days(off), is_withdrawn=False)
    if venue is not None:
        slots = slots.filter(venue=venue)
    withdrawn = _free(slots).update(
        is_withdrawn=True, withdrawn_reason=str(_("Not a working day."))
    )
    return withdrawn, slots.filter(is_withdrawn=False).count()


# --- bookings -------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Citizen:
    """Who books and why. Name and phone are required: the venue calls if the session moves."""

    name: str
    phone: str
    topic: str
    has_consented: bool
    email: str = ""
    summary: str = ""
    needs: str = ""


def _check_citizen(citizen: Citizen) -> None:
    errors = {}
    if not citizen.name.strip():
        errors["citizen_name"] = _("Enter the citizen's name.")
    phone = unicodedata.normalize("NFKC", citizen.phone).strip()
    if not _PHONE.fullmatch(phone) or sum(ch.isdigit() for ch in phone) < 6:
        errors["citizen_phone"] = _("Enter a phone number we can call, for example 07-3368333.")
    if citizen.topic not in ConsultationTopic.values:
        errors["topic"] = _("Choose the topic from the list.")
    if not citizen.has_consented:
        errors["has_consented"] = _(
            "The booking needs consent to the personal-data notice: we use the name and phone "
            "only to arrange this consultation."
        )
    if errors:
        raise LegalError(errors)


def _check_bookable(slot: LegalSlot, now: datetime) -> None:
    if slot.is_withdrawn:
        raise LegalError(_("This slot is no longer offered: choose another time."), code="gone")
    if slot.ends_at <= now:
        raise LegalError(_("This slot is over: choose a later time."), code="past")
    if not is_working_day(timezone.localdate(slot.starts_at)):
        raise LegalError(_("The venue is closed that day: choose another day."), code="day_off")


def _digits(phone: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", phone) if ch.isdigit())


def _check_one_online_booking(phone: str, now: datetime) -> None:
    """Online, one consultation to come per phone number: nobody can hold every slot of a
    venue from a browser. The counter and the phone line may book more after talking."""
    wanted = _digits(phone)
    upcoming = LegalBooking.objects.filter(
        status=BookingStatus.BOOKED, slot__starts_at__gt=now
    ).values_list("citizen_phone", flat=True)
    if any(_digits(other) == wanted for other in upcoming):
        raise LegalError(
            {
                "citizen_phone": _(
                    "This phone number already has a consultation booked. To change it, call "
                    "the venue or 1999."
                )
            }
        )


def _new_reference() -> str:
    return "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(_REFERENCE_LENGTH))


@transaction.atomic
def legal_booking_create(
    *, slot: LegalSlot, citizen: Citizen, channel: str, by=None, request=None
) -> LegalBooking:
    """Book a slot for a citizen: staff at the counter or on the phone (`by`), or the citizen
    online (`by` None, channel web). A slot someone holds is refused, also under a race."""
    if channel not in BookingChannel.values or (channel == BookingChannel.WEB) != (by is None):
        raise ValueError("Staff book at the counter or by phone; only citizens book online.")
    _check_citizen(citizen)
    now = timezone.now()
    if channel == BookingChannel.WEB:
        _check_one_online_booking(citizen.phone, now)
    # The row lock makes a second booking of the slot wait here, then find it taken.
    locked = LegalSlot.objects.select_for_update().get(pk=slot.pk)
    _check_bookable(locked, now)
    if live_bookings().filter(slot=locked).exists():
        raise LegalError(TAKEN, code="taken")
    booking = LegalBooking(
        reference=_new_reference(),
        slot=locked,
        channel=channel,
        citizen_name=citizen.name.strip(),
        citizen_phone=unicodedata.normalize("NFKC", citizen.phone).strip(),
        citizen_email=citizen.email.strip(),
        topic=citizen.topic,
        summary=citizen.summary.strip(),
        needs=citizen.needs.strip(),
        has_consented=True,
        booked_by=by,
        booked_at=now,
    )
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError:
        # The unique constraint: another booking won the race the lock could not see (SQLite).
        raise LegalError(TAKEN, code="taken") from None
    if by is not None:
        audit_record(
            actor=by,
            action=AuditEntry.Action.CREATE,
            obj=booking,
            changes=audit_changes(
                None, booking, fields=["slot", "status", "channel", "topic", "reference"]
            ),
            request=request,
        )
    return booking


def _lock_booking(booking: LegalBooking) -> LegalBooking:
    return LegalBooking.objects.select_for_update().select_related("slot").get(pk=booking.pk)


def _transition(booking: LegalBooking, old: str, by, request, **extra) -> None:
    audit_record(
        actor=by,
        action=AuditEntry.Action.TRANSITION,
        obj=booking,
        changes={"status": [old, booking.status], **extra},
        request=request,
    )


@transaction.atomic
def legal_booking_cancel(*, booking: LegalBooking, reason: str, by, request=None) -> LegalBooking:
    """Cancel a booking that is still to come; its slot is free again at once."""
    booking = _lock_booking(booking)
    if booking.status != BookingStatus.BOOKED:
        raise LegalError(_("Only a booking still to come can be cancelled."), code="status")
    reason = reason.strip()
    if not reason:
        raise LegalError({"reason": _("Say why the booking is cancelled.")})
    old = booking.status
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = timezone.now()
    booking.cancel_reason = reason[:200]
    booking.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
    _transition(booking, old, by, request, cancel_reason=[None, booking.cancel_reason])
    return booking


# The citizen's own link to cancel: the booking number, signed, so it cannot be guessed from
# another booking's number. It works until the consultation starts.
_CANCEL_SALT = "service_center.legal.cancel"


def citizen_cancel_token(booking: LegalBooking) -> str:
    return signing.Signer(salt=_CANCEL_SALT).sign(booking.reference)


def booking_from_cancel_token(token: str) -> LegalBooking | None:
    """The booking a citizen's cancellation link names (nothing personal read), or None."""
    try:
        reference = signing.Signer(salt=_CANCEL_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return (
        LegalBooking.objects.select_related("slot", "slot__venue")
        .defer(*PERSONAL_FIELDS, "summary", "needs")
        .filter(reference=reference)
        .first()
    )


def legal_booking_cancel_online(*, booking: LegalBooking, request=None) -> LegalBooking:
    """The citizen cancels with the link from the booking page, until the consultation starts;
    the slot is free again at once."""
    if booking.status == BookingStatus.CANCELLED:
        raise LegalError(_("This booking is already cancelled."), code="cancelled")
    if booking.slot.starts_at <= timezone.now():
        raise LegalError(
            _("The consultation time has come: it can no longer be cancelled online. Call 1999."),
            code="started",
        )
    # Staff read the reason in the portal's own language.
    with translation.override(settings.LANGUAGE_CODE):
        reason = str(_("Cancelled online by the citizen."))
    return legal_booking_cancel(booking=booking, reason=reason, by=None, request=request)


@transaction.atomic
def legal_booking_no_show(*, booking: LegalBooking, by, request=None) -> LegalBooking:
    """The citizen did not come. Only once the slot has begun."""
    booking = _lock_booking(booking)
    if booking.status != BookingStatus.BOOKED:
        raise LegalError(_("Only a booking still to come can be marked as missed."), code="status")
    if booking.slot.starts_at > timezone.now():
        raise LegalError(_("The consultation has not started yet."), code="early")
    old = booking.status
    booking.status = BookingStatus.NO_SHOW
    booking.save(update_fields=["status", "updated_at"])
    _transition(booking, old, by, request)
    return booking


def _check_topic(topic: str) -> None:
    if topic not in ConsultationTopic.values:
        raise LegalError({"topic": _("Choose the topic from the list.")})


@transaction.atomic
def legal_consultation_record(
    *, booking: LegalBooking, topic: str, note: str, by, request=None
) -> LegalConsultation:
    """Record what the consultation was about; the booking becomes "consulted". A citizen first
    marked as missed who came late can still be recorded."""
    _check_topic(topic)
    booking = _lock_booking(booking)
    if booking.status not in (BookingStatus.BOOKED, BookingStatus.NO_SHOW):
        raise LegalError(_("This booking is cancelled or already recorded."), code="status")
    held_on = timezone.localdate(booking.slot.starts_at)
    if held_on > timezone.localdate():
        raise LegalError(_("The consultation has not taken place yet."), code="early")
    consultation = LegalConsultation.objects.create(
        booking=booking,
        venue_id=booking.slot.venue_id,
        lawyer_id=booking.slot.lawyer_id,
        held_on=held_on,
        topic=topic,
        note=note.strip()[:1000],
        recorded_by=by,
    )
    old = booking.status
    booking.status = BookingStatus.ATTENDED
    booking.save(update_fields=["status", "updated_at"])
    _transition(booking, old, by, request)
    audit_record(
        actor=by,
        action=AuditEntry.Action.CREATE,
        obj=consultation,
        changes=audit_changes(None, consultation, fields=["topic", "held_on", "venue", "lawyer"]),
        request=request,
    )
    return consultation


@transaction.atomic
def legal_consultation_update(
    *, consultation: LegalConsultation, topic: str, note: str, by, request=None
) -> LegalConsultation:
    """Correct a record's topic or note."""
    _check_topic(topic)
    consultation = LegalConsultation.objects.select_for_update().get(pk=consultation.pk)
    before = audit_snapshot(consultation, ["topic", "note"])
    consultation.topic = topic
    consultation.note = note.strip()[:1000]
    consultation.save(update_fields=["topic", "note", "updated_at"])
    audit_record(
        actor=by,
        action=AuditEntry.Action.UPDATE,
        obj=consultation,
        changes=audit_changes(before, consultation, ["topic", "note"]),
        request=request,
    )
    return consultation


# The citizen's name, phone, email, question and needs serve the consultation and a call back
# after it; this long after the slot they are removed. The booking number, topic, status and the
# consultation record stay for the monthly counts.
CONTACT_DAYS = 180


def bookings_forget_contacts(*, now: datetime | None = None) -> int:
    """Remove the contact details of every booking whose slot started more than CONTACT_DAYS
    ago (run daily, tasks.py). Idempotent; returns how many bookings it cleared."""
    now = now or timezone.now()
    return LegalBooking.objects.filter(
        slot__starts_at__lt=now - timedelta(days=CONTACT_DAYS), contact_removed_at__isnull=True
    ).update(
        citizen_name="",
        citizen_phone="",
        citizen_email="",
        summary="",
        needs="",
        contact_removed_at=now,
        updated_at=now,
    )


# --- reference data -------------------------------------------------------------------------------


@transaction.atomic
def legal_venues_load(*, path: Path = VENUES_CSV) -> int:
    """Create or update the venues in the reference file. Idempotent; returns the count.

    Needs the agencies loaded first. A venue missing from the file is left as it is: its
    bookings point at it, so it is switched off in the admin, not deleted.
    """
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    agencies = {a.code: a for a in Agency.objects.filter(code__in={r["agency_code"] for r in rows})}
    missing = sorted({r["agency_code"] for r in rows} - set(agencies))
    if missing:
        raise ValueError(f"Load the agencies first; missing: {', '.join(missing)}.")
    for row in rows:
        LegalVenue.objects.update_or_create(
            code=row["code"],
            defaults={
                "name_zh": row["name_zh"],
                "name_en": row["name_en"],
                "address": row["address"],
                "agency": agencies[row["agency_code"]],
                "sort_order": int(row["sort_order"]),
            },
        )
    return len(rows)
