"""Test-only outbox handlers and a stand-in service, loaded by the test and by the worker (-I)."""

import os
import threading
from pathlib import Path

from django.db import transaction

from rdec_portal.workflow.audit import audit_record
from rdec_portal.workflow.models import AuditEntry, Notification, OutboxMessage
from rdec_portal.workflow.outbox import outbox_enqueue, outbox_handler

# How long a parked handler waits to be killed before it gives up and finishes.
PARK_SECONDS = 30


@outbox_handler("tests.integration.notify")
def notify(*, recipient_id: int, title: str, park_file: str | None = None) -> None:
    """The effect: an inbox row, which has no unique key, so a second run would show."""
    Notification.objects.create(recipient_id=recipient_id, title=title)
    if park_file and not Path(park_file).exists():
        # First run only: tell the test which process to kill, then stay mid-task (the row
        # above written but not committed) until it does.
        Path(park_file).write_text(str(os.getpid()))
        threading.Event().wait(PARK_SECONDS)


@transaction.atomic
def notification_request(
    *, user, title: str, email: str | None = None, park_file: str | None = None
) -> OutboxMessage:
    """A service as the business apps write them: its own write plus background work, one
    transaction."""
    audit_record(actor=user, action=AuditEntry.Action.UPDATE, obj=user, changes={"title": title})
    if email:
        outbox_enqueue(
            handler="workflow.send_email",
            payload={"to": [email], "subject": title, "body": "integration test"},
            key=f"itest:{title}:email",
        )
    return outbox_enqueue(
        handler="tests.integration.notify",
        payload={"recipient_id": user.pk, "title": title, "park_file": park_file},
    )
