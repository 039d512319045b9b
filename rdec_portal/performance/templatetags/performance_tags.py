"""Months and figures on the dashboard: `{% load performance_tags %}`."""

from datetime import date
from decimal import Decimal

from django import template
from django.utils import formats
from django.utils.translation import get_language

from rdec_portal.dates import ROC_OFFSET
from rdec_portal.performance.months import iso_month as _iso_month
from rdec_portal.performance.registry import Status

register = template.Library()

EMPTY = "—"


def _in_chinese() -> bool:
    return (get_language() or "").startswith("zh")


@register.filter
def iso_month(month: date | None) -> str:
    return _iso_month(month) if month else ""


@register.filter
def month_short(month: date | None) -> str:
    """115/10 in Chinese (as tables show dates); 2026-10 in English."""
    if not month:
        return EMPTY
    if _in_chinese():
        return f"{month.year - ROC_OFFSET:03d}/{month.month:02d}"
    return _iso_month(month)


@register.filter
def figure(value: Decimal | None) -> str:
    """A value with thousands separators and at most two decimals; a dash when missing."""
    if value is None:
        return EMPTY
    rounded = Decimal(value).quantize(Decimal("0.01"))
    places = 0 if rounded == rounded.to_integral_value() else 2
    return formats.number_format(rounded, decimal_pos=places, use_l10n=True, force_grouping=True)


@register.filter
def status_label(status: str) -> str:
    return Status(status).label if status else ""
