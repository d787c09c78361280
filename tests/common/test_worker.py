import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.db.models import F
from django.utils import timezone

from exam_platform.common.audit import record_audit
from exam_platform.common.jobs import enqueue_job, queue, registry
from exam_platform.common.jobs.queue import backoff, claim_jobs, complete_job, extend_lease
from exam_platform.common.jobs.registry import get_handler, load_handlers
from exam_platform.common.jobs.worker import Worker
from exam_platform.common.models import Job
from tests.common import worker_jobs

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers (one IMMEDIATE transaction at a time): there is no claim race to show",
)
needs_shared_database = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the SQLite test database is in memory: a worker subprocess cannot open it",
)
ROOT = Path(settings.BASE_DIR)


@pytest.fixture(autouse=True)
def _fresh_executions():
    worker_jobs.executions.clear()


def _worker(name="test-worker") -> Worker:
    return Worker(name, heartbeat=False)


def _make_due(job: Job) -> None:
    Job.objects.filter(pk=job.pk).update(run_after=timezone.now() - timedelta(seconds=1))


def test_enqueue_job_creates_a_due_pending_job(db):
    job = enqueue_job("tests.echo", {"n": 1})

    assert (job.status, job.attempts, job.max_attempts, job.payload) == ("pending", 0, 5, {"n": 1})
    assert job.run_after <= timezone.now()


def test_enqueue_job_same_dedupe_key_returns_the_existing_job(db):
    first = enqueue_job("tests.echo", {"n": 1}, dedupe_key="echo:2569-11-21")
    second = enqueue_job("tests.echo", {"n": 2}, dedupe_key="echo:2569-11-21")

    assert second.pk == first.pk
    assert second.payload == {"n": 1}
    assert Job.objects.count() == 1


def test_run_due_claims_runs_and_completes_the_job(db):
    job = enqueue_job("tests.echo", {"ชื่อ": "สมชาย"})

    ran = _worker().run_due()

    job.refresh_from_db()
    assert ran == 1
    assert (job.status, job.attempts, job.locked_by) == ("done", 1, "test-worker")
    assert job.result == {"echo": {"ชื่อ": "สมชาย"}, "attempt": 1}
    assert job.finished_at is not None
    assert job.locked_until is None


def test_run_due_leaves_jobs_that_are_not_due_yet(db):
    job = enqueue_job("tests.echo", run_after=timezone.now() + timedelta(minutes=5))

    assert _worker().run_due() == 0
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("pending", 0)


def test_run_due_failing_job_retries_with_backoff_then_fails(db):
    job = enqueue_job("tests.fail", max_attempts=3)

    for attempt, delay in [(1, 10), (2, 20)]:
        started = timezone.now()
        _worker().run_due()
        job.refresh_from_db()
        assert (job.status, job.attempts, job.locked_by) == ("pending", attempt, "")
        assert timedelta(seconds=delay) <= job.run_after - started <= timedelta(seconds=delay + 2)
        assert f"ValueError: broken on attempt {attempt}" in job.last_error
        assert _worker().run_due() == 0  # backing off: not due yet
        _make_due(job)
    _worker().run_due()

    job.refresh_from_db()
    assert (job.status, job.attempts) == ("failed", 3)
    assert "ValueError: broken on attempt 3" in job.last_error
    assert job.finished_at is not None


def test_backoff_doubles_and_is_capped_at_an_hour():
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [10, 20, 40, 80]
    assert backoff(30) == timedelta(hours=1)


def test_run_job_unknown_kind_fails_without_retrying(db):
    job = enqueue_job("tests.no_such_kind")

    _worker().run_due()

    job.refresh_from_db()
    assert (job.status, job.attempts) == ("failed", 1)
    assert job.last_error == "no handler registered for job kind 'tests.no_such_kind'"


def test_run_job_result_that_is_not_json_retries(db, monkeypatch):
    monkeypatch.setitem(registry._handlers, "tests.unserialisable", lambda job: {"bad": object()})
    job = enqueue_job("tests.unserialisable")

    _worker().run_due()

    job.refresh_from_db()
    assert (job.status, job.attempts) == ("pending", 1)
    assert "TypeError: Object of type object is not JSON serializable" in job.last_error


