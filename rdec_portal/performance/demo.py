"""Demo data: roll up the past year and the month to date, as the nightly task would have.

Not an app `seed` (seed_apps runs those in INSTALLED_APPS order, some after this app): the
seed_demo command calls `rollup_demo_months` once every app has seeded, so the dashboard's
default month (the last complete one) and its 12-month series have figures. A closed month is
left as it is.
"""

from rdec_portal.performance.months import add_months, current_month, iso_month, month_range
from rdec_portal.performance.services import MonthClosedError, rollup_month

DEMO_MONTHS = 12


def rollup_demo_months(*, stdout, months: int = DEMO_MONTHS) -> int:
    """Roll up the last `months` complete months and the current one. Returns the rows written."""
    current = current_month()
    rows, closed = 0, []
    for month in month_range(add_months(current, -months), current):
        try:
            rows += rollup_month(month=month)
        except MonthClosedError:
            closed.append(iso_month(month))
    first = iso_month(add_months(current, -months))
    note = f"; closed, left as they are: {', '.join(closed)}" if closed else ""
    stdout.write(
        f"Monthly metrics: {first} to {iso_month(current)} rolled up ({rows} figures){note}"
    )
    return rows
