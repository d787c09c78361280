"""Bench: N simulated candidates over real WebSockets against the production topology; prints figures.

    .venv/bin/python bench/exam_load.py --candidates 1000
    .venv/bin/python bench/exam_load.py --candidates 5000 --json var/bench/exam_load_5000.json

What it does, in one run (see docs/performance.md for figures and what limits each one):

1. Data, through Django (like a management command): a fresh database (default exam_d3_bench, dropped
   and recreated), migrate, a locked paper of --items single-choice items, N candidates with a
   checked-in roster entry each in one open session, and a logged-in Django session per candidate
   (rows written directly with SessionStore's encoding: no N logins).
2. pgbench, one-row upsert shaped like a save (jsonb + seq + timestamp, ON CONFLICT DO UPDATE), on
   the same database before the servers start: this machine's durable commit rate.
3. The topology, started here: --servers daphne processes on their own ports (no proxy; clients
   split evenly across them), each `daphne -e tcp:port=P:interface=127.0.0.1:backlog=4096`
   (DESIGN §10), DEBUG=0 with collected static files, REDIS_URL set (channel layer on), and one
   `manage.py run_worker`. somaxconn and the open-file limit are checked (and raised where allowed).
4. --clients load-generator processes (asyncio + the `websockets` package), each driving its share
   of candidates. Phases:
   (a) the exam start, like a browser: GET the exam room page /exam/entries/<id>/room, open
       ws/exam/<id>/ and wait for the paper (the "started" message, sent when the server starts
       the attempt). Ready = paper received. Two modes (--herd):
       waiting (default): the session opens --arrive-seconds after the phase begins; candidates
         arrive in the waiting room spread over --arrive-spread seconds (0: all at once) and are
         started by the server at opens_at. Figures: arrival (page + socket + hello) p50/p99 and
         when the last one was in, then ready after opens_at: all, p50, p99.
       cold: the session is already open and every candidate arrives at the same instant t0
         (no waiting room); ready after t0.
   (b) paced: every candidate saves one answer every 5 s (random phase) for --paced-seconds;
       acks/s, p50/p99 ack latency (send → ack, measured in the client).
   (c) saturated: every candidate saves again as soon as its previous save is acked, for
       --saturated-seconds; acks/s = durable saves/s (acks follow the commit), p50/p99.
   (d) deadline burst: every attempt's deadline is moved to "grace + 1 s ago" in one UPDATE; the
       running worker's periodic delivery.enforce_deadlines (every 2 s) submits them; time until
       all are submitted (and the worker's own processing time: first to last submission seen).
   CPU seconds used per process group are printed for each phase (from /proc).

Goals (issue 4, this 2-core machine, load generator included): 5,000 ready within 10 s; paced
5,000 × 1 save / 5 s with p99 ack ≤ 50 ms; saturated ≥ 3,000 durable saves/s; 5,000 deadline
submissions within 10 s.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import multiprocessing as mp
import os
import random
import re
import resource
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
STATE = ROOT / "var" / "bench" / "exam_load"
CSRF_TOKEN = "benchbenchbenchbenchbenchbench12"  # noqa: S105 (32 alphanumerics: a valid CSRF secret)
SLOW_ACK_SECONDS = 0.05  # the paced goal: acks slower than this are located in time
PACE_SECONDS = 5.0
SAVE_TIMEOUT = 30.0  # an ack slower than this counts as an error (a dead server must not hang the run)


# --- helpers ----------------------------------------------------------------------------------


def log(message: str) -> None:
    print(f"[exam_load] {message}", flush=True)


def clock(at: float) -> str:
    """Wall-clock time to the tenth of a second, as the servers' log lines have it."""
    return time.strftime("%H:%M:%S", time.localtime(at)) + f".{int(at * 10) % 10}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def raise_file_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        soft = hard
    log(f"open files: soft=hard={soft} (need about {needed})")
    if soft < needed:
        sys.exit(f"ulimit -n is {soft}; raise it to at least {needed} (e.g. `ulimit -n {needed}` as root)")


def check_somaxconn(backlog: int) -> int:
    path = Path("/proc/sys/net/core/somaxconn")
    try:
        value = int(path.read_text())
    except OSError:
        return -1
    if value < backlog:
        try:
            path.write_text(str(backlog))
            value = backlog
        except OSError:
            log(f"somaxconn is {value} and cannot be raised here: the listen backlog is capped at it")
    return value


# --- CPU accounting ---------------------------------------------------------------------------

CLOCK = os.sysconf("SC_CLK_TCK")


