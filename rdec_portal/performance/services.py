"""Every write of the performance app: the monthly rollup, and closing and reopening a month."""

import logging
import uuid
from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from rdec_portal.accounts import roles
from rdec_portal.performance import registry
from rdec_portal.performance.models import ClosedMonth, MonthlyMetric, RollupStamp
from rdec_portal.performance.months import (
    current_month,
    iso_month,
    month_bounds,
    month_of,
    month_range,
)
from rdec_portal.workflow.audit import audit_record
from rdec_portal.workflow.models import AuditEntry

logger = logging.getLogger(__name__)

_FOUR_PLACES = Decimal("0.0001")
_UNIQUE_FIELDS = ["month", "agency", "line", "code"]
_UPDATE_FIELDS = ["value", "numerator", "denominator", "computed_at"]


class PerformanceError(ValidationError):
    """A performance action that cannot be done, with a message the person can act on."""


class MonthClosedError(PerformanceError):
    pass


def _decimal(number) -> Decimal | None:
    if number is None:
        return None
    # Through str so that a float from SQLite becomes the decimal it prints as, not its binary.
    return Decimal(str(number)).quantize(_FOUR_PLACES, rounding=ROUND_HALF_UP)


def _row(metric: registry.Metric, month: date, agency_id, value, numerator, denominator):
    return MonthlyMetric(
        month=month,
        agency_id=agency_id,
        line=metric.line,
        code=metric.code,
        value=_decimal(value),
        numerator=_decimal(numerator),
        denominator=_decimal(denominator),
    )


def _metric_rows(metric: registry.Metric, month: date) -> list[MonthlyMetric]:
    start, end = month_bounds(month)
    return [
        _row(metric, month, agency_id, value, numerator, denominator)
        for agency_id, value, numerator, denominator in metric.compute(start, end)
        if agency_id is not None and value is not None
    ]


def _store(codes: list[str], rows_by_month: dict[date, list[MonthlyMetric]]) -> None:
    """Make each month's rows of these metrics equal its list: upsert them, delete the rest.

    One upsert for all the metrics and months (not one per metric): it sets each row's pk, so
    the rows it did not write are the stale ones, deleted with one statement a month."""
    rows = [row for month_rows in rows_by_month.values() for row in month_rows]
    if rows:
        MonthlyMetric.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=_UNIQUE_FIELDS,
            update_fields=_UPDATE_FIELDS,
        )
    # An agency missing from this run (its last case moved elsewhere) must not keep an old figure.
    for month, month_rows in rows_by_month.items():
        MonthlyMetric.objects.filter(month=month, code__in=codes).exclude(
            pk__in=[row.pk for row in month_rows]
        ).delete()


def _stamp() -> None:
    """A new token for the dashboard's cache (see dashboard.py), in the writing transaction."""
    RollupStamp.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4()})


def _refuse_if_closed(month: date) -> None:
    if ClosedMonth.objects.filter(month=month).exists():
        raise MonthClosedError(
            _("%(month)s is closed: reopen it before recomputing its figures."),
            code="month_closed",
            params={"month": iso_month(month)},
        )


@transaction.atomic
def rollup_month(*, month: date, codes: Iterable[str] | None = None, by=None) -> int:
    """Recompute the month's MonthlyMetric rows of every (or the given) registered metric.

    Idempotent: the rows afterwards equal what the metrics compute, however often it runs.
    Returns the number of rows written. Raises MonthClosedError for a closed month. `by` is the
    person who asked for it, if any (the scheduled rollup has none), for the audit log.
    """
    month = month_of(month)
    _refuse_if_closed(month)
    chosen = registry.metrics(codes)
    with registry.shared_reads():
        rows = [row for metric in chosen for row in _metric_rows(metric, month)]
    _store([metric.code for metric in chosen], {month: rows})
    _stamp()
    total = len(rows)
    # Again at the end: a close that committed while we computed wins, and this run rolls back.
    _refuse_if_closed(month)
    if by is not None:
        audit_record(
            actor=by,
            action=AuditEntry.Action.UPDATE,
            changes={"rollup": iso_month(month), "rows": total},
        )
    logger.info("rollup %s: %s rows", iso_month(month), total)
    return total


# --- rebuilding a range of months ----------------------------------------------------------------

# Months written per transaction (one upsert each) when rebuilding a range.
REBUILD_CHUNK_MONTHS = 12


