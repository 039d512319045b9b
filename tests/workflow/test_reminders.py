from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rdec_portal.accounts import roles
from rdec_portal.workflow import deadlines
from rdec_portal.workflow.calendar import day_end
from rdec_portal.workflow.deadlines import deadline_meet, deadline_open, reminders_send_due
from rdec_portal.workflow.models import Deadline, Notification, OutboxMessage, ReminderSent
from rdec_portal.workflow.reminders_registry import (
    Step,
    register_deadline_kind,
    unregister_deadline_kind,
)
from rdec_portal.workflow.tasks import send_due_reminders
from tests.accounts.factories import AgencyFactory, UserFactory

TAIPEI = ZoneInfo("Asia/Taipei")
# Tuesday after the 2025 Lunar New Year: 2 working days before it is Friday 1/24.
DUE = day_end(date(2025, 2, 4))

pytestmark = pytest.mark.django_db


def at(*args) -> datetime:
    return datetime(*args, tzinfo=TAIPEI)


@pytest.fixture
def reply_kind():
    kind = register_deadline_kind(
        "service_center.test_reply",
        label="Reply to petition",
        steps=[
            Step.before(working_days=2),
            Step.on_due_day(),
            Step.overdue_daily(escalate=True),
        ],
        url=lambda agency: f"/agencies/{agency.code}/",
        escalate_to_roles=[roles.RDEC_SERVICE_CENTER],
    )
    yield kind
    unregister_deadline_kind(kind.name)


@pytest.fixture
def people(staff_a, colleague_a, supervisor_a, staff_b, rdec_user):
    return {
        "staff": staff_a,
        "colleague": colleague_a,
        "supervisor": supervisor_a,
        "outsider": staff_b,
        "service_center": rdec_user(roles.Line.SERVICE_CENTER),
    }


def open_reply(kind, agency, assignee=None, code="CASE1", due=DUE):
    with time_machine.travel(at(2025, 1, 20, 10, 0), tick=False):
        return deadline_open(
            obj=AgencyFactory(code=code),
            kind=kind.name,
            due_at=due,
            agency=agency,
            assignee=assignee,
        )


def sweep(*when) -> int:
    with time_machine.travel(at(*when), tick=False):
        return reminders_send_due()


def recipients(key_suffix: str) -> set[str]:
    return set(
        Notification.objects.filter(key__endswith=f":{key_suffix}").values_list(
            "recipient__username", flat=True
        )
    )


def test_before_step_goes_out_on_its_working_day_from_office_hours(reply_kind, agency_a, people):
    deadline = open_reply(reply_kind, agency_a, assignee=people["staff"])
    assert sweep(2025, 1, 23, 10, 0) == 0  # three working days before
    assert sweep(2025, 1, 24, 7, 59) == 0  # the right day, before the office day starts
    assert sweep(2025, 1, 24, 8, 0) == 1
    sent = ReminderSent.objects.get()
    assert (sent.deadline, sent.step, sent.recipients) == (
        deadline,
        "before:2",
        [people["staff"].pk],
    )
    notification = Notification.objects.get()
    assert notification.recipient == people["staff"]
    assert notification.key == f"deadline:{deadline.pk}:before:2"
    assert notification.url == "/agencies/CASE1/"
    assert "Reply to petition" in notification.title
    assert "is due 2025-02-04 23:59. Working days left: 2." in notification.body
    email = OutboxMessage.objects.get(handler="workflow.send_email")
    assert email.payload["to"] == [people["staff"].email]
    assert f"{settings.SITE_URL}/agencies/CASE1/" in email.payload["body"]
    assert notification.body in email.payload["body"]