def _cpu_of(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK  # utime + stime


def _pids_named(name: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


class CpuMeter:
    """CPU seconds per group of processes between two snapshots (PostgreSQL: all its backends;
    a backend that exited between the snapshots is not counted)."""

    def __init__(self, groups: dict[str, list[int]]):
        self.groups = groups

    def snapshot(self) -> dict[str, dict[int, float]]:
        snap = {name: {pid: _cpu_of(pid) for pid in pids} for name, pids in self.groups.items()}
        snap["postgres"] = {pid: _cpu_of(pid) for pid in _pids_named("postgres")}
        return snap

    @staticmethod
    def used(before: dict, after: dict) -> dict[str, float]:
        return {
            name: round(sum(cpu - before.get(name, {}).get(pid, 0.0) for pid, cpu in pids.items()), 2)
            for name, pids in after.items()
        }

    @staticmethod
    def describe(used: dict[str, float], seconds: float) -> str:
        parts = [f"{k} {v:.1f}s" for k, v in used.items()]
        return f"CPU over {seconds:.1f} s wall (2 cores = {2 * seconds:.1f} s): " + ", ".join(parts)


# --- data (Django) ----------------------------------------------------------------------------


def prepare_database(url: str, fresh: bool) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = url[: url.rfind("/")] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            )
            conn.execute(f'DROP DATABASE "{name}"')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()


def create_exam(n: int, item_count: int) -> list[dict]:
    """A locked paper, one open session, n checked-in candidates with a Django session each."""
    import datetime as dt

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.db import transaction
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from exam_platform.accounts.models import Candidate, User
    from exam_platform.common.national_id import make_valid
    from exam_platform.delivery.models import ExamRound, ExamSession, RosterEntry
    from question_bank.services import papers as paper_services
    from tests.factories import make_bank, make_examiner, make_item

    started = time.monotonic()
    owner = make_examiner()
    bank = make_bank(members={owner: "owner"})
    subject = bank.categories.get(parent__isnull=True)
    # The default rule mix is 40 % easy, 40 % medium, 20 % hard: create exactly that.
    for i in range(item_count):
        make_item(bank, status="approved", difficulty=("easy", "easy", "medium", "medium", "hard")[i % 5])
    paper = paper_services.create_paper(
        bank, actor=owner, code=f"bench-{secrets.token_hex(3)}", title="ภาค ก (bench)", form_mode="fixed"
    )
    section = paper_services.add_section(
        paper, actor=owner, title="ความสามารถทั่วไป", shuffle_items=True, shuffle_choices=True
    )
    paper_services.add_rule(section, actor=owner, category=subject, count=item_count)
    paper = paper_services.lock_paper(paper, actor=owner, seed=2569)

    now = timezone.now()
    tag = secrets.token_hex(3)
    with transaction.atomic():
        exam_round = ExamRound.objects.create(
            code=f"bench-{tag}", title="การสอบแข่งขัน (bench)", exam_type="competitive"
        )
        session = ExamSession.objects.create(
            round=exam_round,
            code=f"bench-{tag}",
            title="รอบทดสอบโหลด",
            paper=paper,
            opens_at=now - dt.timedelta(minutes=5),
            late_entry_until=now + dt.timedelta(hours=2),
            closes_at=now + dt.timedelta(hours=4),
            duration_minutes=120,
        )
        base = int(tag, 16) % 900 * 10**8
        users = User.objects.bulk_create(
            [
                User(
                    username=make_valid(f"2{base + i:011d}"),
                    password="!bench",  # noqa: S106 (unusable: nobody logs in with a password here)
                    kind=User.Kind.CANDIDATE,
                    display_name=f"ผู้สอบ {i}",
                )
                for i in range(n)
            ],
            batch_size=1000,
        )
        candidates = Candidate.objects.bulk_create(
            [
                Candidate(
                    user=user,
                    national_id=user.username,
                    title=Candidate.Title.MR,
                    first_name_th=f"ผู้สอบ{i}",
                    last_name_th="ทดสอบ",
                    date_of_birth=dt.date(1995, 1, 1),
                )
                for i, user in enumerate(users)
            ],
            batch_size=1000,
        )
        entries = RosterEntry.objects.bulk_create(
            [
                RosterEntry(
                    session=session,
                    candidate=candidate,
                    application_number=f"B{i:06d}",
                    exam_number=f"{i:06d}",
                    checked_in_at=now,
                    rules_accepted_at=now,
                    identity_confirmed_at=now,
                )
                for i, candidate in enumerate(candidates)
            ],
            batch_size=1000,
        )
        store = SessionStore()
        expire = now + dt.timedelta(hours=8)
        rows = []
        for user in users:
            data = {
                SESSION_KEY: str(user.pk),
                BACKEND_SESSION_KEY: "exam_platform.accounts.backends.NationalIdOrUsernameBackend",
                HASH_SESSION_KEY: user.get_session_auth_hash(),
            }
            rows.append(
                Session(
                    session_key=get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789"),
                    session_data=store.encode(data),
                    expire_date=expire,
                )
            )
        Session.objects.bulk_create(rows, batch_size=1000)
    log(f"data: paper of {item_count} items, {n} candidates checked in ({time.monotonic() - started:.1f} s)")
    return [{"entry": e.pk, "session": s.session_key} for e, s in zip(entries, rows, strict=True)]


# --- pgbench ----------------------------------------------------------------------------------

PGBENCH_TABLE = (
    "CREATE TABLE IF NOT EXISTS bench_upsert "
    "(id integer PRIMARY KEY, answer jsonb, flagged boolean, seq bigint, saved_at timestamptz)"
)
PGBENCH_SCRIPT = (
    "\\set id random(1, 100000)\n"
    "INSERT INTO bench_upsert (id, answer, flagged, seq, saved_at) "
    'VALUES (:id, \'{"choice": "3f2b"}\', false, 1, now()) ON CONFLICT (id) DO UPDATE SET '
    "answer = excluded.answer, flagged = excluded.flagged, seq = bench_upsert.seq + 1, "
    "saved_at = excluded.saved_at;\n"
)


def pg_checkpoints(url: str) -> str:
    """Checkpoints PostgreSQL has run (timed / requested) since its statistics were reset."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        sql = "SELECT checkpoints_timed, checkpoints_req FROM pg_stat_bgwriter"
        timed, requested = conn.execute(sql).fetchone()
    return f"{timed} timed, {requested} requested"


def run_pgbench(url: str, seconds: int, clients: int) -> float | None:
    import psycopg

    if not _which("pgbench"):
        log("pgbench not found: skipped")
        return None
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(PGBENCH_TABLE)
    script = STATE / "upsert.sql"
    script.write_text(PGBENCH_SCRIPT)
    parsed = urlparse(url)
    command = [
        "pgbench",
        "-n",
        "-c",
        str(clients),
        "-j",
        "2",
        "-T",
        str(seconds),
        "-f",
        str(script),
        "-h",
        parsed.hostname or "127.0.0.1",
        "-p",
        str(parsed.port or 5432),
        "-U",
        parsed.username or "postgres",
        parsed.path.lstrip("/"),
    ]
    env = dict(os.environ, PGPASSWORD=parsed.password or "")
    out = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    match = re.search(r"tps = ([\d.]+)", out.stdout)
    if not match:
        log(f"pgbench failed: {out.stdout[-500:]} {out.stderr[-500:]}")
        return None
    return float(match.group(1))


def _which(name: str) -> bool:
    from shutil import which

    return which(name) is not None


# --- topology ---------------------------------------------------------------------------------


class Topology:
    def __init__(self, env: dict[str, str], servers: int, backlog: int):
        self.env = env
        self.ports = [free_port() for _ in range(servers)]
        self.backlog = backlog
        self.daphnes: list[subprocess.Popen] = []
        self.worker: subprocess.Popen | None = None

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        out = open(STATE / f"{name}.log", "wb")  # kept open for the child's lifetime
        return subprocess.Popen([PY, *args], cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT)

    def start(self) -> None:
        subprocess.run(
            [PY, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=self.env, check=True
        )
        for port in self.ports:
            endpoint = f"tcp:port={port}:interface=127.0.0.1:backlog={self.backlog}"
            self.daphnes.append(
                self._spawn(
                    f"daphne-{port}", ["-m", "daphne", "-e", endpoint, "exam_platform.asgi:application"]
                )
            )
        self.worker = self._spawn("worker", ["manage.py", "run_worker"])
        for port in self.ports:
            self._wait_ready(port)
        log(f"topology: daphne on ports {self.ports} (backlog {self.backlog}), one worker")

    def _wait_ready(self, port: int, timeout: float = 60) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        sys.exit(f"daphne on port {port} did not become ready; see {STATE}/daphne-{port}.log")

    def pids(self) -> dict[str, list[int]]:
        return {"daphne": [p.pid for p in self.daphnes], "worker": [self.worker.pid] if self.worker else []}

    def log_sizes(self) -> dict[Path, int]:
        return {path: path.stat().st_size for path in (STATE / f"daphne-{port}.log" for port in self.ports)}

    @staticmethod
    def logged_since(since: dict[Path, int]) -> str:
        """What the servers logged after the offsets in `since` (from log_sizes); `since` moves on
        to where this read ended, so that the next phase's read starts there (no line is lost
        between phases)."""
        text = []
        for path, offset in since.items():
            with open(path, "rb") as f:
                f.seek(offset)
                data = f.read()
            since[path] = offset + len(data)
            text.append(data.decode("utf-8", "replace"))
        return "\n".join(text)

    @staticmethod
    def gc_pauses(logged: str) -> list[tuple[str, int, float]]:
        """(time, generation, ms) of the slow garbage collections in `logged`
        (exam_platform.common.gc_policy: every collection over GC_LOG_SLOW_MS)."""
        found = re.findall(r"(\d\d:\d\d:\d\d),(\d)\d* .*gc: generation (\d) collection took (\d+) ms", logged)
        return [(f"{hms}.{tenth}", int(gen), float(ms)) for hms, tenth, gen, ms in found]

    @staticmethod
    def slow_batches(logged: str) -> list[str]:
        """The answer writer's slow-batch warnings in `logged` (delivery/answers/writer.py)."""
        return re.findall(r"answers: a batch of .*", logged)

    def stop(self) -> None:
        for process in [*self.daphnes, self.worker]:
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in [*self.daphnes, self.worker]:
            if process is not None:
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()


