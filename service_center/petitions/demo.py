"""Demo data: a year of past petitions, so the monthly dashboard has figures and series.

The petitions the services file today (demo.py) fill the work queue; these fill the months
before it. They are bulk-inserted, with every timestamp set as the services would have set it:
due times from the working-day calendar (services.due_after), working_days_to_close at the
reply, the public history (PetitionEvent), the workflow Deadline, approved extensions and
survey answers. Audit rows and emails are left out: nobody did these things.

Shares, roughly: nine in ten answered on time, one in ten late, a few extended or reopened
once, a third of the answered ones with a survey, and a few recent ones still open and overdue.
Idempotent: the rows are marked by their idempotency key, and a second run adds nothing.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from rdec_portal.dates import to_roc
from rdec_portal.performance.months import add_months, current_month, month_bounds
from rdec_portal.workflow.calendar import working_days_between
from rdec_portal.workflow.models import Deadline
from service_center.petitions.lifecycle import AUTO_CLOSE_NOTE
from service_center.petitions.models import (
    Petition,
    PetitionEvent,
    PetitionNumberSequence,
    PetitionRequest,
    Status,
    SurveyAnswer,
)
from service_center.petitions.services import (
    DISPATCH_KIND,
    REOPEN_WINDOW,
    REPLY_KIND,
    SURVEY_WINDOW,
    due_after,
)

HISTORY_MONTHS = 12
HISTORY_PER_MONTH = 100
HISTORY_KEY = "demo-history-"
LATE_SHARE = 0.1
EXTENSION_SHARE = 0.05
REOPEN_SHARE = 0.04
SURVEY_SHARE = 0.35
# Of the cases received in the last two months, this share is still open and past due.
STUCK_SHARE = 0.03
REPLY_TEXT = "您好，本案已派員至現場查看並完成改善，感謝您的來信。"
SECOND_REPLY_TEXT = "您好，本案已再次派員複查並改善完成，造成不便敬請見諒。"
REOPEN_TEXT = "現場問題仍未改善，請再派員查看。"
EXTENSION_TEXT = "本案需會同相關單位現場會勘，申請展延處理期限。"


@dataclass
class _Rows:
    """What one run inserts; events, requests, surveys and deadlines wait for petition ids."""

    petitions: list = field(default_factory=list)
    events: list = field(default_factory=list)  # (petition index, PetitionEvent)
    requests: list = field(default_factory=list)
    surveys: list = field(default_factory=list)
    deadlines: list = field(default_factory=list)  # (petition index, Deadline)


def history_present() -> bool:
    return Petition.objects.filter(idempotency_key__startswith=HISTORY_KEY).exists()


@transaction.atomic
def seed_history(
    *, desk, staff_by_agency, categories, districts, channels, subjects, supervisors=None
) -> int:
    """Insert the past year's petitions unless they exist. Returns how many it inserted."""
    if history_present():
        return 0
    rng = random.Random(2025)
    now = timezone.now()
    start, _end = month_bounds(add_months(current_month(), -HISTORY_MONTHS))
    today_start = datetime.combine(timezone.localdate(now), time.min, tzinfo=start.tzinfo)
    rows = _Rows()
    days = (today_start - start).days
    total = HISTORY_PER_MONTH * days // 30
    numbers = _Numbers()
    for n in range(total):
        code, subject, description = subjects[n % len(subjects)]
        category = categories[code]
        received = _received(rng, start, days)
        petition = Petition(
            number=numbers.next(timezone.localdate(received)),
            secret_hash="0" * 64,
            idempotency_key=f"{HISTORY_KEY}{n:05d}",
            channel=rng.choice(channels),
            category=category,
            district=rng.choice(districts) if districts else None,
            subject=subject,
            description=description,
            address=f"高雄市{rng.choice(['三民區', '苓雅區', '鳳山區'])}中正路 {rng.randint(1, 300)} 號",
            petitioner_name=rng.choice(["陳小華", "林美玲", "王大明", "黃志強"]),
            petitioner_phone=f"09{rng.randint(10000000, 99999999)}",
            has_consented=True,
            received_at=received,
            confirmed_at=received,
            due_at=due_after(category, received),
            created_by=desk,
        )
        _Story(
            rows, len(rows.petitions), petition, rng, now, desk, staff_by_agency, supervisors or {}
        ).tell()
    _insert(rows)
    numbers.save()
    return total