def test_claim_jobs_takes_over_a_job_whose_lease_expired(db):
    job = enqueue_job("tests.echo")
    Job.objects.filter(pk=job.pk).update(
        status="running",
        locked_by="dead-worker",
        locked_until=timezone.now() - timedelta(seconds=1),
        attempts=1,
    )

    claimed = claim_jobs("new-worker", lease_seconds=30)

    assert [j.pk for j in claimed] == [job.pk]
    assert (claimed[0].status, claimed[0].locked_by, claimed[0].attempts) == ("running", "new-worker", 2)
    assert claimed[0].locked_until > timezone.now() + timedelta(seconds=25)


def test_claim_jobs_leaves_a_job_with_a_live_lease_alone(db):
    job = enqueue_job("tests.echo")
    claim_jobs("first-worker", lease_seconds=60)

    assert claim_jobs("second-worker") == []
    job.refresh_from_db()
    assert (job.locked_by, job.attempts) == ("first-worker", 1)


def test_claim_jobs_fails_a_job_abandoned_on_its_last_attempt(db):
    job = enqueue_job("tests.echo", max_attempts=2)
    Job.objects.filter(pk=job.pk).update(
        status="running",
        locked_by="dead-worker",
        locked_until=timezone.now() - timedelta(seconds=1),
        attempts=2,
    )

    assert claim_jobs("new-worker") == []
    job.refresh_from_db()
    assert (job.status, job.last_error) == ("failed", queue.LEASE_LOST_ERROR)


def test_worker_that_lost_its_lease_cannot_settle_the_job(db):
    enqueue_job("tests.echo")
    [stale] = claim_jobs("slow-worker", lease_seconds=30)
    Job.objects.filter(pk=stale.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    [current] = claim_jobs("new-worker", lease_seconds=30)

    assert extend_lease(stale, 30) is False
    assert complete_job(stale, {"from": "slow"}) is False
    assert extend_lease(current, 30) is True
    current.refresh_from_db()
    assert (current.status, current.locked_by, current.result) == ("running", "new-worker", None)


def test_audit_verify_chain_job_stores_the_report(db):
    load_handlers()
    entries = [record_audit("test.step", object_id=str(i)) for i in range(2)]
    job = enqueue_job("audit.verify_chain")

    _worker().run_due()

    job.refresh_from_db()
    assert job.status == "done"
    assert job.result == {
        "ok": True,
        "checked": 2,
        "last_seq": entries[-1].seq,
        "last_hash": entries[-1].entry_hash,
        "broken_seq": None,
        "reason": "",
    }


def test_audit_verify_chain_job_logs_a_broken_chain(db, caplog):
    load_handlers()
    entries = [record_audit("test.step", object_id=str(i)) for i in range(3)]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE common_auditentry SET action = 'test.tampered' WHERE seq = %s", [entries[1].seq]
        )
    job = enqueue_job("audit.verify_chain")

    _worker().run_due()

    job.refresh_from_db()
    assert (job.status, job.result["ok"], job.result["broken_seq"]) == ("done", False, entries[1].seq)
    assert f"audit chain broken at entry #{entries[1].seq}" in caplog.text


def test_load_handlers_imports_extra_modules(settings):
    settings.WORKER_EXTRA_JOB_MODULES = ["tests.common.worker_jobs"]

    load_handlers()

    assert get_handler("tests.block_first_attempt") is worker_jobs.block_first_attempt
    assert get_handler("audit.verify_chain") is not None


def test_run_worker_once_command_runs_due_jobs_and_exits(db, settings):
    settings.WORKER_EXTRA_JOB_MODULES = ["tests.common.worker_jobs"]
    jobs = [enqueue_job("tests.echo", {"n": n}) for n in range(3)]

    call_command("run_worker", "--once")

    assert (
        list(Job.objects.filter(pk__in=[j.pk for j in jobs]).values_list("status", flat=True)) == ["done"] * 3
    )


# --- Concurrency: two workers never take the same job ---------------------------------------


