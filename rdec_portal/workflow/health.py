"""The broker check behind /healthz."""

from urllib.parse import urlsplit

from django.conf import settings

# A load balancer polls /healthz: a hung broker must make it answer "error" quickly, not hang it.
TIMEOUT_SECONDS = 1.5


def broker_status() -> str:
    """ "ok", "disabled" (tasks run in-process) or "error: ..."; never waits more than ~2 s."""
    url = settings.CELERY_BROKER_URL
    if not url:
        return "disabled"
    try:
        if urlsplit(url).scheme in ("redis", "rediss", "unix"):
            _ping_redis(url)
        else:
            _ping_other(url)
    except Exception as exc:  # any failure means unhealthy; never echo the URL (it has secrets)
        return f"error: {exc.__class__.__name__}"
    return "ok"


def _ping_redis(url: str) -> None:
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    # No retries: redis-py retries timeouts three times by default, which would quadruple the wait.
    client = redis.Redis.from_url(
        url,
        socket_timeout=TIMEOUT_SECONDS,
        socket_connect_timeout=TIMEOUT_SECONDS,
        retry=Retry(NoBackoff(), 0),
    )
    try:
        client.ping()
    finally:
        client.close()


def _ping_other(url: str) -> None:
    from rdec_portal.celery import app

    with app.connection_for_write(url, connect_timeout=TIMEOUT_SECONDS) as connection:
        connection.ensure_connection(max_retries=1, timeout=TIMEOUT_SECONDS)
