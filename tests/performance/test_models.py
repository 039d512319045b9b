from datetime import date

import pytest
from django.db import IntegrityError, transaction

from rdec_portal.performance.models import ClosedMonth
from tests.performance.factories import MonthlyMetricFactory


def test_a_month_is_stored_as_its_first_day(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        MonthlyMetricFactory(month=date(2026, 10, 2))
    with pytest.raises(IntegrityError), transaction.atomic():
        ClosedMonth.objects.create(month=date(2026, 10, 31))


def test_one_row_per_month_agency_line_and_code(agency_a):
    MonthlyMetricFactory(agency=agency_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        MonthlyMetricFactory(agency=agency_a)
