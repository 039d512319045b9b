"""Every write to a petition. Views, the API, admin actions and tasks all call these.

Each workflow step locks the row, checks the current status (a PetitionError with a message a
person can act on otherwise), writes a PetitionEvent, audits staff actions and keeps the
workflow Deadline in step. Emails to the citizen go through the outbox under a unique key.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from rdec_portal.accounts.models import Agency
from rdec_portal.dates import format_roc_long, to_roc
from rdec_portal.db import insert_returning_pk
from rdec_portal.workflow.audit import audit_entry, audit_record
from rdec_portal.workflow.calendar import (
    add_calendar_hours,
    working_days_between,
    working_days_deadline,
)
from rdec_portal.workflow.deadlines import (
    deadline_cancel,
    deadline_meet,
    deadline_open,
    deadline_reassign,
    open_deadline,
)
from rdec_portal.workflow.models import AuditEntry
from service_center.nearby.emails import followers_notify
from service_center.petitions import fast_paths, permissions, selectors
from service_center.petitions.emails import citizen_email, email_citizen
from service_center.petitions.files import check_uploads
from service_center.petitions.models import (
    AGENCY_STATUSES,
    DESCRIPTION_MAX_LENGTH,
    FINAL_STATUSES,
    KAOHSIUNG_BBOX,
    OPEN_STATUSES,
    Attachment,
    Category,
    Channel,
    NotHandledReason,
    Petition,
    PetitionEvent,
    PetitionNumberSequence,
    PetitionRequest,
    Status,
    SurveyAnswer,
)
from service_center.petitions.questions import clean_answers
from service_center.petitions.tokens import CONFIRM_MAX_AGE, confirmation_signer

REOPEN_WINDOW = timedelta(days=14)
SURVEY_WINDOW = timedelta(days=30)
_SECRET_SALT = "service_center.petition.secret"  # noqa: S105 - an HMAC salt, not a password
# No 0/O, 1/I/L: the secret is read out on the phone and typed from a letter.
_SECRET_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # noqa: S105
SECRET_LENGTH = 10
REPLY_KIND = "service_center.reply"
DISPATCH_KIND = "service_center.dispatch"


class PetitionError(ValidationError):
    """A petition step that cannot be done now, with a message a person can act on."""


@dataclass(frozen=True)
class PetitionDraft:
    """A petition as written, from any channel, before the rules are checked: what
    petition_submit() files. The public and staff forms (`form.draft()`), the API's record
    endpoint and Open311's intake each build one; the service checks and cleans every field."""

    category: Category | None
    subject: str
    description: str
    address: str = ""
    latitude: Decimal | float | str | None = None
    longitude: Decimal | float | str | None = None
    answers: dict | None = None  # the category's extra questions, by code
    name: str = ""
    email: str = ""
    phone: str = ""
    postal_address: str = ""
    has_consented: bool = False
    is_confidential: bool = False
    channel: str = Channel.WEB
    district: Agency | None = None
    files: tuple = ()  # uploaded files, checked by the service
    idempotency_key: str | None = None  # the same key twice gives the first petition
    language: str = "zh-hant"  # the citizen's, for the emails
    media_url: str = ""  # Open311's media_url (links, one a line)


@dataclass
class Submitted:
    petition: Petition
    # Shown once, on screen and by email; only its hash is stored. None for a repeated form.
    secret: str | None
    created: bool


# --- secrets and numbers ----------------------------------------------------------------------


def _hash_secret(secret: str, key: str | None = None) -> str:
    normalised = "".join(secret.split()).upper()
    return salted_hmac(_SECRET_SALT, normalised, secret=key, algorithm="sha256").hexdigest()


def secret_matches(petition: Petition, secret: str) -> bool:
    # A rotated SECRET_KEY (with the old one in the fallbacks) must not lock citizens out.
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(constant_time_compare(petition.secret_hash, _hash_secret(secret, k)) for k in keys)


def _new_secret() -> str:
    # One random number written in the alphabet's base: as uniform as a choice per character,
    # without a call to the system's random source for each one.
    base = len(_SECRET_ALPHABET)
    value, chars = secrets.randbelow(base**SECRET_LENGTH), []
    for _position in range(SECRET_LENGTH):
        value, digit = divmod(value, base)
        chars.append(_SECRET_ALPHABET[digit])
    return "".join(chars)


