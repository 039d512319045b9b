"""Admin for the workflow core, and `AuditedModelAdmin`, which every app's admin reuses.

Administrators edit calendar overrides here; the audit log, outbox, deadlines and
notifications are read-only lists: they are written by services, never by hand.
"""

import json

from django.contrib import admin
from django.db import transaction
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from rdec_portal.admin_helpers import ReadOnlyAdmin
from rdec_portal.workflow.audit import audit_changes, audit_record, audit_snapshot
from rdec_portal.workflow.models import (
    AuditEntry,
    CalendarOverride,
    Deadline,
    Notification,
    OutboxMessage,
)


class AuditedModelAdmin(admin.ModelAdmin):
    """Writes an audit row, with the before and after values, for every add, change and delete.

    Use it as the base class of any ModelAdmin that allows writes:
    `class CategoryAdmin(AuditedModelAdmin): ...`.
    """

    def save_model(self, request, obj, form, change):
        if change:
            # Read the stored row, not `obj`: the form has already copied the new values onto it.
            stored = type(obj)._default_manager.filter(pk=obj.pk).first()
            form._audit_before = audit_snapshot(stored)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        inline_before = [self._audit_inlines_before(request, formset) for formset in formsets]
        # Many-to-many values (a user's roles) are saved here, so the audit row is written after.
        super().save_related(request, form, formsets, change)
        obj = form.instance
        before = getattr(form, "_audit_before", None) if change else None
        audit_record(
            actor=request.user,
            action=AuditEntry.Action.UPDATE if change else AuditEntry.Action.CREATE,
            obj=obj,
            changes=audit_changes(before, audit_snapshot(obj)),
            request=request,
        )
        for formset, snapshots in zip(formsets, inline_before, strict=True):
            self._audit_inlines_after(request, formset, snapshots)

    def _audit_inlines_before(self, request, formset) -> dict:
        """Audit the inline rows being deleted; return the stored values of those being changed."""
        model = formset.model
        snapshots = {}
        for inline_form in formset.initial_forms:
            pk = inline_form.instance.pk
            if pk is None:
                continue
            if inline_form in formset.deleted_forms:
                stored = model._default_manager.filter(pk=pk).first()
                if stored is not None:
                    self._audit_deletion(request, stored)
            elif inline_form.has_changed():
                snapshots[pk] = audit_snapshot(model._default_manager.filter(pk=pk).first())
        return snapshots

    def _audit_inlines_after(self, request, formset, snapshots: dict) -> None:
        for new in getattr(formset, "new_objects", []):
            audit_record(
                actor=request.user,
                action=AuditEntry.Action.CREATE,
                obj=new,
                changes=audit_changes(None, new),
                request=request,
            )
        for changed, _fields in getattr(formset, "changed_objects", []):
            audit_record(
                actor=request.user,
                action=AuditEntry.Action.UPDATE,
                obj=changed,
                changes=audit_changes(snapshots.get(changed.pk), changed),
                request=request,
            )

    def delete_model(self, request, obj):
        self._audit_deletion(request, obj)
        super().delete_model(request, obj)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self._audit_deletion(request, obj)
        super().delete_queryset(request, queryset)

    def _audit_deletion(self, request, obj):
        # Recorded before the delete, while the object still has its key and its relations.
        audit_record(
            actor=request.user,
            action=AuditEntry.Action.DELETE,
            obj=obj,
            changes=audit_changes(audit_snapshot(obj), None),
            request=request,
        )


# The name other modules have imported it by.
ReadOnlyModelAdmin = ReadOnlyAdmin


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(AuditedModelAdmin):
    list_display = ["date", "kind", "reason", "created_by", "created_at"]
    list_filter = ["kind", ("date", admin.DateFieldListFilter)]
    list_select_related = ["created_by"]
    search_fields = ["reason"]
    date_hierarchy = "date"
    readonly_fields = ["created_by", "created_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_repr", "action", "content_type", "object_repr", "ip_address"]
    list_filter = ["action", ("at", admin.DateFieldListFilter), "content_type"]
    list_select_related = ["content_type"]
    search_fields = ["actor_repr", "actor__username", "object_repr", "object_id"]
    fields = [
        "at",
        "actor",
        "actor_repr",
        "action",
        "content_type",
        "object_id",
        "object_repr",
        "changes_display",
        "ip_address",
    ]
    readonly_fields = fields
    show_full_result_count = False  # a count over millions of rows on every page is too slow

    @admin.display(description=_("changes"))
    def changes_display(self, entry):
        text = json.dumps(entry.changes, ensure_ascii=False, indent=2, sort_keys=True)
        return format_html('<pre class="audit-changes">{}</pre>', text)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "handler",
        "key",
        "created_at",
        "published_at",
        "processed_at",
        "attempts",
    ]
    list_filter = ["handler", ("processed_at", admin.EmptyFieldListFilter)]
    search_fields = ["key", "handler"]
    show_full_result_count = False


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyAdmin):
    list_display = [
        "kind",
        "content_type",
        "object_id",
        "due_at",
        "responsible_agency",
        "assignee",
        "state",
    ]
    list_filter = ["state", "kind", "responsible_agency__kind"]
    list_select_related = ["content_type", "responsible_agency", "assignee"]
    search_fields = ["object_id", "kind", "responsible_agency__name_zh"]
    show_full_result_count = False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["title", "recipient", "created_at", "read_at"]
    list_filter = [("read_at", admin.EmptyFieldListFilter)]
    list_select_related = ["recipient"]
    search_fields = ["title", "recipient__username"]
    show_full_result_count = False