# --- the load generator (child processes; no Django here) -------------------------------------


async def http_request(
    port: int, method: str, path: str, cookie: str, timeout: float
) -> tuple[int, dict, bytes]:
    """A minimal HTTP/1.1 request (Connection: close) → (status, headers, body)."""
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
    try:
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: 127.0.0.1:{port}",
            "Connection: close",
            f"Cookie: {cookie}",
            "Accept-Language: th",
        ]
        if method == "POST":
            lines += [f"X-CSRFToken: {CSRF_TOKEN}", "Content-Length: 0"]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        status_line = await asyncio.wait_for(reader.readline(), timeout)
        status = int(status_line.split()[1])
        headers = {}
        while True:
            line = await asyncio.wait_for(reader.readline(), timeout)
            if line in (b"\r\n", b"\n", b""):
                break
            key, _sep, value = line.decode("latin-1").partition(":")
            headers[key.strip().lower()] = value.strip()
        if "content-length" in headers:
            body = await asyncio.wait_for(reader.readexactly(int(headers["content-length"])), timeout)
        else:
            body = await asyncio.wait_for(reader.read(), timeout)
        return status, headers, body
    finally:
        writer.close()


def paper_items(form: dict) -> list[tuple[str, list[str]]]:
    """(item uid, [choice uid, ...]) for every item of the paper the socket delivered."""
    return [
        (item["uid"], [c["uid"] for c in item["choices"]])
        for section in form["sections"]
        for item in section["items"]
    ]


