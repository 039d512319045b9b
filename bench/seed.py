"""Ten years of petitions, as the service centre would have them, written in bulk.

The reference data (agencies, role groups, staff accounts, categories) comes from the portal's
own loaders (`seed_core` at the city scale, `categories_load`). Petitions are generated in the
order they arrive, numbered per day in the ROC calendar, and each goes through the life a real
case has: confirmed, assigned, taken on, replied within (mostly) its working-day or 24-hour
limit, closed; a few are transferred, merged, not handled, reopened or left open and overdue.
Every step it reached leaves the history event the services would have written.

Deadlines use the portal's working-day calendar. Volumes grow about 3 % a year, weekends see
fewer cases, and categories, channels and districts follow fixed weights (below).
"""

import random
import time as time_module
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import islice

from django.db import transaction
from django.utils import timezone

from bench import bulk, corpus
from rdec_portal.accounts import roles
from rdec_portal.accounts.models import Agency, User
from rdec_portal.dates import to_roc
from rdec_portal.seeding import CITY_ACCOUNTS, seed_core
from rdec_portal.workflow.calendar import add_working_days, day_end
from service_center.petitions.catalogue import categories_load
from service_center.petitions.models import (
    Category,
    Channel,
    NotHandledReason,
    Petition,
    PetitionEvent,
    PetitionNumberSequence,
    Status,
)

YEARS = 10
FULL_SCALE = 2_000_000
# Below this, rows go into the live tables; above, indexes are rebuilt after the load.
BULK_THRESHOLD = 100_000
CHUNK = 50_000
ANNUAL_GROWTH = 0.03

# Channel shares: the 1999 hotline carries most cases; the web mailbox and the app follow.
CHANNELS = {
    Channel.PHONE_1999: 46,
    Channel.WEB: 16,
    Channel.APP: 12,
    Channel.MAYOR_MAILBOX: 6,
    Channel.COUNTER: 8,
    Channel.LETTER: 6,
    Channel.FAX: 2,
    Channel.API: 4,
}
STAFF_CHANNELS = {Channel.PHONE_1999, Channel.COUNTER, Channel.LETTER, Channel.FAX}
# Categories not listed weigh 1; the street-level ones dominate every city's 1999 statistics.
CATEGORY_WEIGHTS = {
    "illegal-parking": 14, "noise": 10, "street-light": 9, "pothole": 8, "garbage": 7,
    "road-obstacle": 4, "drain-blocked": 4, "flooding": 3, "traffic-signal": 4,
    "stray-animal": 4, "fallen-tree": 3, "tree-pruning": 3, "air-pollution": 4,
    "illegal-ads": 3, "abandoned-vehicle": 3, "sidewalk": 3, "bus-service": 3,
    "park-facility": 2, "illegal-building": 2, "dengue": 2, "suggestion": 2,
}  # fmt: skip
# District shares roughly follow population (Fengshan and Sanmin are the biggest).
DISTRICT_WEIGHTS = {
    "D-FENGSHAN": 36, "D-SANMIN": 33, "D-ZUOYING": 20, "D-NANZI": 19, "D-QIANZHEN": 18,
    "D-XIAOGANG": 15, "D-LINGYA": 16, "D-GUSHAN": 14, "D-DALIAO": 11, "D-RENWU": 9,
    "D-GANGSHAN": 10, "D-LINYUAN": 7, "D-NIAOSONG": 4, "D-DASHE": 3, "D-XINXING": 5,
    "D-QIANJIN": 3, "D-YANCHENG": 2, "D-QIJIN": 3, "D-LUZHU": 5, "D-DASHU": 4,
}  # fmt: skip


@dataclass(frozen=True)
class Seeded:
    petitions: int
    events: int
    users: int
    now: datetime


