from datetime import datetime, timedelta

from rdec_portal.workflow.deadlines import reminders_send_due
from rdec_portal.workflow.models import Notification
from rdec_portal.workflow.reminders_registry import get_deadline_kind
from service_center.petitions import services
from tests.service_center.conftest import NOW, TAIPEI
from tests.service_center.factories import AssignedPetitionFactory


def test_both_petition_clocks_are_registered():
    reply = get_deadline_kind(services.REPLY_KIND)
    dispatch = get_deadline_kind(services.DISPATCH_KIND)
    assert [s.when for s in reply.steps] == ["assigned", "before", "due", "overdue"]
    assert reply.before_steps[0].working_days == 2
    assert [s.when for s in dispatch.steps] == ["assigned", "overdue"]


def test_assignment_notifies_the_agency_and_an_overdue_case_escalates(
    frozen, staff_a, supervisor_a, desk_user, category
):
    petition = services.petition_submit(
        category=category, subject="s", description="d", by=desk_user, channel="counter"
    ).petition
    services.petition_assign(petition=petition, agency=category.agency, by=desk_user)
    assert Notification.objects.filter(recipient=staff_a).count() == 1

    # Due Friday 4 December; the first overdue working day is Monday the 7th.
    frozen.move_to(datetime(2026, 12, 7, 10, 0, tzinfo=TAIPEI))
    reminders_send_due()

    assert Notification.objects.filter(
        recipient=supervisor_a, title__contains=petition.number
    ).exists()
    assert Notification.objects.filter(
        recipient=desk_user, title__contains=petition.number
    ).exists()


def test_a_replied_case_sends_no_more_reminders(frozen, staff_a, supervisor_a):
    petition = AssignedPetitionFactory(
        category__agency=staff_a.agency, due_at=NOW + timedelta(days=1)
    )
    services._deadline_open(petition)
    services.petition_reply(petition=petition, by=staff_a, text="答復")
    frozen.move_to(NOW + timedelta(days=5))
    reminders_send_due()
    assert not Notification.objects.filter(recipient=supervisor_a).exists()
