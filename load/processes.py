"""The processes a load run starts: a private Redis, Celery workers, gunicorn, the outbox sweep.

Each runs in its own session (process group), logs to a file in the run's folder and is stopped
by its own handle, never by name. The Redis server is private, on a free port, so a scenario can
stop and restart it without touching the machine's own.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def wait_until(predicate: Callable[[], object], timeout: float, interval: float = 0.1, what=""):
    """Poll until predicate() is truthy and return its value; raise after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"not within {timeout:.0f} s: {what or predicate}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Service:
    """A child process in its own session, with its output in `log`."""

    def __init__(self, name: str, command: list[str], *, env: dict, log: Path):
        self.name = name
        self.command = command
        self.env = env
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> "Service":
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603 - our own venv's executables
                self.command,
                cwd=REPO,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def check_alive(self) -> None:
        if not self.running:
            raise RuntimeError(f"{self.name} exited:\n{self.log_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL the whole process group: a crash, nothing cleaned up or acknowledged."""
        self._signal(signal.SIGKILL)
        self._reap(10)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
        if not self.running:
            self._reap(1)
            return
        self._signal(sig)
        if not self._reap(timeout):
            self.kill()

    def send_signal(self, sig: int) -> None:
        """Signal the whole process group (e.g. SIGSTOP to freeze it mid-task)."""
        self._signal(sig)

    def _signal(self, sig: int) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)

    def _reap(self, timeout: float) -> bool:
        if self.process is None:
            return True
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return False
        return True


class RedisServer(Service):
    """A private redis-server on its own port, as the broker; stop and start it again."""

    def __init__(self, port: int, workdir: Path):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        # As a broker in production: never evict a queued task. No persistence: a restart loses
        # whatever was queued, the harder case for the outbox.
        command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction"]
        command += ["--dir", str(workdir)]
        super().__init__("redis-server", command, env=dict(os.environ), log=workdir / "redis.log")

    def start(self) -> "RedisServer":
        super().start()
        wait_until(self.ping, timeout=10, what="redis-server answers PING")
        return self

    def client(self):
        import redis

        return redis.Redis.from_url(self.url, socket_timeout=2, socket_connect_timeout=2)

    def ping(self) -> bool:
        import redis

        try:
            with self.client() as client:
                return bool(client.ping())
        except redis.RedisError:
            return False

    def unacked(self) -> int:
        """Tasks a worker has taken and not yet acknowledged: work in progress."""
        import redis

        try:
            with self.client() as client:
                return int(client.hlen("unacked"))
        except redis.RedisError:
            return 0


def celery_worker(name: str, env: dict, workdir: Path, concurrency: int = 2) -> Service:
    log = workdir / f"{name}.log"
    command = [str(BIN / "celery"), "-A", "rdec_portal", "worker", "--pool", "prefork"]
    command += ["--concurrency", str(concurrency), "--loglevel", "INFO", "-n", f"{name}@%h"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    command += ["--logfile", str(log)]
    worker = Service(name, command, env=env, log=workdir / f"{name}.out")
    worker.start()
    # The worker logs " ready." once it consumes; with the broker down it never gets there.
    wait_until(
        lambda: (
            " ready." in (log.read_text(errors="replace") if log.exists() else "")
            or not worker.running
        ),
        timeout=60,
        what=f"{name} ready",
    )
    worker.check_alive()
    worker.log = log
    return worker


def gunicorn(env: dict, workdir: Path, port: int, workers: int = 2) -> Service:
    command = [str(BIN / "gunicorn"), "rdec_portal.wsgi", "--workers", str(workers)]
    command += ["--bind", f"127.0.0.1:{port}", "--timeout", "30"]
    command += ["--error-logfile", str(workdir / "gunicorn.log")]
    server = Service("gunicorn", command, env=env, log=workdir / "gunicorn.out").start()

    def answers() -> bool:
        server.check_alive()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:  # noqa: S310
                return response.status == 200
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    wait_until(answers, timeout=60, what="gunicorn answers /")
    return server


def outbox_sweeper(env: dict, workdir: Path, interval: float) -> Service:
    """`manage.py outbox_relay --loop`: the sweep beat runs every minute, here more often."""
    command = [str(BIN / "python"), "manage.py", "outbox_relay", "--loop"]
    command += ["--interval", str(interval)]
    return Service("outbox-sweep", command, env=env, log=workdir / "sweep.log").start()
