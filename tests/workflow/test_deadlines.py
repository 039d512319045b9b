from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from rdec_portal.accounts import roles
from rdec_portal.workflow.deadlines import (
    DeadlineError,
    deadline_cancel,
    deadline_meet,
    deadline_open,
    deadline_reassign,
    deadlines_for,
    open_deadline,
)
from rdec_portal.workflow.models import Deadline, Notification, OutboxMessage, ReminderSent
from rdec_portal.workflow.reminders_registry import (
    Step,
    register_deadline_kind,
    unregister_deadline_kind,
)
from tests.accounts.factories import AgencyFactory, UserFactory

TAIPEI = ZoneInfo("Asia/Taipei")
DUE = datetime(2025, 2, 4, 23, 59, tzinfo=TAIPEI)

pytestmark = pytest.mark.django_db


@pytest.fixture
def reply_kind():
    """A kind registered for the test, with an Agency as the object that carries the deadline."""
    kind = register_deadline_kind(
        "service_center.test_reply",
        label="Reply to petition",
        steps=[Step.on_assignment(), Step.before(working_days=2), Step.on_due_day()],
        url=lambda agency: f"/agencies/{agency.code}/",
    )
    yield kind
    unregister_deadline_kind(kind.name)


@pytest.fixture
def target(db):
    return AgencyFactory(code="CASE1", name_zh="案件一", name_en="Case one")


def test_open_creates_an_open_deadline_and_notifies_the_assignee_at_once(
    reply_kind, target, agency_a, staff_a
):
    deadline = deadline_open(
        obj=target, kind=reply_kind.name, due_at=DUE, agency=agency_a, assignee=staff_a
    )
    assert deadline.state == Deadline.State.OPEN
    assert deadline.target == target
    assert deadline.responsible_agency == agency_a
    notification = Notification.objects.get(recipient=staff_a)
    assert notification.key == f"deadline:{deadline.pk}:assigned:{staff_a.pk}"
    assert notification.url == "/agencies/CASE1/"
    assert ReminderSent.objects.filter(deadline=deadline, step=f"assigned:{staff_a.pk}").exists()
    email = OutboxMessage.objects.get(handler="workflow.send_email")
    assert email.payload["to"] == [staff_a.email]


def test_opening_again_replaces_the_open_deadline_of_the_same_kind(
    reply_kind, target, agency_a, staff_a
):
    with time_machine.travel(datetime(2025, 1, 20, 9, 0, tzinfo=TAIPEI), tick=False):
        first = deadline_open(obj=target, kind=reply_kind.name, due_at=DUE, agency=agency_a)
    later = datetime(2025, 2, 14, 23, 59, tzinfo=TAIPEI)
    with time_machine.travel(datetime(2025, 1, 21, 9, 0, tzinfo=TAIPEI), tick=False):
        second = deadline_open(obj=target, kind=reply_kind.name, due_at=later, agency=agency_a)
    first.refresh_from_db()
    assert first.state == Deadline.State.CANCELLED
    assert first.closed_at == datetime(2025, 1, 21, 9, 0, tzinfo=TAIPEI)
    assert open_deadline(target, reply_kind.name) == second
    assert Deadline.objects.filter(state=Deadline.State.OPEN).count() == 1


def test_unknown_kind_naive_due_and_foreign_assignee_are_refused_and_nothing_is_saved(
    reply_kind, target, agency_a, staff_b
):
    with pytest.raises(DeadlineError):
        deadline_open(obj=target, kind="nobody.knows", due_at=DUE, agency=agency_a)
    with pytest.raises(DeadlineError):
        deadline_open(
            obj=target, kind=reply_kind.name, due_at=datetime(2025, 2, 4, 17), agency=agency_a
        )
    with translation.override("en"), pytest.raises(DeadlineError, match="responsible agency"):
        deadline_open(
            obj=target, kind=reply_kind.name, due_at=DUE, agency=agency_a, assignee=staff_b
        )
    assert not Deadline.objects.exists()
    assert not Notification.objects.exists()


def test_meet_records_when_and_cannot_be_repeated(reply_kind, target, agency_a):
    deadline = deadline_open(obj=target, kind=reply_kind.name, due_at=DUE, agency=agency_a)
    replied = datetime(2025, 2, 3, 15, 0, tzinfo=TAIPEI)
    deadline_meet(deadline=deadline, when=replied)
    assert deadline.state == Deadline.State.MET
    assert deadline.closed_at == replied
    assert open_deadline(target, reply_kind.name) is None
    with pytest.raises(DeadlineError):
        deadline_meet(deadline=deadline)
    with pytest.raises(DeadlineError):
        deadline_cancel(deadline=deadline)
    deadline.refresh_from_db()
    assert deadline.state == Deadline.State.MET


def test_cancel_closes_the_deadline(reply_kind, target, agency_a):
    deadline = deadline_open(obj=target, kind=reply_kind.name, due_at=DUE, agency=agency_a)
    deadline_cancel(deadline=deadline)
    assert Deadline.objects.get(pk=deadline.pk).state == Deadline.State.CANCELLED


def test_reassign_to_a_colleague_notifies_the_new_assignee_once(
    reply_kind, target, agency_a, staff_a, colleague_a
):
    deadline = deadline_open(
        obj=target, kind=reply_kind.name, due_at=DUE, agency=agency_a, assignee=staff_a
    )
    deadline_reassign(deadline=deadline, assignee=colleague_a)
    deadline_reassign(deadline=deadline, assignee=colleague_a)
    deadline.refresh_from_db()
    assert deadline.assignee == colleague_a
    assert Notification.objects.filter(recipient=colleague_a).count() == 1
    assert Notification.objects.filter(recipient=staff_a).count() == 1


