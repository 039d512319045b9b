"""The transactional outbox.

A service that needs background work calls `outbox_enqueue()` inside its own transaction. After
commit the relay hands the message to the broker (or, with no broker configured, processes it in
process). A periodic sweep republishes whatever is still unprocessed, so a broker outage delays
work but never loses it. The worker processes each message at most once: it locks the row and
checks `processed_at`.
"""

import logging
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone

from rdec_portal.workflow.models import OutboxMessage

logger = logging.getLogger(__name__)

_HANDLERS: dict[str, Callable[..., None]] = {}


def outbox_handler(name: str):
    """Register the function that performs an outbox message's work: `handler(**payload)`."""

    def register(func):
        if name in _HANDLERS and _HANDLERS[name] is not func:
            raise ValueError(f"Outbox handler {name!r} is registered twice.")
        _HANDLERS[name] = func
        return func

    return register


def outbox_enqueue(*, handler: str, payload: dict, key: str | None = None) -> OutboxMessage:
    """Write background work in the caller's transaction; it runs after commit.

    `key` makes the message unique: enqueueing the same key twice keeps the first message.
    """
    if handler not in _HANDLERS:
        raise ValueError(f"Unknown outbox handler {handler!r}.")
    if key is not None:
        existing = OutboxMessage.objects.filter(key=key).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                message = OutboxMessage.objects.create(handler=handler, payload=payload, key=key)
        except IntegrityError:
            return OutboxMessage.objects.get(key=key)
    else:
        message = OutboxMessage.objects.create(handler=handler, payload=payload)
    # robust: a failure to hand over never turns the caller's committed work into an error.
    transaction.on_commit(lambda: relay([message.pk]), robust=True)
    return message


def relay(message_ids: list[int]) -> None:
    """Hand messages to the workers. Imported lazily so the request path never blocks on it."""
    from rdec_portal.workflow.relay import relay_messages

    relay_messages(message_ids)


def outbox_process(message_id: int) -> bool:
    """Run one message's handler once. Returns False if it was already processed (or is gone)."""
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.processed_at is not None:
            return False
        handler = _HANDLERS[message.handler]
        handler(**message.payload)
        message.processed_at = timezone.now()
        message.attempts += 1
        message.save(update_fields=["processed_at", "attempts"])
    return True
