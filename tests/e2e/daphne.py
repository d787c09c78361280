"""A real server for browser tests: daphne + `manage.py run_worker` as child processes of the test.

pytest-django's live_server is WSGI (no WebSocket) and lives inside the test process, so it cannot
be killed and restarted. The fixtures here start the production pieces instead, on a free port of
127.0.0.1, against pytest-django's test database (committed data: use them with transactional_db):

    exam_server         ExamServer with daphne and the worker running; kill_daphne() / start_daphne()
                        kill and restart daphne on the SAME port (the browser reconnects to it)
    redis_process       a private redis-server on a free port (never the shared 6379), stoppable;
                        a test that requests it gets an exam_server with REDIS_URL pointing at it
    server_context      a Playwright browser context whose base_url is exam_server.url
    server_login(user)  puts a logged-in session cookie for exam_server.url into server_context

PostgreSQL only: SQLite cannot be shared safely between the test process, daphne and the worker
the way these tests need, so on SQLite the fixtures skip with that reason. Each process logs to
<tmp_path>/<name>.log; a startup failure shows the log's tail.

Environment of the children: DEBUG=1 (the same insecure dev SECRET_KEY as TESTING mode, so a session
created by the test process is valid there; ALLOWED_HOSTS 127.0.0.1), DATABASE_URL naming the test
database, REDIS_URL as the test run has it unless the test overrides it, ANSWER_GRACE_SECONDS=2 and
WORKER_POLL_SECONDS=0.5 so deadline tests do not wait long.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(settings_dict: dict) -> str:
    """postgres://user:password@host:port/name for a Django settings_dict (the test database)."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{quote(password, safe='')}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{quote(settings_dict['NAME'], safe='')}"


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _wait_port(port: int, *, up: bool, timeout: float, process: subprocess.Popen | None = None) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if process is not None and process.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                if up:
                    return True
        except OSError:
            if not up:
                return True
        time.sleep(0.05)
    return False


def _stop(process: subprocess.Popen | None, sig: int = signal.SIGTERM) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT)


class ExamServer:
    """daphne (one process) and one worker, as the production topology runs them."""

    def __init__(self, env: dict[str, str], logs: Path, port: int | None = None):
        self.env = env
        self.logs = logs
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.daphne: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self._starts = 0

    def _spawn(self, name: str, args: list[str]) -> tuple[subprocess.Popen, Path]:
        log = self.logs / f"{name}.log"
        with open(log, "ab") as out:
            process = subprocess.Popen(
                [sys.executable, *args], cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        return process, log

    def start_daphne(self) -> None:
        assert self.daphne is None or self.daphne.poll() is not None, "daphne is already running"
        self._starts += 1
        self.daphne, log = self._spawn(
            f"daphne-{self._starts}",
            ["-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port), "exam_platform.asgi:application"],
        )
        if not self._ready(timeout=STARTUP_TIMEOUT):
            _stop(self.daphne, signal.SIGKILL)
            pytest.fail(f"daphne did not answer /healthz on port {self.port}:\n{_tail(log)}", pytrace=False)

    def _ready(self, *, timeout: float) -> bool:
        if not _wait_port(self.port, up=True, timeout=timeout, process=self.daphne):
            return False
        end = time.monotonic() + timeout
        while time.monotonic() < end and self.daphne.poll() is None:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return True
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)
        return False

    def kill_daphne(self) -> None:
        """SIGKILL: no shutdown handlers, sockets reset, batches in flight lost (never acked)."""
        _stop(self.daphne, signal.SIGKILL)
        assert _wait_port(self.port, up=False, timeout=STOP_TIMEOUT), "port still open after SIGKILL"

    def start_worker(self) -> None:
        self.worker, log = self._spawn("worker", ["manage.py", "run_worker"])
        time.sleep(0.2)
        if self.worker.poll() is not None:
            pytest.fail(f"the worker exited at once:\n{_tail(log)}", pytrace=False)

    def stop(self) -> None:
        _stop(self.daphne)
        _stop(self.worker)


def server_env(settings_dict: dict, **overrides: str | None) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("TEST_DATABASE_NAME", "TESTING", "SECRET_KEY", "ALLOWED_HOSTS", "PYTEST_CURRENT_TEST"):
        env.pop(name, None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "exam_platform.settings",
            "DEBUG": "1",
            "DATABASE_URL": database_url(settings_dict),
            "ANSWER_GRACE_SECONDS": "2",
            "WORKER_POLL_SECONDS": "0.5",
            "PYTHONUNBUFFERED": "1",
        }
    )
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def require_postgresql() -> dict:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL (DATABASE_URL=postgres://...): daphne, the worker and the test process "
            "share the test database, which SQLite's test database cannot do"
        )
    return connection.settings_dict


@pytest.fixture
def exam_server_env(transactional_db) -> dict[str, str]:
    """The children's environment; override entries (e.g. REDIS_URL) before using exam_server."""
    return server_env(require_postgresql())


@pytest.fixture
def exam_server(exam_server_env, tmp_path, request):
    if "redis_process" in request.fixturenames:  # the test wants its own Redis: use it
        exam_server_env["REDIS_URL"] = request.getfixturevalue("redis_process").url
    server = ExamServer(exam_server_env, tmp_path)
    try:
        server.start_worker()
        server.start_daphne()
        yield server
    finally:
        # Before transactional_db flushes the tables: no connection of ours may hold a lock then.
        server.stop()


class RedisProcess:
    def __init__(self, logs: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.logs = logs
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        log = self.logs / "redis.log"
        with open(log, "ab") as out:
            self.process = subprocess.Popen(
                [
                    "redis-server",
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(self.logs),
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        if not _wait_port(self.port, up=True, timeout=10, process=self.process):
            pytest.fail(f"redis-server did not start:\n{_tail(log)}", pytrace=False)

    def stop(self) -> None:
        _stop(self.process)
        assert _wait_port(self.port, up=False, timeout=STOP_TIMEOUT), "redis still listening"


@pytest.fixture
def redis_process(tmp_path):
    from shutil import which

    if which("redis-server") is None:
        pytest.skip("redis-server is not installed (apt install redis-server)")
    redis = RedisProcess(tmp_path)
    redis.start()
    try:
        yield redis
    finally:
        _stop(redis.process)


@pytest.fixture
def server_context(browser, exam_server):
    from tests.e2e.conftest import VIEWPORT

    context = browser.new_context(
        base_url=exam_server.url, locale="th-TH", timezone_id="Asia/Bangkok", viewport=VIEWPORT
    )
    context.set_default_timeout(15_000)
    try:
        yield context
    finally:
        context.close()  # a no-op when the test closed it already


@pytest.fixture
def server_login(server_context, exam_server):
    from django.conf import settings
    from django.test import Client

    def log_in(user) -> None:
        client = Client()
        client.force_login(user)
        server_context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": exam_server.url,
                }
            ]
        )

    return log_in
