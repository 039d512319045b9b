"""What the dashboard shows, built from rows the selectors have already read (no queries here):
each metric's headline against its target, the league table with its minimum-count rule, and the
12-month series."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from rdec_portal.accounts.models import Agency
from rdec_portal.performance.models import MonthlyMetric
from rdec_portal.performance.months import add_months, month_range
from rdec_portal.performance.registry import Metric

SERIES_LENGTH = 12
SPARKLINE_WIDTH = 120
SPARKLINE_HEIGHT = 32
_PAD = 3


@dataclass
class Figure:
    """One agency's value for one metric and month."""

    agency: Agency
    value: Decimal
    numerator: Decimal | None
    denominator: Decimal | None
    status: str
    rank: int | None = None


@dataclass
class Point:
    month: date
    value: Decimal | None
    status: str


@dataclass
class Panel:
    metric: Metric
    value: Decimal | None
    status: str
    score: Decimal | None
    ranked: list[Figure] = field(default_factory=list)
    too_few: list[Figure] = field(default_factory=list)
    series: list[Point] = field(default_factory=list)
    sparkline: str = ""


def series_months(month: date) -> list[date]:
    """The 12 months ending with `month`, oldest first."""
    return month_range(add_months(month, 1 - SERIES_LENGTH), month)


def figure(metric: Metric, row: MonthlyMetric) -> Figure:
    return Figure(
        agency=row.agency,
        value=row.value,
        numerator=row.numerator,
        denominator=row.denominator,
        status=metric.status(row.value),
    )


def league(metric: Metric, rows: list[MonthlyMetric]) -> tuple[list[Figure], list[Figure]]:
    """(ranked best first, too few cases to rank). A tiny sample never tops the table."""
    ranked, too_few = [], []
    for row in rows:
        sample = {"value": row.value, "numerator": row.numerator, "denominator": row.denominator}
        (ranked if metric.is_rankable(**sample) else too_few).append(figure(metric, row))
    # Stable sort: agencies with equal values keep the agency list order.
    ranked.sort(key=lambda f: f.value, reverse=metric.higher_is_better)
    _assign_ranks(ranked)
    return ranked, too_few


def _assign_ranks(figures: list[Figure]) -> None:
    """Competition ranking (1, 2, 2, 4): equal values share a rank."""
    previous, rank = None, 0
    for position, item in enumerate(figures, start=1):
        if item.value != previous:
            rank, previous = position, item.value
        item.rank = rank


def combined_value(metric: Metric, sums: tuple | None) -> Decimal | None:
    """The figure over all agencies in `sums` (Σvalue, Σnumerator, Σdenominator)."""
    if sums is None:
        return None
    value_sum, numerator_sum, denominator_sum = sums
    return metric.combine(
        value_sum=value_sum, numerator_sum=numerator_sum, denominator_sum=denominator_sum
    )


def series(metric: Metric, months: list[date], sums: dict) -> list[Point]:
    points = []
    for month in months:
        value = combined_value(metric, sums.get((metric.code, month)))
        points.append(Point(month=month, value=value, status=metric.status(value)))
    return points


def sparkline(values: list[Decimal | None]) -> str:
    """SVG polyline points for the values (None leaves a gap in x); empty under two values."""
    present = [(index, value) for index, value in enumerate(values) if value is not None]
    if len(present) < 2:
        return ""
    low = min(value for _, value in present)
    span = (max(value for _, value in present) - low) or Decimal(1)
    step = Decimal(SPARKLINE_WIDTH - 2 * _PAD) / max(len(values) - 1, 1)
    inner_height = SPARKLINE_HEIGHT - 2 * _PAD
    return " ".join(
        f"{_PAD + index * step:.1f},{SPARKLINE_HEIGHT - _PAD - (value - low) / span * inner_height:.1f}"
        for index, value in present
    )


def build_panels(
    metrics: list[Metric], *, month: date, rows: list[MonthlyMetric], sums: dict
) -> list[Panel]:
    by_code: dict[str, list[MonthlyMetric]] = {}
    for row in rows:
        by_code.setdefault(row.code, []).append(row)
    months = series_months(month)
    panels = []
    for metric in metrics:
        value = combined_value(metric, sums.get((metric.code, month)))
        ranked, too_few = league(metric, by_code.get(metric.code, []))
        points = series(metric, months, sums)
        panels.append(
            Panel(
                metric=metric,
                value=value,
                status=metric.status(value),
                score=metric.score(value),
                ranked=ranked,
                too_few=too_few,
                series=points,
                sparkline=sparkline([point.value for point in points]),
            )
        )
    return panels


def agency_series(metric: Metric, months: list[date], by_month: dict) -> list[Figure | None]:
    """One agency's row per month (None where it has no figure), for the drill-down."""
    return [figure(metric, by_month[month]) if month in by_month else None for month in months]
