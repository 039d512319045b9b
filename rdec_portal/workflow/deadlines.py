"""Deadlines on any object, and the reminders that go out as they approach and pass.

Business apps open, meet, cancel and reassign deadlines through the services here; the kinds and
their reminder steps are declared in each app's reminders.py (see reminders_registry). The
periodic task `workflow.send_due_reminders` calls `reminders_send_due()`.

Exactly once: every (deadline, step) reminder inserts a ReminderSent row, unique on
(deadline, step), in the same transaction as its notifications and email outbox rows. Whoever
loses the race for that row (a second beat, a retried task) rolls back and sends nothing.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, prefetch_related_objects
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rdec_portal.accounts import roles
from rdec_portal.accounts.models import Agency, User
from rdec_portal.workflow.calendar import (
    add_working_days,
    day_end,
    is_working_day,
    working_days_between,
)
from rdec_portal.workflow.models import Deadline, ReminderSent
from rdec_portal.workflow.notifications import notify
from rdec_portal.workflow.reminders_registry import (
    DeadlineKind,
    Step,
    deadline_kinds,
    get_deadline_kind,
)

logger = logging.getLogger(__name__)

# Reminders go out from this local hour, the start of the office day, not at midnight.
REMINDER_HOUR = 8
# Open deadlines read per query by the sweep.
SWEEP_BATCH_SIZE = 500


class DeadlineError(ValidationError):
    """A deadline operation that cannot be done, with a message a person can act on."""


# --- services ---------------------------------------------------------------------------------


@transaction.atomic
def deadline_open(
    *, obj, kind: str, due_at: datetime, agency: Agency, assignee: User | None = None
) -> Deadline:
    """Give obj a deadline of this kind, replacing (cancelling) any open one of the same kind.

    The kind's on-assignment reminder, if it has one, is sent at once.
    """
    kind_def = _kind_or_error(kind)
    if not isinstance(due_at, datetime) or timezone.is_naive(due_at):
        raise DeadlineError(_("The due time must be an aware date and time."))
    if obj.pk is None:
        raise DeadlineError(_("Save the object before giving it a deadline."))
    _check_assignee(assignee, agency)
    now = timezone.now()
    content_type = ContentType.objects.get_for_model(obj)
    Deadline.objects.filter(
        content_type=content_type, object_id=str(obj.pk), kind=kind, state=Deadline.State.OPEN
    ).update(state=Deadline.State.CANCELLED, closed_at=now, updated_at=now)
    deadline = Deadline.objects.create(
        content_type=content_type,
        object_id=str(obj.pk),
        kind=kind,
        due_at=due_at,
        responsible_agency=agency,
        assignee=assignee,
    )
    _send_assignment(deadline, kind_def, obj, now)
    return deadline


@transaction.atomic
def deadline_meet(*, deadline: Deadline, when: datetime | None = None) -> Deadline:
    """Record that the deadline was met (at `when`, default now); its reminders stop."""
    return _close(deadline, Deadline.State.MET, when)


@transaction.atomic
def deadline_cancel(*, deadline: Deadline, when: datetime | None = None) -> Deadline:
    """Withdraw a deadline that no longer applies (the case was merged, withdrawn, ...)."""
    return _close(deadline, Deadline.State.CANCELLED, when)


@transaction.atomic
def deadline_reassign(
    *, deadline: Deadline, assignee: User | None, agency: Agency | None = None
) -> Deadline:
    """Give an open deadline to another person and/or agency (a transfer).

    With assignee=None the agency's staff as a whole are responsible. The new assignee gets the
    kind's on-assignment reminder.
    """
    locked = Deadline.objects.select_for_update().get(pk=deadline.pk)
    if locked.state != Deadline.State.OPEN:
        raise DeadlineError(_("Only an open deadline can be reassigned."))
    agency = agency or locked.responsible_agency
    _check_assignee(assignee, agency)
    changed = (
        locked.assignee_id != (assignee.pk if assignee else None)
        or locked.responsible_agency_id != agency.pk
    )
    locked.assignee = assignee
    locked.responsible_agency = agency
    locked.save(update_fields=["assignee", "responsible_agency", "updated_at"])
    kind_def = get_deadline_kind(locked.kind)
    if changed and kind_def is not None:
        _send_assignment(locked, kind_def, locked.target, timezone.now())
    deadline.refresh_from_db()
    return deadline


def _kind_or_error(kind: str) -> DeadlineKind:
    kind_def = get_deadline_kind(kind)
    if kind_def is None:
        raise DeadlineError(_("Unknown deadline kind %(kind)s.") % {"kind": kind})
    return kind_def


def _check_assignee(assignee: User | None, agency: Agency) -> None:
    if assignee is not None and assignee.agency_id != agency.pk:
        raise DeadlineError(_("The assignee must belong to the responsible agency."))


def _close(deadline: Deadline, state: str, when: datetime | None) -> Deadline:
    now = timezone.now()
    updated = Deadline.objects.filter(pk=deadline.pk, state=Deadline.State.OPEN).update(
        state=state, closed_at=when or now, updated_at=now
    )
    deadline.refresh_from_db()
    if not updated:
        raise DeadlineError(
            _("This deadline is already closed (%(state)s).")
            % {"state": deadline.get_state_display()}
        )
    return deadline


# --- selectors --------------------------------------------------------------------------------


def deadlines_for(user) -> QuerySet[Deadline]:
    """The deadlines a user may see: their agency's, plus every agency's of their RDEC lines."""
    base = Deadline.objects.select_related("responsible_agency", "assignee", "content_type")
    scoped = roles.scope_to_agency(base, user, field="responsible_agency")
    line_kinds = Q()
    for line, role in roles.LINE_ROLE.items():
        if role in roles.role_names(user):
            line_kinds |= Q(kind__startswith=f"{line.value}.")
    if line_kinds and roles.is_staff_user(user):
        scoped = scoped | base.filter(line_kinds)
    return scoped.order_by("due_at", "pk")


def open_deadline(obj, kind: str) -> Deadline | None:
    """obj's open deadline of this kind, if any (what a business service meets or reassigns)."""
    return Deadline.objects.filter(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        kind=kind,
        state=Deadline.State.OPEN,
    ).first()