class SimCandidate:
    def __init__(self, entry: int, session: str, port: int):
        self.entry = entry
        self.port = port
        self.cookie = f"sessionid={session}; csrftoken={CSRF_TOKEN}"
        self.ws = None
        self.items: list[tuple[str, list[str]]] = []
        self.seq = 0
        self.pending: dict[int, tuple[float, asyncio.Future]] = {}
        self.times: dict[str, float] = {}
        self.error: str | None = None
        self.refused = 0
        self.retries = 0
        self.http_retries = 0
        self.started: asyncio.Future | None = None
        self.ready_at: float | None = None

    async def arrive(self, t0: float, timeout: float) -> None:
        """Enter the exam room like exam.js: the room page, then ws/exam/<entry>/ until "hello".
        The paper comes later in "started" (or at once in the hello of an attempt already started)."""
        import websockets

        try:
            self.started = asyncio.get_running_loop().create_future()
            status, _headers, _body = await self._http("GET", f"/exam/entries/{self.entry}/room", t0, timeout)
            if status not in (200, 302):
                raise RuntimeError(f"room page: HTTP {status}")
            self.times["page"] = time.time() - t0
            # Like exam.js: a refused or dropped socket is retried with backoff and jitter.
            backoff = 0
            while True:
                try:
                    self.ws = await websockets.connect(
                        f"ws://127.0.0.1:{self.port}/ws/exam/{self.entry}/?form=1",
                        additional_headers={"Cookie": self.cookie, "Origin": f"http://127.0.0.1:{self.port}"},
                        open_timeout=timeout,
                        ping_interval=None,
                        close_timeout=2,
                        max_queue=None,
                        max_size=None,
                    )
                    hello = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
                    break
                except (TimeoutError, OSError, websockets.exceptions.WebSocketException):
                    if time.time() - t0 > timeout:
                        raise
                    self.retries += 1
                    await asyncio.sleep(min(30.0, 0.5 * 2**backoff) * random.uniform(0.5, 1.5))
                    backoff += 1
            if hello.get("type") != "hello":
                raise RuntimeError(f"socket: {hello}")
            self.times["arrived"] = time.time() - t0
            if hello.get("status") == "in_progress":
                self._take_paper(hello)
            asyncio.get_running_loop().create_task(self._read())
        except Exception as exc:  # counted and reported, never fatal to the run
            self.error = f"{type(exc).__name__}: {exc}"[:120]

    def _take_paper(self, message: dict) -> None:
        self.items = paper_items(message["form"])
        self.seq = message.get("last_seq") or 0
        self.ready_at = time.time()
        if not self.started.done():
            self.started.set_result(True)

    async def wait_paper(self, timeout: float) -> None:
        if self.ws is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(self.started), timeout)
            if not self.items or not all(choices for _uid, choices in self.items):
                raise RuntimeError("started: no paper in it")
        except Exception as exc:
            self.error = self.error or f"{type(exc).__name__}: {exc}"[:120]

    async def _http(self, method: str, path: str, t0: float, timeout: float) -> tuple[int, dict, bytes]:
        """A request, repeated after a 5xx or a dropped connection (the candidate clicks again)."""
        backoff = 0
        while True:
            try:
                status, headers, body = await http_request(self.port, method, path, self.cookie, timeout)
                if status < 500:
                    return status, headers, body
            except (TimeoutError, OSError, asyncio.IncompleteReadError, IndexError, ValueError):
                pass
            if time.time() - t0 > timeout:
                raise RuntimeError(f"{method} {path}: no answer within {timeout} s")
            self.http_retries += 1
            await asyncio.sleep(min(10.0, 1.0 * 2**backoff) * random.uniform(0.5, 1.5))
            backoff += 1

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                message = json.loads(raw)
                if message.get("type") == "started":
                    self._take_paper(message)
                elif message.get("type") in ("ack", "nack"):
                    sent = self.pending.pop(message.get("seq"), None)
                    if sent is not None:
                        if message["type"] == "nack":
                            self.refused += 1
                        if not sent[1].done():
                            sent[1].set_result(time.perf_counter() - sent[0])
        except Exception as exc:  # the socket went away: pending saves fail below
            self.error = self.error or f"{type(exc).__name__}"
        for _sent, future in self.pending.values():
            if not future.done():
                future.set_exception(ConnectionError("socket closed"))

    async def save(self) -> float:
        """Send one save; its ack latency in seconds."""
        uid, choices = random.choice(self.items)
        self.seq += 1
        future = asyncio.get_running_loop().create_future()
        self.pending[self.seq] = (time.perf_counter(), future)
        message = {
            "type": "save",
            "seq": self.seq,
            "item": uid,
            "answer": {"choice": random.choice(choices)},
            "flagged": False,
            "client_time": "2026-03-01T09:00:00.000+07:00",
        }
        await self.ws.send(json.dumps(message))
        return await future