def _rows_by_month(chosen: list[registry.Metric], months: list[date]) -> dict[date, list]:
    """Every month's rows: one read per metric that offers by_month (for all the months at
    once), else one per month."""
    by_month: dict[date, list[MonthlyMetric]] = {month: [] for month in months}
    start, end = month_bounds(months[0])[0], month_bounds(months[-1])[1]
    with registry.shared_reads():
        for metric in chosen:
            if metric.by_month is None:
                for month in months:
                    by_month[month].extend(_metric_rows(metric, month))
                continue
            for month, agency_id, value, numerator, denominator in metric.by_month(start, end):
                # Months in the span that are not being written (closed) are left out here.
                if month in by_month and agency_id is not None and value is not None:
                    by_month[month].append(
                        _row(metric, month, agency_id, value, numerator, denominator)
                    )
    return by_month


def _closed_months(months: list[date]) -> set[date]:
    return set(ClosedMonth.objects.filter(month__in=months).values_list("month", flat=True))


@transaction.atomic
def _store_months(codes: list[str], rows_by_month: dict[date, list[MonthlyMetric]]) -> None:
    """`_store` for several months, stamped; rolls back with MonthClosedError if one of them was
    closed meanwhile."""
    _store(codes, rows_by_month)
    _stamp()
    # As rollup_month does: a close that committed while we computed wins.
    closed = _closed_months(list(rows_by_month))
    if closed:
        raise MonthClosedError(
            _("%(month)s is closed: reopen it before recomputing its figures."),
            code="month_closed",
            params={"month": iso_month(min(closed))},
        )


def rollup_range(
    *, first: date, last: date, codes: Iterable[str] | None = None
) -> dict[date, int | None]:
    """Recompute every month from `first` to `last` (both included), as rollup_month would month
    by month, for the back-fill. A metric offering `by_month` is read once for the whole range;
    the rest once a month. Closed months are left as they are.

    Returns {month: rows written}, None for a month skipped because it is closed.
    """
    months = month_range(month_of(first), month_of(last))
    chosen = registry.metrics(codes)
    chosen_codes = [metric.code for metric in chosen]
    closed = _closed_months(months)
    open_months = [month for month in months if month not in closed]
    written: dict[date, int | None] = dict.fromkeys(months)
    rows_by_month = _rows_by_month(chosen, open_months) if open_months else {}
    for index in range(0, len(open_months), REBUILD_CHUNK_MONTHS):
        chunk = {
            month: rows_by_month[month]
            for month in open_months[index : index + REBUILD_CHUNK_MONTHS]
        }
        try:
            _store_months(chosen_codes, chunk)
        except MonthClosedError:
            # Someone closed one of these months while we computed: month by month, which
            # skips it and writes the others.
            for month in chunk:
                try:
                    written[month] = rollup_month(month=month, codes=chosen_codes)
                except MonthClosedError:
                    written[month] = None
            continue
        for month, rows in chunk.items():
            written[month] = len(rows)
            logger.info("rollup %s: %s rows", iso_month(month), len(rows))
    return written


def _require_administrator(user) -> None:
    if not roles.has_role(user, roles.ADMINISTRATOR):
        raise PerformanceError(
            _("Only an administrator can close or reopen a month."), code="forbidden"
        )


@transaction.atomic
def month_close(*, month: date, by) -> ClosedMonth:
    """Lock a complete month's figures once the mayor's office has them."""
    _require_administrator(by)
    month = month_of(month)
    if month >= current_month():
        raise PerformanceError(
            _("%(month)s is not over yet: only a past month can be closed."),
            code="month_not_over",
            params={"month": iso_month(month)},
        )
    # Wait for a rollup of this month that is writing right now, so the close sees its result.
    list(MonthlyMetric.objects.select_for_update().filter(month=month).values_list("pk"))
    closed, created = ClosedMonth.objects.get_or_create(month=month, defaults={"closed_by": by})
    if not created:
        raise PerformanceError(
            _("%(month)s is already closed."),
            code="already_closed",
            params={"month": iso_month(month)},
        )
    audit_record(
        actor=by,
        action=AuditEntry.Action.TRANSITION,
        obj=closed,
        changes={"month": iso_month(month), "closed": [False, True]},
    )
    return closed


@transaction.atomic
def month_reopen(*, month: date, by) -> None:
    """Unlock a closed month so the rollup may correct it."""
    _require_administrator(by)
    month = month_of(month)
    closed = ClosedMonth.objects.select_for_update().filter(month=month).first()
    if closed is None:
        raise PerformanceError(
            _("%(month)s is not closed."), code="not_closed", params={"month": iso_month(month)}
        )
    audit_record(
        actor=by,
        action=AuditEntry.Action.TRANSITION,
        obj=closed,
        changes={"month": iso_month(month), "closed": [True, False]},
    )
    closed.delete()
