"""How API clients prove who they are: a personal token, or the browser's session.

DRF imports this module while it builds APIView, so it imports nothing that imports DRF views
(their OpenAPI descriptions live in accounts/api.py).
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from rdec_portal.accounts.models import ApiToken

# A busy client must not write a row on every call; once a minute is enough to see a token in use.
LAST_USED_RESOLUTION_SECONDS = 60


class ApiTokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>` (or `Bearer <key>`) with a personal token.

    An unknown, revoked or inactive user's key is a 401 with one message, so a caller cannot
    tell which of the three it was.
    """

    keyword = "Token"
    keywords = (b"token", b"bearer")

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) == 1:
            raise exceptions.AuthenticationFailed(
                _("Invalid token header. No credentials provided.")
            )
        if len(parts) > 2:
            raise exceptions.AuthenticationFailed(
                _("Invalid token header. Token string should not contain spaces.")
            )
        try:
            key = parts[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed(
                _("Invalid token header. Token string should not contain invalid characters.")
            ) from None
        return self.authenticate_credentials(key)

    def authenticate_credentials(self, key):
        token = (
            ApiToken.objects.select_related("user", "user__agency")
            .filter(key_hash=ApiToken.hash_key(key))
            .first()
        )
        if token is None or token.is_revoked or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        now = timezone.now()
        if (
            token.last_used_at is None
            or (now - token.last_used_at).total_seconds() >= LAST_USED_RESOLUTION_SECONDS
        ):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token


class SessionAuthentication(authentication.SessionAuthentication):
    """The browser's login session; a write without the CSRF token gets an actionable message."""

    def enforce_csrf(self, request):
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied:
            raise exceptions.PermissionDenied(
                _(
                    "CSRF check failed: send the X-CSRFToken header with the value of the "
                    "csrftoken cookie, or use a personal API token."
                ),
                code="csrf_failed",
            ) from None
