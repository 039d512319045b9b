from datetime import date, datetime, timedelta
from decimal import Decimal

from rdec_portal.performance.models import MonthlyMetric
from rdec_portal.performance.registry import get_metric
from rdec_portal.performance.services import rollup_month
from service_center import services
from service_center.models import SurveyAnswer
from tests.service_center.conftest import TAIPEI
from tests.service_center.factories import AssignedPetitionFactory, DispatchCategoryFactory


def compute(name: str):
    """A service-centre metric's one-month rows, as the monthly rollup reads them."""
    return get_metric(f"service_center.{name}").compute


START = datetime(2026, 11, 1, tzinfo=TAIPEI)
END = datetime(2026, 12, 1, tzinfo=TAIPEI)


def rows(compute):
    return {agency: (value, num, den) for agency, value, num, den in compute(START, END)}


def test_on_time_received_closed_overdue_and_satisfaction(frozen, staff_a, agency_a, agency_b):
    on_time = AssignedPetitionFactory(category__agency=agency_a)
    late = AssignedPetitionFactory(
        category__agency=agency_a, due_at=datetime(2026, 11, 20, tzinfo=TAIPEI)
    )
    still_open = AssignedPetitionFactory(
        category__agency=agency_a, due_at=datetime(2026, 11, 25, tzinfo=TAIPEI)
    )
    AssignedPetitionFactory(category__agency=agency_b, received_at=START - timedelta(days=3))
    services.petition_reply(petition=on_time, by=staff_a, text="ok")
    services.petition_reply(petition=late, by=staff_a, text="ok")
    SurveyAnswer.objects.create(petition=on_time, outcome=2, service=5)
    SurveyAnswer.objects.create(petition=late, outcome=4, service=4)

    assert rows(compute("received"))[agency_a.pk][0] == 3
    assert agency_b.pk not in rows(compute("received"))
    assert rows(compute("closed"))[agency_a.pk][0] == 2
    assert rows(compute("replied_on_time"))[agency_a.pk] == (Decimal(50), 1, 2)
    assert rows(compute("open_overdue"))[agency_a.pk][0] == 1
    assert rows(compute("satisfaction_outcome"))[agency_a.pk] == (Decimal(3), 6, 2)
    assert rows(compute("satisfaction_service"))[agency_a.pk][0] == Decimal("4.5")
    assert still_open.is_open


def test_dispatch_within_24_hours(frozen, staff_a, agency_a):
    category = DispatchCategoryFactory(agency=agency_a)
    case = AssignedPetitionFactory(category=category, due_at=START + timedelta(days=30))
    services.petition_reply(petition=case, by=staff_a, text="已完成")
    assert rows(compute("dispatch_on_time"))[agency_a.pk] == (Decimal(100), 1, 1)


def test_the_rollup_stores_the_line_metrics(frozen, staff_a, agency_a):
    services.petition_reply(
        petition=AssignedPetitionFactory(category__agency=agency_a), by=staff_a, text="ok"
    )
    rollup_month(
        month=date(2026, 11, 1), codes=["service_center.received", "service_center.closed"]
    )
    stored = MonthlyMetric.objects.filter(agency=agency_a, code__startswith="service_center.")
    assert {m.code: m.value for m in stored} == {
        "service_center.received": 1,
        "service_center.closed": 1,
    }
    assert get_metric("service_center.replied_on_time").target == 95