async def _loop_lag(end: float, lags: list[float], tick: float = 0.005) -> None:
    """How late this load generator's event loop wakes up: its own stalls (CPU, collections), which
    count in the ack latencies it measures although the servers are not the cause."""
    while time.perf_counter() < end:
        before = time.perf_counter()
        await asyncio.sleep(tick)
        lags.append(time.perf_counter() - before - tick)


async def _paced(candidates: list[SimCandidate], seconds: float) -> dict:
    latencies: list[float] = []
    lags: list[float] = []
    errors = 0
    end = time.perf_counter() + seconds
    monitor = asyncio.ensure_future(_loop_lag(end, lags))

    async def one(c: SimCandidate) -> None:
        nonlocal errors
        await asyncio.sleep(random.uniform(0, PACE_SECONDS))
        tasks, sent = [], []
        while time.perf_counter() < end:
            tick = time.perf_counter()
            sent.append(time.time())
            tasks.append(asyncio.ensure_future(asyncio.wait_for(c.save(), SAVE_TIMEOUT)))
            await asyncio.sleep(max(0.0, PACE_SECONDS - (time.perf_counter() - tick)))
        for at, result in zip(sent, await asyncio.gather(*tasks, return_exceptions=True), strict=True):
            if isinstance(result, float):
                latencies.append(result)
                if result > SLOW_ACK_SECONDS:
                    slow.append((at, result))
            else:
                errors += 1

    slow: list[tuple[float, float]] = []
    await asyncio.gather(*(one(c) for c in candidates if c.ws))
    await monitor
    return {"latencies": latencies, "errors": errors, "loop_lags": lags, "slow": slow}


async def _saturated(candidates: list[SimCandidate], seconds: float) -> dict:
    latencies: list[float] = []
    errors = 0
    end = time.perf_counter() + seconds

    async def one(c: SimCandidate) -> None:
        nonlocal errors
        while time.perf_counter() < end:
            try:
                latencies.append(await asyncio.wait_for(c.save(), SAVE_TIMEOUT))
            except Exception:
                errors += 1
                return

    started = time.perf_counter()
    await asyncio.gather(*(one(c) for c in candidates if c.ws))
    return {"latencies": latencies, "errors": errors, "elapsed": time.perf_counter() - started}


async def _connect_rest(candidates: list[SimCandidate], limit: int, timeout: float) -> dict:
    """Candidates the herd left behind get in now, `limit` at a time (start is idempotent), so
    that the save phases and the deadline burst run with all N."""
    gate = asyncio.Semaphore(limit)

    async def late(c: SimCandidate) -> None:
        async with gate:
            c.error = None
            await c.arrive(time.time(), timeout)
            await c.wait_paper(timeout)

    await asyncio.gather(*(late(c) for c in candidates if c.ws is None or not c.items))
    return {
        "connected": sum(1 for c in candidates if c.ws and c.items),
        "errors": [c.error for c in candidates if c.error],
    }


def freeze_long_lived() -> None:
    """The load generator holds thousands of sockets too: like the servers (common/gc_policy.py),
    keep them out of its full garbage collections, whose pauses would count as ack latency."""
    gc.collect()
    gc.freeze()


async def _arrive_at(c: SimCandidate, t0: float, spread: float, timeout: float) -> None:
    await asyncio.sleep(max(0.0, t0 - time.time()) + random.uniform(0, spread))
    await c.arrive(time.time(), timeout)


