from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from rdec_portal.accounts.roles import Line
from tests.service_center.factories import CategoryFactory, DispatchCategoryFactory

TAIPEI = ZoneInfo("Asia/Taipei")
# A Thursday; six working days later is Friday 2026-12-04.
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=TAIPEI)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def category(agency_a):
    return CategoryFactory(code="street-light-out", agency=agency_a, limit_working_days=6)


@pytest.fixture
def dispatch_category(agency_a):
    return DispatchCategoryFactory(code="pothole", agency=agency_a)


@pytest.fixture
def desk_user(rdec_user):
    """RDEC service-centre staff: the triage desk."""
    return rdec_user(Line.SERVICE_CENTER)


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run after-commit work (the outbox relay) as a real commit would."""

    def run(func, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return func(*args, **kwargs)

    return run
