from datetime import date
from decimal import Decimal

import factory

from rdec_portal.accounts.roles import Line
from rdec_portal.performance.models import MonthlyMetric
from tests.accounts.factories import AgencyFactory


class MonthlyMetricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MonthlyMetric

    month = date(2026, 10, 1)
    agency = factory.SubFactory(AgencyFactory)
    line = Line.INFOSERVICE
    code = "accounts.active_staff"
    value = Decimal("10")
    numerator = factory.LazyAttribute(lambda row: row.value)
    denominator = None
