"""Due reminders sent by two concurrent runs on a real worker go out once per (deadline, step)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from rdec_portal.celery import app as celery_app
from rdec_portal.workflow.deadlines import deadline_open
from rdec_portal.workflow.models import Notification, OutboxMessage, ReminderSent
from rdec_portal.workflow.reminders_registry import unregister_deadline_kind
from tests.accounts.factories import AgencyFactory, UserFactory
from tests.integration import reminder_kinds
from tests.integration.conftest import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

DEADLINES = 12
FINISHED = re.compile(
    r"Task workflow\.send_due_reminders\[[^]]+\] (succeeded in \S+: (\d+)|raised)"
)


@pytest.fixture
def reminder_kind():
    kind = reminder_kinds.register()
    yield kind
    unregister_deadline_kind(kind.name)


def test_two_concurrent_reminder_runs_send_each_step_once(
    reminder_kind, redis_server, celery_worker, use_broker
):
    agency = AgencyFactory()
    due = timezone.now() + timedelta(days=2)
    for _ in range(DEADLINES):
        user = UserFactory(agency=agency)
        deadline_open(obj=user, kind=reminder_kind.name, due_at=due, agency=agency, assignee=user)
    use_broker(redis_server.url)

    # Two beats firing at once: the worker (two pool processes) runs both runs side by side.
    with celery_app.connection_for_write(redis_server.url) as broker:
        for _ in range(2):
            celery_app.send_task("workflow.send_due_reminders", connection=broker)

    wait_until(lambda: len(FINISHED.findall(celery_worker.log_text())) == 2, timeout=30)
    wait_until(
        lambda: (
            OutboxMessage.objects.count() == DEADLINES
            and not OutboxMessage.objects.filter(processed_at__isnull=True).exists()
        ),
        timeout=30,
    )
    wait_until(redis_server.is_idle, timeout=10)

    # Both runs finished and between them sent each reminder once (their counts add up).
    runs = FINISHED.findall(celery_worker.log_text())
    assert sum(int(sent) for _, sent in runs if sent) == DEADLINES
    assert ReminderSent.objects.filter(step=reminder_kinds.STEP_KEY).count() == DEADLINES
    assert Notification.objects.count() == DEADLINES
    addresses = sorted(m["To"] for m in celery_worker.sent_mail())
    assert addresses == sorted(
        ReminderSent.objects.values_list("deadline__assignee__email", flat=True)
    )
