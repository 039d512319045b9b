from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from rdec_portal.accounts.roles import Line
from rdec_portal.performance import registry
from rdec_portal.performance.registry import Direction, Kind, Metric

TAIPEI = ZoneInfo("Asia/Taipei")


def taipei(*args) -> datetime:
    return datetime(*args, tzinfo=TAIPEI)


@pytest.fixture
def clean_registry():
    """Throw-away metrics registered in a test are gone afterwards; the real ones stay."""
    saved = dict(registry._REGISTRY)
    yield registry
    registry._REGISTRY.clear()
    registry._REGISTRY.update(saved)


@pytest.fixture
def rows_metric(clean_registry):
    """Factory: register a metric whose compute returns the given rows (and records its calls)."""

    def make(rows, **overrides):
        calls = []

        def compute(start, end):
            calls.append((start, end))
            return list(rows)

        options = {
            "code": "test.rows",
            "line": Line.SERVICE_CENTER,
            "label": "Test rows",
            "unit": "%",
            "direction": Direction.HIGHER_IS_BETTER,
            "kind": Kind.RATIO,
            "scale": 100,
            "target": Decimal("90"),
            "min_count": 10,
            "compute": compute,
            **overrides,
        }
        metric = registry.register(Metric(**options))
        return metric, calls

    return make