def _next_number(day) -> str:
    """ROC date and the day's running number, e.g. 1151126-0001. The counter row's lock
    serialises concurrent submissions; a gap after a rolled-back submission is harmless."""
    # One statement whether or not the day's row exists yet (PostgreSQL and SQLite alike).
    table = connection.ops.quote_name(PetitionNumberSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, last) VALUES (%s, 1) "  # noqa: S608 - the model's own table name
            f"ON CONFLICT (day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [connection.ops.adapt_datefield_value(day)],
        )
        (last,) = cursor.fetchone()
    return f"{_number_prefix(day)}{last:04d}"


def _number_prefix(day) -> str:
    year, month, dom = to_roc(day)
    return f"{year:03d}{month:02d}{dom:02d}-"


# --- deadlines --------------------------------------------------------------------------------


def due_after(category: Category, start: datetime) -> datetime:
    """The due moment: calendar hours for dispatch hazards, else working days."""
    if category.limit_hours:
        return add_calendar_hours(start, category.limit_hours)
    return working_days_deadline(start, category.limit_working_days)


def _deadline_kind(petition: Petition) -> str:
    return DISPATCH_KIND if petition.category.is_dispatch else REPLY_KIND


def _deadline_open(petition: Petition) -> None:
    deadline_open(
        obj=petition,
        kind=_deadline_kind(petition),
        due_at=petition.due_at,
        agency=petition.lead_agency,
        # Reminders go to the handler only while they belong to the leading agency (a service
        # centre user may have answered on its behalf); otherwise to the agency's staff.
        assignee=petition.assignee
        if petition.assignee is not None and petition.assignee.agency_id == petition.lead_agency_id
        else None,
    )


def _deadline_close(petition: Petition, *, met: bool, when: datetime) -> None:
    deadline = open_deadline(petition, _deadline_kind(petition))
    if deadline is not None:
        (deadline_meet if met else deadline_cancel)(deadline=deadline, when=when)


def format_due(petition: Petition) -> str:
    return format_roc_long(timezone.localdate(petition.due_at)) if petition.due_at else ""


def _working_days_taken(petition: Petition, now: datetime) -> int:
    """Working days from when the citizen's request entered handling (confirmation; for a
    reopened case, the reopening) to now. A transfer does not restart it: the citizen waited."""
    start = petition.reopened_at or petition.confirmed_at or petition.received_at
    return working_days_between(timezone.localdate(start), timezone.localdate(now))


# --- helpers ----------------------------------------------------------------------------------


def _lock(petition: Petition, allowed, message) -> Petition:
    locked = (
        Petition.objects.select_for_update(of=("self",))
        .select_related("category", "lead_agency", "assignee")
        .get(pk=petition.pk)
    )
    if locked.status not in allowed:
        raise PetitionError(
            message, code="bad_status", params={"status": locked.get_status_display()}
        )
    return locked


def _submitted_event(petition, *, by, when) -> PetitionEvent:
    return _new_event(petition, PetitionEvent.Kind.SUBMITTED, by=by, public=True, when=when)


def _new_event(petition, kind, *, by=None, public=False, text="", agency=None, when=None):
    return PetitionEvent(
        petition=petition,
        kind=kind,
        is_public=public,
        actor=by if by is not None and by.is_authenticated else None,
        agency=agency,
        text=text,
        created_at=when or timezone.now(),
    )


def _event(petition, kind, *, by=None, public=False, text="", agency=None, when=None):
    event = _new_event(petition, kind, by=by, public=public, text=text, agency=agency, when=when)
    event.save()
    return event


def _audit(by, petition, changes: dict, request=None) -> None:
    audit_record(
        actor=by,
        action=AuditEntry.Action.TRANSITION,
        obj=petition,
        changes=changes,
        request=request,
    )


def _required_text(text: str, message) -> str:
    text = (text or "").strip()
    if not text:
        raise PetitionError(message, code="required")
    return text


# --- submission -------------------------------------------------------------------------------


def _check_point(latitude, longitude) -> tuple[Decimal | None, Decimal | None]:
    if latitude is None and longitude is None:
        return None, None
    if latitude is None or longitude is None:
        raise PetitionError({"latitude": _("Give both latitude and longitude, or neither.")})
    lat, lon = (
        Decimal(latitude).quantize(Decimal("0.000001")),
        Decimal(longitude).quantize(Decimal("0.000001")),
    )
    box = KAOHSIUNG_BBOX
    if not (box["lat_min"] <= lat <= box["lat_max"] and box["lon_min"] <= lon <= box["lon_max"]):
        raise PetitionError(
            {
                "latitude": _(
                    "This point is outside Kaohsiung. Check the coordinates or leave them out."
                )
            }
        )
    return lat, lon


