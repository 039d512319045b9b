"""`pytest --clock=DATE`: run the suite as if today were DATE.

The whole run's clock is moved (time-machine, ticking from DATE at 10:00 in Taipei, or at the
time given as `2027-02-29T23:30`), so a test that forgot to freeze its own clock, or froze only
part of what it builds, shows up on a month's first day, on 31 December, in the Lunar New Year
holidays or on 29 February just as it would in production. Tests that freeze their own clock keep
it: time-machine nests. `make test TEST_CLOCK=2028-02-29` passes the option to the fast tier.

Only this process's clock moves: subprocesses (the Celery worker of the integration tests, the
load test's servers) and the database's own now() keep the real time, so the slow tiers are run
at the real date.
"""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

TAIPEI = ZoneInfo("Asia/Taipei")


def pytest_addoption(parser):
    parser.addoption(
        "--clock",
        default="",
        metavar="YYYY-MM-DD[THH:MM]",
        help="run as if the time in Taipei were this (default: the real time)",
    )


def moved_to(value: str) -> datetime:
    try:
        if "T" in value:
            moment = datetime.fromisoformat(value)
        else:
            moment = datetime.combine(date.fromisoformat(value), time(10, 0))
    except ValueError:
        raise pytest.UsageError(
            f"--clock: {value!r} is not YYYY-MM-DD or YYYY-MM-DDTHH:MM"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=TAIPEI)


def pytest_configure(config):
    value = config.getoption("clock")
    if value:
        traveller = time_machine.travel(moved_to(value), tick=True)
        traveller.start()
        config.stash[_TRAVELLER] = traveller


def pytest_unconfigure(config):
    traveller = config.stash.get(_TRAVELLER, None)
    if traveller is not None:
        traveller.stop()


def pytest_report_header(config):
    value = config.getoption("clock")
    if value:
        return f"clock moved to {moved_to(value).isoformat()} (Asia/Taipei)"
    return None


_TRAVELLER = pytest.StashKey[time_machine.travel]()
