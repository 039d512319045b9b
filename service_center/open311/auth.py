"""Who may file through Open311, and how often.

`api_key` is a personal API token (My account → API tokens), hashed like every token. It files
petitions only if its user is active and holds the service centre's role: a partner system gets
a dedicated system account with that role from the service centre, which owns intake from every
channel. Anyone else's key is refused, so a leaked agency key cannot file petitions.
"""

from django.utils.translation import gettext as _
from rest_framework.exceptions import AuthenticationFailed

from rdec_portal.accounts.authentication import ApiTokenAuthentication
from rdec_portal.ratelimit import RateLimit
from service_center.open311.errors import Open311Error, bad_request, forbidden
from service_center.petitions import permissions

# Filings per key per window: well above the 1999 centre's peak, low enough to stop a runaway
# client before it floods the agencies' queues.
POST_LIMIT = 60
POST_WINDOW_SECONDS = 60


def api_key_from(request) -> str:
    """The api_key of the POST body. One in the URL is refused, even with one in the body: URLs
    are written to the access logs of every proxy on the way, so the key is no longer secret."""
    if "api_key" in request.GET:
        raise bad_request(
            _(
                "api_key must be sent in the POST body, not in the URL, which access logs keep: "
                "revoke this key and create a new one."
            )
        )
    return (request.POST.get("api_key") or "").strip()


def api_key_user(key: str):
    """The user behind `key`, or an Open311Error 403. Revoked and unknown keys read the same."""
    if not key:
        raise forbidden(_("api_key is missing: filing a service request needs an API key."))
    try:
        # The token authentication's own check, so revocation and last-use work the same way.
        user, token = ApiTokenAuthentication().authenticate_credentials(key)
    except AuthenticationFailed:
        raise forbidden(_("Invalid api_key received: the key is unknown or revoked.")) from None
    if not permissions.is_service_desk(user):
        raise forbidden(_("This api_key may not file service requests."))
    return user, token


def check_rate(token) -> None:
    """Count one filing for `token`; an Open311Error 429 once it is over the limit."""
    decision = RateLimit("open311.post.key", POST_LIMIT, POST_WINDOW_SECONDS).hit(token.pk)
    if not decision.allowed:
        raise Open311Error(
            429,
            [
                (
                    429,
                    _("Too many service requests from this api_key: at most %(limit)d a minute.")
                    % {"limit": decision.limit},
                )
            ],
            headers={"Retry-After": str(decision.retry_after)},
        )
