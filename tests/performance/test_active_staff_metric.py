from datetime import date

import pytest
from django.contrib.auth.models import Group

from rdec_portal.accounts import roles
from rdec_portal.accounts.metrics import ACTIVE_STAFF
from rdec_portal.performance.models import MonthlyMetric
from rdec_portal.performance.months import month_bounds
from rdec_portal.performance.registry import get_metric
from rdec_portal.performance.services import rollup_month
from tests.accounts.factories import UserFactory
from tests.performance.conftest import taipei


def active_staff(start, end):
    return get_metric(ACTIVE_STAFF).compute(start, end)


@pytest.fixture
def october_staff(agency_a, agency_b):
    """Agency A has 3 countable accounts, agency B 1; the others must not count."""
    counted = [
        UserFactory(agency=agency_a, roles=[roles.AGENCY_STAFF], date_joined=taipei(2026, 3, 1)),
        UserFactory(
            agency=agency_a, roles=[roles.AGENCY_SUPERVISOR], date_joined=taipei(2026, 9, 30)
        ),
        # The last minute of October in Kaohsiung (15:59 UTC).
        UserFactory(
            agency=agency_a, roles=[roles.AGENCY_STAFF], date_joined=taipei(2026, 10, 31, 23, 59)
        ),
        UserFactory(agency=agency_b, roles=[roles.AGENCY_STAFF], date_joined=taipei(2026, 1, 5)),
    ]
    UserFactory(
        agency=agency_a, roles=[roles.AGENCY_STAFF], is_active=False, date_joined=taipei(2026, 1, 1)
    )
    UserFactory(agency=agency_a, roles=[], date_joined=taipei(2026, 1, 1))
    Group.objects.get_or_create(name="newsletter")
    UserFactory(agency=agency_a, roles=["newsletter"], date_joined=taipei(2026, 1, 1))
    # Midnight on 1 November in Kaohsiung is still 31 October in UTC: not October's.
    UserFactory(agency=agency_a, roles=[roles.AGENCY_STAFF], date_joined=taipei(2026, 11, 1, 0, 0))
    UserFactory(agency=None, roles=[roles.ADMINISTRATOR], date_joined=taipei(2026, 1, 1))
    return counted


def test_counts_active_staff_with_a_role_joined_by_month_end(october_staff, agency_a, agency_b):
    rows = sorted(active_staff(*month_bounds(date(2026, 10, 1))))
    assert rows == sorted([(agency_a.pk, 3, 3, None), (agency_b.pk, 1, 1, None)])


def test_counts_each_account_once_whatever_its_number_of_roles(agency_a):
    UserFactory(
        agency=agency_a,
        roles=[roles.AGENCY_STAFF, roles.AGENCY_SUPERVISOR, roles.RDEC_RESEARCH],
        date_joined=taipei(2026, 1, 1),
    )
    assert list(active_staff(*month_bounds(date(2026, 10, 1)))) == [(agency_a.pk, 1, 1, None)]


def test_an_earlier_month_does_not_count_later_joiners(october_staff, agency_a, agency_b):
    rows = sorted(active_staff(*month_bounds(date(2026, 9, 1))))
    assert rows == sorted([(agency_a.pk, 2, 2, None), (agency_b.pk, 1, 1, None)])


def test_is_one_aggregate_query(october_staff, django_assert_num_queries):
    with django_assert_num_queries(1):
        list(active_staff(*month_bounds(date(2026, 10, 1))))


def test_rolls_up_end_to_end(october_staff, agency_a, agency_b):
    rollup_month(month=date(2026, 10, 1), codes=[ACTIVE_STAFF])
    stored = {
        (row.agency_id, row.line, row.value, row.numerator, row.denominator)
        for row in MonthlyMetric.objects.filter(code=ACTIVE_STAFF, month=date(2026, 10, 1))
    }
    assert stored == {
        (agency_a.pk, roles.Line.INFOSERVICE, 3, 3, None),
        (agency_b.pk, roles.Line.INFOSERVICE, 1, 1, None),
    }