def client_main(conn, work: list[dict], timeout: float) -> None:
    """One load-generator process: obeys (command, arg) messages from the parent over `conn`."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    async def main() -> None:
        loop = asyncio.get_running_loop()
        candidates = [SimCandidate(w["entry"], w["session"], w["port"]) for w in work]
        while True:
            command, arg = await loop.run_in_executor(None, conn.recv)
            if command == "arrive":
                await asyncio.gather(*(_arrive_at(c, *arg, timeout) for c in candidates))
                conn.send(
                    {
                        "arrived": [c.times["arrived"] for c in candidates if "arrived" in c.times],
                        "last_in": time.time(),
                        "errors": [c.error for c in candidates if c.error],
                        "retries": sum(c.retries for c in candidates),
                        "http_retries": sum(c.http_retries for c in candidates),
                    }
                )
            elif command == "await_paper":
                freeze_long_lived()
                await asyncio.gather(*(c.wait_paper(timeout) for c in candidates))
                conn.send(
                    {
                        "ready_at": [c.ready_at for c in candidates if c.ready_at and c.error is None],
                        "errors": [c.error for c in candidates if c.error],
                    }
                )
            elif command == "connect":
                conn.send(await _connect_rest(candidates, arg, timeout))
            elif command == "paced":
                freeze_long_lived()
                conn.send(await _paced(candidates, arg))
            elif command == "saturated":
                result = await _saturated(candidates, arg)
                result["refused"] = sum(c.refused for c in candidates)
                conn.send(result)
            elif command == "close":
                await asyncio.gather(*(c.ws.close() for c in candidates if c.ws), return_exceptions=True)
                conn.send("closed")
                return

    asyncio.run(main())


class Clients:
    def __init__(self, work: list[dict], processes: int, timeout: float):
        context = mp.get_context("fork")
        self.conns = []
        self.processes = []
        for i in range(processes):
            parent, child = context.Pipe()
            process = context.Process(
                target=client_main, args=(child, work[i::processes], timeout), daemon=True
            )
            process.start()
            self.conns.append(parent)
            self.processes.append(process)

    def call(self, command: str, arg=None) -> list:
        for conn in self.conns:
            conn.send((command, arg))
        return [conn.recv() for conn in self.conns]

    def pids(self) -> list[int]:
        return [p.pid for p in self.processes]


# --- phases (parent) --------------------------------------------------------------------------


def set_window(opens_at: float) -> None:
    """Move the bench session's window so that it opens at `opens_at` (epoch seconds)."""
    import datetime as dt

    from exam_platform.delivery.models import ExamSession

    opens = dt.datetime.fromtimestamp(opens_at, tz=dt.UTC)
    ExamSession.objects.update(
        opens_at=opens,
        late_entry_until=opens + dt.timedelta(hours=2),
        closes_at=opens + dt.timedelta(hours=4),
    )


def phase_herd(
    clients: Clients, n: int, figures: dict, mode: str, arrive_seconds: float, spread: float
) -> None:
    from django.db import connections

    if mode == "waiting":
        began = time.time()
        opens_at = began + arrive_seconds
        set_window(opens_at)
        connections.close_all()
        arrival = clients.call("arrive", (began, spread))
        reference = opens_at
    else:
        reference = time.time() + 1.0
        set_window(reference - 300)
        connections.close_all()
        arrival = clients.call("arrive", (reference, 0.0))
    arrived = [t for r in arrival for t in r["arrived"]]
    last_in = max(r["last_in"] for r in arrival)
    papers = clients.call("await_paper")
    ready = [t - reference for r in papers for t in r["ready_at"]]
    errors = [e for r in papers for e in r["errors"]]
    figures["herd"] = {
        "mode": mode,
        "arrive_seconds": arrive_seconds if mode == "waiting" else 0,
        "arrive_spread_s": spread if mode == "waiting" else 0,
        "arrived": len(arrived),
        "arrive_p50_s": pct(arrived, 50),
        "arrive_p99_s": pct(arrived, 99),
        "all_in_before_open_s": (reference - last_in) if mode == "waiting" else None,
        "socket_retries": sum(r["retries"] for r in arrival),
        "http_retries": sum(r["http_retries"] for r in arrival),
        "ready": len(ready),
        "errors": len(errors),
        "all_ready_s": max(ready) if ready else None,
        "p50_s": pct(ready, 50),
        "p99_s": pct(ready, 99),
    }
    h = figures["herd"]
    if mode == "waiting":
        log(
            f"(a) arrival: {len(arrived)}/{n} in the waiting room (page + socket + hello p50 "
            f"{h['arrive_p50_s']:.2f} s, p99 {h['arrive_p99_s']:.2f} s, spread over {spread:.0f} s); "
            f"the last one {h['all_in_before_open_s']:.1f} s before opens_at"
        )
    else:
        log(
            f"(a) cold herd: {len(arrived)}/{n} connected "
            f"(p50 {h['arrive_p50_s']:.2f} s, p99 {h['arrive_p99_s']:.2f} s)"
        )
    after = "opens_at" if mode == "waiting" else "t0"
    log(
        f"(a) start: {len(ready)}/{n} have their paper, all {h['all_ready_s'] or float('nan'):.2f} s after "
        f"{after}; p50 {h['p50_s']:.2f} s, p99 {h['p99_s']:.2f} s; "
        f"retries after HTTP 5xx {h['http_retries']}, socket retries {h['socket_retries']}"
    )
    if errors:
        counts: dict[str, int] = {}
        for e in errors:
            counts[e.split(":")[0]] = counts.get(e.split(":")[0], 0) + 1
        log(f"    failures: {counts}; first: {errors[0]}")


def phase_connect_rest(clients: Clients, n: int) -> None:
    results = clients.call("connect", 50)
    connected = sum(r["connected"] for r in results)
    errors = [e for r in results for e in r["errors"]]
    log(
        f"    after the herd: {connected}/{n} sockets open for the next phases"
        + (f"; {errors[0]}" if errors else "")
    )