# --- reminders --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Due:
    """One reminder that is due now: the deadline, its kind, the step and the step's key."""

    deadline: Deadline
    kind: DeadlineKind
    step: Step
    key: str


def reminders_send_due(*, now: datetime | None = None) -> int:
    """Send every reminder step that is due now and not yet sent. Returns how many were sent.

    Safe to run twice at once or again after a crash: each (deadline, step) goes out once.
    """
    now = timezone.localtime(now or timezone.now(), timezone.get_default_timezone())
    kinds = deadline_kinds()
    query = _candidates_filter(kinds, now)
    if query is None:
        return 0
    sent = 0
    last_pk = 0
    while True:
        batch = list(
            Deadline.objects.filter(query, state=Deadline.State.OPEN, pk__gt=last_pk)
            .select_related("assignee", "responsible_agency")
            .order_by("pk")[:SWEEP_BATCH_SIZE]
        )
        if batch:
            sent += _send_batch(batch, kinds, now)
        if len(batch) < SWEEP_BATCH_SIZE:
            return sent
        last_pk = batch[-1].pk


def _candidates_filter(kinds: dict[str, DeadlineKind], now: datetime) -> Q | None:
    """Open deadlines that may have a step due: soon due, or overdue without today's reminder."""
    today = now.date()
    upcoming = [n for n, k in kinds.items() if k.step(Step.DUE) or k.before_steps]
    overdue = [n for n, k in kinds.items() if _overdue_step_open(k, now)]
    query = None
    if upcoming:
        furthest = max((s.working_days for k in kinds.values() for s in k.before_steps), default=0)
        horizon = day_end(add_working_days(today, furthest))
        query = Q(kind__in=upcoming, due_at__gt=now, due_at__lte=horizon)
    if overdue:
        # Overdue deadlines pile up over the years: let the database drop those already done today.
        done_today = ReminderSent.objects.filter(deadline=OuterRef("pk"), step=_overdue_key(today))
        late = Q(kind__in=overdue, due_at__lte=now) & ~Exists(done_today)
        query = late if query is None else query | late
    return query


