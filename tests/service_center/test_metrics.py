from datetime import date, datetime, timedelta
from decimal import Decimal

from rdec_portal.performance.models import MonthlyMetric
from rdec_portal.performance.months import month_bounds
from rdec_portal.performance.registry import get_metric
from rdec_portal.performance.services import rollup_month
from service_center.petitions import services
from service_center.petitions.models import Status, SurveyAnswer
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


def test_open_and_overdue_is_a_running_count_at_each_months_end(frozen, agency_a):
    # Worked out by hand: the month a case turns overdue, and every month after while it is open.
    def case(received, due, **extra):
        return AssignedPetitionFactory(
            category__agency=agency_a, received_at=received, due_at=due, **extra
        )

    case(datetime(2026, 8, 10, tzinfo=TAIPEI), datetime(2026, 8, 20, tzinfo=TAIPEI))
    # Overdue in the last half hour of September in Kaohsiung (15:30 UTC): September's.
    case(datetime(2026, 9, 5, tzinfo=TAIPEI), datetime(2026, 9, 30, 23, 30, tzinfo=TAIPEI))
    case(datetime(2026, 9, 6, tzinfo=TAIPEI), datetime(2026, 10, 3, tzinfo=TAIPEI))
    case(datetime(2026, 11, 20, tzinfo=TAIPEI), datetime(2026, 12, 5, tzinfo=TAIPEI))  # not yet
    closed = case(datetime(2026, 8, 1, tzinfo=TAIPEI), datetime(2026, 8, 2, tzinfo=TAIPEI))
    closed.status = Status.CLOSED
    closed.save(update_fields=["status"])
    expected = {date(2026, 8, 1): 1, date(2026, 9, 1): 2, date(2026, 10, 1): 3}
    expected[date(2026, 11, 1)] = 3

    metric = get_metric("service_center.open_overdue")
    one_by_one = {
        month: {a: v for a, v, _n, _d in metric.compute(*month_bounds(month))}.get(agency_a.pk)
        for month in expected
    }
    august, december = month_bounds(date(2026, 8, 1))[0], month_bounds(date(2026, 11, 1))[1]
    whole_range = {
        m: v for m, a, v, _n, _d in metric.by_month(august, december) if a == agency_a.pk
    }
    assert one_by_one == whole_range == expected
