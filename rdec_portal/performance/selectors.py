"""Every read of the performance app. Pages, exports and the API read only MonthlyMetric (with
Agency for names), never the case tables: the figures come from the rollup."""

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.db.models import QuerySet, Sum

from rdec_portal.accounts import roles
from rdec_portal.accounts.models import Agency
from rdec_portal.localise import is_english
from rdec_portal.performance.models import ClosedMonth, MonthlyMetric, RollupStamp

# How far back the month picker reaches: ten years of months.
MONTH_CHOICES_LIMIT = 120


def sees_every_agency(user) -> bool:
    """The mayor's office, administrators and every RDEC line see all agencies' figures."""
    if not roles.is_staff_user(user):
        return False
    return roles.sees_all_agencies(user) or roles.has_role(user, *roles.LINE_ROLE.values())


def monthly_metrics_for(user) -> QuerySet[MonthlyMetric]:
    """The rows the user may see: all for city-wide roles, else the home agency's only."""
    queryset = MonthlyMetric.objects.select_related("agency")
    if sees_every_agency(user):
        return queryset
    return roles.scope_to_agency(queryset, user)


def months_with_data(user) -> list[date]:
    months = (
        monthly_metrics_for(user)
        .order_by("-month")
        .values_list("month", flat=True)
        .distinct()[:MONTH_CHOICES_LIMIT]
    )
    return list(months)


def month_rows(user, *, month: date, codes: list[str]) -> list[MonthlyMetric]:
    return list(
        monthly_metrics_for(user)
        .filter(month=month, code__in=codes)
        .order_by("code", "agency__kind", "agency__sort_order", "agency__code")
    )


class MonthFigure(NamedTuple):
    """One stored figure as the dashboard shows it: plain values, the agency's name in the
    active language (no model instances: building hundreds of them cost more than the query)."""

    code: str
    agency_code: str
    agency_name: str
    value: Decimal
    numerator: Decimal | None
    denominator: Decimal | None


def month_figures(user, *, month: date, codes: list[str]) -> list[MonthFigure]:
    """month_rows as plain tuples, in the same order (by code, then agency list order)."""
    name = "agency__name_en" if is_english() else "agency__name_zh"
    rows = (
        monthly_metrics_for(user)
        .filter(month=month, code__in=codes)
        .order_by("code", "agency__kind", "agency__sort_order", "agency__code")
        .values_list("code", "agency__code", name, "value", "numerator", "denominator")
    )
    return [MonthFigure(*row) for row in rows]


def series_sums(user, *, first: date, last: date, codes: list[str]) -> dict:
    """{(code, month): (Σvalue, Σnumerator, Σdenominator)} over the agencies the user sees."""
    sums = (
        monthly_metrics_for(user)
        .filter(month__gte=first, month__lte=last, code__in=codes)
        .order_by()
        .values("code", "month")
        .annotate(
            value_sum=Sum("value"),
            numerator_sum=Sum("numerator"),
            denominator_sum=Sum("denominator"),
        )
    )
    return {
        (row["code"], row["month"]): (
            row["value_sum"],
            row["numerator_sum"],
            row["denominator_sum"],
        )
        for row in sums
    }


def metric_history(
    user, *, code: str, first: date, last: date, agency: Agency | None = None
) -> dict[Agency, dict[date, MonthlyMetric]]:
    """One metric's rows over a span of months: {agency: {month: row}}, agencies in list order."""
    rows = monthly_metrics_for(user).filter(code=code, month__gte=first, month__lte=last)
    if agency is not None:
        rows = rows.filter(agency=agency)
    history: dict[Agency, dict[date, MonthlyMetric]] = defaultdict(dict)
    for row in rows.order_by("agency__kind", "agency__sort_order", "agency__code", "month"):
        history[row.agency][row.month] = row
    return dict(history)


def visible_agency(user, code: str) -> Agency | None:
    """The agency with this code, if the user may see its figures."""
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        return None
    if sees_every_agency(user) or (roles.is_staff_user(user) and user.agency_id == agency.pk):
        return agency
    return None


def closed_month(month: date) -> ClosedMonth | None:
    return ClosedMonth.objects.filter(month=month).select_related("closed_by").first()


def rollup_stamp():
    """The token the last rollup wrote (None before any): the dashboard's cache key."""
    return RollupStamp.objects.values_list("token", flat=True).first()


def figures_scope(user) -> str:
    """Which rows `monthly_metrics_for` gives the user: every agency's, or one agency's."""
    return "all" if sees_every_agency(user) else f"agency:{user.agency_id}"
