"""`python -m load` (what `make load` runs): the load test, scenario by scenario.

    python -m load [--seconds 120] [--scenarios normal,redis-down,worker-killed] [--users 40]
                   [--database-url postgres://postgres@127.0.0.1:5432/rdec_load]

For each scenario: a fresh copy of a migrated, seeded PostgreSQL database; a private
redis-server on a free port as the broker; a real Celery worker; the outbox sweep
(`manage.py outbox_relay --loop`, standing in for beat); gunicorn with two workers and the
production settings. Locust's users (locustfile.py) run against it for --seconds in a process of
their own (swarm.py). Meanwhile `redis-down` stops the Redis server for 30 s in the middle
(a quarter of the run at most, so 5 s of a 20-second run) and starts it again on the same port,
and `worker-killed` SIGKILLs the Celery worker while it holds a task and starts another.

Once the users stop and the outbox has drained, the run fails unless: no response was a 5xx
and none failed; the petitions written during the run are exactly the submissions the users
saw accepted; each has one confirmation message in the outbox, processed; and the email folder
holds exactly one email for each of them, none twice, none for anyone else.

Writes load/results/latest.json and latest.md; the exit status is 1 if a scenario failed,
2 if the run could not start (no PostgreSQL, no redis-server).
"""

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes
from email.utils import getaddresses
from pathlib import Path

from load import processes
from load.database import LoadDatabaseError, Target

SCENARIOS = ("normal", "redis-down", "worker-killed")
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/rdec_load"
# The sweep's first retry (5 minutes in production) and how often it runs (beat: every minute).
# Shorter here so that a run drains in seconds; the path a lost message takes is the same.
RETRY_DELAY_SECONDS = 10
SWEEP_INTERVAL_SECONDS = 2
CONFIRMATION_KEY = "petition:{}:confirmation"
# The file email backend writes one file per connection, messages separated by this line.
MAIL_SEPARATOR = b"\n" + b"-" * 79 + b"\n"


def _arguments(argv):
    parser = argparse.ArgumentParser(prog="python -m load", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seconds", type=float, default=float(os.environ.get("LOAD_SECONDS") or 120)
    )
    parser.add_argument(
        "--scenarios",
        default=",".join(SCENARIOS),
        help=f"comma-separated, from {', '.join(SCENARIOS)}",
    )
    parser.add_argument("--users", type=int, default=int(os.environ.get("LOAD_USERS") or 40))
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument(
        "--outage",
        type=float,
        default=30,
        help="seconds Redis stays stopped; at most a quarter of the run",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("LOAD_DATABASE_URL") or DEFAULT_DATABASE_URL,
    )
    parser.add_argument("--results", default=str(processes.REPO / "load" / "results"))
    parser.add_argument("--keep", action="store_true", help="keep the logs and mail folder")
    parser.add_argument(
        "--reuse-template",
        action="store_true",
        help="skip migrating and seeding if the template database exists (repeated runs by hand)",
    )
    args = parser.parse_args(argv)
    args.scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    return args


@dataclass
class Outcome:
    scenario: str
    seconds: float
    users: int
    requests: int = 0
    rps: float = 0.0
    p50_ms: int = 0
    p95_ms: int = 0
    max_ms: int = 0
    failures: int = 0
    server_errors: int = 0
    accepted: int = 0
    uncertain: int = 0
    petitions: int = 0
    confirmations: int = 0
    unprocessed: int = 0
    emails: int = 0
    duplicates: int = 0
    missing: int = 0
    unexpected: int = 0
    drain_seconds: float = 0.0
    events: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    endpoints: list[dict] = field(default_factory=list)
    statuses: dict = field(default_factory=dict)
    samples: list[dict] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems


def _say(message: str) -> None:
    print(message, flush=True)


