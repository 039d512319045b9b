"""The transactional outbox.

A service that needs background work calls `outbox_enqueue()` inside its own transaction, so the
work is recorded if and only if the change that needs it commits. After commit the relay
(relay.py) hands the message to the broker from a background thread, never making the request
wait; with no broker configured it processes the message in process. The periodic sweep
republishes whatever is still unprocessed, so a broker outage delays work but never loses it.

The worker runs each message's handler at most once to completion: the handler runs in the same
transaction that marks the message processed, so a crash or a failure rolls both back, and a
duplicate delivery finds the message processed and does nothing. A handler that keeps failing is
retried with exponential backoff and, after OUTBOX_MAX_ATTEMPTS attempts, left as failed (the
dead-letter state, listed in the admin) until an operator requeues it.
"""

import logging
import traceback
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from rdec_portal.db import insert_returning_pk
from rdec_portal.workflow.models import OutboxMessage

logger = logging.getLogger(__name__)

_HANDLERS: dict[str, Callable[..., None]] = {}

# last_error keeps the end of the traceback, where the cause is.
_ERROR_CHARS = 4000


def outbox_handler(name: str):
    """Register the function that performs an outbox message's work: `handler(**payload)`.

    The handler runs inside the transaction that marks the message processed: its database
    writes commit with that mark or not at all. Raise to have the message retried.
    """

    def register(func):
        if name in _HANDLERS and _HANDLERS[name] is not func:
            raise ValueError(f"Outbox handler {name!r} is registered twice.")
        _HANDLERS[name] = func
        return func

    return register


def outbox_message(*, handler: str, payload: dict, key: str | None = None) -> OutboxMessage:
    """The unsaved message: for outbox_enqueue(), or for a caller that writes it in its own
    statement and then calls outbox_hand_over()."""
    if handler not in _HANDLERS:
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
    transaction.on_commit(lambda: _relay([message_id]), robust=True)


def _relay(message_ids: list[int]) -> None:
    # Imported here: relay.py needs the Celery app, which the models layer must not import.
    from rdec_portal.workflow.relay import relay_messages

    relay_messages(message_ids)


def retry_delay(*, attempts: int) -> timedelta:
    """How long the sweep waits before republishing a message that failed `attempts` times."""
    base = settings.OUTBOX_RETRY_DELAY_SECONDS
    seconds = min(base * 2 ** min(attempts, 30), settings.OUTBOX_RETRY_MAX_DELAY_SECONDS)
    return timedelta(seconds=max(seconds, base))


def outbox_pending() -> QuerySet[OutboxMessage]:
    """Messages whose work is still to be done: neither processed nor given up."""
    return OutboxMessage.objects.filter(processed_at__isnull=True, failed_at__isnull=True)


def outbox_due(*, now: datetime) -> QuerySet[OutboxMessage]:
    """Pending messages the sweep may republish now, the longest waiting first."""
    return outbox_pending().filter(next_attempt_at__lte=now).order_by("next_attempt_at", "pk")


def outbox_process(message_id: int) -> bool:
    """Run one message's handler once. Returns False if there was nothing to do.

    A duplicate delivery of a processed message, or of a message being processed by another
    worker, returns False without running the handler. A handler error is recorded and
    re-raised so that the task retries it, unless the message has just used its last attempt.
    """
    if not _begin_attempt(message_id):
        return False
    try:
        return _run_handler(message_id)
    except Exception as exc:
        if _record_failure(message_id, exc):
            return False
        raise


def _begin_attempt(message_id: int) -> bool:
    """Count the attempt in its own transaction, so that one which kills the worker counts too."""
    max_attempts = settings.OUTBOX_MAX_ATTEMPTS
    counted = (
        outbox_pending()
        .filter(pk=message_id, attempts__lt=max_attempts)
        .update(attempts=F("attempts") + 1)
    )
    if counted:
        return True
    # Still pending although every attempt is used: its runs died without recording an error,
    # e.g. it was killed for running out of memory. Stop redelivering it.
    given_up = (
        outbox_pending()
        .filter(pk=message_id)
        .update(
            failed_at=timezone.now(),
            last_error=f"Gave up: {max_attempts} attempts did not finish.",
        )
    )
    if given_up:
        logger.error("outbox message %s failed: no attempt finished", message_id)
    return False


def _run_handler(message_id: int) -> bool:
    with transaction.atomic():
        # Marking it processed first takes the row lock (PostgreSQL) or the write lock (SQLite)
        # before the handler runs: a concurrent duplicate waits here, then finds it processed.
        claimed = (
            outbox_pending()
            .filter(pk=message_id)
            .update(processed_at=timezone.now(), last_error="")
        )
        if not claimed:
            return False
        message = OutboxMessage.objects.get(pk=message_id)
        handler = _HANDLERS.get(message.handler)
        if handler is None:
            raise LookupError(f"No outbox handler {message.handler!r} in this process.")
        handler(**message.payload)
    return True


def _record_failure(message_id: int, exc: Exception) -> bool:
    """Store the error and schedule the next attempt. Returns True if the message is now failed."""
    now = timezone.now()
    message = outbox_pending().filter(pk=message_id).only("attempts").first()
    if message is None:
        return False
    if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        outcome = {"failed_at": now}
        logger.error("outbox message %s failed after %s attempts", message_id, message.attempts)
    else:
        outcome = {"next_attempt_at": now + retry_delay(attempts=message.attempts)}
        logger.warning("outbox message %s attempt %s failed: %r", message_id, message.attempts, exc)
    # A plain conditional UPDATE, no read-then-write transaction: SQLite would risk a deadlock.
    error = "".join(traceback.format_exception(exc))[-_ERROR_CHARS:]
    outbox_pending().filter(pk=message_id).update(last_error=error, **outcome)
    return "failed_at" in outcome


@transaction.atomic
def outbox_requeue_failed(*, message_ids: list[int] | None = None) -> int:
    """Give failed messages a fresh set of attempts, e.g. once the mail server is fixed."""
    failed = OutboxMessage.objects.filter(failed_at__isnull=False, processed_at__isnull=True)
    if message_ids is not None:
        failed = failed.filter(pk__in=message_ids)
    return failed.update(failed_at=None, attempts=0, next_attempt_at=timezone.now())
