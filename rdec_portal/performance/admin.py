from django.contrib import admin

from rdec_portal.performance.models import ClosedMonth, MonthlyMetric


class ReadOnlyAdmin(admin.ModelAdmin):
    """The rollup writes the figures and the dashboard closes months; the admin only shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MonthlyMetric)
class MonthlyMetricAdmin(ReadOnlyAdmin):
    list_display = ["month", "agency", "line", "code", "value", "numerator", "denominator"]
    list_filter = ["line", "code", "month"]
    search_fields = ["code", "agency__code", "agency__name_zh"]
    list_select_related = ["agency"]
    date_hierarchy = "month"


@admin.register(ClosedMonth)
class ClosedMonthAdmin(ReadOnlyAdmin):
    list_display = ["month", "closed_at", "closed_by"]
    list_select_related = ["closed_by"]
