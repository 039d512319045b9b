"""The shared core's monthly metric: active staff accounts per agency.

Line: information services. The commission's information services division runs the city's
staff systems, this portal among them, so how many staff in each agency hold a working account
is its adoption figure, the way the other lines measure their own work.

The account table has no history. The figure for a month is "accounts active now, holding a
role now, in their agency now, that existed by the month's end". Run on the 1st (the schedule
does), that is the month-end count; recomputed later, accounts closed since then are missing
from it. So a month is closed once the mayor's office has it, and from then on the rollup no
longer touches it: past figures stay as they were counted.
"""

from datetime import datetime

from django.contrib.auth.models import Group
from django.db.models import Count, Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from rdec_portal.accounts import roles
from rdec_portal.accounts.models import User
from rdec_portal.accounts.roles import Line
from rdec_portal.performance.months import first_of_month, trunc_month
from rdec_portal.performance.registry import Direction, Kind, Metric, register, running_totals

ACTIVE_STAFF = "accounts.active_staff"


def _staff_with_a_role(end: datetime):
    has_role = Exists(
        User.groups.through.objects.filter(
            user_id=OuterRef("pk"),
            group__in=Group.objects.filter(name__in=roles.ALL_ROLES),
        )
    )
    return User.objects.filter(has_role, is_active=True, agency__isnull=False, date_joined__lt=end)


def active_staff_by_month(start: datetime, end: datetime):
    """Each month's count: the accounts opened by its end, added up month by month."""
    rows = (
        _staff_with_a_role(end)
        .annotate(month=trunc_month("date_joined"))
        .values("month", "agency_id")
        .annotate(accounts=Count("pk"))
        .order_by("month", "agency_id")
    )
    counts = {(first_of_month(r["month"]), r["agency_id"]): r["accounts"] for r in rows}
    return running_totals(counts, start, end)


register(
    Metric(
        code=ACTIVE_STAFF,
        line=Line.INFOSERVICE,
        label=_("Active staff accounts"),
        unit=_("accounts"),
        direction=Direction.HIGHER_IS_BETTER,
        kind=Kind.COUNT,
        target=None,
        min_count=1,
        description=_(
            "Staff accounts that are active, hold at least one role and were opened by the "
            "month's end, by home agency."
        ),
        by_month=active_staff_by_month,
    )
)
