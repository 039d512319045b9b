"""The metric registry. Each app's metrics.py registers its monthly metrics here at start-up.

A metric is one aggregate query, GROUP BY month and agency, for a span of whole months::

    register(Metric(code="service_center.replied_on_time", line=Line.SERVICE_CENTER,
                    label=_("Petitions replied on time"), unit="%", kind=Kind.RATIO, scale=100,
                    direction=Direction.HIGHER_IS_BETTER, target=Decimal("95"), min_count=10,
                    by_month=replied_on_time_by_month))

`by_month(start, end)` receives the span as a half-open interval of aware datetimes in
Asia/Taipei: `start` is midnight on the first month's 1st, `end` midnight on the 1st after the
last month (so filter `created_at__gte=start, created_at__lt=end`; for a DateField use
`start.date()` and `end.date()`). It returns rows `(month, agency_id, value, numerator,
denominator)`, where `month` is the first day of the month in Asia/Taipei, from one query (or a
few, shared between metrics during a rollup: `shared`); numerator and denominator may be None.
Rows without an agency or a value are dropped. The monthly rollup asks for one month, a rebuild
(`rollup_metrics --from --to`) for the whole range at once; tests/performance/test_rebuild.py
holds every registered metric to giving the same rows either way.

`metric.compute(start, end)` is one month's rows without the month, `(agency_id, value,
numerator, denominator)`: derived from `by_month`. A metric that cannot group by month may give
`compute` alone; the rollup then reads it month by month.
"""

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from rdec_portal.accounts.roles import Line
from rdec_portal.performance.months import first_of_month, months_between

Number = Decimal | int | float
Row = tuple[int | None, Number | None, Number | None, Number | None]
Compute = Callable[[datetime, datetime], Iterable[Row]]
MonthRow = tuple[date, int | None, Number | None, Number | None, Number | None]
ByMonth = Callable[[datetime, datetime], Iterable[MonthRow]]

_CODE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*")
_CODE_MAX_LENGTH = 64


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "higher_is_better", _("Higher is better")
    LOWER_IS_BETTER = "lower_is_better", _("Lower is better")


class Kind(models.TextChoices):
    """How agency values combine into the city-wide figure."""

    COUNT = "count", _("Count (agencies add up)")
    RATIO = "ratio", _("Ratio (numerator ÷ denominator × scale)")


class Status(models.TextChoices):
    MET = "met", _("Target met")
    NOT_MET = "not_met", _("Target not met")
    NO_TARGET = "no_target", _("No target")
    NO_DATA = "no_data", _("No data")


@dataclass(frozen=True, kw_only=True)
class Metric:
    code: str
    line: str
    label: str
    unit: str
    direction: str
    by_month: ByMonth | None = field(default=None, compare=False)
    compute: Compute | None = field(default=None, compare=False)
    target: Decimal | None = None
    # A row whose sample (denominator, else numerator, else value) is below this is not ranked.
    min_count: int = 1
    kind: str = Kind.COUNT
    scale: Decimal = Decimal(1)
    description: str = ""

    def __post_init__(self):
        if len(self.code) > _CODE_MAX_LENGTH or not _CODE.fullmatch(self.code):
            raise ValueError(f"Metric code {self.code!r} must be lower-case dotted words.")
        if self.line not in Line.values:
            raise ValueError(f"Metric {self.code}: unknown business line {self.line!r}.")
        if self.direction not in Direction.values:
            raise ValueError(f"Metric {self.code}: direction must be one of {Direction.values}.")
        if self.kind not in Kind.values:
            raise ValueError(f"Metric {self.code}: kind must be one of {Kind.values}.")
        if self.min_count < 0:
            raise ValueError(f"Metric {self.code}: min_count cannot be negative.")
        if self.by_month is None and self.compute is None:
            raise ValueError(f"Metric {self.code}: give by_month (or compute).")
        if self.by_month is not None and not callable(self.by_month):
            raise ValueError(f"Metric {self.code}: by_month must be a function.")
        if self.compute is not None and not callable(self.compute):
            raise ValueError(f"Metric {self.code}: compute must be a function.")
        if self.compute is None:
            object.__setattr__(self, "compute", _one_month(self.by_month))
        # Frozen: normalise through object.__setattr__ so int and str targets compare as Decimals.
        if self.target is not None:
            object.__setattr__(self, "target", Decimal(str(self.target)))
        object.__setattr__(self, "scale", Decimal(str(self.scale)))

    @property
    def slug(self) -> str:
        """The code usable as an HTML id."""
        return self.code.replace(".", "-")

    @property
    def line_label(self) -> str:
        return Line(self.line).label

    @property
    def direction_label(self) -> str:
        return Direction(self.direction).label

    @property
    def higher_is_better(self) -> bool:
        return self.direction == Direction.HIGHER_IS_BETTER

    def sample_size(self, *, value, numerator, denominator) -> Decimal:
        """The count a value rests on: a rate's cases (its denominator), else its numerator."""
        for candidate in (denominator, numerator, value):
            if candidate is not None:
                return Decimal(candidate)
        return Decimal(0)

    def is_rankable(self, *, value, numerator, denominator) -> bool:
        sample = self.sample_size(value=value, numerator=numerator, denominator=denominator)
        return sample >= self.min_count

    def combine(self, *, value_sum, numerator_sum, denominator_sum) -> Decimal | None:
        """The city-wide figure from the sums over agencies."""
        if self.kind == Kind.COUNT:
            return value_sum
        if numerator_sum is None or not denominator_sum:
            return None
        return Decimal(numerator_sum) / Decimal(denominator_sum) * self.scale

    def status(self, value) -> str:
        if value is None:
            return Status.NO_DATA
        if self.target is None:
            return Status.NO_TARGET
        met = value >= self.target if self.higher_is_better else value <= self.target
        return Status.MET if met else Status.NOT_MET

    def score(self, value) -> Decimal | None:
        """CityScore's ratio to target: 1 is on target, above 1 better, whatever the direction."""
        if value is None or self.target is None:
            return None
        if self.higher_is_better:
            return Decimal(value) / self.target if self.target else None
        return self.target / Decimal(value) if value else None


