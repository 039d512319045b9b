"""What the dashboard shows, built from rows the selectors have already read (no queries here):
each metric's headline against its target, the league table with its minimum-count rule, and the
12-month series."""

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from urllib.parse import quote

from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import formats, numberformat
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from rdec_portal.accounts.models import Agency
from rdec_portal.dates import ROC_OFFSET
from rdec_portal.performance.models import MonthlyMetric
from rdec_portal.performance.months import add_months, iso_month, month_range
from rdec_portal.performance.registry import Metric, Status

EMPTY = "—"
_CENT = Decimal("0.01")

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


def agency_series(metric: Metric, months: list[date], by_month: dict) -> list[Figure | None]:
    """One agency's row per month (None where it has no figure), for the drill-down."""
    return [figure(metric, by_month[month]) if month in by_month else None for month in months]


# --- the dashboard's panels as HTML ----------------------------------------------------------
#
# The page shows every metric's league table and 12-month series: hundreds of cells. They are
# rendered by templates/performance/_panels.html (autoescaped); the numbers are formatted here
# once per distinct value, the one part that was costly cell by cell.
#
# The figures change only when a rollup writes them, and every rollup rewrites RollupStamp in
# the same transaction. So the panels and the month picker's months are cached under the
# stamp (with the scope, the month, the language and the metrics' definitions): a rollup that
# commits changes the key and the next request builds the page afresh. No stamp (figures that
# no rollup wrote), no cache.

PANELS_TEMPLATE = "performance/_panels.html"
# Bump when the panels' HTML changes shape, so a cache shared across a deploy drops the old.
PANELS_VERSION = 2
PANELS_CACHE_SECONDS = 24 * 3600


def parts_cache_key(stamp, *, metrics: list[Metric], scope: str, month: date) -> str | None:
    """The cache key of the dashboard's data-dependent parts, or None to build them every time."""
    if stamp is None:
        return None
    definitions = [
        (m.code, m.line, str(m.label), str(m.unit), str(m.description), m.direction, m.kind)
        + (m.scale, m.target, m.min_count)
        for m in metrics
    ]
    material = repr(
        (PANELS_VERSION, str(stamp), scope, month, get_language(), get_script_prefix(), definitions)
    )
    return "performance:dashboard:" + hashlib.sha256(material.encode()).hexdigest()


class _Numbers:
    """The `figure` filter, with the active language's separators looked up once and each
    distinct value formatted once (a count's value and numerator are the same). The template
    escapes what it returns."""

    def __init__(self):
        language = get_language()
        self.decimal_sep = formats.get_format("DECIMAL_SEPARATOR", language)
        self.grouping = formats.get_format("NUMBER_GROUPING", language)
        self.thousand_sep = formats.get_format("THOUSAND_SEPARATOR", language)
        self.done: dict = {}

    def __call__(self, value) -> str:
        if value not in self.done:
            self.done[value] = self._format(value)
        return self.done[value]

    def _format(self, value) -> str:
        if value is None:
            return EMPTY
        rounded = Decimal(value).quantize(_CENT)
        places = 0 if rounded == rounded.to_integral_value() else 2
        return numberformat.format(
            rounded,
            self.decimal_sep,
            places,
            self.grouping,
            self.thousand_sep,
            force_grouping=True,
            use_l10n=True,
        )


@dataclass(frozen=True)
class _Status:
    """A status for templates/performance/_status.html: its code (the CSS class) and label."""

    status: str
    label: str


def _statuses() -> dict[str, _Status]:
    """Each status with its label translated once (what the `status_label` filter gives)."""
    return {status: _Status(status, str(label)) for status, label in Status.choices}


def _month_label(month: date) -> str:
    """The `month_short` filter: 115/10 in Chinese, 2026-10 in English."""
    if (get_language() or "").startswith("zh"):
        return f"{month.year - ROC_OFFSET:03d}/{month.month:02d}"
    return iso_month(month)


