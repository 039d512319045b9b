"""The outbox: enqueue with the caller's transaction, process once, sweep, back off, give up.

The broker itself is left to tests/integration/; here `publish` is replaced where a broker would
be needed, except for the relay test against a closed port, which needs no server at all.
"""

import smtplib
import socket
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from rdec_portal.celery import app as celery_app
from rdec_portal.workflow import relay
from rdec_portal.workflow.models import Notification, OutboxMessage
from rdec_portal.workflow.outbox import (
    outbox_due,
    outbox_enqueue,
    outbox_handler,
    outbox_process,
    outbox_requeue_failed,
    retry_delay,
)
from rdec_portal.workflow.relay import outbox_sweep, relay_wait_idle
from rdec_portal.workflow.tasks import outbox_run

START = datetime(2025, 4, 1, 9, 0, tzinfo=ZoneInfo("Asia/Taipei"))


@outbox_handler("tests.outbox.notify")
def notify_handler(*, recipient_id: int, title: str, fail: bool = False) -> None:
    # Writes before failing, so a test can see the write rolled back with the failed attempt.
    Notification.objects.create(recipient_id=recipient_id, title=title)
    if fail:
        raise RuntimeError("the handler failed")


class SMTPDownBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class FlakySMTPBackend(BaseEmailBackend):
    """Down for the first two sends, then delivers to django.core.mail.outbox."""

    failures_left = 0

    def send_messages(self, email_messages):
        if FlakySMTPBackend.failures_left > 0:
            FlakySMTPBackend.failures_left -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        mail.outbox.extend(email_messages)
        return len(email_messages)


def enqueue_notify(user, title="hello", **extra) -> OutboxMessage:
    return outbox_enqueue(
        handler="tests.outbox.notify", payload={"recipient_id": user.pk, "title": title, **extra}
    )


def enqueue_email(key=None) -> OutboxMessage:
    return outbox_enqueue(
        handler="workflow.send_email",
        payload={"to": ["citizen@example.com"], "subject": "案件編號", "body": "您的案件已受理"},
        key=key,
    )


@pytest.fixture
def fake_publish(monkeypatch):
    """Stands in for the broker: records what the sweep publishes."""
    published: list[int] = []

    def publish(message_ids):
        published.extend(message_ids)
        return list(message_ids)

    monkeypatch.setattr(relay, "publish", publish)
    return published


@pytest.fixture
def celery_conf():
    """Change Celery settings for one test: celery_conf(name=value, ...)."""
    saved = {}

    def change(**values):
        for name, value in values.items():
            saved.setdefault(name, celery_app.conf[name])
            celery_app.conf[name] = value

    yield change
    for name, value in saved.items():
        celery_app.conf[name] = value


