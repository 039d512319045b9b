"""One structured log line per request: method, path, status, duration, user."""

import logging
import re
import time
import uuid

logger = logging.getLogger("rdec_portal.request")

# What a proxy or client may pass as X-Request-ID: a UUID, a hex or base64url id, a trace id.
# Anything longer or with other characters is not echoed nor logged: a new id replaces it.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def request_id_from(value: str | None) -> str:
    """The client's X-Request-ID when it is a short token, otherwise a fresh one."""
    if value and _REQUEST_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        request.request_id = request_id_from(request.headers.get("X-Request-ID"))
        response = self.get_response(request)
        user = getattr(request, "user", None)
        duration_ms = round((time.monotonic() - started) * 1000, 1)
        logger.info(
            "%s %s %s %sms",
            request.method,
            request.path,
            response.status_code,
            duration_ms,
            extra={
                "request_id": request.request_id,
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "user_id": user.pk if user is not None and user.is_authenticated else None,
            },
        )
        response["X-Request-ID"] = request.request_id
        return response
