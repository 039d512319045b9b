"""The outbox's messages and their handlers: which are pending and due, running one message's
handler at most once to completion, backing off after a failure, and requeueing the given-up.

The worker runs each message's handler at most once to completion: the handler runs in the same
transaction that marks the message processed, so a crash or a failure rolls both back, and a
duplicate delivery finds the message processed and does nothing. A handler that keeps failing is
retried with exponential backoff and, after OUTBOX_MAX_ATTEMPTS attempts, left as failed (the
dead-letter state, listed in the admin) until an operator requeues it.

Below outbox.py (writing messages) and relay.py (handing them to the broker), which both use it;
it imports neither.
"""

import logging
import traceback
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from rdec_portal.workflow.models import OutboxMessage

# The name the outbox's log lines have always had, for operators' filters and alerts.
logger = logging.getLogger("rdec_portal.workflow.outbox")

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


def outbox_handler_exists(name: str) -> bool:
    return name in _HANDLERS


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
