from io import StringIO

import time_machine

from rdec_portal.performance import demo
from rdec_portal.performance.models import MonthlyMetric
from tests.accounts.factories import UserFactory
from tests.performance.conftest import taipei


@time_machine.travel(taipei(2026, 11, 15, 10), tick=False)
def test_demo_rolls_up_the_past_year_and_the_month_to_date_idempotently(agency_a):
    # Both accounts are opened inside the frozen clock (a fixture's would carry the real date).
    UserFactory(agency=agency_a, roles=["agency_staff"])
    UserFactory(agency=agency_a, roles=["agency_staff"])
    out = StringIO()
    demo.rollup_demo_months(stdout=out)
    demo.rollup_demo_months(stdout=out)
    row = MonthlyMetric.objects.get(code="accounts.active_staff")
    # The accounts were opened today: only the current month counts them.
    assert (row.month.isoformat(), row.agency, row.value) == ("2026-11-01", agency_a, 2)
    assert "2025-11 to 2026-11 rolled up" in out.getvalue()
    assert not hasattr(demo, "seed")
