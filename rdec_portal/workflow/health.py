from django.conf import settings


def broker_status() -> str:
    """ "ok", "disabled" (tasks run in-process) or "error: ..."; never waits more than ~2 s."""
    url = settings.CELERY_BROKER_URL
    if not url:
        return "disabled"
    import redis

    try:
        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        client.ping()
        client.close()
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        return f"error: {exc.__class__.__name__}"
    return "ok"
