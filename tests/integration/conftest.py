"""Real-broker fixtures: a private Redis server, a hung "tar-pit" broker and a real Celery worker.

Every test here runs against processes it starts itself, on free ports, and never touches a
Redis server it did not start. The worker runs `celery -A rdec_portal worker` against the test
database (pytest-django's, so tests using it need `transactional_db`: the worker is another
process and sees only committed rows) and writes its email to files the test can read.

Reuse in a new test module in this folder:

    pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

    def test_something(redis_server, celery_worker, use_broker):
        use_broker(redis_server.url)          # this process publishes to the private Redis
        ...call the service...
        wait_until(lambda: <the effect is in the database>, timeout=20)
        assert len(celery_worker.sent_mail()) == 1
"""

import os
import signal
import socket
import subprocess
import sys
import threading
from email import message_from_bytes
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.db import connection

from load.processes import free_port, wait_until
from rdec_portal.celery import app as celery_app
from rdec_portal.workflow.relay import relay_wait_idle

REPO = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")


class RedisServer:
    """A private redis-server on its own port: start, stop and start again."""

    def __init__(self, port: int, workdir: Path):
        self.port = port
        self.workdir = workdir
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        # As in production for a broker (docs/operations.md): never evict a queued task.
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction"]
            + ["--dir", str(self.workdir), "--logfile", str(self.workdir / "redis.log")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self.ping, timeout=10)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=2, socket_connect_timeout=2)

    def ping(self) -> bool:
        try:
            with self.client() as client:
                return client.ping()
        except redis.ConnectionError:
            return False

    def is_idle(self) -> bool:
        """No task waiting in the queue and none delivered but not yet acknowledged."""
        with self.client() as client:
            return client.llen("celery") == 0 and client.hlen("unacked") == 0


class TarPit:
    """A TCP server that accepts connections and never answers: a hung broker."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"redis://127.0.0.1:{self.listener.getsockname()[1]}/0"
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:  # closed by close()
                return
            self.held.append(conn)

    def close(self) -> None:
        self.listener.close()
        for conn in self.held:
            conn.close()


class Worker:
    """A real `celery -A rdec_portal worker` process on the test database."""

    def __init__(self, broker_url: str, workdir: Path, concurrency: int):
        workdir.mkdir(parents=True, exist_ok=True)
        self.mail_dir = workdir / "mail"
        self.log = workdir / "worker.log"
        env = {
            **os.environ,
            "DJANGO_ENV": "test",
            "DATABASE_URL": worker_database_url(),
            "CELERY_BROKER_URL": broker_url,
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.mail_dir),
            "LOG_FORMAT": "plain",
            "PYTHONPATH": str(REPO),
        }
        # -I: the test-only outbox handlers and deadline kind must be registered in the worker too.
        command = [
            str(CELERY),
            "-A",
            "rdec_portal",
            "worker",
            "-I",
            "tests.integration.worker_setup",
        ]
        command += ["--pool", "prefork", "--concurrency", str(concurrency), "--loglevel", "INFO"]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        command += ["-n", f"itest-{free_port()}@%h", "--logfile", str(self.log)]
        # Its own process group, so a test can kill the worker and all its children at once.
        self.process = subprocess.Popen(
            command,
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_until(lambda: self.log_text().find(" ready.") >= 0 or self._exited(), timeout=30)
            if self._exited():
                raise AssertionError(f"the worker exited:\n{self.log_text()[-3000:]}")
        except BaseException:
            self.kill()
            raise

    def _exited(self) -> bool:
        return self.process.poll() is not None

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def sent_mail(self) -> list:
        """The emails the worker sent, parsed, one per message the worker's backend wrote."""
        if not self.mail_dir.exists():
            return []
        messages = []
        for path in sorted(self.mail_dir.iterdir()):
            # The file backend writes one file per connection, messages separated by a rule.
            for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if chunk.strip():
                    messages.append(message_from_bytes(chunk))
        return messages

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes: a crash, nothing acknowledged."""
        if not self._exited():
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self._exited():
            return
        # A cold shutdown (SIGQUIT) is enough at the end of a test and takes no time.
        os.killpg(self.process.pid, signal.SIGQUIT)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()


def worker_database_url() -> str:
    """The URL of the database pytest-django created, for a process started by the test."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    credentials = quote(settings["USER"] or "", safe="")
    if settings["PASSWORD"]:
        credentials += ":" + quote(settings["PASSWORD"], safe="")
    host = f"{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{settings['NAME']}"


@pytest.fixture
def redis_server(tmp_path):
    """A started private Redis; `.stop()` and `.start()` it to simulate an outage."""
    server = RedisServer(free_port(), tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def stopped_redis(tmp_path):
    """A private Redis that is not running yet: its port refuses connections until `.start()`."""
    server = RedisServer(free_port(), tmp_path)
    yield server
    server.stop()


@pytest.fixture
def tarpit():
    pit = TarPit()
    yield pit
    pit.close()


@pytest.fixture
def start_worker(transactional_db, tmp_path):
    """Factory: start_worker(broker_url, concurrency=2) -> Worker; all are stopped afterwards."""
    workers: list[Worker] = []

    def start(broker_url: str, concurrency: int = 2) -> Worker:
        worker = Worker(broker_url, tmp_path / f"worker-{len(workers)}", concurrency)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def celery_worker(redis_server, start_worker):
    """A real worker on the private Redis, ready to run tasks."""
    return start_worker(redis_server.url)


@pytest.fixture
def use_broker(settings):
    """Factory: use_broker(url) makes this (the test's) process publish to that broker."""
    saved_eager = celery_app.conf.task_always_eager

    def use(url: str) -> None:
        settings.CELERY_BROKER_URL = url
        celery_app.conf.task_always_eager = False

    yield use
    # The relay thread must not outlive the test: it would write to the next test's database.
    relay_wait_idle(timeout=15)
    celery_app.conf.task_always_eager = saved_eager
