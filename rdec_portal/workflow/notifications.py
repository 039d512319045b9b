"""The in-portal inbox: notify a staff user, optionally by email too (through the outbox)."""

from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from rdec_portal.workflow.models import Notification
from rdec_portal.workflow.outbox import outbox_enqueue

_TITLE_MAX = Notification._meta.get_field("title").max_length
_URL_MAX = Notification._meta.get_field("url").max_length
_KEY_MAX = Notification._meta.get_field("key").max_length
# A body quotes staff text (a note, a reason): it is shown in the inbox and sent by email, so a
# pasted megabyte must not be. Cut here rather than in every caller.
BODY_MAX = 4000


@transaction.atomic
def notify(
    *,
    recipient,
    title: str,
    body: str = "",
    url: str = "",
    key: str = "",
    email: bool = False,
) -> Notification:
    """Put a notification in recipient's inbox and, with email=True, queue an email as well.

    A non-empty `key` makes it once-only per recipient: notifying again with the same key returns
    the first notification and sends no second email.
    """
    if len(url) > _URL_MAX or len(key) > _KEY_MAX:
        raise ValueError(f"url must be at most {_URL_MAX} and key {_KEY_MAX} characters.")
    # A subject line is one line; a long object name must not make the insert fail.
    title = " ".join(str(title).split())[:_TITLE_MAX]
    body = str(body)
    if len(body) > BODY_MAX:
        body = body[: BODY_MAX - 1] + "…"
    fields = {"recipient": recipient, "title": title, "body": body, "url": url, "key": key}
    if not key:
        notification = Notification.objects.create(**fields)
    else:
        existing = Notification.objects.filter(recipient=recipient, key=key).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                notification = Notification.objects.create(**fields)
        except IntegrityError:  # a concurrent notify with the same key won
            return Notification.objects.get(recipient=recipient, key=key)
    if email and recipient.email and recipient.is_active:
        _enqueue_email(notification, recipient.email)
    return notification


def _absolute(url: str) -> str:
    return f"{settings.SITE_URL}{url}" if url.startswith("/") else url


def _enqueue_email(notification: Notification, address: str) -> None:
    body = render_to_string(
        "workflow/email/notification.txt",
        {
            "title": notification.title,
            "body": notification.body,
            "link": _absolute(notification.url),
        },
    )
    outbox_enqueue(
        handler="workflow.send_email",
        payload={"to": [address], "subject": notification.title, "body": body},
        key=f"notification:{notification.pk}",
    )


def notification_mark_read(*, notification: Notification, when: datetime | None = None) -> bool:
    """Mark one notification read. Returns False if it already was (the first read time stays)."""
    updated = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=when or timezone.now()
    )
    if updated:
        notification.refresh_from_db(fields=["read_at"])
        unread_count_forget(notification.recipient_id)
    return bool(updated)


def notifications_mark_all_read(*, recipient, when: datetime | None = None) -> int:
    """Mark every unread notification of recipient read; returns how many changed."""
    updated = Notification.objects.filter(recipient=recipient, read_at__isnull=True).update(
        read_at=when or timezone.now()
    )
    unread_count_forget(recipient.pk)
    return updated


def notifications_for(user) -> QuerySet[Notification]:
    """A user's own notifications, newest first. Nobody sees another user's inbox."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


# The staff header shows the unread count on every page: kept in the cache, forgotten whenever
# one of the user's notifications is added, read or removed (below, and the model's signals in
# apps.py); anything done around those shows within UNREAD_CACHE_SECONDS.
UNREAD_CACHE_SECONDS = 300


def _unread_key(user_id) -> str:
    return f"workflow:unread:{user_id}"


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    key = _unread_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        cache.set(key, count, UNREAD_CACHE_SECONDS)
    return count


def unread_count_forget(user_id) -> None:
    """Drop the cached count now and again at commit, so that no request in between caches the
    count from before the change."""
    key = _unread_key(user_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def forget_unread_on_change(sender, instance, **kwargs) -> None:
    unread_count_forget(instance.recipient_id)


def unread_notifications(request) -> dict:
    """Context processor: the unread count for the staff header (one COUNT; none if anonymous)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": unread_count(user)}