def test_transfer_to_another_agency_notifies_that_agencys_staff(
    reply_kind, target, agency_a, staff_a, agency_b, staff_b
):
    deadline = deadline_open(
        obj=target, kind=reply_kind.name, due_at=DUE, agency=agency_a, assignee=staff_a
    )
    deadline_reassign(deadline=deadline, assignee=None, agency=agency_b)
    assert deadline.responsible_agency == agency_b
    assert Notification.objects.filter(recipient=staff_b).count() == 1


def test_reassigning_a_closed_deadline_or_to_an_outsider_is_refused(
    reply_kind, target, agency_a, staff_a, staff_b
):
    deadline = deadline_open(obj=target, kind=reply_kind.name, due_at=DUE, agency=agency_a)
    with pytest.raises(DeadlineError):
        deadline_reassign(deadline=deadline, assignee=staff_b)
    deadline_meet(deadline=deadline)
    with pytest.raises(DeadlineError):
        deadline_reassign(deadline=deadline, assignee=staff_a)
    deadline.refresh_from_db()
    assert deadline.assignee is None


@pytest.fixture
def two_agency_deadlines(reply_kind, agency_a, agency_b):
    other_kind = register_deadline_kind(
        "oversight.test_progress", label="Monthly progress", steps=[Step.on_due_day()]
    )
    made = {
        "a_reply": deadline_open(
            obj=AgencyFactory(code="X1"), kind=reply_kind.name, due_at=DUE, agency=agency_a
        ),
        "b_reply": deadline_open(
            obj=AgencyFactory(code="X2"), kind=reply_kind.name, due_at=DUE, agency=agency_b
        ),
        "b_progress": deadline_open(
            obj=AgencyFactory(code="X3"), kind=other_kind.name, due_at=DUE, agency=agency_b
        ),
    }
    yield made
    unregister_deadline_kind(other_kind.name)


def test_deadlines_for_scopes_by_agency_and_by_rdec_line(
    two_agency_deadlines, staff_a, colleague_a, staff_b, mayor_office, rdec_user
):
    made = two_agency_deadlines
    assert set(deadlines_for(staff_a)) == {made["a_reply"]}
    assert set(deadlines_for(colleague_a)) == {made["a_reply"]}
    assert set(deadlines_for(staff_b)) == {made["b_reply"], made["b_progress"]}
    # The service centre sees every agency's service-centre deadlines, and only those.
    service_center = rdec_user(roles.Line.SERVICE_CENTER)
    assert set(deadlines_for(service_center)) == {made["a_reply"], made["b_reply"]}
    assert set(deadlines_for(mayor_office)) == set(made.values())


def test_deadlines_for_gives_nothing_to_anonymous_or_agencyless_users(two_agency_deadlines):
    from django.contrib.auth.models import AnonymousUser

    assert not deadlines_for(AnonymousUser()).exists()
    nobody = UserFactory(agency=None, roles=[roles.AGENCY_STAFF])
    assert not deadlines_for(nobody).exists()


@pytest.mark.parametrize("rows", [1, 20])
def test_deadline_list_query_count_does_not_grow_with_rows(
    rows, reply_kind, agency_a, staff_a, django_assert_num_queries
):
    for i in range(rows):
        deadline_open(
            obj=AgencyFactory(code=f"Q{i}"),
            kind=reply_kind.name,
            due_at=DUE,
            agency=agency_a,
            assignee=staff_a,
        )
    staff_a.refresh_from_db()
    # One for the user's roles, one for the deadlines with their agency, assignee and type.
    with django_assert_num_queries(2):
        shown = [
            (d.responsible_agency.name, d.assignee.username, d.content_type.model)
            for d in deadlines_for(staff_a)
        ]
    assert len(shown) == rows


def test_registering_a_kind_twice_or_with_a_bad_step_is_refused(reply_kind):
    with pytest.raises(ValueError):
        register_deadline_kind(reply_kind.name, label="again", steps=[])
    with pytest.raises(ValueError):
        Step.before(working_days=0)
    with pytest.raises(ValueError):
        register_deadline_kind(
            "tests.bad_roles", label="x", steps=[], escalate_to_roles=["no_such_role"]
        )


def test_rdec_line_staff_see_rdecs_deadlines_of_their_own_line_only(reply_kind, rdec_user):
    """RDEC's own deadlines (RDEC leads the case) are not an RDEC account's because of its agency:
    the research line sees research's deadlines, the service centre's those of the service
    centre."""
    research = rdec_user(roles.Line.RESEARCH)
    service_center = rdec_user(roles.Line.SERVICE_CENTER)
    research_kind = register_deadline_kind(
        "research.test_report", label="Research report", steps=[Step.on_due_day()]
    )
    try:
        rdec = research.agency
        reply = deadline_open(
            obj=AgencyFactory(code="Y1"), kind=reply_kind.name, due_at=DUE, agency=rdec
        )
        report = deadline_open(
            obj=AgencyFactory(code="Y2"), kind=research_kind.name, due_at=DUE, agency=rdec
        )
        assert set(deadlines_for(research)) == {report}
        assert set(deadlines_for(service_center)) == {reply}
    finally:
        unregister_deadline_kind(research_kind.name)
