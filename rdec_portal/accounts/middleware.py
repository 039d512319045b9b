"""Keeps a session alive while it is used, without writing it on every request."""

import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

_SEEN_KEY = "_seen"


@receiver(user_logged_in, dispatch_uid="accounts.session_seen_at_login")
def _seen_at_login(sender, request, user, **kwargs):
    # Logging in saves the session anyway: the next minute's requests need not.
    if request is not None and hasattr(request, "session"):
        mark(request.session)


class SessionKeepAliveMiddleware:
    """The 30-minute idle timeout, one session write a minute instead of one per request.

    SESSION_SAVE_EVERY_REQUEST would cost every page a transaction (three statements) just to
    move the expiry. Marking the session as used at most once per SESSION_TOUCH_SECONDS makes
    the idle limit at most that much shorter, never longer. Visitors with no session get none.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.session_key:
            mark(session)
        return self.get_response(request)


def mark(session) -> None:
    now = int(time.time())
    if now - session.get(_SEEN_KEY, 0) >= settings.SESSION_TOUCH_SECONDS:
        session[_SEEN_KEY] = now