def _check_content(*, category, subject, description, answers, contact, has_consented) -> dict:
    errors = {}
    if category is None or not category.is_active:
        errors["category"] = [_("Choose a category.")]
    if not (subject or "").strip():
        errors["subject"] = [_("Give the petition a subject.")]
    if not (description or "").strip():
        errors["description"] = [_("Describe the matter.")]
    elif len(description) > DESCRIPTION_MAX_LENGTH:
        errors["description"] = [
            _("The description is %(length)d characters long; the limit is 4,000.")
            % {"length": len(description)}
        ]
    if any(contact) and not has_consented:
        errors["has_consented"] = [
            _("Agree to the personal-data notice, or leave your details out.")
        ]
    cleaned = {}
    if category is not None:
        try:
            cleaned = clean_answers(category.questions, answers or {})
        except ValidationError as exc:
            errors.update({f"q_{code}": msgs for code, msgs in exc.message_dict.items()})
    if errors:
        raise PetitionError(errors)
    return cleaned


def petition_submit(
    draft: PetitionDraft | None = None, *, by=None, request=None, **fields
) -> Submitted:
    """File a petition from any channel: `draft` is what the citizen (or the service centre for
    them) wrote, `by` the staff member who recorded it (None from a citizen) and `request` the
    request for the audit row.

    From the public form (by=None) a petition with an email waits for the citizen to confirm it
    by the emailed link; one without an email has nothing to confirm and goes to the service
    centre at once, flagged if it has no real name or contact. Entered by staff, it is confirmed
    at once and keeps its channel. The same idempotency key twice gives the first petition.

    Tests and scripts may pass the draft's fields as keywords instead of a draft.
    """
    if draft is None:
        draft = PetitionDraft(**fields)
    elif fields:
        raise TypeError("Pass a PetitionDraft or its fields, not both.")
    contact = [
        draft.name.strip(),
        draft.email.strip(),
        draft.phone.strip(),
        draft.postal_address.strip(),
    ]
    cleaned_answers = _check_content(
        category=draft.category,
        subject=draft.subject,
        description=draft.description,
        answers=draft.answers,
        contact=contact,
        has_consented=draft.has_consented,
    )
    lat, lon = _check_point(draft.latitude, draft.longitude)
    try:
        checked_files = check_uploads(list(draft.files))
    except ValidationError as exc:
        raise PetitionError({"files": exc.messages}) from exc
    now = timezone.now()
    secret = _new_secret()
    needs_confirmation = by is None and bool(contact[1])
    petition = Petition(
        number="",
        secret_hash=_hash_secret(secret),
        idempotency_key=draft.idempotency_key or None,
        channel=draft.channel,
        status=Status.RECEIVED if needs_confirmation else Status.VERIFIED,
        category=draft.category,
        district=draft.district,
        subject=draft.subject.strip()[:200],
        description=draft.description.strip(),
        address=draft.address.strip()[:300],
        latitude=lat,
        longitude=lon,
        answers=cleaned_answers,
        media_url=draft.media_url,
        language=draft.language,
        petitioner_name=contact[0][:100],
        petitioner_email=contact[1],
        petitioner_phone=contact[2][:30],
        petitioner_address=contact[3][:300],
        has_consented=draft.has_consented,
        is_confidential=draft.is_confidential,
        is_anonymous=not contact[0] or not any(contact[1:]),
        received_at=now,
        confirmed_at=None if needs_confirmation else now,
        due_at=None if needs_confirmation else due_after(draft.category, now),
        created_by=by if by is not None and by.is_authenticated else None,
    )
    # The citizen's email: the case number and the secret, and the link to confirm if needed.
    email = ("confirmation" if needs_confirmation else "number", {"secret": secret})
    if fast_paths.can_insert_at_once(files=checked_files):
        first = _insert_at_once(petition, now, email, by=by, request=request)
    else:
        first = _insert_in_steps(petition, now, email, files=checked_files, by=by, request=request)
    if not first:
        return Submitted(Petition.objects.get(idempotency_key=draft.idempotency_key), None, False)
    return Submitted(petition, secret, True)


def _email_key(pk, template: str) -> str:
    return f"petition:{pk}:{template}"


def _insert_in_steps(petition, now, email, *, files, by, request) -> bool:
    """Number, petition, files, history, audit and email in one transaction. False if the
    idempotency key was taken: the same form sent twice finds it taken at the INSERT (ON
    CONFLICT DO NOTHING, no savepoint) and rolls back its number."""
    with transaction.atomic():
        petition.number = _next_number(timezone.localdate(now))
        key_field = "idempotency_key" if petition.idempotency_key else None
        if insert_returning_pk(petition, unless_exists=key_field) is None:
            transaction.set_rollback(True)
            return False
        for checked in files:
            attachment = Attachment(
                petition=petition,
                original_name=checked.name,
                content_type=checked.content_type,
                size=checked.size,
                sha256=checked.sha256,
                uploaded_by=petition.created_by,
            )
            attachment.file.save(checked.name, checked.content, save=False)
            attachment.save()
        _submitted_event(petition, by=by, when=now).save()
        if by is not None:
            audit_record(actor=by, action=AuditEntry.Action.CREATE, obj=petition, request=request)
        template, context = email
        email_citizen(
            petition=petition,
            template=template,
            key=_email_key(petition.pk, template),
            context=context,
        )
    return True


