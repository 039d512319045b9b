"""The load test at a small scale, so that `make load` cannot rot: the same orchestrator
(`python -m load`) and the same three scenarios, 20 seconds each instead of 120 (Redis stays
stopped for 5 s instead of 30).

It runs as a subprocess: locust patches the standard library with gevent on import, which must
not happen in pytest's process. It needs PostgreSQL (gunicorn's two workers and the Celery worker
write at once; SQLite would serialise them and measure its own lock) on its own database,
LOAD_DATABASE_URL or postgres://postgres@127.0.0.1:5432/rdec_load_smoke, and redis-server.
Without PostgreSQL it fails under CI; elsewhere it is skipped with the reason in pytest's summary.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from load.database import Target

pytestmark = pytest.mark.load

REPO = Path(__file__).resolve().parents[2]
DATABASE_URL = os.environ.get(
    "LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rdec_load_smoke"
)
SECONDS = 20
# Three scenarios of 20 s, each with its start-up and drain, after a ~40 s seed: about 3 minutes.
TIMEOUT = 15 * 60


def _require_services() -> None:
    missing = Target.parse(DATABASE_URL).reachable()
    if missing is None and shutil.which("redis-server"):
        return
    reason = (
        f"the load smoke test needs PostgreSQL at {DATABASE_URL} ({missing})"
        if missing
        else "the load smoke test needs redis-server (apt-get install redis-server)"
    )
    # Like the integration tests' redis-server, a missing service is a failure with its remedy,
    # never a silent skip: the run proves nothing is lost under load only if it runs.
    pytest.fail(reason)


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    _require_services()
    folder = tmp_path_factory.mktemp("load")
    command = [sys.executable, "-m", "load", "--seconds", str(SECONDS)]
    command += ["--users", "20", "--database-url", DATABASE_URL, "--results", str(folder)]
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ENV", "DATABASE_URL"}}
    done = subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )
    report = folder / "latest.json"
    assert report.exists(), f"no results written:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    return done, json.loads(report.read_text())


def test_every_scenario_ran_and_passed(results):
    done, report = results
    assert done.returncode == 0, f"{done.stdout[-6000:]}\n{done.stderr[-3000:]}"
    assert [s["scenario"] for s in report["scenarios"]] == [
        "normal",
        "redis-down",
        "worker-killed",
    ]
    assert report["passed"] is True


@pytest.mark.parametrize("index", [0, 1, 2], ids=["normal", "redis-down", "worker-killed"])
def test_nothing_lost_nothing_twice_no_5xx(results, index):
    scenario = results[1]["scenarios"][index]
    assert scenario["requests"] > 0
    assert scenario["server_errors"] == 0, scenario["samples"]
    assert scenario["failures"] == 0, scenario["samples"]
    # Every submission a user saw accepted is in the database, and nothing else was written.
    assert scenario["accepted"] > 0
    assert scenario["petitions"] == scenario["accepted"]
    # One confirmation message per petition in the outbox, each sent, each email exactly once.
    assert scenario["confirmations"] == scenario["petitions"]
    assert scenario["unprocessed"] == 0
    assert scenario["emails"] == scenario["petitions"]
    assert scenario["duplicates"] == scenario["missing"] == scenario["unexpected"] == 0
    assert scenario["problems"] == []


def test_the_disruptions_happened(results):
    """A scenario that did not stop Redis or kill a busy worker would prove nothing."""
    by_name = {s["scenario"]: s for s in results[1]["scenarios"]}
    redis_events = " ".join(by_name["redis-down"]["events"])
    assert "redis-server stopped" in redis_events
    assert "started again" in redis_events
    worker_events = " ".join(by_name["worker-killed"]["events"])
    assert "SIGKILLed" in worker_events
    assert "a new Celery worker is ready" in worker_events