def test_the_due_day_step_and_then_a_daily_escalated_step_on_working_days(
    reply_kind, agency_a, people
):
    deadline = open_reply(reply_kind, agency_a, assignee=people["staff"])
    assert sweep(2025, 2, 4, 9, 0) == 1
    assert recipients("due") == {"staff_a"}
    assert sweep(2025, 2, 5, 9, 0) == 1
    # The assignee, the agency's supervisor and the service centre; not colleagues or outsiders.
    assert recipients("overdue:2025-02-05") == {"staff_a", "supervisor_a", "rdec_service_center"}
    deadline.refresh_from_db()
    assert deadline.escalated_at == at(2025, 2, 5, 9, 0)
    assert sweep(2025, 2, 5, 15, 0) == 0
    assert sweep(2025, 2, 6, 9, 0) == 1
    assert sweep(2025, 2, 8, 9, 0) == 1  # the make-up workday Saturday counts
    assert sweep(2025, 2, 9, 9, 0) == 0  # Sunday
    steps = set(ReminderSent.objects.values_list("step", flat=True))
    assert steps == {"due", "overdue:2025-02-05", "overdue:2025-02-06", "overdue:2025-02-08"}
    supervisor_note = Notification.objects.get(
        recipient=people["supervisor"], key__endswith="overdue:2025-02-05"
    )
    assert "Working days late: 1." in supervisor_note.body
    assert "as a supervisor" in supervisor_note.body


def test_without_an_assignee_the_agencys_staff_are_reminded(reply_kind, agency_a, people):
    open_reply(reply_kind, agency_a)
    assert sweep(2025, 2, 4, 9, 0) == 1
    assert recipients("due") == {"staff_a", "colleague_a"}


def test_a_step_whose_day_passed_unseen_is_superseded_by_the_next(reply_kind, agency_a, people):
    # Opened two days late: the "2 working days before" reminder still goes, saying 1 day.
    with time_machine.travel(at(2025, 2, 3, 9, 0), tick=False):
        deadline_open(
            obj=AgencyFactory(code="LATE"),
            kind=reply_kind.name,
            due_at=DUE,
            agency=agency_a,
            assignee=people["staff"],
        )
        assert reminders_send_due() == 1
    assert "Working days left: 1." in Notification.objects.get().body


def test_met_and_cancelled_deadlines_get_no_reminders(reply_kind, agency_a, people):
    deadline = open_reply(reply_kind, agency_a, assignee=people["staff"])
    deadline_meet(deadline=deadline)
    assert sweep(2025, 2, 4, 9, 0) == 0
    assert sweep(2025, 2, 5, 9, 0) == 0
    assert not Notification.objects.exists()


def test_running_the_sweep_twice_sends_each_step_once(reply_kind, agency_a, people):
    for i in range(3):
        open_reply(reply_kind, agency_a, code=f"C{i}")
    with time_machine.travel(at(2025, 2, 5, 9, 0), tick=False):
        assert reminders_send_due() == 3
        # A retried task, or a second beat process, finds nothing left to send.
        assert send_due_reminders.apply().get() == 0
        assert reminders_send_due() == 0
    assert ReminderSent.objects.count() == 3
    # Per deadline: the two agency staff, the supervisor and the service centre.
    assert Notification.objects.count() == 3 * 4
    assert OutboxMessage.objects.filter(handler="workflow.send_email").count() == 3 * 4


def test_a_concurrent_insert_of_the_same_step_makes_this_run_skip_it(
    reply_kind, agency_a, people, monkeypatch
):
    deadline = open_reply(reply_kind, agency_a, assignee=people["staff"])
    real_load = deadlines._People.load

    def other_beat_wins(todo):
        # Between this run's "already sent?" check and its insert, another process commits.
        ReminderSent.objects.create(deadline=deadline, step="due", recipients=[])
        return real_load(todo)

    monkeypatch.setattr(deadlines._People, "load", staticmethod(other_beat_wins))
    assert sweep(2025, 2, 4, 9, 0) == 0
    assert ReminderSent.objects.count() == 1
    assert not Notification.objects.exists()
    assert not OutboxMessage.objects.filter(handler="workflow.send_email").exists()


def test_the_clock_is_read_once_per_run(reply_kind, agency_a, people, monkeypatch):
    for i in range(3):
        open_reply(reply_kind, agency_a, code=f"T{i}")
    calls = []

    class CountingTimezone:
        """The sweep's view of django.utils.timezone, counting its reads of the clock."""

        def __getattr__(self, name):
            return getattr(timezone, name)

        def now(self):
            calls.append(1)
            return timezone.now()

    monkeypatch.setattr(deadlines, "timezone", CountingTimezone())
    assert sweep(2025, 2, 5, 9, 0) == 3
    assert len(calls) == 1


