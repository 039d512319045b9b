"""Keeps a session alive while it is used, without writing it on every request, and ends it
for good SESSION_ABSOLUTE_SECONDS after the login however busy it is."""

import time

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils.translation import gettext as _

_SEEN_KEY = "_seen"
_LOGGED_IN_AT_KEY = "_logged_in_at"


@receiver(user_logged_in, dispatch_uid="accounts.session_seen_at_login")
def _seen_at_login(sender, request, user, **kwargs):
    # Logging in saves the session anyway: the next minute's requests need not.
    if request is not None and hasattr(request, "session"):
        mark(request.session)
        request.session[_LOGGED_IN_AT_KEY] = int(time.time())


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


class SessionAbsoluteLifetimeMiddleware:
    """Logs out a session SESSION_ABSOLUTE_SECONDS (12 hours) after its login, even if it was
    never idle: a stolen session cookie is not good forever. After AuthenticationMiddleware.

    A session logged in before this existed counts from the first request it makes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.session_key and auth.SESSION_KEY in session:
            now = int(time.time())
            started = session.get(_LOGGED_IN_AT_KEY)
            if started is None:
                session[_LOGGED_IN_AT_KEY] = now
            elif now - started >= settings.SESSION_ABSOLUTE_SECONDS:
                auth.logout(request)
                hours = max(1, settings.SESSION_ABSOLUTE_SECONDS // 3600)
                messages.info(
                    request,
                    _("For your security a session lasts at most %(hours)d hours: log in again.")
                    % {"hours": hours},
                )
        return self.get_response(request)