def _insert_at_once(petition, now, email, *, by, request) -> bool:
    """What _insert_in_steps writes, in one statement (fast_paths.py says why)."""
    template, context = email
    # The email's key and payload name the petition: filled in from the new id.
    message = citizen_email(
        petition=petition, template=template, key=_email_key("{pk}", template), context=context
    )
    audit = None
    if by is not None:
        audit = audit_entry(
            actor=by, action=AuditEntry.Action.CREATE, obj=petition, request=request
        )
    day = timezone.localdate(now)
    return fast_paths.insert_at_once(
        petition,
        day=day,
        number_prefix=_number_prefix(day),
        event=_submitted_event(petition, by=by, when=now),
        audit=audit,
        message=message,
    )


def petition_from_token(token: str) -> int:
    """The petition id a confirmation link names, or a PetitionError saying what is wrong."""
    signer = confirmation_signer()
    try:
        return int(signer.unsign(token, max_age=CONFIRM_MAX_AGE))
    except signing.SignatureExpired as exc:
        raise PetitionError(
            _(
                "This confirmation link has expired: links are valid for 3 days. "
                "Please file the petition again."
            ),
            code="expired",
        ) from exc
    except (signing.BadSignature, ValueError) as exc:
        raise PetitionError(
            _("This confirmation link is not valid. Copy the whole link from the email."),
            code="invalid",
        ) from exc


@transaction.atomic
def petition_confirm(*, token: str) -> Petition:
    """The citizen's click on the emailed link. A second click changes nothing."""
    pk = petition_from_token(token)
    petition = (
        Petition.objects.select_for_update(of=("self",))
        .select_related("category")
        .filter(pk=pk)
        .first()
    )
    if petition is None:
        raise PetitionError(_("This petition no longer exists."), code="invalid")
    # The link is signed when the email is sent, which may be later than the petition (a broker
    # outage): its life still counts from when the petition was sent.
    if petition.status == Status.EXPIRED or (
        petition.status == Status.RECEIVED
        and timezone.now() > petition.received_at + CONFIRM_MAX_AGE
    ):
        raise PetitionError(
            _(
                "This confirmation link has expired: links are valid for 3 days. "
                "Please file the petition again."
            ),
            code="expired",
        )
    if petition.status != Status.RECEIVED:
        return petition
    now = timezone.now()
    petition.status = Status.VERIFIED
    petition.confirmed_at = now
    # The clock starts when the petition can be processed: at confirmation.
    petition.due_at = due_after(petition.category, now)
    petition.save(update_fields=["status", "confirmed_at", "due_at", "updated_at"])
    _event(petition, PetitionEvent.Kind.CONFIRMED, public=True, when=now)
    return petition


# --- triage (service centre) ------------------------------------------------------------------


@transaction.atomic
def petition_assign(
    *, petition: Petition, agency, by, supporting=(), note: str = "", request=None
) -> Petition:
    """The service centre gives a confirmed case its lead agency (and supporting agencies)."""
    petition = _lock(
        petition,
        [Status.VERIFIED],
        _(
            "Only a confirmed case waiting for assignment can be assigned; this one is “%(status)s”."
        ),
    )
    now = timezone.now()
    petition.lead_agency = agency
    petition.status = Status.ASSIGNED
    petition.assigned_at = now
    petition.assignee = None
    petition.save(update_fields=["lead_agency", "status", "assigned_at", "assignee", "updated_at"])
    petition.supporting_agencies.set([a for a in supporting if a.pk != agency.pk])
    _event(
        petition,
        PetitionEvent.Kind.ASSIGNED,
        by=by,
        public=True,
        agency=agency,
        text=note,
        when=now,
    )
    _audit(
        by,
        petition,
        {"status": ["verified", "assigned"], "lead_agency": [None, agency.code]},
        request,
    )
    _deadline_open(petition)
    return petition