def _received(rng, start: datetime, days: int) -> datetime:
    day = start + timedelta(days=rng.randrange(days))
    return day + timedelta(hours=rng.randint(8, 19), minutes=rng.randint(0, 59))


class _Numbers:
    """Case numbers per day, continuing any counter a day already has."""

    def __init__(self):
        self.last: dict = {}
        self.existing = dict(PetitionNumberSequence.objects.values_list("day", "last"))

    def next(self, day) -> str:
        self.last[day] = self.last.get(day, self.existing.get(day, 0)) + 1
        year, month, dom = to_roc(day)
        return f"{year:03d}{month:02d}{dom:02d}-{self.last[day]:04d}"

    def save(self) -> None:
        for day, last in self.last.items():
            if day in self.existing:
                PetitionNumberSequence.objects.filter(day=day).update(last=last)
        PetitionNumberSequence.objects.bulk_create(
            [
                PetitionNumberSequence(day=d, last=n)
                for d, n in self.last.items()
                if d not in self.existing
            ]
        )


class _Story:
    """One petition's life up to now: assigned, taken on, perhaps extended, replied, reopened."""

    def __init__(self, rows, index, petition, rng, now, desk, staff_by_agency, supervisors):
        self.rows, self.index, self.p, self.rng, self.now = rows, index, petition, rng, now
        self.desk = desk
        self.agency = petition.category.agency
        self.handler = staff_by_agency.get(self.agency.pk)
        # Extensions are approved by the agency's supervisor, as the case page requires.
        self.supervisor = supervisors.get(self.agency.pk) or self.handler
        self.kind = DISPATCH_KIND if petition.category.is_dispatch else REPLY_KIND

    def tell(self) -> None:
        p = self.p
        self.rows.petitions.append(p)
        self._event(PetitionEvent.Kind.SUBMITTED, p.received_at, by=self.desk, public=True)
        p.lead_agency, p.status = self.agency, Status.ASSIGNED
        p.assigned_at = p.received_at + timedelta(minutes=self.rng.randint(20, 180))
        self._event(
            PetitionEvent.Kind.ASSIGNED,
            p.assigned_at,
            by=self.desk,
            public=True,
            agency=self.agency,
        )
        if self.handler is None:
            self._deadline(p.due_at, None)
            return
        accepted = p.assigned_at + timedelta(minutes=self.rng.randint(10, 240))
        if accepted >= self.now:
            self._deadline(p.due_at, None)
            return
        p.assignee, p.status = self.handler, Status.IN_PROGRESS
        self._event(PetitionEvent.Kind.ACCEPTED, accepted, by=self.handler, text=str(self.handler))
        # The reply comes after the handler took the case on, and after any extension.
        earliest = accepted
        if self.rng.random() < EXTENSION_SHARE and not p.category.is_dispatch:
            earliest = self._extend(accepted)
        recent = p.received_at > self.now - timedelta(days=60)
        if recent and self.rng.random() < STUCK_SHARE:
            self._deadline(p.due_at, None)
            return
        if self._reply(p.received_at, earliest, REPLY_TEXT):
            self._after_reply()

    def _extend(self, accepted: datetime) -> datetime:
        """An approved extension, if its decision is already past; returns when it was decided."""
        p = self.p
        asked = accepted + timedelta(hours=self.rng.randint(2, 30))
        decided = asked + timedelta(hours=self.rng.randint(1, 20))
        if decided >= self.now or decided >= p.due_at:
            return accepted
        new_due = p.due_at + timedelta(days=10)
        self.rows.requests.append(
            (
                self.index,
                PetitionRequest(
                    kind=PetitionRequest.Kind.EXTENSION,
                    state=PetitionRequest.State.APPROVED,
                    reason=EXTENSION_TEXT,
                    proposed_due_at=new_due,
                    requested_by=self.handler,
                    requested_at=asked,
                    decided_by=self.supervisor,
                    decided_at=decided,
                ),
            )
        )
        self._event(
            PetitionEvent.Kind.EXTENSION_REQUESTED, asked, by=self.handler, text=EXTENSION_TEXT
        )
        p.due_at = new_due
        self._event(
            PetitionEvent.Kind.EXTENSION_APPROVED,
            decided,
            by=self.handler,
            public=True,
            text=EXTENSION_TEXT,
        )
        return decided

    def _reply(self, clock_start: datetime, earliest: datetime, text: str) -> bool:
        """Reply on time or late; False (the case stays open) when that moment is still ahead."""
        p = self.p
        if self.rng.random() < LATE_SHARE:
            replied = p.due_at + timedelta(hours=self.rng.randint(2, 120))
        else:
            replied = earliest + (p.due_at - earliest) * self.rng.uniform(0.2, 0.95)
        if replied >= self.now:
            self._deadline(p.due_at, None)
            return False
        p.status, p.reply, p.replied_at = Status.REPLIED, text, replied
        p.working_days_to_close = _working_days(clock_start, replied)
        self._deadline(p.due_at, replied)
        self._event(
            PetitionEvent.Kind.REPLIED,
            replied,
            by=self.handler,
            public=True,
            agency=self.agency,
            text=text,
        )
        return True

    def _after_reply(self) -> None:
        p = self.p
        if self.rng.random() < SURVEY_SHARE:
            answered = p.replied_at + timedelta(days=self.rng.randint(1, 10))
            if answered < self.now and answered <= p.replied_at + SURVEY_WINDOW:
                self._survey(answered)
        if self.rng.random() < REOPEN_SHARE:
            reopened = p.replied_at + timedelta(days=self.rng.randint(2, 10))
            if reopened < self.now:
                self._reopen(reopened)
                return
        closes = p.replied_at + REOPEN_WINDOW
        if closes < self.now:
            p.status, p.closed_at = Status.CLOSED, closes
            self._event(PetitionEvent.Kind.CLOSED, closes, public=True, text=str(AUTO_CLOSE_NOTE))

    def _reopen(self, reopened: datetime) -> None:
        p = self.p
        p.status, p.reopen_count, p.reopened_at = Status.IN_PROGRESS, 1, reopened
        p.due_at = due_after(p.category, reopened)
        self._event(PetitionEvent.Kind.REOPENED, reopened, public=True, text=REOPEN_TEXT)
        if self._reply(reopened, reopened, SECOND_REPLY_TEXT):
            closes = p.replied_at + REOPEN_WINDOW
            if closes < self.now:
                p.status, p.closed_at = Status.CLOSED, closes
                self._event(
                    PetitionEvent.Kind.CLOSED, closes, public=True, text=str(AUTO_CLOSE_NOTE)
                )

    def _survey(self, answered: datetime) -> None:
        outcome = self.rng.choices([1, 2, 3, 4, 5], weights=[1, 2, 4, 8, 6])[0]
        service = min(5, outcome + self.rng.choice([0, 0, 1]))
        self.rows.surveys.append(
            (self.index, SurveyAnswer(outcome=outcome, service=service, answered_at=answered))
        )

    def _deadline(self, due_at: datetime, met_at: datetime | None) -> None:
        p = self.p
        self.rows.deadlines.append(
            (
                self.index,
                Deadline(
                    kind=self.kind,
                    due_at=due_at,
                    responsible_agency=self.agency,
                    assignee=p.assignee,
                    state=Deadline.State.MET if met_at else Deadline.State.OPEN,
                    closed_at=met_at,
                ),
            )
        )

    def _event(self, kind, when, *, by=None, public=False, agency=None, text="") -> None:
        event = PetitionEvent(
            kind=kind, created_at=when, actor=by, is_public=public, agency=agency, text=text
        )
        self.rows.events.append((self.index, event))


def _working_days(start: datetime, end: datetime) -> int:
    return working_days_between(timezone.localdate(start), timezone.localdate(end))


def _insert(rows: _Rows) -> None:
    petitions = Petition.objects.bulk_create(rows.petitions, batch_size=500)
    content_type = ContentType.objects.get_for_model(Petition)
    for index, event in rows.events:
        event.petition_id = petitions[index].pk
    for index, request in rows.requests:
        request.petition_id = petitions[index].pk
    for index, survey in rows.surveys:
        survey.petition_id = petitions[index].pk
    for index, deadline in rows.deadlines:
        deadline.content_type, deadline.object_id = content_type, str(petitions[index].pk)
    PetitionEvent.objects.bulk_create([e for _i, e in rows.events], batch_size=1000)
    PetitionRequest.objects.bulk_create([r for _i, r in rows.requests], batch_size=1000)
    SurveyAnswer.objects.bulk_create([s for _i, s in rows.surveys], batch_size=1000)
    Deadline.objects.bulk_create([d for _i, d in rows.deadlines], batch_size=1000)
