"""A citizen's petition with Redis stopped: the case number at once, the confirmation email once
Redis is back, and never a second email however often the relay runs."""

import time

import pytest
from django.core.cache import cache
from django.urls import reverse

from rdec_portal.workflow.models import OutboxMessage
from rdec_portal.workflow.relay import outbox_sweep, relay_messages, relay_wait_idle
from service_center.petitions.models import Petition
from tests.integration.conftest import wait_until
from tests.service_center.factories import CategoryFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _form(category):
    return {
        "idempotency_key": "b" * 32,
        "category": str(category.pk),
        "subject": "路燈不亮",
        "description": "自由一路 100 號前的路燈三晚不亮。",
        "address": "高雄市三民區自由一路 100 號",
        "name": "陳小華",
        "email": "hua@example.com",
        "phone": "0912345678",
        "has_consented": "on",
    }


def _all_processed() -> bool:
    return not OutboxMessage.objects.filter(processed_at__isnull=True).exists()


def test_with_redis_stopped_the_citizen_gets_a_number_and_the_email_follows_once(
    client, agency_a, redis_server, celery_worker, use_broker
):
    cache.clear()
    category = CategoryFactory(code="street-light-out", agency=agency_a, limit_working_days=6)
    use_broker(redis_server.url)
    redis_server.stop()

    started = time.monotonic()
    response = client.post(reverse("service_center:petition_new"), _form(category))
    elapsed = time.monotonic() - started

    petition = Petition.objects.get()
    assert response.status_code == 200
    assert elapsed < 3
    assert petition.number in response.content.decode()
    assert relay_wait_idle(timeout=15)
    assert celery_worker.sent_mail() == []
    assert OutboxMessage.objects.filter(processed_at__isnull=True).count() >= 1

    redis_server.start()
    assert outbox_sweep() >= 1
    wait_until(_all_processed, timeout=30)
    wait_until(redis_server.is_idle, timeout=10)
    sent = celery_worker.sent_mail()
    assert len(sent) == 1
    assert sent[0]["To"] == "hua@example.com"
    assert petition.number in sent[0].get_payload(decode=True).decode()

    # The sweep finds nothing left; relaying every message again sends no second email.
    assert outbox_sweep() == 0
    relay_messages(list(OutboxMessage.objects.values_list("pk", flat=True)))
    assert relay_wait_idle(timeout=10)
    wait_until(redis_server.is_idle, timeout=10)
    assert len(celery_worker.sent_mail()) == 1
