"""The registry of deadline kinds: what each business app's `reminders.py` declares.

    from rdec_portal.workflow.reminders_registry import Step, register_deadline_kind

    register_deadline_kind(
        "service_center.reply",
        label=_("Reply to petition"),
        steps=[
            Step.on_assignment(),
            Step.before(working_days=2),
            Step.on_due_day(),
            Step.overdue_daily(escalate=True),
        ],
        url=lambda petition: reverse("service_center:case", args=[petition.pk]),
        escalate_to_roles=[roles.RDEC_SERVICE_CENTER],
    )

A kind's name starts with its app label ("service_center."): RDEC staff of that business line
see the line's deadlines across agencies.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from rdec_portal.accounts.roles import ALL_ROLES


@dataclass(frozen=True)
class Step:
    """One reminder in a kind's schedule. Build it with the class methods, not directly."""

    ASSIGNED = "assigned"
    BEFORE = "before"
    DUE = "due"
    OVERDUE = "overdue"

    when: str
    working_days: int = 0
    escalate: bool = False
    working_days_only: bool = True

    @classmethod
    def on_assignment(cls) -> "Step":
        """At once, to whoever is given the deadline (when opened and on every reassignment)."""
        return cls(cls.ASSIGNED)

    @classmethod
    def before(cls, *, working_days: int, escalate: bool = False) -> "Step":
        """On the working day that lies `working_days` working days before the due day."""
        if not isinstance(working_days, int) or isinstance(working_days, bool) or working_days < 1:
            raise ValueError("Step.before needs working_days of at least 1.")
        return cls(cls.BEFORE, working_days=working_days, escalate=escalate)

    @classmethod
    def on_due_day(cls, *, escalate: bool = False) -> "Step":
        return cls(cls.DUE, escalate=escalate)

    @classmethod
    def overdue_daily(cls, *, escalate: bool = False, working_days_only: bool = True) -> "Step":
        """Once a day while the deadline is open and past due.

        By default on working days from the start of the office day. With
        working_days_only=False (a calendar-hours clock such as a hazard report-back) the first
        goes out as soon as the deadline is missed, then one every calendar day.
        """
        return cls(cls.OVERDUE, escalate=escalate, working_days_only=working_days_only)


@dataclass(frozen=True)
class DeadlineKind:
    name: str
    label: str
    steps: tuple[Step, ...]
    url: Callable[[object], str] | None = None
    escalate_to_roles: tuple[str, ...] = field(default=())

    def step(self, when: str, working_days: int = 0) -> Step | None:
        for step in self.steps:
            if step.when == when and step.working_days == working_days:
                return step
        return None

    @property
    def before_steps(self) -> list[Step]:
        """The "before" steps, the one closest to the due day first."""
        return sorted(
            (s for s in self.steps if s.when == Step.BEFORE), key=lambda s: s.working_days
        )

    def object_url(self, obj) -> str:
        if obj is None or self.url is None:
            return ""
        return self.url(obj) or ""


_KINDS: dict[str, DeadlineKind] = {}


def register_deadline_kind(
    name: str,
    *,
    label,
    steps: Iterable[Step],
    url: Callable[[object], str] | None = None,
    escalate_to_roles: Iterable[str] = (),
) -> DeadlineKind:
    """Declare a kind of deadline and its reminder steps. Call it from your app's reminders.py.

    `url(obj)` gives the link in notifications; `escalate_to_roles` are roles (e.g. the RDEC
    line's staff) who, besides the responsible agency's supervisors, receive escalated steps.
    """
    steps = tuple(steps)
    if "." not in name or len(name) > 64:
        raise ValueError(f"Deadline kind {name!r} must be '<app_label>.<name>', at most 64 chars.")
    if name in _KINDS:
        raise ValueError(f"Deadline kind {name!r} is registered twice.")
    if len({(s.when, s.working_days) for s in steps}) != len(steps):
        raise ValueError(f"Deadline kind {name!r} lists the same step twice.")
    unknown = set(escalate_to_roles) - set(ALL_ROLES)
    if unknown:
        raise ValueError(f"Deadline kind {name!r} escalates to unknown roles {sorted(unknown)}.")
    kind = DeadlineKind(
        name=name,
        label=label,
        steps=steps,
        url=url,
        escalate_to_roles=tuple(escalate_to_roles),
    )
    _KINDS[name] = kind
    return kind


def unregister_deadline_kind(name: str) -> None:
    """Remove a kind (for tests that register their own)."""
    _KINDS.pop(name, None)


def get_deadline_kind(name: str) -> DeadlineKind | None:
    return _KINDS.get(name)


def deadline_kinds() -> dict[str, DeadlineKind]:
    return dict(_KINDS)