def _base_env(target: Target) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))}
    for name in ("CACHE_URL", "DATABASE_URL", "EMAIL_BACKEND", "EMAIL_FILE_PATH", "SITE_URL"):
        env.pop(name, None)
    env.update(
        {
            "PYTHONPATH": str(processes.REPO),
            "DJANGO_SETTINGS_MODULE": "rdec_portal.settings",
            "LOG_FORMAT": "plain",
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def _production_env(target: Target, *, broker: str, mail: Path, media: Path, port: int) -> dict:
    return {
        **_base_env(target),
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        # Plain HTTP on the loopback; the users send X-Forwarded-Proto as the TLS proxy would.
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        # Behind one proxy: the users send X-Forwarded-For as it would (load/locustfile.py).
        "PROXY_COUNT": "1",
        "DATABASE_URL": target.url,
        "CELERY_BROKER_URL": broker,
        # Every email the worker sends is a file: "sent twice" is counted, not guessed.
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail),
        "MEDIA_ROOT": str(media),
        "SITE_URL": f"http://127.0.0.1:{port}",
        "OUTBOX_RETRY_DELAY_SECONDS": str(RETRY_DELAY_SECONDS),
    }


def _manage(env: dict, *args: str, log: Path) -> None:
    with log.open("ab") as out:
        done = subprocess.run(  # noqa: S603 - our own manage.py
            [sys.executable, "manage.py", *args],
            cwd=processes.REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if done.returncode:
        tail = log.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{tail}")


def prepare(target: Target, workdir: Path) -> None:
    """The template database (migrated, seed_demo's data) and the collected static files."""
    started = time.monotonic()
    target.recreate(target.template_name)
    env = {
        **_base_env(target),
        "DJANGO_ENV": "development",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": target.template_url,
        # Seeding processes its own emails in process and keeps them in memory.
        "CELERY_BROKER_URL": "",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "MEDIA_ROOT": str(workdir / "seed-media"),
    }
    log = workdir / "prepare.log"
    _manage(env, "migrate", "--no-input", "-v", "0", log=log)
    _manage(env, "seed_demo", log=log)
    # What a deployment runs before gunicorn: the production storage needs the manifest. It
    # hashes and compresses every file (minutes on a busy machine), so only when a source changed.
    if not _static_is_current():
        static_env = {
            **env,
            "DJANGO_ENV": "production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        }
        _manage(static_env, "collectstatic", "--no-input", "-v", "0", log=log)
    _say(f"Prepared the template database and static files in {time.monotonic() - started:.0f} s.")


def _static_is_current() -> bool:
    """True if var/static's manifest is newer than every static source and the package pins."""
    manifest = processes.REPO / "var" / "static" / "staticfiles.json"
    if not manifest.exists():
        return False
    repo = processes.REPO
    pins = [repo / name for name in ("constraints.txt", "package-lock.json")]
    found = [*repo.glob("*/static"), *repo.glob("*/*/static")]
    skip = {"var", ".venv", "node_modules"}
    folders = [repo / "static", *(f for f in found if f.relative_to(repo).parts[0] not in skip)]
    sources = [*pins, *(f for folder in folders for f in folder.rglob("*") if f.is_file())]
    newest = max((f.stat().st_mtime for f in sources if f.exists()), default=0)
    return manifest.stat().st_mtime > newest


class Scenario:
    def __init__(self, name: str, args, target: Target, workdir: Path):
        self.name = name
        self.args = args
        self.target = target
        self.dir = workdir / name
        self.dir.mkdir(parents=True)
        self.mail = self.dir / "mail"
        self.outcome = Outcome(name, args.seconds, args.users)
        self.services: list[processes.Service] = []
        self.started = 0.0
        cpus, load = os.cpu_count(), os.getloadavg()[0]
        self.outcome.events.append(f"machine: {cpus} CPUs, load average {load:.1f} before the run")

    def at(self) -> float:
        return time.monotonic() - self.started

    def event(self, text: str) -> None:
        line = f"{self.at():5.1f} s  {text}"
        self.outcome.events.append(line)
        _say(f"  [{self.name}] {line}")

    def run(self) -> Outcome:
        target = self.target
        target.recreate(target.name, template=target.template_name)
        baseline = target.scalar("SELECT coalesce(max(id), 0) FROM service_center_petition")
        port = processes.free_port()
        self.redis = processes.RedisServer(processes.free_port(), self.dir)
        self.services.append(self.redis.start())
        self.env = _production_env(
            target, broker=self.redis.url, mail=self.mail, media=self.dir / "media", port=port
        )
        try:
            self.worker = processes.celery_worker("worker-1", self.env, self.dir)
            self.services.append(self.worker)
            self.services.append(
                processes.outbox_sweeper(self.env, self.dir, SWEEP_INTERVAL_SECONDS)
            )
            web = processes.gunicorn(self.env, self.dir, port)
            self.services.append(web)
            swarm_out = self.dir / "swarm.json"
            self.started = time.monotonic()
            swarm = self._swarm(port, swarm_out)
            self.disrupt(swarm)
            code = swarm.wait(timeout=self.args.seconds + 120)
            if code:
                raise RuntimeError(f"the locust process exited with {code}; see {self.dir}")
            self.event("users stopped")
            web.stop()
            self.drain()
        finally:
            for service in reversed(self.services):
                service.stop()
        self.check(json.loads(swarm_out.read_text()), baseline)
        return self.outcome

    def _swarm(self, port: int, out: Path) -> subprocess.Popen:
        command = [sys.executable, "-m", "load.swarm", "--host", f"http://127.0.0.1:{port}"]
        command += ["--seconds", str(self.args.seconds), "--users", str(self.args.users)]
        command += ["--spawn-rate", str(self.args.spawn_rate), "--out", str(out)]
        env = {**_base_env(self.target), "PYTHONUNBUFFERED": "1"}
        with (self.dir / "swarm.log").open("ab") as log:
            return subprocess.Popen(  # noqa: S603 - our own module
                command, cwd=processes.REPO, env=env, stdout=log, stderr=subprocess.STDOUT
            )

    def _wait(self, swarm: subprocess.Popen, until: float) -> bool:
        """Let the users run until `until` seconds into the run; False if they finished first."""
        try:
            swarm.wait(timeout=max(0.0, until - self.at()))
        except subprocess.TimeoutExpired:
            return True
        return False

    def disrupt(self, swarm: subprocess.Popen) -> None:
        seconds = self.args.seconds
        if self.name == "redis-down":
            outage = min(self.args.outage, seconds / 4)
            start = (seconds - outage) / 2
            if not self._wait(swarm, start):
                return
            self.redis.stop()
            self.event(f"redis-server stopped (for {outage:.0f} s)")
            self.outage = (time.time(), outage)
            if not self._wait(swarm, start + outage):
                return
            self.redis.start()
            self.event("redis-server started again on the same port, empty")
            self.outage = (self.outage[0], time.time())
        elif self.name == "worker-killed":
            if not self._wait(swarm, seconds / 2):
                return
            held, running = self._catch_the_worker_busy(swarm, deadline=seconds * 0.8)
            self.worker.kill()
            self.event(
                f"Celery worker SIGKILLed (pool included) holding {held} task(s), "
                f"{running} outbox attempt(s) under way"
            )
            self.worker = processes.celery_worker("worker-2", self.env, self.dir)
            self.services.append(self.worker)
            self.event("a new Celery worker is ready")

    def _catch_the_worker_busy(self, swarm: subprocess.Popen, deadline: float) -> tuple[int, int]:
        """Freeze the worker (SIGSTOP) at a moment when an outbox attempt is under way in it:
        counted (attempts > 0), not committed as processed, its email not yet written. The
        handler takes milliseconds, so this polls one connection tightly, freezes the worker
        when it sees such an attempt and looks again; if the worker is caught mid-task the
        caller SIGKILLs it, else it resumes (SIGCONT) and the polling goes on. At the deadline
        it settles for whatever the worker holds.

        An attempt frozen after its email was written and before its commit is not used: the
        email would be sent again on the retry, the at-least-once window README.md describes.
        """
        under_way = (
            "SELECT payload->'to' FROM workflow_outboxmessage "
            "WHERE attempts > 0 AND processed_at IS NULL AND failed_at IS NULL"
        )
        with self.target.connect() as conn:
            while self.at() < deadline and swarm.poll() is None:
                if not conn.execute(under_way).fetchall():
                    continue
                self.worker.send_signal(signal.SIGSTOP)
                running = [to for (to,) in conn.execute(under_way).fetchall()]
                if running and not self._mailed(running):
                    return self.redis.unacked(), len(running)
                self.worker.send_signal(signal.SIGCONT)
            return self.redis.unacked(), len(conn.execute(under_way).fetchall())

    def _mailed(self, recipients: list) -> bool:
        """True if an email to any of these recipients is in the mail folder already."""
        addresses = {a.lower().encode() for to in recipients for a in (to or [])}
        if not self.mail.exists():
            return False
        for path in self.mail.iterdir():
            text = path.read_bytes().lower()
            if any(address in text for address in addresses):
                return True
        return False

    def supervise_worker(self) -> None:
        """Start the Celery worker again if it exited, as its process supervisor (systemd with
        Restart=always, docs/operations.md) does in production. A Redis server going away under
        a worker can end it ("Unrecoverable error" in kombu's reconnect); the outbox sweep then
        republishes what it had not finished, so nothing is lost or sent twice."""
        if self.worker.running:
            return
        self.restarts = getattr(self, "restarts", 0) + 1
        name = f"worker-restart-{self.restarts}"
        self.event(f"the Celery worker had exited (see its log); started again as {name}")
        self.worker = processes.celery_worker(name, self.env, self.dir)
        self.services.append(self.worker)

    def drain(self) -> None:
        """Wait until the outbox has nothing left to do (bounded: the sweep retries in seconds)."""
        pending = (
            "SELECT count(*) FROM workflow_outboxmessage "
            "WHERE processed_at IS NULL AND failed_at IS NULL"
        )
        started = time.monotonic()

        def drained() -> bool:
            self.supervise_worker()
            return self.target.scalar(pending) == 0

        try:
            processes.wait_until(
                drained,
                timeout=max(90, 8 * RETRY_DELAY_SECONDS),
                interval=0.5,
                what="the outbox drains",
            )
        except TimeoutError:
            self.outcome.problems.append("the outbox did not drain")
        self.outcome.drain_seconds = round(time.monotonic() - started, 1)
        self.event(f"outbox drained in {self.outcome.drain_seconds} s")

    def check(self, swarm: dict, baseline: int) -> None:
        out, problems = self.outcome, self.outcome.problems
        for name in ("requests", "rps", "p50_ms", "p95_ms", "max_ms", "failures", "statuses"):
            setattr(out, name, swarm[name])
        out.server_errors = swarm["server_errors"]
        out.endpoints = swarm["endpoints"]
        out.samples = swarm["server_error_samples"] + swarm["failure_samples"]
        accepted = swarm["accepted"]
        out.accepted, out.uncertain = len(accepted), len(swarm["uncertain"])
        if out.requests == 0:
            problems.append("no request was made")
        if out.server_errors:
            problems.append(f"{out.server_errors} response(s) were 5xx")
        if out.failures:
            problems.append(f"{out.failures} request(s) failed")
        if not accepted:
            problems.append("no petition was accepted")
        if self.name == "redis-down" and hasattr(self, "outage"):
            begin, end = self.outage
            during = sum(1 for a in accepted if begin <= a["at"] <= end)
            out.events.append(f"petitions accepted while Redis was down: {during}")
            if not during:
                problems.append("no petition was accepted while Redis was down")

        rows = self.target.rows(
            "SELECT id, number, idempotency_key FROM service_center_petition WHERE id > %s",
            [baseline],
        )
        out.petitions = len(rows)
        in_db = {number for _, number, _ in rows}
        seen = {a["number"] for a in accepted}
        if in_db != seen or len(rows) != len(accepted):
            problems.append(
                f"{len(rows)} petitions written, {len(accepted)} accepted: "
                f"{len(in_db - seen)} not seen by a user, {len(seen - in_db)} not in the database"
            )
        keys = [CONFIRMATION_KEY.format(pk) for pk, _, _ in rows]
        messages = self.target.rows(
            "SELECT key, processed_at IS NOT NULL, failed_at IS NOT NULL "
            "FROM workflow_outboxmessage WHERE key = ANY(%s)",
            [keys],
        )
        out.confirmations = len(messages)
        retried = self.target.scalar(
            "SELECT count(*) FROM workflow_outboxmessage WHERE key = ANY(%s) AND attempts > 1",
            [keys],
        )
        out.events.append(f"confirmations that needed more than one attempt: {retried}")
        out.unprocessed = sum(1 for _, processed, _ in messages if not processed)
        if out.confirmations != len(rows):
            problems.append(f"{out.confirmations} confirmation messages for {len(rows)} petitions")
        if out.unprocessed:
            failed = sum(1 for *_, failed in messages if failed)
            problems.append(f"{out.unprocessed} confirmation(s) not sent ({failed} failed)")

        per_address = self.mail_per_address()
        out.emails = sum(per_address.values())
        expected = {a["email"] for a in accepted}
        out.duplicates = sum(n - 1 for n in per_address.values() if n > 1)
        out.missing = len(expected - set(per_address))
        out.unexpected = sum(n for address, n in per_address.items() if address not in expected)
        if out.duplicates:
            problems.append(f"{out.duplicates} email(s) sent twice")
        if out.missing:
            problems.append(f"{out.missing} petitioner(s) got no email")
        if out.unexpected:
            problems.append(f"{out.unexpected} email(s) to addresses no user submitted")

    def mail_per_address(self) -> Counter:
        counts: Counter = Counter()
        if not self.mail.exists():
            return counts
        for path in sorted(self.mail.iterdir()):
            for chunk in path.read_bytes().split(MAIL_SEPARATOR):
                if not chunk.strip():
                    continue
                message = message_from_bytes(chunk)
                for _, address in getaddresses(message.get_all("To", [])):
                    counts[address.lower()] += 1
        return counts


def markdown(outcomes: list[Outcome], args) -> str:
    lines = [
        f"# Load test: {args.seconds:.0f} s per scenario, {args.users} users",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; gunicorn with 2 workers, production "
        "settings, PostgreSQL, a private Redis as the broker, one Celery worker (2 processes).",
        "",
        "| scenario | requests | req/s | p50 ms | p95 ms | failures | 5xx | accepted | "
        "petitions in DB | emails sent | duplicates | missing | result |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for o in outcomes:
        lines.append(
            f"| {o.scenario} | {o.requests} | {o.rps} | {o.p50_ms} | {o.p95_ms} | {o.failures} "
            f"| {o.server_errors} | {o.accepted} | {o.petitions} | {o.emails} | {o.duplicates} "
            f"| {o.missing} | {'pass' if o.passed else 'FAIL'} |"
        )
    for o in outcomes:
        lines += ["", f"## {o.scenario}", ""]
        lines += [f"- {e}" for e in o.events]
        lines += [f"- **problem:** {p}" for p in o.problems]
        lines += [
            "",
            "| request | count | failures | p50 ms | p95 ms |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for e in o.endpoints:
            lines.append(
                f"| {e['name']} | {e['requests']} | {e['failures']} | {e['p50_ms']} | {e['p95_ms']} |"
            )
    return "\n".join(lines) + "\n"


def table(outcomes: list[Outcome]) -> str:
    head = ("scenario", "requests", "req/s", "p50", "p95", "fail", "5xx", "accepted", "in DB")
    head += ("emails", "dupes", "missing", "result")
    rows = [head] + [
        (
            o.scenario,
            o.requests,
            o.rps,
            o.p50_ms,
            o.p95_ms,
            o.failures,
            o.server_errors,
            o.accepted,
            o.petitions,
            o.emails,
            o.duplicates,
            o.missing,
            "pass" if o.passed else "FAIL",
        )
        for o in outcomes
    ]
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(head))]
    return "\n".join(
        "  ".join(str(v).rjust(w) for v, w in zip(row, widths, strict=True)) for row in rows
    )


def write_results(outcomes: list[Outcome], args) -> list[Path]:
    folder = Path(args.results)
    folder.mkdir(parents=True, exist_ok=True)
    data = {
        "seconds": args.seconds,
        "users": args.users,
        "passed": all(o.passed for o in outcomes),
        "scenarios": [{**asdict(o), "passed": o.passed} for o in outcomes],
    }
    paths = [folder / "latest.json", folder / "latest.md"]
    paths[0].write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    paths[1].write_text(markdown(outcomes, args))
    return paths


def main(argv=None) -> int:
    args = _arguments(argv)
    try:
        target = Target.parse(args.database_url)
    except LoadDatabaseError as exc:
        _say(str(exc))
        return 2
    why = target.reachable()
    if why:
        _say(f"PostgreSQL is not reachable at {args.database_url}: {why}")
        return 2
    if not shutil.which("redis-server"):
        _say("redis-server is not installed (apt-get install redis-server).")
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="rdec-load-"))
    _say(f"Load test: {', '.join(args.scenarios)}; {args.seconds:.0f} s each; logs in {workdir}")
    outcomes = []
    try:
        if args.reuse_template and target.exists(target.template_name):
            _say(f"Reusing the template database {target.template_name}.")
        else:
            prepare(target, workdir)
        for name in args.scenarios:
            _say(f"Scenario {name} ...")
            outcome = Scenario(name, args, target, workdir).run()
            outcomes.append(outcome)
            _say(f"  {'pass' if outcome.passed else 'FAIL: ' + '; '.join(outcome.problems)}")
    finally:
        if outcomes:
            paths = write_results(outcomes, args)
            _say("")
            _say(table(outcomes))
            _say(f"Written: {', '.join(str(p) for p in paths)}")
        if args.keep or not all(o.passed for o in outcomes):
            _say(f"Logs and mail kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0 if outcomes and all(o.passed for o in outcomes) else 1