@transaction.atomic
def petition_accept(*, petition: Petition, by, assignee=None, request=None) -> Petition:
    """A handler (or their supervisor, for bulk assignment) takes the case on."""
    petition = _lock(
        petition,
        AGENCY_STATUSES,
        _("Only an assigned case can be taken on; this one is “%(status)s”."),
    )
    handler = assignee or by
    if handler.agency_id != petition.lead_agency_id:
        raise PetitionError(_("The handler must belong to the lead agency."), code="wrong_agency")
    before = (petition.status, petition.assignee_id)
    petition.assignee = handler
    petition.status = Status.IN_PROGRESS
    petition.save(update_fields=["assignee", "status", "updated_at"])
    _event(petition, PetitionEvent.Kind.ACCEPTED, by=by, text=str(handler))
    _audit(
        by,
        petition,
        {"status": [before[0], "in_progress"], "assignee": [before[1], handler.pk]},
        request,
    )
    deadline = open_deadline(petition, _deadline_kind(petition))
    if deadline is not None:
        deadline_reassign(deadline=deadline, assignee=handler)
    return petition


@dataclass(frozen=True)
class BulkAssignError:
    id: int
    petition: Petition | None  # None: no such case in the user's agency's queue
    detail: str


@dataclass(frozen=True)
class BulkAssignResult:
    assigned: list[Petition]
    errors: list[BulkAssignError]


def petitions_bulk_assign(*, petitions, by, assignee, request=None) -> BulkAssignResult:
    """Give cases of the user's agency to one of its handlers (a supervisor spreading the
    work): the work queue's bulk form and the API's bulk-assign. `petitions` are ids, from
    any source: only the cases the agency leads in the user's queue are given, each by
    petition_accept() in its own transaction, so a case that cannot be given does not stop
    the others. Refused (PermissionDenied) to who may not assign in bulk."""
    agency_id = permissions.bulk_assign_agency_id(by)
    if agency_id is None:
        raise PermissionDenied(_("Only staff of an agency assign its cases."))
    ids = list(dict.fromkeys(petitions))
    found = {p.pk: p for p in selectors.queue_base(by).filter(pk__in=ids, lead_agency_id=agency_id)}
    assigned, errors = [], []
    for pk in ids:
        petition = found.get(pk)
        if petition is None:
            detail = _("No case with this id is in your agency's queue.")
            errors.append(BulkAssignError(pk, None, str(detail)))
            continue
        try:
            petition_accept(petition=petition, by=by, assignee=assignee, request=request)
        except PetitionError as exc:
            errors.append(BulkAssignError(pk, petition, exc.messages[0]))
        else:
            assigned.append(petition)
    return BulkAssignResult(assigned, errors)


@transaction.atomic
def petition_transfer(*, petition: Petition, agency, by, reason: str, request=None) -> Petition:
    """Move a case to the competent agency and tell the petitioner (art. 172).

    The receiving agency gets its full handling limit from now; a pending transfer request
    is approved by this.
    """
    petition = _lock(
        petition,
        AGENCY_STATUSES,
        _("Only a case with an agency can be transferred; this one is “%(status)s”."),
    )
    reason = _required_text(reason, _("Say why the case moves to another agency."))
    if agency.pk == petition.lead_agency_id:
        raise PetitionError(_("The case is already with this agency."), code="same_agency")
    now = timezone.now()
    old = petition.lead_agency
    petition.lead_agency = agency
    petition.assignee = None
    petition.status = Status.ASSIGNED
    petition.assigned_at = now
    petition.due_at = due_after(petition.category, now)
    petition.save(
        update_fields=["lead_agency", "assignee", "status", "assigned_at", "due_at", "updated_at"]
    )
    petition.requests.filter(
        kind=PetitionRequest.Kind.TRANSFER, state=PetitionRequest.State.PENDING
    ).update(state=PetitionRequest.State.APPROVED, decided_by=by, decided_at=now)
    _event(
        petition,
        PetitionEvent.Kind.TRANSFERRED,
        by=by,
        public=True,
        agency=agency,
        text=reason,
        when=now,
    )
    _audit(by, petition, {"lead_agency": [old.code if old else None, agency.code]}, request)
    _deadline_open(petition)
    count = petition.events.filter(kind=PetitionEvent.Kind.TRANSFERRED).count()
    email_citizen(
        petition=petition,
        template="transfer",
        key=f"petition:{petition.pk}:transfer:{count}",
        context={"due_text": format_due(petition), "agency_id": petition.lead_agency_id},
    )
    return petition


