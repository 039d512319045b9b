"""Admin building blocks shared by every app.

`ReadOnlyAdmin`: use it for a model that only a service writes (history, audit rows, bookings,
imported figures, computed metrics): the admin lists and shows its rows, and nobody, not even
a superuser, can add, change or delete one there, so every change keeps going through the
service that checks the rules and writes the audit row. A model administrators may correct
takes `rdec_portal.workflow.admin.AuditedModelAdmin` instead.
"""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """A list and detail pages that nobody, not even a superuser, can use to write."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