@pytest.fixture
def with_broker(settings, celery_conf):
    """Broker mode, pointing at a port where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{port}/0"
    celery_conf(task_always_eager=False)
    return settings.CELERY_BROKER_URL


# --- enqueue ----------------------------------------------------------------------------------


def test_enqueue_in_a_transaction_that_rolls_back_leaves_nothing(
    staff_a, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        enqueue_notify(staff_a)
        raise RuntimeError("the service failed after enqueueing")

    assert not OutboxMessage.objects.exists()
    assert callbacks == []
    assert not Notification.objects.exists()


def test_keyed_enqueue_is_once(db):
    first = enqueue_email(key="petition:1:confirmation")
    second = enqueue_email(key="petition:1:confirmation")

    assert second.pk == first.pk
    assert OutboxMessage.objects.count() == 1


def test_enqueue_refuses_an_unknown_handler(db):
    with pytest.raises(ValueError, match="Unknown outbox handler"):
        outbox_enqueue(handler="no.such.handler", payload={})
    assert not OutboxMessage.objects.exists()


def test_without_a_broker_the_work_runs_in_process_after_commit(
    staff_a, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_BROKER_URL = ""
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = enqueue_notify(staff_a)
        assert not Notification.objects.exists()

    message.refresh_from_db()
    assert message.processed_at is not None
    assert Notification.objects.filter(recipient=staff_a).count() == 1


# --- processing -------------------------------------------------------------------------------


def test_processing_twice_runs_the_handler_once(staff_a):
    message = enqueue_notify(staff_a)

    assert outbox_process(message.pk) is True
    assert outbox_process(message.pk) is False

    message.refresh_from_db()
    assert message.processed_at is not None
    assert message.attempts == 1
    assert Notification.objects.count() == 1


def test_processing_a_deleted_message_does_nothing(db):
    assert outbox_process(999_999) is False


def test_failure_counts_the_attempt_records_the_error_and_backs_off(staff_a, settings):
    settings.OUTBOX_RETRY_DELAY_SECONDS = 300
    with time_machine.travel(START, tick=False):
        message = enqueue_notify(staff_a, fail=True)
        with pytest.raises(RuntimeError):
            outbox_process(message.pk)

    message.refresh_from_db()
    assert message.attempts == 1
    assert "RuntimeError: the handler failed" in message.last_error
    assert message.processed_at is None
    assert message.failed_at is None
    # The handler's own write went back with the failed attempt.
    assert not Notification.objects.exists()
    assert message.next_attempt_at == START + timedelta(seconds=600)


def test_retry_delay_doubles_up_to_the_maximum(settings):
    settings.OUTBOX_RETRY_DELAY_SECONDS = 60
    settings.OUTBOX_RETRY_MAX_DELAY_SECONDS = 600

    delays = [retry_delay(attempts=n).total_seconds() for n in range(6)]

    assert delays == [60, 120, 240, 480, 600, 600]


def test_message_is_left_as_failed_after_the_last_attempt(staff_a, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    message = enqueue_notify(staff_a, fail=True)
    for _ in range(2):
        with pytest.raises(RuntimeError):
            outbox_process(message.pk)

    # The last attempt is not re-raised: there is nothing left to retry.
    assert outbox_process(message.pk) is False

    message.refresh_from_db()
    assert message.attempts == 3
    assert message.failed_at is not None
    assert "the handler failed" in message.last_error
    assert not outbox_due(now=timezone.now() + timedelta(days=365)).exists()
    assert outbox_process(message.pk) is False
    assert message.attempts == 3


def test_attempts_that_killed_the_worker_count_towards_the_cap(staff_a, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    message = enqueue_notify(staff_a)
    # Two runs that started and never finished (the worker was killed mid-task).
    OutboxMessage.objects.filter(pk=message.pk).update(attempts=2)

    assert outbox_process(message.pk) is False

    message.refresh_from_db()
    assert message.failed_at is not None
    assert "did not finish" in message.last_error
    assert not Notification.objects.exists()


def test_requeue_failed_gives_a_fresh_set_of_attempts(staff_a, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    message = enqueue_notify(staff_a, fail=True)
    assert outbox_process(message.pk) is False
    OutboxMessage.objects.filter(pk=message.pk).update(
        payload={"recipient_id": staff_a.pk, "title": "t"}
    )

    assert outbox_requeue_failed() == 1
    assert outbox_process(message.pk) is True

    message.refresh_from_db()
    assert message.failed_at is None
    assert message.processed_at is not None
    assert Notification.objects.count() == 1


def test_email_is_retried_while_the_mail_server_is_down_not_lost(db, settings):
    settings.EMAIL_BACKEND = "tests.workflow.test_outbox.SMTPDownBackend"
    message = enqueue_email()
    with pytest.raises(smtplib.SMTPServerDisconnected):
        outbox_process(message.pk)
    message.refresh_from_db()
    assert message.processed_at is None
    assert "SMTPServerDisconnected" in message.last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(message.next_attempt_at + timedelta(seconds=1)):
        assert outbox_sweep() == 1

    message.refresh_from_db()
    assert message.processed_at is not None
    assert message.attempts == 2
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["citizen@example.com"]


def test_outbox_run_task_retries_with_backoff_until_the_mail_goes_out(db, settings, celery_conf):
    settings.EMAIL_BACKEND = "tests.workflow.test_outbox.FlakySMTPBackend"
    FlakySMTPBackend.failures_left = 2
    message = enqueue_email()
    # Eager mode runs the autoretries inline (their countdown is skipped), as long as a retry is
    # not propagated as an error.
    celery_conf(task_eager_propagates=False)

    assert outbox_run.apply(args=[message.pk]).get() is True

    message.refresh_from_db()
    assert message.attempts == 3
    assert message.processed_at is not None
    assert len(mail.outbox) == 1


def test_outbox_run_task_is_configured_for_crash_safe_bounded_retries():
    assert outbox_run.acks_late is True
    assert outbox_run.max_retries == 3
    assert outbox_run.retry_backoff
    assert outbox_run.time_limit < celery_app.conf.broker_transport_options["visibility_timeout"]
    assert celery_app.conf.task_reject_on_worker_lost is True
    assert celery_app.conf.worker_prefetch_multiplier == 1
    assert celery_app.conf.broker_connection_max_retries is None
    assert celery_app.conf.broker_transport_options["socket_timeout"] <= 5
    assert celery_app.conf.beat_schedule["workflow.outbox_sweep"]["task"] == "workflow.outbox_sweep"
    assert "workflow.outbox_sweep" in celery_app.tasks


# --- sweep ------------------------------------------------------------------------------------


def test_sweep_republishes_only_due_messages(staff_a, settings, fake_publish):
    settings.CELERY_BROKER_URL = "redis://broker.invalid:6379/0"
    settings.OUTBOX_RETRY_DELAY_SECONDS = 300
    with time_machine.travel(START, tick=False):
        old = enqueue_notify(staff_a, "old")
        processed = enqueue_notify(staff_a, "processed")
        outbox_process(processed.pk)
    with time_machine.travel(START + timedelta(minutes=3), tick=False):
        enqueue_notify(staff_a, "recent")

    with time_machine.travel(START + timedelta(minutes=4), tick=False):
        assert outbox_sweep() == 0
    with time_machine.travel(START + timedelta(minutes=6), tick=False):
        assert outbox_sweep() == 1

    assert fake_publish == [old.pk]
    old.refresh_from_db()
    assert old.published_at == START + timedelta(minutes=6)
    # Not processed yet: republished again only after the next delay.
    assert old.next_attempt_at == START + timedelta(minutes=11)
    with time_machine.travel(START + timedelta(minutes=7), tick=False):
        assert outbox_sweep() == 0


def test_sweep_leaves_unpublished_messages_due_when_the_broker_is_down(
    staff_a, settings, monkeypatch
):
    settings.CELERY_BROKER_URL = "redis://broker.invalid:6379/0"
    monkeypatch.setattr(relay, "publish", lambda message_ids: [])
    with time_machine.travel(START, tick=False):
        message = enqueue_notify(staff_a)
    later = START + timedelta(minutes=10)

    with time_machine.travel(later, tick=False):
        assert outbox_sweep() == 0

    message.refresh_from_db()
    assert message.published_at is None
    assert message.next_attempt_at == later


def test_sweep_without_a_broker_processes_due_messages(staff_a, settings):
    settings.CELERY_BROKER_URL = ""
    message = enqueue_notify(staff_a)

    with time_machine.travel(message.next_attempt_at + timedelta(seconds=1)):
        assert outbox_sweep() == 1
        assert outbox_sweep() == 0

    assert Notification.objects.count() == 1


def test_sweep_query_count_does_not_grow_with_the_batch(
    staff_a, settings, fake_publish, django_assert_num_queries
):
    settings.CELERY_BROKER_URL = "redis://broker.invalid:6379/0"

    def sweep_queries(count):
        for _ in range(count):
            enqueue_notify(staff_a)
        later = timezone.now() + timedelta(days=1)
        with time_machine.travel(later, tick=False), django_assert_num_queries(5):
            assert outbox_sweep() == count

    sweep_queries(1)
    sweep_queries(20)


def test_outbox_relay_command_sweeps_once_and_requeues_failed(staff_a, settings):
    settings.CELERY_BROKER_URL = ""
    settings.OUTBOX_MAX_ATTEMPTS = 1
    failed = enqueue_notify(staff_a, "failed", fail=True)
    outbox_process(failed.pk)
    OutboxMessage.objects.filter(pk=failed.pk).update(
        payload={"recipient_id": staff_a.pk, "title": "fixed"}
    )
    enqueue_notify(staff_a, "due")

    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        call_command("outbox_relay", "--requeue-failed")

    assert set(Notification.objects.values_list("title", flat=True)) == {"fixed", "due"}


# --- relay ------------------------------------------------------------------------------------


def test_relay_with_the_broker_unreachable_returns_fast_and_leaves_it_for_the_sweep(
    transactional_db, staff_a, with_broker
):
    started = time.monotonic()
    with transaction.atomic():
        message = enqueue_notify(staff_a)
    elapsed = time.monotonic() - started

    assert elapsed < 0.5
    assert relay_wait_idle(timeout=15)
    message.refresh_from_db()
    assert message.published_at is None
    assert message.processed_at is None
    assert outbox_due(now=timezone.now()).filter(pk=message.pk).exists()


def test_the_relay_publishes_a_burst_of_commits_in_one_batch(
    transactional_db, staff_a, with_broker, settings, monkeypatch
):
    # A minute's window, so that the three commits below surely land in the same batch.
    settings.OUTBOX_RELAY_BATCH_MS = 60_000
    settings.OUTBOX_SWEEP_BATCH_SIZE = 3  # ... which is full, and published, at the third
    batches: list[list[int]] = []

    def publish(message_ids):
        batches.append(list(message_ids))
        return list(message_ids)

    monkeypatch.setattr(relay, "publish", publish)
    messages = []
    for n in range(3):
        with transaction.atomic():
            messages.append(enqueue_notify(staff_a, title=f"burst {n}"))
    assert relay_wait_idle(timeout=15)
    assert batches == [[m.pk for m in messages]]
    for message in messages:
        message.refresh_from_db()
        assert message.published_at is not None