@transaction.atomic
def petition_mark_not_handled(
    *, petition: Petition, reason: str, by, note: str = "", request=None
) -> Petition:
    """Register the case as not handled for one of the legal reasons of art. 173."""
    if reason not in NotHandledReason.values:
        raise PetitionError({"reason": _("Choose one of the legal reasons.")})
    petition = _lock(
        petition,
        OPEN_STATUSES,
        _("Only an open case can be marked “not handled”; this one is “%(status)s”."),
    )
    now = timezone.now()
    old = petition.status
    petition.status = Status.NOT_HANDLED
    petition.not_handled_reason = reason
    petition.closed_at = now
    petition.working_days_to_close = _working_days_taken(petition, now)
    petition.save(
        update_fields=[
            "status",
            "not_handled_reason",
            "closed_at",
            "working_days_to_close",
            "updated_at",
        ]
    )
    _event(
        petition,
        PetitionEvent.Kind.NOT_HANDLED,
        by=by,
        public=True,
        text=f"{petition.get_not_handled_reason_display()}\n{note}".strip(),
        when=now,
    )
    _audit(
        by, petition, {"status": [old, "not_handled"], "not_handled_reason": ["", reason]}, request
    )
    _deadline_close(petition, met=True, when=now)
    email_citizen(
        petition=petition,
        template="not_handled",
        key=f"petition:{petition.pk}:not_handled",
        context={"note": note, "reason_code": petition.not_handled_reason},
    )
    followers_notify(petition=petition, event="not_handled")
    return petition


@transaction.atomic
def petition_merge(
    *, petition: Petition, into: Petition, by, note: str = "", request=None
) -> Petition:
    """Merge a duplicate or repeat (併案) into the case that will answer both."""
    if into.pk == petition.pk:
        raise PetitionError(_("A case cannot be merged into itself."), code="self")
    target = Petition.objects.select_for_update().get(pk=into.pk)
    if target.status in FINAL_STATUSES and target.status != Status.CLOSED:
        raise PetitionError(
            _("Case %(number)s is itself merged or not handled; merge into the case that answers."),
            code="bad_target",
            params={"number": target.number},
        )
    petition = _lock(
        petition,
        [Status.RECEIVED, *OPEN_STATUSES],
        _("Only an open case can be merged; this one is “%(status)s”."),
    )
    now = timezone.now()
    old = petition.status
    petition.status = Status.MERGED
    petition.merged_into = target
    petition.closed_at = now
    petition.save(update_fields=["status", "merged_into", "closed_at", "updated_at"])
    _event(petition, PetitionEvent.Kind.MERGED, by=by, public=True, text=target.number, when=now)
    _event(
        target, PetitionEvent.Kind.NOTE, by=by, text=f"{petition.number} {note}".strip(), when=now
    )
    _audit(by, petition, {"status": [old, "merged"], "merged_into": [None, target.number]}, request)
    _deadline_close(petition, met=False, when=now)
    email_citizen(
        petition=petition,
        template="merged",
        key=f"petition:{petition.pk}:merged",
        context={"target": target.number},
    )
    followers_notify(petition=petition, event="merged")
    return petition


# --- the handling agency ----------------------------------------------------------------------


@transaction.atomic
def petition_add_note(*, petition: Petition, by, text: str, request=None) -> PetitionEvent:
    """An internal note: never shown to the citizen."""
    text = _required_text(text, _("Write the note."))
    event = _event(petition, PetitionEvent.Kind.NOTE, by=by, text=text)
    audit_record(
        actor=by,
        action=AuditEntry.Action.UPDATE,
        obj=petition,
        changes={"note": [None, event.pk]},
        request=request,
    )
    return event


@transaction.atomic
def petition_reply(*, petition: Petition, by, text: str, request=None) -> Petition:
    """The agency's answer to the citizen; it meets the deadline."""
    petition = _lock(
        petition,
        AGENCY_STATUSES,
        _("Only a case with an agency can be replied to; this one is “%(status)s”."),
    )
    text = _required_text(text, _("Write the reply to the citizen."))
    now = timezone.now()
    old = petition.status
    petition.status = Status.REPLIED
    petition.reply = text
    petition.replied_at = now
    petition.assignee = petition.assignee or by
    # The reply stops the clock: the monthly "working days to close" reads this.
    petition.working_days_to_close = _working_days_taken(petition, now)
    petition.save(
        update_fields=[
            "status",
            "reply",
            "replied_at",
            "assignee",
            "working_days_to_close",
            "updated_at",
        ]
    )
    _event(
        petition,
        PetitionEvent.Kind.REPLIED,
        by=by,
        public=True,
        agency=petition.lead_agency,
        text=text,
        when=now,
    )
    _audit(by, petition, {"status": [old, "replied"]}, request)
    _deadline_close(petition, met=True, when=now)
    email_citizen(
        petition=petition,
        template="reply",
        key=f"petition:{petition.pk}:reply:{petition.reopen_count}",
        context={"agency_id": petition.lead_agency_id, "reply": petition.reply},
    )
    followers_notify(petition=petition, event="replied")
    return petition


