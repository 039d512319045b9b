"""The month's table for the dashboard's exports (written by `rdec_portal.exports`). Months in
files are ISO (2026-10); numbers are numbers, so a spreadsheet can add them up."""

from datetime import date

from django.utils.translation import gettext as _

from rdec_portal.accounts.roles import Line
from rdec_portal.performance import registry, selectors
from rdec_portal.performance.months import iso_month
from rdec_portal.performance.registry import Status


def _headers() -> list[str]:
    return [
        _("Month"),
        _("Agency code"),
        _("Agency"),
        _("Business line"),
        _("Metric code"),
        _("Metric"),
        _("Unit"),
        _("Value"),
        _("Numerator"),
        _("Denominator"),
        _("Target"),
        _("Status"),
    ]


def month_table(user, *, month: date) -> tuple[list[str], list[list]]:
    """(headers, rows) of the month's figures the user may see, for every registered metric."""
    metrics = {metric.code: metric for metric in registry.metrics()}
    rows = []
    for row in selectors.month_rows(user, month=month, codes=list(metrics)):
        metric = metrics[row.code]
        rows.append(
            [
                iso_month(month),
                row.agency.code,
                row.agency.name,
                str(Line(row.line).label),
                row.code,
                str(metric.label),
                str(metric.unit),
                row.value,
                row.numerator,
                row.denominator,
                metric.target,
                str(Status(metric.status(row.value)).label),
            ]
        )
    return _headers(), rows
