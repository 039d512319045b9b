"""/healthz for operators and load balancers: database and broker, 200 or 503, never slow."""

import time

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

# A load balancer's probe times out after a few seconds: the answer must come well before.
BOUND_SECONDS = 2.5


def get_healthz(client):
    started = time.monotonic()
    response = client.get("/healthz")
    return response, time.monotonic() - started


def test_healthz_is_ok_with_a_live_broker(client, settings, redis_server):
    settings.CELERY_BROKER_URL = redis_server.url

    response, _ = get_healthz(client)

    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}


def test_healthz_is_ok_without_a_broker_because_tasks_run_in_process(client, settings):
    settings.CELERY_BROKER_URL = ""

    response, _ = get_healthz(client)

    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == "disabled"


def test_healthz_reports_a_stopped_broker_with_503(client, settings, stopped_redis):
    settings.CELERY_BROKER_URL = stopped_redis.url

    response, elapsed = get_healthz(client)

    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("error")
    assert elapsed < BOUND_SECONDS


def test_healthz_reports_a_hung_broker_with_503_within_the_bound(client, settings, tarpit):
    settings.CELERY_BROKER_URL = tarpit.url

    response, elapsed = get_healthz(client)

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"] == {"database": "ok", "broker": "error: TimeoutError"}
    assert elapsed < BOUND_SECONDS
    # The URL may hold the broker's password: it never appears in the answer.
    assert tarpit.url not in response.content.decode()
