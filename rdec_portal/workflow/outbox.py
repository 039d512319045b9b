"""The transactional outbox.

A service that needs background work calls `outbox_enqueue()` inside its own transaction, so the
work is recorded if and only if the change that needs it commits. After commit the relay
(relay.py) hands the message to the broker from a background thread, never making the request
wait; with no broker configured it processes the message in process. The periodic sweep
republishes whatever is still unprocessed, so a broker outage delays work but never loses it.

Running a message's handler, backoff and the dead-letter state are in outbox_store.py, which this
module and relay.py build on (the dependency goes one way: outbox -> relay -> outbox_store).
"""

from django.db import transaction
from django.utils import timezone

from rdec_portal.db import insert_returning_pk
from rdec_portal.workflow.models import OutboxMessage
from rdec_portal.workflow.outbox_store import (
    outbox_due,
    outbox_handler,
    outbox_handler_exists,
    outbox_pending,
    outbox_process,
    outbox_requeue_failed,
    retry_delay,
)
from rdec_portal.workflow.relay import relay_messages

# An app's code takes the whole outbox API from this module.
__all__ = [
    "outbox_due",
    "outbox_enqueue",
    "outbox_hand_over",
    "outbox_handler",
    "outbox_message",
    "outbox_pending",
    "outbox_process",
    "outbox_requeue_failed",
    "outbox_save",
    "retry_delay",
]


def outbox_message(*, handler: str, payload: dict, key: str | None = None) -> OutboxMessage:
    """The unsaved message: for outbox_enqueue(), or for a caller that writes it in its own
    statement and then calls outbox_hand_over()."""
    if not outbox_handler_exists(handler):
        raise ValueError(f"Unknown outbox handler {handler!r}.")
    now = timezone.now()
    # The relay publishes it at once; the sweep only steps in if that did not work.
    return OutboxMessage(
        handler=handler,
        payload=payload,
        key=key,
        created_at=now,
        next_attempt_at=now + retry_delay(attempts=0),
    )


def outbox_enqueue(*, handler: str, payload: dict, key: str | None = None) -> OutboxMessage:
    """Write background work in the caller's transaction; it runs after commit.

    `key` makes the message unique: enqueueing the same key twice keeps the first message.
    """
    return outbox_save(outbox_message(handler=handler, payload=payload, key=key))


def outbox_save(message: OutboxMessage) -> OutboxMessage:
    """Write an unsaved message (outbox_message()) in the caller's transaction; a message whose
    key is taken is not written again, and the first one is returned."""
    if message.key is not None:
        if insert_returning_pk(message, unless_exists="key") is None:
            # Enqueued before: keep the first message.
            return OutboxMessage.objects.get(key=message.key)
    else:
        message.save()
    outbox_hand_over(message.pk)
    return message


def outbox_hand_over(message_id: int) -> None:
    """Have the relay publish a written message once the transaction commits (at once outside
    one). A failure to hand over never turns the caller's committed work into an error: the
    sweep republishes the message."""
    transaction.on_commit(lambda: relay_messages([message_id]), robust=True)
