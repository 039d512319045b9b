"""The outbox against a real Redis and a real Celery worker: outages and crashes lose nothing and
duplicate nothing, and no request waits on the broker."""

import os
import signal
import time
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from rdec_portal.workflow.models import AuditEntry, Notification, OutboxMessage
from rdec_portal.workflow.outbox import outbox_due
from rdec_portal.workflow.relay import outbox_sweep, relay_messages, relay_wait_idle
from tests.accounts.factories import UserFactory
from tests.integration.conftest import wait_until
from tests.integration.handlers import notification_request

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# The bound for a service call while the broker is down or hung.
REQUEST_BOUND_SECONDS = 3


def timed_request(user, title, **kwargs):
    started = time.monotonic()
    message = notification_request(user=user, title=title, **kwargs)
    return message, time.monotonic() - started


def all_processed() -> bool:
    return not OutboxMessage.objects.filter(processed_at__isnull=True).exists()


def assert_left_for_the_sweep(title: str) -> None:
    """The relay gave up: every message is unpublished, unprocessed and due for the sweep."""
    assert relay_wait_idle(timeout=15)
    assert AuditEntry.objects.filter(changes__title=title).count() == 1
    messages = OutboxMessage.objects.all()
    assert len(messages) == 2
    assert all(m.published_at is None and m.processed_at is None for m in messages)
    assert outbox_due(now=timezone.now()).count() == 2


def assert_delivered_once_and_not_again(redis_server, worker, title: str) -> None:
    assert outbox_sweep() == 2
    wait_until(all_processed, timeout=20)
    wait_until(redis_server.is_idle, timeout=10)
    assert Notification.objects.filter(title=title).count() == 1
    assert [m["Subject"] for m in worker.sent_mail()] == [title]

    # Running the sweep again sends nothing; relaying the messages again is harmless.
    assert outbox_sweep() == 0
    relay_messages(list(OutboxMessage.objects.values_list("pk", flat=True)))
    assert relay_wait_idle(timeout=10)
    wait_until(redis_server.is_idle, timeout=10)
    assert Notification.objects.filter(title=title).count() == 1
    assert len(worker.sent_mail()) == 1
    assert all(m.attempts == 1 for m in OutboxMessage.objects.all())


def test_broker_stopped_the_call_commits_fast_and_the_work_goes_out_once_when_it_is_back(
    redis_server, celery_worker, use_broker
):
    user = UserFactory()
    use_broker(redis_server.url)
    redis_server.stop()

    message, elapsed = timed_request(user, "broker-stopped", email="citizen@example.com")

    assert elapsed < REQUEST_BOUND_SECONDS
    assert message.pk is not None
    assert_left_for_the_sweep("broker-stopped")

    # The same Redis comes back (empty: no persistence); the running worker reconnects by itself.
    redis_server.start()
    assert_delivered_once_and_not_again(redis_server, celery_worker, "broker-stopped")


def test_broker_hung_the_call_commits_fast_and_the_work_goes_out_once_on_the_real_broker(
    tarpit, redis_server, start_worker, use_broker
):
    user = UserFactory()
    use_broker(tarpit.url)

    message, elapsed = timed_request(user, "broker-hung", email="citizen@example.com")

    assert elapsed < REQUEST_BOUND_SECONDS
    assert message.pk is not None
    assert_left_for_the_sweep("broker-hung")

    use_broker(redis_server.url)
    worker = start_worker(redis_server.url)
    assert_delivered_once_and_not_again(redis_server, worker, "broker-hung")


def test_pool_process_killed_mid_task_the_broker_redelivers_and_the_effect_happens_once(
    redis_server, celery_worker, use_broker, tmp_path
):
    user = UserFactory()
    use_broker(redis_server.url)
    park = tmp_path / "parked"

    message = notification_request(user=user, title="child-killed", park_file=str(park))
    pool_pid = int(wait_until(lambda: park.exists() and park.read_text(), timeout=20))
    # The handler's row is written but not committed when its process dies.
    os.kill(pool_pid, signal.SIGKILL)

    # No sweep: late ack plus reject-on-worker-lost put the message back in the queue.
    wait_until(all_processed, timeout=20)
    wait_until(redis_server.is_idle, timeout=10)
    assert Notification.objects.filter(title="child-killed").count() == 1
    message.refresh_from_db()
    assert message.attempts == 2


def test_whole_worker_killed_mid_task_the_sweep_republishes_and_the_effect_happens_once(
    redis_server, celery_worker, start_worker, use_broker, tmp_path
):
    user = UserFactory()
    use_broker(redis_server.url)
    park = tmp_path / "parked"

    message = notification_request(user=user, title="worker-killed", park_file=str(park))
    wait_until(park.exists, timeout=20)
    celery_worker.kill()
    assert not Notification.objects.filter(title="worker-killed").exists()

    # The unacknowledged message would come back only after the visibility timeout (an hour);
    # the sweep, once the message's backoff is over, does not wait that long.
    start_worker(redis_server.url)
    assert outbox_sweep() == 0
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        assert outbox_sweep() == 1
    wait_until(all_processed, timeout=20)
    assert Notification.objects.filter(title="worker-killed").count() == 1
    message.refresh_from_db()
    assert message.attempts == 2