def _drain_concurrently(claim, threads: int = 4) -> list[BaseException]:
    """Threads claim and run jobs until none is left; executions land in worker_jobs.executions."""
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        worker = _worker(f"thread-{n}")
        try:
            barrier.wait()
            while jobs := claim(worker.name):
                for job in jobs:
                    worker.run_job(job)
        except BaseException as exc:  # collected and asserted by the test
            errors.append(exc)
        finally:
            connections.close_all()

    pool = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(120)
    return errors


@pytest.fixture
def slow_due_read(monkeypatch):
    """Sleep between reading the due jobs and marking them taken: a wide window for a race."""
    real_due_ids = queue._due_ids

    def slow_due_ids(*args, **kwargs):
        ids = real_due_ids(*args, **kwargs)
        time.sleep(0.003)
        return ids

    monkeypatch.setattr(queue, "_due_ids", slow_due_ids)


def _enqueue_many(n: int) -> set[int]:
    Job.objects.bulk_create(Job(kind="tests.record") for _ in range(n))
    return set(Job.objects.values_list("pk", flat=True))


@postgres_only
@pytest.mark.parametrize("skip_locked", [True, False], ids=["skip-locked", "conditional-update"])
def test_claim_jobs_concurrent_workers_run_every_job_exactly_once(
    transactional_db, slow_due_read, skip_locked
):
    ids = _enqueue_many(200)

    errors = _drain_concurrently(lambda name: claim_jobs(name, limit=2, skip_locked=skip_locked))

    assert errors == []
    runs = Counter(job_id for job_id, _worker_name in worker_jobs.executions)
    assert set(runs) == ids
    assert set(runs.values()) == {1}
    assert Job.objects.filter(status="done").count() == 200
    assert len({name for _id, name in worker_jobs.executions}) > 1  # the work really was shared


def _naive_claim(name: str) -> list[Job]:
    """The bug the claim prevents: read a pending job, then take it without re-checking."""
    ids = list(Job.objects.filter(status="pending").order_by("id").values_list("pk", flat=True)[:1])
    time.sleep(0.003)
    Job.objects.filter(pk__in=ids).update(
        status="running",
        locked_by=name,
        locked_until=timezone.now() + timedelta(minutes=1),
        attempts=F("attempts") + 1,
    )
    return list(Job.objects.filter(pk__in=ids))


@postgres_only
def test_naive_claim_concurrent_workers_run_jobs_twice(transactional_db):
    # Control for the test above: with the same threads and window, a claim that does not
    # re-check the job's state in the UPDATE lets several workers run one job.
    ids = _enqueue_many(200)

    errors = _drain_concurrently(_naive_claim)

    assert errors == []
    runs = Counter(job_id for job_id, _worker_name in worker_jobs.executions)
    assert set(runs) == ids
    assert max(runs.values()) > 1


# --- Real worker processes --------------------------------------------------------------------


def _worker_env() -> dict:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "DEBUG": "1",
        "TESTING": "0",
        "WORKER_LEASE_SECONDS": "2",
        "WORKER_POLL_SECONDS": "0.1",
        "WORKER_EXTRA_JOB_MODULES": "tests.common.worker_jobs",
    }


