"""Runs the locust users headless for a while and writes what happened as JSON.

    python -m load.swarm --host http://127.0.0.1:PORT --seconds 120 --users 40 --out swarm.json

A process of its own: importing locust monkey-patches the standard library with gevent, which
must not happen in the orchestrator (it starts and signals processes) or in pytest.
"""

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import gevent
from locust.env import Environment
from locust.log import setup_logging

from load import locustfile


def _arguments(argv):
    parser = argparse.ArgumentParser(prog="python -m load.swarm")
    parser.add_argument("--host", required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--out", required=True)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = _arguments(argv)
    setup_logging("WARNING")
    statuses: Counter = Counter()
    server_errors: list[dict] = []

    def on_request(request_type, name, response, exception=None, **kwargs):
        status = getattr(response, "status_code", 0) or 0
        statuses[str(status)] += 1
        if status >= 500 and len(server_errors) < 50:
            server_errors.append({"method": request_type, "name": name, "status": status})

    env = Environment(
        user_classes=[locustfile.Citizen, locustfile.Staff], host=args.host, stop_timeout=30
    )
    env.events.request.add_listener(on_request)
    runner = env.create_local_runner()
    runner.start(args.users, spawn_rate=args.spawn_rate)
    gevent.spawn_later(args.seconds, runner.quit)
    runner.greenlet.join()

    total = env.stats.total
    endpoints = [
        {
            "name": f"{entry.method} {entry.name}" if entry.method else entry.name,
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "p50_ms": entry.get_response_time_percentile(0.5),
            "p95_ms": entry.get_response_time_percentile(0.95),
        }
        for entry in sorted(env.stats.entries.values(), key=lambda e: e.name)
    ]
    failures = [
        {"name": f"{e.method} {e.name}", "error": str(e.error), "occurrences": e.occurrences}
        for e in env.stats.errors.values()
    ]
    result = {
        "seconds": args.seconds,
        "users": args.users,
        "requests": total.num_requests,
        "failures": total.num_failures,
        "rps": round(total.total_rps, 1),
        "p50_ms": total.get_response_time_percentile(0.5),
        "p95_ms": total.get_response_time_percentile(0.95),
        "max_ms": round(total.max_response_time or 0),
        "statuses": dict(statuses),
        "server_errors": sum(n for code, n in statuses.items() if int(code) >= 500),
        "server_error_samples": server_errors,
        "failure_samples": failures[:20],
        "endpoints": endpoints,
        "accepted": locustfile.ACCEPTED,
        "uncertain": locustfile.UNCERTAIN,
    }
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
