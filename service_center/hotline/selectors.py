"""Reads of the 1999 hotline volumes: the latest month, recent imports, the tables."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from rdec_portal.performance.months import add_months
from service_center.hotline.models import HotlineCallType, HotlineImport, HotlineVolume


def latest_month() -> date | None:
    return HotlineVolume.objects.order_by("-month").values_list("month", flat=True).first()


def recent_imports(limit: int = 10):
    return HotlineImport.objects.select_related("imported_by")[:limit]


@dataclass(frozen=True)
class MonthRow:
    month: date
    counts: list[int | None]
    total: int | None


@dataclass(frozen=True)
class VolumeTable:
    """Months (rows) by call type (columns), with totals; None where a month has no figures."""

    types: list[HotlineCallType]
    rows: list[MonthRow]
    type_totals: list[int]
    total: int


def _types_for(months: list[date]) -> list[HotlineCallType]:
    """Active types, and retired types that still have figures in these months: one query."""
    used = HotlineVolume.objects.filter(month__in=months).values("call_type_id")
    return list(
        HotlineCallType.objects.filter(Q(is_active=True) | Q(pk__in=used)).order_by(
            "sort_order", "code"
        )
    )


def volume_table(*, last: date, months: int = 12) -> VolumeTable:
    """The `months` months up to `last`, oldest first: two queries."""
    span = [add_months(last, offset) for offset in range(1 - months, 1)]
    counts = {
        (month, type_id): count
        for month, type_id, count in HotlineVolume.objects.filter(month__in=span).values_list(
            "month", "call_type_id", "count"
        )
    }
    types = _types_for(span)
    rows = []
    for month in span:
        cells = [counts.get((month, t.pk)) for t in types]
        known = [c for c in cells if c is not None]
        rows.append(MonthRow(month, cells, sum(known) if known else None))
    type_totals = [sum(row.counts[i] or 0 for row in rows) for i in range(len(types))]
    return VolumeTable(types=types, rows=rows, type_totals=type_totals, total=sum(type_totals))


@dataclass(frozen=True)
class TypeFigure:
    call_type: HotlineCallType
    count: int | None
    share: float | None
    previous: int | None
    last_year: int | None


def month_figures(*, month: date) -> tuple[list[TypeFigure], int, int | None, int | None]:
    """One month by type, with the month before and a year before: (figures, total,
    previous total, last year's total). Two queries."""
    previous, last_year = add_months(month, -1), add_months(month, -12)
    wanted = [month, previous, last_year]
    counts = {
        (m, type_id): count
        for m, type_id, count in HotlineVolume.objects.filter(month__in=wanted).values_list(
            "month", "call_type_id", "count"
        )
    }
    types = _types_for(wanted)

    def total(of: date) -> int | None:
        values = [count for (m, _t), count in counts.items() if m == of]
        return sum(values) if values else None

    month_total = total(month) or 0
    figures = [
        TypeFigure(
            call_type=t,
            count=counts.get((month, t.pk)),
            share=(counts.get((month, t.pk)) or 0) * 100 / month_total if month_total else None,
            previous=counts.get((previous, t.pk)),
            last_year=counts.get((last_year, t.pk)),
        )
        for t in types
    ]
    return figures, month_total, total(previous), total(last_year)