def _league_figures(metric: Metric, rows: list) -> tuple[list, list]:
    """(ranked as (rank, row) best first, too few to rank): `league` for MonthFigure rows."""
    ranked, too_few = [], []
    for row in rows:
        sample = {"value": row.value, "numerator": row.numerator, "denominator": row.denominator}
        (ranked if metric.is_rankable(**sample) else too_few).append(row)
    ranked.sort(key=lambda row: row.value, reverse=metric.higher_is_better)
    numbered, previous, rank = [], None, 0
    for position, row in enumerate(ranked, start=1):
        if row.value != previous:
            rank, previous = position, row.value
        numbered.append((rank, row))
    return numbered, too_few


def _panel(metric, *, month, months, month_iso, figures, sums, numbers, statuses) -> dict:
    value = combined_value(metric, sums.get((metric.code, month)))
    points = series(metric, months, sums)
    unit = str(metric.unit)
    detail_url = reverse("performance:metric", args=[metric.code])
    link_end = f"&month={month_iso}"
    ranked, too_few = _league_figures(metric, figures)

    def cells(row) -> dict:
        return {
            "code": row.agency_code,
            "link": f"{detail_url}?agency={quote(row.agency_code, safe='/')}{link_end}",
            "name": row.agency_name,
            "value": numbers(row.value),
            "numerator": numbers(row.numerator),
            "denominator": numbers(row.denominator),
        }

    label = str(metric.label)
    about = f"{metric.line_label} · {metric.direction_label}"
    if metric.description:
        about += f" · {metric.description}"
    score = metric.score(value)
    return {
        "slug": metric.slug,
        "label": label,
        "about": about,
        "value": f"{numbers(value)} {unit}",
        "target": EMPTY if metric.target is None else f"{numbers(metric.target)} {unit}",
        "status": statuses[metric.status(value)],
        "score": None if score is None else floatformat(score, 2),
        "ranked": [
            {**cells(row), "rank": rank, "status": statuses[metric.status(row.value)]}
            for rank, row in ranked
        ],
        "too_few": [cells(row) for row in too_few],
        "min_count": metric.min_count,
        "sparkline": sparkline([point.value for point in points]),
        "series": [
            {"value": numbers(point.value), "status": statuses[point.status]} for point in points
        ],
        "has_target": metric.target is not None,
        "detail_url": detail_url,
    }


def panels_html(
    metrics: list[Metric], *, month: date, figures: list, sums: dict, sees_every_agency: bool
) -> str:
    """Every metric's panel on the dashboard, as HTML."""
    by_code: dict[str, list] = {}
    for row in figures:
        by_code.setdefault(row.code, []).append(row)
    months = series_months(month)
    month_iso = iso_month(month)
    numbers, statuses = _Numbers(), _statuses()
    panels = [
        _panel(
            metric,
            month=month,
            months=months,
            month_iso=month_iso,
            figures=by_code.get(metric.code, []),
            sums=sums,
            numbers=numbers,
            statuses=statuses,
        )
        for metric in metrics
    ]
    html = render_to_string(
        PANELS_TEMPLATE,
        {
            "panels": panels,
            "month_iso": month_iso,
            "scope_label": _("City-wide") if sees_every_agency else _("Your agency"),
            "labels": _labels(),
            "ranked_head": [_("Rank"), _("Agency"), _("Value"), _("Numerator")]
            + [_("Denominator"), _("Status")],
            "too_few_head": [_("Agency"), _("Value"), _("Numerator"), _("Denominator")],
            "series_head": [_("Month"), *[_month_label(m) for m in months]],
        },
    )
    return html


def _labels() -> dict[str, str]:
    return {
        "target": _("Target"),
        "status": _("Status"),
        "score": _("Ratio to target"),
        "ranked": _("Agencies ranked"),
        "none_ranked": _("No agency has enough cases to be ranked this month."),
        "last_12": _("Last 12 months"),
        "every_agency": _("Every agency over 12 months"),
        "no_metrics": _("No metrics are registered yet."),
    }
