"""The client's address, resolved once for the login lock-out, every rate limit and the audit log.

Behind the reverse proxy, REMOTE_ADDR is the proxy's own address: everyone would share one
lock-out and one rate-limit bucket, and every audit row would name the proxy. The proxy appends
the address it saw to X-Forwarded-For, so with `PROXY_COUNT` proxies in front of the portal the
client is the PROXY_COUNT-th entry from the right of that header. Whatever a client writes into
the header itself lands further left and is never read. With PROXY_COUNT = 0 (no proxy, the
default) the header is ignored and REMOTE_ADDR is the client.

The header is parsed by django-ipware (python-ipware), not by hand here.
"""

from django.conf import settings
from ipware import get_client_ip

UNKNOWN = "unknown"


def client_address(request) -> str:
    """The client's IP address as text, or "unknown" when the request carries none."""
    meta = getattr(request, "META", None) or {}
    remote = meta.get("REMOTE_ADDR") or UNKNOWN
    proxies = getattr(settings, "PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    try:
        # ipware's proxy_count is the number of entries to the right of the client in the
        # header (strict=False: more entries, prepended by the client, are allowed and ignored).
        address, _routable = get_client_ip(
            request,
            proxy_count=proxies - 1,
            strict=False,
            request_header_order=["HTTP_X_FORWARDED_FOR"],
        )
    except ValueError:  # a malformed header: the proxy's address, a shared but working limit
        return remote
    return address or remote


def client_ip(request) -> str | None:
    """client_address(), or None when there is none: for an IP address column (the audit log,
    and django-axes through AXES_CLIENT_IP_CALLABLE)."""
    address = client_address(request)
    return None if address == UNKNOWN else address