def _start_worker(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", *args],
        cwd=ROOT,
        env=_worker_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_for(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


@pytest.fixture
def worker_processes():
    started: list[subprocess.Popen] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=30)


@needs_shared_database
def test_run_worker_killed_mid_job_loses_nothing(transactional_db, tmp_path, worker_processes):
    marker = tmp_path / "started"
    job = enqueue_job("tests.block_first_attempt", {"marker": str(marker)})
    first = _start_worker()
    worker_processes.append(first)
    _wait_for(marker.exists)
    time.sleep(3)  # longer than the 2 s lease: only the heartbeat keeps the job ours
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("running", 1)
    assert job.locked_until > timezone.now()

    first.send_signal(signal.SIGKILL)
    first.wait(30)
    job.refresh_from_db()
    _wait_for(lambda: timezone.now() > job.locked_until, timeout=10)
    second = subprocess.run(
        [sys.executable, "manage.py", "run_worker", "--once"],
        cwd=ROOT,
        env=_worker_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert second.returncode == 0, second.stderr
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 2)
    assert job.result["attempt"] == 2
    assert job.result["pid"] != first.pid == int(marker.read_text())
    assert f"job tests.block_first_attempt#{job.pk} done" in second.stderr


@needs_shared_database
def test_run_worker_sigterm_finishes_the_current_job_then_exits(transactional_db, tmp_path, worker_processes):
    marker = tmp_path / "started"
    current = enqueue_job("tests.sleep", {"marker": str(marker), "seconds": 1.5})
    waiting = enqueue_job("tests.echo", run_after=timezone.now() + timedelta(milliseconds=100))
    process = _start_worker()
    worker_processes.append(process)
    _wait_for(marker.exists)

    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=60)

    assert process.returncode == 0, output
    current.refresh_from_db()
    waiting.refresh_from_db()
    assert (current.status, current.result) == ("done", {"pid": process.pid})
    assert waiting.status == "pending"
    assert "SIGTERM received, finishing the current job" in output
    assert f"job tests.sleep#{current.pk} done" in output


@pytest.mark.django_db
def test_purge_jobs_deletes_only_successful_jobs_older_than_retention(settings):
    from datetime import timedelta

    from django.utils import timezone

    from exam_platform.common.jobs.builtin import purge_finished_jobs

    settings.JOB_RETENTION_DAYS = 7
    old = timezone.now() - timedelta(days=8)
    recent = timezone.now() - timedelta(days=6)
    old_done = Job.objects.create(kind="x", status=Job.Status.DONE, finished_at=old)
    old_failed = Job.objects.create(kind="x", status=Job.Status.FAILED, finished_at=old)
    recent_done = Job.objects.create(kind="x", status=Job.Status.DONE, finished_at=recent)
    pending = Job.objects.create(kind="x")

    result = purge_finished_jobs(Job(kind="common.purge_jobs"))

    assert result["deleted"] == 1
    assert set(Job.objects.values_list("pk", flat=True)) == {old_failed.pk, recent_done.pk, pending.pk}
    assert not Job.objects.filter(pk=old_done.pk).exists()


def test_audit_verification_and_job_purge_are_scheduled_hourly():
    from exam_platform.common.jobs.worker import _periodic

    assert _periodic["audit.verify_chain"] == 3600
    assert _periodic["common.purge_jobs"] == 3600


# --- Lanes: long jobs never hold back the default lane -------------------------------------------


def test_enqueue_job_takes_the_lane_its_handler_declared(db, monkeypatch):
    monkeypatch.setitem(registry._lanes, "tests.slow", registry.LONG_LANE)

    assert enqueue_job("tests.slow").lane == "long"
    assert enqueue_job("tests.echo").lane == "default"
    assert enqueue_job("tests.echo", lane="long").lane == "long"
    with pytest.raises(ValueError, match="unknown job lane"):
        enqueue_job("tests.echo", lane="fast")


def test_claim_jobs_with_lanes_takes_only_those_lanes(db):
    long_job = enqueue_job("tests.echo", lane="long")
    short_job = enqueue_job("tests.echo")

    assert [j.pk for j in claim_jobs("default-worker", lanes=("default",))] == [short_job.pk]
    assert claim_jobs("default-worker", lanes=("default",)) == []
    assert [j.pk for j in claim_jobs("long-worker", lanes=("long",))] == [long_job.pk]


def test_run_worker_serves_every_lane_by_default_and_refuses_unknown_ones(db, settings):
    from django.core.management.base import CommandError

    settings.WORKER_EXTRA_JOB_MODULES = ["tests.common.worker_jobs"]
    jobs = [enqueue_job("tests.echo", lane=lane) for lane in ("default", "long")]

    call_command("run_worker", "--once")

    assert set(Job.objects.filter(pk__in=[j.pk for j in jobs]).values_list("status", flat=True)) == {"done"}
    with pytest.raises(CommandError, match="unknown lane"):
        call_command("run_worker", "--once", "--lanes", "default,fast")
