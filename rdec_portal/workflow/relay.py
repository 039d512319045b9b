"""Hands outbox messages to the broker: right after commit, and again from the periodic sweep.

A request never waits on the broker. After commit `relay_messages()` only puts the message ids
on an in-memory queue; one daemon thread per process publishes them. A broker that is down or
hung (it accepts the connection and never answers) costs that thread a few seconds, bounded by
the socket timeouts in settings, and the request nothing. Whatever the thread could not publish,
and whatever a crash lost, the sweep republishes once it is due. The database is the source of
truth; the broker is only the doorbell.

With no broker configured (CELERY_BROKER_URL empty, e.g. `make run`) messages are processed in
process: right after commit, and by the sweep (`manage.py outbox_relay`).
"""

import logging
import os
import queue
import threading
import time
from datetime import datetime

from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone

from rdec_portal.celery import app
from rdec_portal.workflow.models import OutboxMessage
from rdec_portal.workflow.outbox_store import (
    outbox_due,
    outbox_pending,
    outbox_process,
    retry_delay,
)

logger = logging.getLogger(__name__)

OUTBOX_TASK = "workflow.outbox_run"
# Beyond this many unpublished ids the relay drops new ones; the sweep still has them.
_QUEUE_SIZE = 10_000


def relay_messages(message_ids: list[int]) -> None:
    """After commit: get the messages to a worker without making the caller wait on the broker."""
    if not settings.CELERY_BROKER_URL:
        _process_in_process(message_ids)
        return
    _publisher().submit(message_ids)


def outbox_sweep(*, limit: int | None = None) -> int:
    """Republish due messages (in-process mode: process them). Returns how many were handed on.

    Safe to run from several places at once: on PostgreSQL each run claims its rows with
    SELECT ... FOR UPDATE SKIP LOCKED and pushes their next attempt back before publishing.
    """
    now = timezone.now()
    message_ids = _claim_due(now, limit or settings.OUTBOX_SWEEP_BATCH_SIZE)
    if not message_ids:
        return 0
    if not settings.CELERY_BROKER_URL:
        return _process_in_process(message_ids)
    sent = publish(message_ids)
    _record_publish(message_ids, sent, now)
    return len(sent)


def publish(message_ids: list[int]) -> list[int]:
    """Send one outbox_run task per message over a fresh connection. Returns the ids sent.

    Stops at the first broker error: with the broker down, the next one would fail the same way
    after another timeout. A fresh connection each time means no stale pooled connection after
    the broker restarts, and the broker URL is read from the settings at call time.
    """
    sent: list[int] = []
    try:
        with app.connection_for_write(settings.CELERY_BROKER_URL) as broker:
            for message_id in message_ids:
                app.send_task(OUTBOX_TASK, args=[message_id], connection=broker)
                sent.append(message_id)
    except Exception as exc:  # any broker failure: what was not sent stays for the sweep
        logger.warning(
            "broker unavailable (%s); %s outbox message(s) left for the sweep",
            exc.__class__.__name__,
            len(message_ids) - len(sent),
        )
    return sent


def _claim_due(now: datetime, limit: int) -> list[int]:
    with transaction.atomic():
        due = outbox_due(now=now)
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        messages = list(due.only("pk", "attempts")[:limit])
        # The lease: a concurrent or the next sweep leaves them alone until the backoff is over.
        for message in messages:
            message.next_attempt_at = now + retry_delay(attempts=message.attempts)
        OutboxMessage.objects.bulk_update(messages, ["next_attempt_at"])
    return [message.pk for message in messages]


def _record_publish(message_ids: list[int], sent: list[int], now: datetime) -> None:
    unsent = sorted(set(message_ids) - set(sent))
    if sent:
        outbox_pending().filter(pk__in=sent).update(published_at=now)
    if unsent:
        # Due again at once, so the first sweep after the broker returns sends them.
        outbox_pending().filter(pk__in=unsent).update(next_attempt_at=now)


def _process_in_process(message_ids: list[int]) -> int:
    done = 0
    for message_id in message_ids:
        try:
            done += outbox_process(message_id)
        except Exception:  # recorded on the message; the sweep retries it after the backoff
            logger.exception("outbox message %s failed in process", message_id)
    return done


class _Publisher:
    """One daemon thread per process that publishes queued ids in batches."""

    def __init__(self):
        self.queue: queue.Queue[int] = queue.Queue(maxsize=_QUEUE_SIZE)
        self.thread = threading.Thread(target=self._run, name="outbox-relay", daemon=True)
        self.thread.start()

    def submit(self, message_ids: list[int]) -> None:
        for message_id in message_ids:
            try:
                self.queue.put_nowait(message_id)
            except queue.Full:
                logger.warning("outbox relay queue full; message %s left for the sweep", message_id)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until everything submitted has been published or given up (tests, shutdown)."""
        deadline = time.monotonic() + timeout
        with self.queue.all_tasks_done:
            while self.queue.unfinished_tasks:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self.queue.all_tasks_done.wait(remaining)
        return True

    def _run(self) -> None:
        while True:
            batch = [self.queue.get()]
            # What else arrives within the batch window goes in the same publish.
            deadline = time.monotonic() + settings.OUTBOX_RELAY_BATCH_MS / 1000
            while len(batch) < settings.OUTBOX_SWEEP_BATCH_SIZE:
                remaining = deadline - time.monotonic()
                try:
                    batch.append(
                        self.queue.get(timeout=remaining)
                        if remaining > 0
                        else self.queue.get_nowait()
                    )
                except queue.Empty:
                    break
            try:
                self._publish(batch)
            except Exception:  # never let the thread die; the sweep covers this batch
                logger.exception("outbox relay failed for %s message(s)", len(batch))
            finally:
                for _ in batch:
                    self.queue.task_done()

    @staticmethod
    def _publish(batch: list[int]) -> None:
        try:
            _record_publish(batch, publish(batch), timezone.now())
        finally:
            # This thread outlives requests: never keep a database connection between batches.
            connections.close_all()


_publisher_lock = threading.Lock()
_publisher_instance: _Publisher | None = None
_publisher_pid: int | None = None


def _publisher() -> _Publisher:
    """This process's publisher, started on first use (again in a forked child: threads do not
    survive a fork, e.g. gunicorn's or the Celery pool's)."""
    global _publisher_instance, _publisher_pid
    with _publisher_lock:
        if _publisher_instance is None or _publisher_pid != os.getpid():
            _publisher_instance = _Publisher()
            _publisher_pid = os.getpid()
        return _publisher_instance


def relay_wait_idle(timeout: float = 10.0) -> bool:
    """Block until this process's relay thread has nothing left to publish; True if it got there."""
    if _publisher_instance is None or _publisher_pid != os.getpid():
        return True
    return _publisher_instance.wait_idle(timeout)