def _one_month(by_month: ByMonth) -> Compute:
    def compute(start: datetime, end: datetime) -> Iterable[Row]:
        month = first_of_month(start)
        return (
            (agency, value, num, den)
            for row_month, agency, value, num, den in by_month(start, end)
            if row_month == month
        )

    return compute


_REGISTRY: dict[str, Metric] = {}


def register(metric: Metric) -> Metric:
    if metric.code in _REGISTRY:
        raise ValueError(f"Metric code {metric.code!r} is registered twice.")
    _REGISTRY[metric.code] = metric
    return metric


def unregister(code: str) -> None:
    """Remove a metric (tests register throw-away metrics and take them out again)."""
    _REGISTRY.pop(code, None)


def get_metric(code: str) -> Metric:
    """The metric with this code; KeyError if none is registered."""
    return _REGISTRY[code]


def metrics(codes: Iterable[str] | None = None) -> list[Metric]:
    """Registered metrics by business line, then code; `codes` picks some and rejects unknowns."""
    if codes is None:
        chosen = list(_REGISTRY.values())
    else:
        codes = list(codes)
        unknown = sorted(set(codes) - set(_REGISTRY))
        if unknown:
            raise ValueError(f"Unknown metric code(s): {', '.join(unknown)}.")
        chosen = [_REGISTRY[code] for code in dict.fromkeys(codes)]
    line_order = {line: index for index, line in enumerate(Line.values)}
    return sorted(chosen, key=lambda m: (line_order[m.line], m.code))


def running_totals(counts: dict[tuple[date, int], int], start: datetime, end: datetime):
    """by_month rows (month, agency, n, n, None) of a figure that is "everything up to the
    month's end" (open and overdue, accounts opened), from counts {(month, agency): n} of the
    month each case came in; months before `start` count from the first month on. Like the
    per-month GROUP BY, an agency has a row in a month only once its total is above zero."""
    months = months_between(start, end)
    totals: dict[int, int] = defaultdict(int)
    by_month: dict[date, dict[int, int]] = defaultdict(dict)
    for (month, agency_id), n in counts.items():
        if month < months[0]:
            totals[agency_id] += n
        else:
            by_month[month][agency_id] = n
    for month in months:
        for agency_id, n in by_month[month].items():
            totals[agency_id] += n
        for agency_id, total in sorted(totals.items()):
            if total:
                yield month, agency_id, total, total, None


# --- reads shared by several metrics during one rollup or rebuild ---------------------------------

_SHARED: ContextVar[dict | None] = ContextVar("performance_shared_reads", default=None)


@contextmanager
def shared_reads():
    """While a rollup computes its metrics, `shared` keeps what one metric read for the next."""
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def shared(key, read: Callable):
    """`read()`, done once per key inside `shared_reads()` (e.g. one GROUP BY month, agency and
    channel for the eight channels' metrics), and every time outside it."""
    reads = _SHARED.get()
    if reads is None:
        return read()
    if key not in reads:
        reads[key] = read()
    return reads[key]
