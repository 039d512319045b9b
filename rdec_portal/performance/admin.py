from django.contrib import admin

from rdec_portal.admin_helpers import ReadOnlyAdmin
from rdec_portal.performance.models import ClosedMonth, MonthlyMetric


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