def phase_saves(clients: Clients, kind: str, seconds: float, figures: dict) -> None:
    started = time.perf_counter()
    results = clients.call(kind, seconds)
    elapsed = time.perf_counter() - started
    latencies = [x for r in results for x in r["latencies"]]
    errors = sum(r["errors"] for r in results)
    window = max(r.get("elapsed", elapsed) for r in results) if kind == "saturated" else seconds
    figures[kind] = {
        "acks": len(latencies),
        "errors": errors,
        "acks_per_s": len(latencies) / window,
        "p50_ms": pct(latencies, 50) * 1000,
        "p99_ms": pct(latencies, 99) * 1000,
        "max_ms": max(latencies) * 1000 if latencies else None,
        "refused": sum(r.get("refused", 0) for r in results),
    }
    f = figures[kind]
    label = "(b) paced" if kind == "paced" else "(c) saturated"
    log(
        f"{label}: {f['acks']} acks in {window:.1f} s = {f['acks_per_s']:.0f} acks/s; "
        f"ack p50 {f['p50_ms']:.1f} ms, p99 {f['p99_ms']:.1f} ms, max {f['max_ms']:.0f} ms; errors {errors}"
    )
    slow = sorted(x for r in results for x in r.get("slow", ()))
    if slow:
        # Are the slow acks one stall that hit every socket at once, or spread out (queueing)?
        windows: dict[int, list[float]] = {}
        for at, latency in slow:
            windows.setdefault(int(at * 10), []).append(latency)
        worst = sorted(windows.items(), key=lambda w: -len(w[1]))[:5]
        log(
            f"    acks slower than {SLOW_ACK_SECONDS * 1000:.0f} ms: {len(slow)}, sent in {len(windows)} "
            "of the phase's 100 ms windows; the fullest: "
            + ", ".join(f"{clock(w / 10)} ({len(v)}, max {max(v) * 1000:.0f} ms)" for w, v in worst)
        )
    lags = [x for r in results for x in r.get("loop_lags", ())]
    if lags:
        f["generator_lag_p99_ms"] = pct(lags, 99) * 1000
        log(
            f"    load generator's event loop late by p50 {pct(lags, 50) * 1000:.1f} ms, "
            f"p99 {f['generator_lag_p99_ms']:.1f} ms, max {max(lags) * 1000:.0f} ms (5 ms ticks)"
        )


def start_missing_attempts() -> int:
    """Attempts for entries whose herd start failed, so that the deadline burst covers all N."""
    from exam_platform.delivery.models import RosterEntry
    from exam_platform.delivery.services.attempts import start_attempt

    missing = list(RosterEntry.objects.filter(attempt__isnull=True))
    for entry in missing:
        start_attempt(entry)
    return len(missing)


def phase_deadline(n: int, grace: int, figures: dict, timeout: float = 120) -> None:
    from django.db import connection

    topped_up = start_missing_attempts()
    if topped_up:
        log(f"    ({topped_up} attempts the herd did not start were started directly for the burst)")

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE delivery_attempt SET deadline = now() - make_interval(secs => %s) "
            "WHERE status = 'in_progress'",
            [grace + 1],
        )
        due = cursor.rowcount
    moved = time.perf_counter()
    first = None
    done = 0
    while time.perf_counter() - moved < timeout:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM delivery_attempt WHERE status = 'submitted'")
            done = cursor.fetchone()[0]
        if done and first is None:
            first = time.perf_counter() - moved
        if done >= due:
            break
        time.sleep(0.05)
    total = time.perf_counter() - moved
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT extract(epoch FROM max(submitted_at) - min(submitted_at)) FROM delivery_attempt "
            "WHERE submit_reason = 'deadline'"
        )
        spread = cursor.fetchone()[0]
    figures["deadline"] = {
        "due": due,
        "submitted": done,
        "all_submitted_s": total,
        "first_seen_s": first,
        "processing_s": (total - first) if first is not None else None,
        "submitted_at_spread_s": float(spread or 0),
    }
    log(
        f"(d) deadline burst: {done}/{due} submitted by the worker {total:.2f} s after the deadline (+grace) "
        f"passed; first submission seen after {first or float('nan'):.2f} s (the wait for the next 2 s "
        f"enforcement run), the rest {(total - (first or 0)):.2f} s later"
    )


