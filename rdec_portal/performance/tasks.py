"""Rollup tasks. Beat runs the previous month on the 1st at 00:30 and the current month to date
every night at 02:15 (Asia/Taipei). Tasks take the month as an ISO
string, so a message means the same thing whichever worker runs it."""

import logging

from celery import shared_task
from celery.schedules import crontab
from django.core.exceptions import ValidationError

from rdec_portal.performance.months import (
    current_month,
    iso_month,
    last_complete_month,
    parse_month,
)
from rdec_portal.performance.services import MonthClosedError, rollup_month
from rdec_portal.periodic import periodic_task

logger = logging.getLogger(__name__)


def _rollup_unless_closed(month) -> int:
    try:
        return rollup_month(month=month)
    except MonthClosedError:
        # A closed month is final: retrying would only fail again.
        logger.info("rollup %s skipped: the month is closed", iso_month(month))
        return 0


@shared_task(name="performance.rollup_month")
def rollup_month_task(month_iso: str) -> int:
    """Recompute one month, given as 2026-10 (or ROC 115/10). A bad month fails the task."""
    try:
        month = parse_month(month_iso)
    except ValidationError as exc:
        raise ValueError(f"{month_iso!r} is not a month: {exc.messages[0]}") from None
    return _rollup_unless_closed(month)


@periodic_task(
    "performance.rollup_previous_month", schedule=crontab(minute=30, hour=0, day_of_month="1")
)
def rollup_previous_month() -> int:
    return _rollup_unless_closed(last_complete_month())


@periodic_task("performance.rollup_current_month", schedule=crontab(minute=15, hour=2))
def rollup_current_month() -> int:
    return _rollup_unless_closed(current_month())