def test_deadlines_of_unregistered_kinds_are_left_alone(reply_kind, agency_a, people):
    open_reply(reply_kind, agency_a, assignee=people["staff"])
    unregister_deadline_kind(reply_kind.name)
    assert sweep(2025, 2, 5, 9, 0) == 0
    assert Deadline.objects.get().state == Deadline.State.OPEN


def _sweep_queries(when) -> int:
    with time_machine.travel(when, tick=False), CaptureQueriesContext(connection) as queries:
        reminders_send_due()
    return len(queries)


@pytest.mark.parametrize("rows", [1, 20])
def test_a_sweep_with_nothing_left_to_send_reads_a_bounded_number_of_queries(
    rows, reply_kind, agency_a, people
):
    for i in range(rows):
        open_reply(reply_kind, agency_a, assignee=people["staff"], code=f"B{i}")
    assert sweep(2025, 1, 24, 9, 0) == rows  # "before" steps, then nothing left
    assert sweep(2025, 2, 5, 9, 0) == rows  # overdue steps, then nothing left
    # Before: the candidates and the "already sent" check. Overdue: the database skips those
    # already reminded today, so only the candidates query runs.
    assert _sweep_queries(at(2025, 1, 24, 10, 0)) == 2
    assert _sweep_queries(at(2025, 2, 5, 10, 0)) == 1


def test_reminders_for_many_deadlines_load_people_once_per_batch(reply_kind, agency_a, people):
    for i in range(10):
        open_reply(reply_kind, agency_a, code=f"P{i}")
    with (
        time_machine.travel(at(2025, 2, 5, 9, 0), tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        assert reminders_send_due() == 10
    user_reads = [
        q for q in queries.captured_queries if 'FROM "accounts_user"' in q["sql"].replace("`", '"')
    ]
    assert len(user_reads) == 2  # agency staff and supervisors; the escalation role


def test_an_inactive_assignee_falls_back_to_the_agency_staff(reply_kind, agency_a, people):
    gone = UserFactory(username="gone", agency=agency_a, roles=[roles.AGENCY_STAFF])
    open_reply(reply_kind, agency_a, assignee=gone)
    gone.is_active = False
    gone.save()
    assert sweep(2025, 2, 4, 9, 0) == 1
    assert recipients("due") == {"staff_a", "colleague_a"}


def test_an_around_the_clock_overdue_step_goes_out_as_soon_as_missed_and_every_day(
    agency_a, people
):
    kind = register_deadline_kind(
        "service_center.test_dispatch",
        label="Report back",
        steps=[Step.overdue_daily(escalate=True, working_days_only=False)],
    )
    try:
        # A hazard reported Friday 03:00 must be reported back within 24 hours.
        open_reply(kind, agency_a, assignee=people["staff"], due=at(2025, 3, 8, 3, 0))
        assert sweep(2025, 3, 8, 2, 59) == 0
        assert sweep(2025, 3, 8, 3, 5) == 1  # a Saturday, at night
        assert recipients("overdue:2025-03-08") == {"staff_a", "supervisor_a"}
        assert sweep(2025, 3, 8, 3, 10) == 0
        assert sweep(2025, 3, 9, 0, 5) == 1  # Sunday, just after midnight
    finally:
        unregister_deadline_kind(kind.name)


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_running_at_the_same_time_send_each_step_once(reply_kind, agency_a, people):
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from django.db import connections

    for i in range(5):
        open_reply(reply_kind, agency_a, code=f"R{i}")
    start_together = Barrier(2)

    def beat() -> int:
        try:
            start_together.wait(timeout=10)
            return reminders_send_due()
        finally:
            connections.close_all()

    with time_machine.travel(at(2025, 2, 5, 9, 0), tick=False), ThreadPoolExecutor(2) as pool:
        results = [f.result(timeout=60) for f in [pool.submit(beat), pool.submit(beat)]]
    assert sum(results) == 5
    assert ReminderSent.objects.count() == 5
    assert Notification.objects.count() == 5 * 4
    assert OutboxMessage.objects.filter(handler="workflow.send_email").count() == 5 * 4