# --- main -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", "-n", type=int, default=1000)
    parser.add_argument("--items", type=int, default=60, help="a multiple of 5")
    parser.add_argument("--servers", type=int, default=2, help="daphne processes (one per core)")
    parser.add_argument("--clients", type=int, default=2, help="load-generator processes")
    parser.add_argument("--paced-seconds", type=float, default=30)
    parser.add_argument("--saturated-seconds", type=float, default=15)
    parser.add_argument("--pgbench-seconds", type=int, default=10)
    parser.add_argument("--pgbench-clients", type=int, default=16)
    parser.add_argument("--backlog", type=int, default=4096)
    parser.add_argument("--timeout", type=float, default=120, help="per request/socket, seconds")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/exam_d3_bench")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/5")
    parser.add_argument("--keep-db", action="store_true", help="do not drop and recreate the database")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--herd", choices=("waiting", "cold"), default="waiting", help="see (a) above")
    parser.add_argument(
        "--arrive-seconds", type=float, help="waiting: opens_at this long after arrival begins"
    )
    parser.add_argument("--arrive-spread", type=float, help="waiting: arrivals spread over this many seconds")
    args = parser.parse_args()

    STATE.mkdir(parents=True, exist_ok=True)
    import fcntl

    lock = open(STATE / "lock", "w")  # held until the process exits
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        sys.exit("another exam_load run is in progress (it would drop this run's database)")
    n = args.candidates
    # Default arrival: 30 candidates a second (5,000 in ≈ 3 minutes; a real session's candidates
    # arrive over the half hour before it), then 20 s of waiting before opens_at.
    spread = args.arrive_spread if args.arrive_spread is not None else n / 30
    arrive_seconds = args.arrive_seconds if args.arrive_seconds is not None else spread + 20
    raise_file_limit(n + 1000)
    somaxconn = check_somaxconn(args.backlog)
    log(f"machine: {os.cpu_count()} cores; somaxconn {somaxconn}; N = {n}, {args.items} items")

    grace = 10
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "exam_platform.settings",
            "DATABASE_URL": args.database_url,
            "REDIS_URL": args.redis_url,
            "DEBUG": "0",
            "SECRET_KEY": "bench-" + secrets.token_urlsafe(40),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "SECURE_HSTS_SECONDS": "0",
            "STATIC_ROOT": str(STATE / "static"),
            "ANSWER_GRACE_SECONDS": str(grace),
            "GC_LOG_SLOW_MS": "50",
        }
    )
    env.pop("TESTING", None)
    prepare_database(args.database_url, fresh=not args.keep_db)
    setup_django(env)
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0)
    work = create_exam(n, args.items)
    figures: dict = {"candidates": n, "items": args.items, "servers": args.servers, "clients": args.clients}

    tps = run_pgbench(args.database_url, args.pgbench_seconds, args.pgbench_clients)
    figures["pgbench_tps"] = tps
    if tps:
        log(f"pgbench: one-row upsert, {args.pgbench_clients} clients, {args.pgbench_seconds} s: {tps:.0f}/s")
    connections.close_all()

    topology = Topology(env, args.servers, args.backlog)
    clients = None
    try:
        topology.start()
        for i, w in enumerate(work):
            w["port"] = topology.ports[i % len(topology.ports)]
        clients = Clients(work, args.clients, args.timeout)
        meter = CpuMeter({**topology.pids(), "clients": clients.pids()})

        logs = topology.log_sizes()
        for name, run in (
            ("herd", lambda: phase_herd(clients, n, figures, args.herd, arrive_seconds, spread)),
            ("connect", lambda: phase_connect_rest(clients, n)),
            ("paced", lambda: phase_saves(clients, "paced", args.paced_seconds, figures)),
            ("saturated", lambda: phase_saves(clients, "saturated", args.saturated_seconds, figures)),
            ("deadline", lambda: phase_deadline(n, grace, figures)),
        ):
            before, wall = meter.snapshot(), time.perf_counter()
            run()
            seconds = time.perf_counter() - wall
            used = CpuMeter.used(before, meter.snapshot())
            logged = topology.logged_since(logs)
            pauses, slow = topology.gc_pauses(logged), topology.slow_batches(logged)
            checkpoints = pg_checkpoints(args.database_url)
            figures.setdefault("cpu", {})[name] = {**used, "wall_s": round(seconds, 2)}
            figures.setdefault("gc_pauses_ms", {})[name] = [ms for _at, _gen, ms in pauses]
            log("    " + CpuMeter.describe(used, seconds))
            if slow:
                log(f"    slow answer batches (≥ 100 ms): {len(slow)}; e.g. {slow[len(slow) // 2]}")
            log(f"    PostgreSQL checkpoints so far: {checkpoints}")
            if pauses:
                durations = [ms for _at, _gen, ms in pauses]
                log(
                    f"    slow garbage collections in the servers: {len(pauses)} "
                    f"(max {max(durations):.0f} ms, {sum(durations) / 1000:.1f} s in all): "
                    + ", ".join(f"{at} gen {gen} {ms:.0f} ms" for at, gen, ms in pauses[:8])
                )
        if tps and "saturated" in figures:
            share = figures["saturated"]["acks_per_s"] / tps
            figures["saturated"]["fraction_of_pgbench"] = share
            log(f"saturated saves = {share:.0%} of pgbench's one-row upsert commit rate ({tps:.0f}/s)")
        clients.call("close")
    finally:
        topology.stop()
        connections.close_all()

    goals = [
        ("start: all ready (s)", figures["herd"]["all_ready_s"] or float("nan"), "≤ 10 s at N = 5,000"),
        ("paced: p99 ack (ms)", figures["paced"]["p99_ms"], "≤ 50 ms"),
        ("saturated: durable saves/s", figures["saturated"]["acks_per_s"], "≥ 3,000"),
        ("deadline: all submitted (s)", figures["deadline"]["all_submitted_s"], "≤ 10 s at N = 5,000"),
    ]
    log(f"summary (N = {n}):")
    for label, value, goal in goals:
        log(f"    {label:28s} {value:10.2f}   goal {goal}")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(figures, indent=2, default=str))
        log(f"figures written to {args.json}")


if __name__ == "__main__":
    main()