def users_for(rows: int) -> int:
    """Staff accounts in proportion: DESIGN.md's 37,000 at two million petitions."""
    return max(1, min(CITY_ACCOUNTS, rows * CITY_ACCOUNTS // FULL_SCALE))


def seed(
    *,
    rows: int,
    fresh: bool = False,
    now: datetime | None = None,
    rng_seed: int = 2026,
    progress=None,
) -> Seeded:
    """Reference data, then `rows` petitions over ten years up to `now`, with their history.

    `fresh` empties the petition tables first (the benchmark database); without it the rows are
    added to whatever is there (the test database). `progress(message)` hears each step."""
    now = now or timezone.now()
    say = _stopwatch(progress)
    _check_event_columns()
    with transaction.atomic():
        seed_core(scale="city", city_accounts=users_for(rows))
        categories_load()
        say("agencies, staff accounts and categories")
        maker = PetitionMaker(rng=random.Random(rng_seed), now=now)
        petitions, events = _load(maker, rows, fresh=fresh, say=say)
        _number_sequences(maker.last_numbers)
    say("committed")
    return Seeded(petitions, events, User.objects.count(), now)


def _stopwatch(progress):
    started = time_module.monotonic()

    def say(message: str) -> None:
        if progress is not None:
            progress(f"  {time_module.monotonic() - started:6.0f} s  {message}")

    return say


def _load(maker: "PetitionMaker", rows: int, *, fresh: bool, say) -> tuple[int, int]:
    support_model = Petition.supporting_agencies.through
    models_ = (Petition, PetitionEvent, support_model)
    if fresh:
        bulk.truncate(Petition, PetitionEvent, PetitionNumberSequence)
    # COPY FREEZE needs the tables emptied in this transaction.
    big = fresh and bulk.is_postgresql() and rows >= BULK_THRESHOLD
    maker.first_id = bulk.next_id(Petition)
    maker.event_id = bulk.next_id(PetitionEvent)
    maker.support_id = bulk.next_id(support_model)
    if big:
        with bulk.without_secondary_indexes(*models_, progress=say):
            petitions, events = _write(maker, rows, freeze=True, say=say)
            say(f"{petitions:,} petitions and {events:,} events copied; rebuilding indexes")
    else:
        petitions, events = _write(maker, rows, freeze=False, say=say)
    bulk.reset_sequences(*models_)
    return petitions, events


def _write(maker: "PetitionMaker", rows: int, *, freeze: bool, say) -> tuple[int, int]:
    """Petitions in chunks, each followed by its events, so the history never piles up."""
    petitions = events = 0
    generated = maker.petitions(rows)
    while chunk := list(islice(generated, CHUNK)):
        petitions += bulk.write_rows(Petition, chunk, freeze=freeze)
        events += bulk.write_rows(PetitionEvent, maker.events, freeze=freeze)
        maker.events.clear()
        if petitions % (10 * CHUNK) == 0:
            say(f"{petitions:,} petitions")
    bulk.write_rows(Petition.supporting_agencies.through, maker.supporting, freeze=freeze)
    return petitions, events


def _number_sequences(last_numbers: dict[date, int]) -> None:
    # Today's counter must continue after the seeded numbers, or a new petition would collide.
    PetitionNumberSequence.objects.bulk_create(
        [PetitionNumberSequence(day=day, last=last) for day, last in last_numbers.items()],
        update_conflicts=True,
        unique_fields=["day"],
        update_fields=["last"],
        batch_size=1000,
    )


class Weighted:
    """A weighted random pick that costs one random() call: a table with each item `weight` times."""

    def __init__(self, items, weights):
        self.table = [
            item for item, weight in zip(items, weights, strict=True) for _ in range(weight)
        ]

    def pick(self, rng: random.Random):
        return self.table[int(rng.random() * len(self.table))]


class PetitionMaker:
    """Generates petition rows in arrival order; collects their events and supporting agencies."""

    def __init__(self, *, rng: random.Random, now: datetime):
        self.rng = rng
        self.now = now
        self.tz = timezone.get_default_timezone()
        self.first_id = self.event_id = self.support_id = 1
        self.events: list[tuple] = []
        self.supporting: list[tuple] = []
        self.last_numbers: dict[date, int] = {}
        self._due_days: dict[tuple[date, int], datetime] = {}
        self._reference()
        self._layout()

    def _reference(self) -> None:
        categories = list(Category.objects.order_by("pk"))
        self.categories = Weighted(
            categories, [CATEGORY_WEIGHTS.get(c.code, 1) for c in categories]
        )
        self.channels = Weighted(list(CHANNELS), list(CHANNELS.values()))
        districts = list(Agency.objects.filter(kind=Agency.Kind.DISTRICT).order_by("pk"))
        self.districts = Weighted(
            [(d.pk, d.short_name or d.name_zh) for d in districts],
            [DISTRICT_WEIGHTS.get(d.code, 1) for d in districts],
        )
        self.bureaus = list(
            Agency.objects.filter(kind=Agency.Kind.BUREAU).values_list("pk", flat=True)
        )
        self.staff: dict[int, list[int]] = {}
        users = User.objects.filter(agency__isnull=False).values_list("pk", "agency_id")
        for pk, agency_id in users:
            self.staff.setdefault(agency_id, []).append(pk)
        desk = User.objects.filter(groups__name=roles.RDEC_SERVICE_CENTER).order_by("pk").first()
        self.desk_id = desk.pk if desk else None

    def _layout(self) -> None:
        # A row starts as every column's default; the generator fills in the columns it knows.
        fields = Petition._meta.concrete_fields
        self._template = [_default(f, self.now) for f in fields]
        self._position = {f.attname: i for i, f in enumerate(fields)}

    # --- arrival ---------------------------------------------------------------------------

    def arrivals(self, rows: int):
        """(received_at, day, running number) for `rows` petitions, oldest first."""
        today = timezone.localdate(self.now)
        days = [today - timedelta(days=n) for n in range(YEARS * 365 + YEARS // 4, -1, -1)]
        weights = [self._day_weight(day, today) for day in days]
        # Today has only run until now.
        midnight = datetime.combine(today, time(0), tzinfo=self.tz)
        weights[-1] *= (self.now - midnight).total_seconds() / 86400
        scale = rows / sum(weights)
        counts = [int(w * scale) for w in weights]
        for index in self.rng.sample(range(len(days)), k=rows - sum(counts)):
            counts[index] += 1
        for day, count in zip(days, counts, strict=True):
            start = datetime.combine(day, time(0), tzinfo=self.tz)
            span = (self.now - start).total_seconds() if day == today else 86400
            for seq, offset in enumerate(sorted(self._seconds(count, span)), start=1):
                yield start + timedelta(seconds=offset), day, seq
            if count:
                self.last_numbers[day] = count

    def _day_weight(self, day: date, today: date) -> float:
        years_back = (today - day).days / 365
        weekday = 0.55 if day.weekday() >= 5 else 1.0
        return (1 + ANNUAL_GROWTH) ** -years_back * weekday * self.rng.uniform(0.8, 1.2)

    def _seconds(self, count: int, span: float) -> list[float]:
        # Office hours (07:00-24:00) carry most cases; the hotline and the app never close.
        rng = self.rng
        if span <= 7 * 3600:
            return [rng.random() * span for _ in range(count)]
        day_part = min(span, 24 * 3600) - 7 * 3600
        return [
            7 * 3600 + rng.random() * day_part if rng.random() < 0.85 else rng.random() * span
            for _ in range(count)
        ]

    # --- one petition ------------------------------------------------------------------------

    def petitions(self, rows: int):
        for offset, (received, day, seq) in enumerate(self.arrivals(rows)):
            yield self.petition(self.first_id + offset, received, day, seq)

    def petition(self, pk: int, received: datetime, day: date, seq: int) -> tuple:
        rng = self.rng
        category = self.categories.pick(rng)
        channel = self.channels.pick(rng)
        district_id, district_name = self.districts.pick(rng) if rng.random() < 0.9 else (None, "")
        year, month, dom = to_roc(day)
        values = {
            "id": pk,
            "number": f"{year:03d}{month:02d}{dom:02d}-{seq:04d}",
            "secret_hash": "0" * 64,
            "channel": channel,
            "category_id": category.pk,
            "district_id": district_id,
            "subject": corpus.subject(rng, category.name_zh),
            "description": corpus.description(rng, category.topic, category.name_zh),
            "address": corpus.address(rng, district_name),
            "has_consented": True,
            "is_confidential": rng.random() < 0.05,
            "received_at": received,
            "created_by_id": self.desk_id if channel in STAFF_CHANNELS else None,
            "created_at": received,
        }
        self._contact(values, channel)
        self._point(values, channel)
        self._life(values, pk, received, category, channel)
        values["updated_at"] = max(values[k] for k in STEPS if values.get(k))
        self._history(pk, values)
        row = self._template.copy()
        position = self._position
        for name, value in values.items():
            if name in position:
                row[position[name]] = value
        return tuple(row)

    def _contact(self, values: dict, channel: str) -> None:
        rng = self.rng
        name = corpus.person(rng) if rng.random() < 0.9 else ""
        email = ""
        if channel == Channel.WEB or rng.random() < 0.15:
            email = f"citizen{int(rng.random() * 10**7)}@example.com"
        phone = f"09{int(rng.random() * 10**8):08d}" if rng.random() < 0.7 else ""
        values["petitioner_name"] = name
        values["petitioner_email"] = email
        values["petitioner_phone"] = phone
        values["is_anonymous"] = not name or not (email or phone)

    def _point(self, values: dict, channel: str) -> None:
        if channel in (Channel.APP, Channel.WEB) and self.rng.random() < 0.5:
            values["latitude"] = f"{22.55 + self.rng.random() * 0.35:.6f}"
            values["longitude"] = f"{120.25 + self.rng.random() * 0.2:.6f}"

    def _due(self, start: datetime, category: Category) -> datetime:
        if category.limit_hours:
            return start + timedelta(hours=category.limit_hours)
        key = (timezone.localdate(start, self.tz), category.limit_working_days)
        if key not in self._due_days:
            self._due_days[key] = day_end(add_working_days(key[0], key[1]))
        return self._due_days[key]

    def _life(self, v: dict, pk: int, received: datetime, category: Category, channel: str):
        """Each step's time, as far as `now`; the status is the last step reached."""
        rng, now = self.rng, self.now
        v["status"] = Status.RECEIVED
        if channel in STAFF_CHANNELS:
            confirmed = received
        elif channel == Channel.WEB and rng.random() < 0.03:
            return  # never confirmed
        else:
            confirmed = received + timedelta(seconds=rng.expovariate(1 / 7200))
        if confirmed > now:
            return
        v.update(status=Status.VERIFIED, confirmed_at=confirmed)
        due = v["due_at"] = self._due(confirmed, category)
        fate = rng.random()
        if fate < 0.01 and pk > self.first_id + 1000:
            v.update(status=Status.MERGED, merged_into_id=pk - 1 - int(rng.random() * 1000))
            return
        assigned = confirmed + timedelta(seconds=720 + rng.random() * 100_000)
        if assigned > now:
            return
        lead = category.agency_id if rng.random() > 0.03 else self._pick(self.bureaus)
        v.update(status=Status.ASSIGNED, assigned_at=assigned, lead_agency_id=lead)
        if fate < 0.03:
            v.update(status=Status.NOT_HANDLED, not_handled_reason=self._pick(NOT_HANDLED))
            return
        accepted = assigned + timedelta(seconds=1800 + rng.random() * 70_000)
        if accepted > now:
            return
        handlers = self.staff.get(lead)
        v.update(status=Status.IN_PROGRESS, accepted_at=accepted)
        v["assignee_id"] = self._pick(handlers) if handlers else None
        # A small backlog is never answered: open and overdue as far back as the data goes.
        replied = assigned + (due - assigned) * (0.15 + rng.random() * 0.93)
        if fate < 0.034 or replied > now:
            return
        v.update(status=Status.REPLIED, replied_at=replied, reply=self._pick(corpus.REPLIES))
        closed = replied + timedelta(seconds=172_800 + rng.random() * 1_555_200)
        if closed > now:
            return
        v.update(status=Status.CLOSED, closed_at=closed)
        if fate > 0.995:
            v.update(reopened_at=replied + timedelta(days=1), reopen_count=1)

    def _pick(self, items):
        return items[int(self.rng.random() * len(items))]

    # --- history -----------------------------------------------------------------------------

    def _history(self, pk: int, v: dict) -> None:
        add = self._event
        desk = self.desk_id
        add(pk, PetitionEvent.Kind.SUBMITTED, v["received_at"], actor=v["created_by_id"])
        if v["channel"] not in STAFF_CHANNELS and v.get("confirmed_at"):
            add(pk, PetitionEvent.Kind.CONFIRMED, v["confirmed_at"])
        if v.get("merged_into_id"):
            add(pk, PetitionEvent.Kind.MERGED, v["confirmed_at"], actor=desk)
        if v.get("assigned_at"):
            add(
                pk,
                PetitionEvent.Kind.ASSIGNED,
                v["assigned_at"],
                actor=desk,
                agency=v["lead_agency_id"],
            )
            if self.rng.random() < 0.03:
                self.supporting.append((self.support_id, pk, self._pick(self.bureaus)))
                self.support_id += 1
        if v.get("not_handled_reason"):
            add(pk, PetitionEvent.Kind.NOT_HANDLED, v["assigned_at"], actor=desk)
        if v.get("accepted_at"):
            add(
                pk,
                PetitionEvent.Kind.ACCEPTED,
                v["accepted_at"],
                public=False,
                actor=v["assignee_id"],
            )
        if v.get("replied_at"):
            add(pk, PetitionEvent.Kind.REPLIED, v["replied_at"], actor=v["assignee_id"])
        if v.get("reopened_at"):
            add(pk, PetitionEvent.Kind.REOPENED, v["reopened_at"])
        if v.get("closed_at"):
            add(pk, PetitionEvent.Kind.CLOSED, v["closed_at"], actor=v["assignee_id"])

    def _event(self, pk, kind, when, *, public=True, actor=None, agency=None) -> None:
        self.events.append((self.event_id, pk, kind, public, actor, agency, "", when))
        self.event_id += 1


NOT_HANDLED = list(NotHandledReason.values)
# The moments of a case's life, in order; the last one reached is its updated_at.
STEPS = ("received_at", "confirmed_at", "assigned_at", "accepted_at", "replied_at", "closed_at")


def _default(field, now: datetime):
    """What a column gets when the generator does not set it (fields added after this file)."""
    if field.has_default():
        return field.get_default()
    if field.null:
        return None
    if field.get_internal_type() == "DateTimeField":
        return now
    return field.get_default()


EVENT_COLUMNS = [
    "id",
    "petition_id",
    "kind",
    "is_public",
    "actor_id",
    "agency_id",
    "text",
    "created_at",
]


def _check_event_columns() -> None:
    if bulk.columns(PetitionEvent) != EVENT_COLUMNS:
        raise RuntimeError(
            "PetitionEvent's columns changed: update bench.seed.PetitionMaker._event."
        )