def _overdue_step_open(kind: DeadlineKind, now: datetime) -> Step | None:
    """The kind's overdue step if it may go out now (office hours of a working day, by default)."""
    step = kind.step(Step.OVERDUE)
    if step is None or not step.working_days_only:
        return step
    return step if now.hour >= REMINDER_HOUR and is_working_day(now.date()) else None


def _overdue_key(day) -> str:
    return f"{Step.OVERDUE}:{day.isoformat()}"


def _due_step(kind: DeadlineKind, deadline: Deadline, now: datetime) -> tuple[Step, str] | None:
    """The step of this deadline due now, with its key; None if nothing is due."""
    today = now.date()
    due_date = timezone.localtime(deadline.due_at, now.tzinfo).date()
    office_hours = now.hour >= REMINDER_HOUR
    if deadline.due_at <= now:
        step = _overdue_step_open(kind, now)
        return (step, _overdue_key(today)) if step else None
    if today == due_date:
        step = kind.step(Step.DUE)
        return (step, Step.DUE) if step and office_hours else None
    # The step closest to the due day whose day has come; earlier ones it supersedes are skipped.
    for step in kind.before_steps:
        opens = add_working_days(due_date, -step.working_days)
        if opens < today or (opens == today and office_hours):
            return step, f"{Step.BEFORE}:{step.working_days}"
    return None


def _send_batch(batch: list[Deadline], kinds: dict[str, DeadlineKind], now: datetime) -> int:
    todo = []
    for deadline in batch:
        kind = kinds.get(deadline.kind)
        found = _due_step(kind, deadline, now) if kind else None
        if found:
            todo.append(_Due(deadline, kind, *found))
    if not todo:
        return 0
    already = set(
        ReminderSent.objects.filter(
            deadline__in=[d.deadline for d in todo], step__in={d.key for d in todo}
        ).values_list("deadline_id", "step")
    )
    todo = [d for d in todo if (d.deadline.pk, d.key) not in already]
    if not todo:
        return 0
    # Only the objects about to be named in a message: one query per content type.
    prefetch_related_objects([d.deadline for d in todo], "target")
    people = _People.load(todo)
    return sum(_send_step(due, due.deadline.target, people, now) for due in todo)


class _People:
    """The staff, supervisors and escalation roles a batch of reminders needs, in two queries."""

    def __init__(self):
        self.by_agency: dict[tuple[int, str], list[User]] = {}
        self.by_role: dict[str, list[User]] = {}

    @classmethod
    def load(cls, todo: list[_Due]) -> "_People":
        people = cls()
        agency_ids = {d.deadline.responsible_agency_id for d in todo}
        agency_roles = [roles.AGENCY_STAFF, roles.AGENCY_SUPERVISOR]
        for user in _users_with_roles(agency_roles).filter(agency_id__in=agency_ids):
            people.by_agency.setdefault((user.agency_id, user.role), []).append(user)
        extra = {r for d in todo if d.step.escalate for r in d.kind.escalate_to_roles}
        if extra:
            for user in _users_with_roles(extra):
                people.by_role.setdefault(user.role, []).append(user)
        return people

    def staff(self, agency_id: int) -> list[User]:
        return self.by_agency.get((agency_id, roles.AGENCY_STAFF), [])

    def escalation(self, agency_id: int, kind: DeadlineKind) -> list[User]:
        users = list(self.by_agency.get((agency_id, roles.AGENCY_SUPERVISOR), []))
        for role in kind.escalate_to_roles:
            users.extend(self.by_role.get(role, []))
        return users


def _users_with_roles(names) -> QuerySet[User]:
    return (
        User.objects.filter(is_active=True, groups__name__in=list(names))
        .annotate(role=F("groups__name"))
        .order_by("pk")
    )