@transaction.atomic
def petition_close(*, petition: Petition, by, note: str = "", request=None) -> Petition:
    """Close a replied case. `by` None is the system (e.g. the reopen window ran out), and
    `note` says why on the public history."""
    petition = _lock(
        petition,
        [Status.REPLIED],
        _("Only a replied case can be closed; this one is “%(status)s”."),
    )
    now = timezone.now()
    petition.status = Status.CLOSED
    petition.closed_at = now
    petition.save(update_fields=["status", "closed_at", "updated_at"])
    _event(petition, PetitionEvent.Kind.CLOSED, by=by, public=True, text=note.strip(), when=now)
    _audit(by, petition, {"status": ["replied", "closed"]}, request)
    followers_notify(petition=petition, event="closed")
    return petition


@transaction.atomic
def petition_reopen(*, petition: Petition, reason: str) -> Petition:
    """The citizen asks, once and within 14 days of the reply, for the case to be looked at again."""
    petition = _lock(
        petition,
        [Status.REPLIED, Status.CLOSED],
        _("Only a replied case can be reopened; this one is “%(status)s”."),
    )
    reason = _required_text(reason, _("Say why the reply does not settle the matter."))
    now = timezone.now()
    if petition.reopen_count >= 1:
        raise PetitionError(_("This case has already been reopened once."), code="reopened_before")
    if petition.replied_at is None or now > petition.replied_at + REOPEN_WINDOW:
        raise PetitionError(
            _(
                "A case can be reopened only within 14 days of the reply. Please file a new petition."
            ),
            code="too_late",
        )
    old = petition.status
    petition.status = Status.IN_PROGRESS if petition.assignee_id else Status.ASSIGNED
    petition.reopen_count = F("reopen_count") + 1
    petition.reopened_at = now
    petition.closed_at = None
    petition.due_at = due_after(petition.category, now)
    petition.save(
        update_fields=["status", "reopen_count", "reopened_at", "closed_at", "due_at", "updated_at"]
    )
    petition.refresh_from_db(fields=["reopen_count"])
    _event(petition, PetitionEvent.Kind.REOPENED, public=True, text=reason[:2000], when=now)
    audit_record(
        actor=None,
        action=AuditEntry.Action.TRANSITION,
        obj=petition,
        changes={"status": [old, petition.status]},
    )
    _deadline_open(petition)
    return petition


@transaction.atomic
def petition_extension_request(
    *, petition: Petition, by, reason: str, new_due_at: datetime, request=None
) -> PetitionRequest:
    petition = _lock(
        petition, AGENCY_STATUSES, _("Only an open case can be extended; this one is “%(status)s”.")
    )
    reason = _required_text(
        reason, _("Give the reason for the extension: the petitioner is told it.")
    )
    if petition.due_at and new_due_at <= petition.due_at:
        raise PetitionError({"new_due_at": _("The new date must be after the current due date.")})
    if petition.requests.filter(
        kind=PetitionRequest.Kind.EXTENSION, state=PetitionRequest.State.PENDING
    ).exists():
        raise PetitionError(
            _("An extension request is already waiting for a supervisor."), code="pending"
        )
    req = PetitionRequest.objects.create(
        petition=petition,
        kind=PetitionRequest.Kind.EXTENSION,
        reason=reason,
        proposed_due_at=new_due_at,
        requested_by=by,
    )
    _event(petition, PetitionEvent.Kind.EXTENSION_REQUESTED, by=by, text=reason)
    _audit(by, petition, {"extension_requested": [None, new_due_at.isoformat()]}, request)
    return req


def _lock_pending(req: PetitionRequest, kind: str) -> PetitionRequest:
    locked = PetitionRequest.objects.select_for_update().get(pk=req.pk)
    if locked.kind != kind or locked.state != PetitionRequest.State.PENDING:
        raise PetitionError(_("This request has already been decided."), code="decided")
    return locked


