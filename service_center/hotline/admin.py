from django.contrib import admin

from rdec_portal.admin_helpers import ReadOnlyAdmin
from rdec_portal.workflow.admin import AuditedModelAdmin
from service_center.hotline.models import HotlineCallType, HotlineImport, HotlineVolume


@admin.register(HotlineCallType)
class HotlineCallTypeAdmin(AuditedModelAdmin):
    """New call types are added here before a file that uses them is imported."""

    list_display = ["code", "name_zh", "name_en", "sort_order", "is_active"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(HotlineImport)
class HotlineImportAdmin(ReadOnlyAdmin):
    list_display = ["imported_at", "file_name", "row_count", "total_calls", "imported_by"]
    list_select_related = ["imported_by"]


@admin.register(HotlineVolume)
class HotlineVolumeAdmin(ReadOnlyAdmin):
    list_display = ["month", "call_type", "count"]
    list_filter = ["call_type"]
    list_select_related = ["call_type"]
