from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CalendarOverride(models.Model):
    """A day that differs from the holiday package: a make-up workday or a day off (typhoon)."""

    class Kind(models.TextChoices):
        WORKDAY = "workday", _("Working day (e.g. make-up workday 補班)")
        DAY_OFF = "day_off", _("Day off (e.g. typhoon day 停班)")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["-date"]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()}"


class Deadline(models.Model):
    """A due time attached to any object, with the agency responsible for meeting it."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        MET = "met", _("Met")
        CANCELLED = "cancelled", _("Cancelled")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    target = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(_("kind"), max_length=64, db_index=True)
    due_at = models.DateTimeField(_("due"))
    responsible_agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("responsible agency"),
        on_delete=models.PROTECT,
        related_name="deadlines",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deadlines",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.OPEN, db_index=True
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        indexes = [
            # The reminder sweep reads only open deadlines, by due time.
            models.Index(
                fields=["due_at"], name="workflow_deadline_open_due", condition=Q(state="open")
            ),
            models.Index(fields=["content_type", "object_id"], name="workflow_deadline_target"),
        ]
        constraints = [
            # One live deadline of a kind per object; a new one replaces (closes) the old.
            models.UniqueConstraint(
                fields=["content_type", "object_id", "kind"],
                condition=Q(state="open"),
                name="workflow_deadline_one_open_per_kind",
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.object_id} @ {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_overdue(self) -> bool:
        return self.state == self.State.OPEN and self.due_at < timezone.now()


class ReminderSent(models.Model):
    """One row per (deadline, step): the unique key that makes each reminder go out once."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="reminders")
    step = models.CharField(max_length=64)
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.JSONField(default=list)

    class Meta:
        constraints = [
            # Two beat processes or a retried task cannot send the same reminder twice.
            models.UniqueConstraint(fields=["deadline", "step"], name="workflow_reminder_once"),
        ]

    def __str__(self):
        return f"{self.deadline_id}:{self.step}"


class Notification(models.Model):
    """An item in a staff user's in-portal inbox."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    key = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [
            # The unread count in every staff page header.
            models.Index(
                fields=["recipient"],
                name="workflow_notification_unread",
                condition=Q(read_at__isnull=True),
            ),
            models.Index(fields=["recipient", "-created_at"], name="workflow_notification_inbox"),
        ]
        constraints = [
            # A keyed notification (e.g. one reminder step) reaches each recipient once.
            models.UniqueConstraint(
                fields=["recipient", "key"], condition=~Q(key=""), name="workflow_notification_once"
            ),
        ]

    def __str__(self):
        return self.title


class OutboxMessage(models.Model):
    """Background work written in the same transaction as the change that needs it.

    The relay publishes it to the broker after commit; the sweep republishes what is still not
    processed; the worker processes each message once (it locks the row and checks processed_at).
    """

    handler = models.CharField(max_length=100, db_index=True)
    payload = models.JSONField(default=dict)
    key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # When the sweep may next republish it: pushed back exponentially after every failure.
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    # The dead-letter state: set after too many failed attempts; the sweep leaves it alone.
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            # The sweep reads only messages neither processed nor given up, by when they are due.
            models.Index(
                fields=["next_attempt_at"],
                name="workflow_outbox_pending",
                condition=Q(processed_at__isnull=True, failed_at__isnull=True),
            ),
            # Operators list the dead letters.
            models.Index(
                fields=["failed_at"],
                name="workflow_outbox_failed",
                condition=Q(failed_at__isnull=False),
            ),
        ]
        constraints = [
            # A message either did its work or was given up, never both.
            models.CheckConstraint(
                condition=Q(processed_at__isnull=True) | Q(failed_at__isnull=True),
                name="workflow_outbox_processed_or_failed",
            ),
        ]

    def __str__(self):
        return f"{self.handler} #{self.pk}"


class AuditEntry(models.Model):
    """Append-only: who did what to which object, and when. Never updated, never deleted."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        DELETE = "delete", _("Deleted")
        TRANSITION = "transition", _("Workflow step")
        VIEW_PERSONAL_DATA = "view_personal_data", _("Viewed personal data")
        EXPORT = "export", _("Exported")
        LOGIN = "login", _("Logged in")
        LOGOUT = "logout", _("Logged out")
        LOGIN_FAILED = "login_failed", _("Failed login")

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_repr = models.CharField(_("actor name"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=30, choices=Action.choices, db_index=True)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [
            # An object's history on its pages.
            models.Index(fields=["content_type", "object_id", "-at"], name="workflow_audit_object"),
            models.Index(fields=["actor", "-at"], name="workflow_audit_actor"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_repr} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit entries are append-only.")
