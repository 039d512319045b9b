from decimal import Decimal

import pytest

from rdec_portal.accounts.roles import Line
from rdec_portal.performance import registry
from rdec_portal.performance.registry import Direction, Kind, Metric, Status


def _metric(**overrides):
    options = {
        "code": "test.metric",
        "line": Line.PLANNING,
        "label": "Test",
        "unit": "%",
        "direction": Direction.HIGHER_IS_BETTER,
        "compute": lambda start, end: [],
        **overrides,
    }
    return Metric(**options)


def test_the_real_metric_is_registered_by_autodiscovery():
    codes = [metric.code for metric in registry.metrics()]
    assert "accounts.active_staff" in codes


def test_register_rejects_a_duplicate_code(clean_registry):
    registry.register(_metric())
    with pytest.raises(ValueError, match="registered twice"):
        registry.register(_metric(label="Another"))
    assert [m.label for m in registry.metrics(["test.metric"])] == ["Test"]


@pytest.mark.parametrize(
    "overrides",
    [
        {"code": "Bad Code"},
        {"code": "x" * 65},
        {"line": "astrology"},
        {"direction": "sideways"},
        {"kind": "median"},
        {"min_count": -1},
        {"compute": "not a function"},
    ],
)
def test_metric_definition_is_validated(overrides):
    with pytest.raises(ValueError):
        _metric(**overrides)


def test_a_metric_needs_a_query():
    with pytest.raises(ValueError, match="by_month"):
        _metric(compute=None)


def test_one_months_rows_come_from_by_month_without_the_month():
    from datetime import date

    from rdec_portal.performance.months import month_bounds

    october = month_bounds(date(2026, 10, 1))

    def by_month(start, end):
        assert (start, end) == october
        return [
            (date(2026, 10, 1), 7, Decimal(80), 8, 10),
            (date(2026, 10, 1), None, 1, 1, None),
            (date(2026, 9, 1), 7, 1, 1, None),  # not October's: left out
        ]

    metric = _metric(compute=None, by_month=by_month)
    assert list(metric.compute(*october)) == [(7, Decimal(80), 8, 10), (None, 1, 1, None)]


def test_metrics_orders_by_line_then_code_and_rejects_unknown_codes(clean_registry):
    registry.register(_metric(code="test.b", line=Line.RESEARCH))
    registry.register(_metric(code="test.a", line=Line.INFOSERVICE))
    registry.register(_metric(code="test.c", line=Line.RESEARCH))
    chosen = registry.metrics(["test.a", "test.c", "test.b"])
    assert [m.code for m in chosen] == ["test.b", "test.c", "test.a"]
    with pytest.raises(ValueError, match="test.nope"):
        registry.metrics(["test.a", "test.nope"])


def test_status_follows_the_direction():
    higher = _metric(target=90)
    lower = _metric(target=3, direction=Direction.LOWER_IS_BETTER)
    assert higher.status(Decimal("90")) == Status.MET
    assert higher.status(Decimal("89.9")) == Status.NOT_MET
    assert lower.status(Decimal("3")) == Status.MET
    assert lower.status(Decimal("3.1")) == Status.NOT_MET
    assert _metric().status(Decimal("5")) == Status.NO_TARGET
    assert higher.status(None) == Status.NO_DATA


def test_score_is_above_one_when_better_than_target_in_either_direction():
    assert _metric(target=80).score(Decimal("100")) == Decimal("1.25")
    assert _metric(target=4, direction=Direction.LOWER_IS_BETTER).score(Decimal("2")) == 2
    assert _metric().score(Decimal("2")) is None


def test_city_wide_ratio_weighs_agencies_by_their_cases():
    rate = _metric(kind=Kind.RATIO, scale=100)
    # 1 of 2 and 89 of 98: the mean of rates would be 70.4 %; the city's rate is 90 %.
    assert rate.combine(
        value_sum=Decimal("140.8"), numerator_sum=Decimal(90), denominator_sum=Decimal(100)
    ) == Decimal(90)
    assert rate.combine(value_sum=0, numerator_sum=0, denominator_sum=0) is None
    count = _metric(kind=Kind.COUNT)
    assert count.combine(value_sum=Decimal(7), numerator_sum=None, denominator_sum=None) == 7


def test_sample_size_is_the_denominator_else_the_numerator():
    metric = _metric(min_count=10)
    assert (
        metric.is_rankable(value=Decimal(100), numerator=Decimal(3), denominator=Decimal(3))
        is False
    )
    assert metric.is_rankable(value=Decimal(50), numerator=Decimal(5), denominator=Decimal(10))
    assert metric.is_rankable(value=Decimal(12), numerator=Decimal(12), denominator=None)