def _unique(users: list[User], exclude: set[int] = frozenset()) -> list[User]:
    seen = set(exclude)
    result = []
    for user in users:
        if user.pk not in seen:
            seen.add(user.pk)
            result.append(user)
    return result


def _send_step(due: _Due, obj, people: _People, now: datetime) -> bool:
    """Send one reminder step once. False if another run already sent it."""
    deadline = due.deadline
    assignee = deadline.assignee if deadline.assignee and deadline.assignee.is_active else None
    primary = _unique([assignee] if assignee else people.staff(deadline.responsible_agency_id))
    escalated = []
    if due.step.escalate:
        escalated = _unique(
            people.escalation(deadline.responsible_agency_id, due.kind),
            exclude={u.pk for u in primary},
        )
    try:
        _deliver(due, obj, primary, escalated, now)
    except IntegrityError:
        logger.info("reminder %s:%s already sent by another run", deadline.pk, due.key)
        return False
    return True


@transaction.atomic
def _deliver(due: _Due, obj, primary: list[User], escalated: list[User], now: datetime) -> None:
    """The ReminderSent row, the notifications and the emails: all committed, or none."""
    deadline = due.deadline
    ReminderSent.objects.create(
        deadline=deadline,
        step=due.key,
        sent_at=now,
        recipients=[u.pk for u in primary + escalated],
    )
    if not primary and not escalated:
        logger.warning("reminder %s:%s has nobody to go to", deadline.pk, due.key)
    url = due.kind.object_url(obj)
    for users, is_escalation in ((primary, False), (escalated, True)):
        if not users:
            continue
        title, body = _message(due, obj, now, is_escalation)
        for user in users:
            notify(
                recipient=user,
                title=title,
                body=body,
                url=url,
                key=f"deadline:{deadline.pk}:{due.key}",
                email=True,
            )
    if escalated and deadline.escalated_at is None:
        Deadline.objects.filter(pk=deadline.pk, escalated_at__isnull=True).update(escalated_at=now)


def _send_assignment(deadline: Deadline, kind: DeadlineKind, obj, now: datetime) -> None:
    step = kind.step(Step.ASSIGNED)
    if step is None:
        return
    who = deadline.assignee_id or "agency"
    due = _Due(deadline, kind, step, f"{Step.ASSIGNED}:{who}")
    if ReminderSent.objects.filter(deadline=deadline, step=due.key).exists():
        return
    people = _People.load([due])
    _send_step(due, obj, people, timezone.localtime(now, timezone.get_default_timezone()))


def _message(due: _Due, obj, now: datetime, is_escalation: bool) -> tuple[str, str]:
    """Title (in the portal's language) and a bilingual body for one reminder."""
    deadline = due.deadline
    due_local = timezone.localtime(deadline.due_at, now.tzinfo)
    today = now.date()
    context = {
        "step": due.step.when,
        "label": due.kind.label,
        "object": str(obj) if obj is not None else f"#{deadline.object_id}",
        "agency": deadline.responsible_agency,
        "due": f"{due_local:%Y-%m-%d %H:%M}",
        "days_left": working_days_between(today, due_local.date()),
        "days_late": working_days_between(due_local.date(), today),
        "is_escalation": is_escalation,
        "languages": [settings.LANGUAGE_CODE, "en"],
    }
    with translation.override(settings.LANGUAGE_CODE):
        title = _title(due.step.when) % {
            "label": due.kind.label,
            "object": context["object"],
            "due": f"{due_local:%Y-%m-%d}",
        }
    body = render_to_string("workflow/email/reminder.txt", context)
    return title, body.strip()


def _title(when: str) -> str:
    return {
        Step.ASSIGNED: _("New deadline: %(label)s, %(object)s"),
        Step.BEFORE: _("Due %(due)s: %(label)s, %(object)s"),
        Step.DUE: _("Due today: %(label)s, %(object)s"),
        Step.OVERDUE: _("Overdue: %(label)s, %(object)s"),
    }[when]