@transaction.atomic
def petition_extension_decide(
    *, extension: PetitionRequest, by, approve: bool, note: str = "", request=None
) -> PetitionRequest:
    """A supervisor approves (the petitioner is told the new date) or declines an extension."""
    extension = _lock_pending(extension, PetitionRequest.Kind.EXTENSION)
    petition = _lock(
        extension.petition, AGENCY_STATUSES, _("The case is no longer open (“%(status)s”).")
    )
    now = timezone.now()
    extension.state = PetitionRequest.State.APPROVED if approve else PetitionRequest.State.REJECTED
    extension.decided_by, extension.decided_at, extension.decision_note = by, now, note
    extension.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    if not approve:
        _event(petition, PetitionEvent.Kind.EXTENSION_REJECTED, by=by, text=note)
        _audit(by, petition, {"extension": ["pending", "rejected"]}, request)
        return extension
    old_due = petition.due_at
    petition.due_at = extension.proposed_due_at
    petition.save(update_fields=["due_at", "updated_at"])
    text = f"{format_due(petition)}\n{extension.reason}"
    _event(petition, PetitionEvent.Kind.EXTENSION_APPROVED, by=by, public=True, text=text, when=now)
    _audit(
        by,
        petition,
        {"due_at": [old_due.isoformat() if old_due else None, petition.due_at.isoformat()]},
        request,
    )
    _deadline_open(petition)
    email_citizen(
        petition=petition,
        template="extension",
        key=f"petition:{petition.pk}:extension:{extension.pk}",
        context={"reason": extension.reason, "due_text": format_due(petition)},
    )
    return extension


@transaction.atomic
def petition_transfer_request(
    *, petition: Petition, by, reason: str, agency=None, request=None
) -> PetitionRequest:
    """The handling agency says the case belongs elsewhere; the service centre decides."""
    petition = _lock(
        petition,
        AGENCY_STATUSES,
        _("Only an open case can be transferred; this one is “%(status)s”."),
    )
    reason = _required_text(reason, _("Say why the case belongs to another agency."))
    if petition.requests.filter(
        kind=PetitionRequest.Kind.TRANSFER, state=PetitionRequest.State.PENDING
    ).exists():
        raise PetitionError(
            _("A transfer request is already waiting for the service centre."), code="pending"
        )
    req = PetitionRequest.objects.create(
        petition=petition,
        kind=PetitionRequest.Kind.TRANSFER,
        reason=reason,
        proposed_agency=agency,
        requested_by=by,
    )
    _event(petition, PetitionEvent.Kind.TRANSFER_REQUESTED, by=by, agency=agency, text=reason)
    _audit(by, petition, {"transfer_requested": [None, agency.code if agency else None]}, request)
    return req


@transaction.atomic
def petition_transfer_reject(
    *, transfer: PetitionRequest, by, note: str = "", request=None
) -> PetitionRequest:
    transfer = _lock_pending(transfer, PetitionRequest.Kind.TRANSFER)
    transfer.state = PetitionRequest.State.REJECTED
    transfer.decided_by, transfer.decided_at, transfer.decision_note = by, timezone.now(), note
    transfer.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    _event(transfer.petition, PetitionEvent.Kind.TRANSFER_REJECTED, by=by, text=note)
    _audit(by, transfer.petition, {"transfer": ["pending", "rejected"]}, request)
    return transfer


@transaction.atomic
def petition_survey_answer(
    *, petition: Petition, outcome: int, service: int, comment: str = ""
) -> SurveyAnswer:
    """The citizen's two answers after the reply: once per case, within 30 days of the reply."""
    petition = _lock(
        petition,
        [Status.REPLIED, Status.CLOSED],
        _("The survey opens once the case is replied to; this one is “%(status)s”."),
    )
    if SurveyAnswer.objects.filter(petition=petition).exists():
        raise PetitionError(_("Thank you: this survey is already answered."), code="answered")
    if petition.replied_at and timezone.now() > petition.replied_at + SURVEY_WINDOW:
        raise PetitionError(_("The survey closed 30 days after the reply."), code="too_late")
    scores = SurveyAnswer.Score.values
    if outcome not in scores or service not in scores:
        raise PetitionError(_("Choose an answer on the five-point scale."), code="bad_score")
    return SurveyAnswer.objects.create(
        petition=petition, outcome=outcome, service=service, comment=(comment or "").strip()[:1000]
    )


@transaction.atomic
def petition_transfer_decide(
    *, transfer: PetitionRequest, by, approve: bool, note: str = "", request=None
) -> PetitionRequest:
    """The service centre approves a transfer request (the case moves to the proposed agency and
    the petitioner is told) or declines it."""
    transfer = _lock_pending(transfer, PetitionRequest.Kind.TRANSFER)
    if not approve:
        return petition_transfer_reject(transfer=transfer, by=by, note=note, request=request)
    if transfer.proposed_agency_id is None:
        raise PetitionError(
            _("The request names no agency: use “Transfer” and choose one."), code="no_agency"
        )
    petition_transfer(
        petition=transfer.petition,
        agency=transfer.proposed_agency,
        by=by,
        reason=transfer.reason,
        request=request,
    )
    transfer.refresh_from_db()
    return transfer
