"""Demo data: roll up the month to date, as the nightly task would, so the dashboard has figures.

The demo accounts are opened today, so earlier months have none. The core seeds before the
business lines: their metrics appear after an administrator presses "Recompute this month".
"""

from rdec_portal.performance.months import current_month, iso_month
from rdec_portal.performance.services import MonthClosedError, rollup_month


def seed(*, stdout, scale: str) -> None:
    month = current_month()
    try:
        rows = rollup_month(month=month)
    except MonthClosedError:
        stdout.write(f"Monthly metrics: {iso_month(month)} is closed, left as it is")
        return
    stdout.write(f"Monthly metrics: {iso_month(month)} rolled up ({rows} figures)")
