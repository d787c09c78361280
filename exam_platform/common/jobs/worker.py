"""The loop behind `manage.py run_worker`: claim a due job, run its handler, settle it, repeat."""

import logging
import os
import socket
import threading
import time
import traceback
from contextlib import contextmanager, nullcontext

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connections

from exam_platform.common.models import Job

from .queue import as_json, claim_jobs, complete_job, extend_lease, fail_job, retry_or_fail_job
from .registry import get_handler

logger = logging.getLogger("exam_platform.worker")

# --- Periodic jobs ------------------------------------------------------------------------------
# kind -> seconds between runs. A worker started with periodic=True (manage.py run_worker) enqueues
# each kind once per time slot, with dedupe_key "periodic:<kind>:<slot>", so N workers still add one
# job per slot and a restart loses nothing (the next slot comes anyway).
_periodic: dict[str, float] = {}


def periodic_job(kind: str, every_seconds: float) -> None:
    """Have running workers enqueue a `kind` job every `every_seconds` (call next to its @job_handler)."""
    _periodic[kind] = float(every_seconds)


def enqueue_periodic_jobs(now: float | None = None) -> None:
    from .queue import enqueue_job

    now = time.time() if now is None else now
    for kind, every in _periodic.items():
        slot = int(now // every)
        enqueue_job(kind, {"slot": slot}, dedupe_key=f"periodic:{kind}:{slot}", max_attempts=1)


def default_worker_name(index: int | None = None) -> str:
    name = f"{socket.gethostname()}:{os.getpid()}"
    return name if index is None else f"{name}/{index}"


class Worker:
    """One claimer. Several may run in threads or processes; the claim keeps them apart.
    `lanes` limits it to jobs of those lanes (None: every lane)."""

    def __init__(
        self,
        name=None,
        *,
        lease_seconds=None,
        poll_seconds=None,
        stop_event=None,
        heartbeat=True,
        periodic=False,
        lanes=None,
    ):
        self.periodic = periodic
        self.lanes = tuple(lanes) if lanes is not None else None
        self.name = name or default_worker_name()
        self.lease_seconds = lease_seconds or settings.WORKER_LEASE_SECONDS
        self.poll_seconds = poll_seconds if poll_seconds is not None else settings.WORKER_POLL_SECONDS
        self.stop_event = stop_event or threading.Event()
        self.heartbeat = heartbeat

    def run_due(self) -> int:
        """Run jobs until none is due (or asked to stop); returns how many ran."""
        ran = 0
        while not self.stop_event.is_set():
            jobs = claim_jobs(self.name, limit=1, lease_seconds=self.lease_seconds, lanes=self.lanes)
            if not jobs:
                break
            self.run_job(jobs[0])
            ran += 1
        return ran

    def run_forever(self) -> None:
        try:
            while not self.stop_event.is_set():
                close_old_connections()  # drop a connection the database closed while we slept
                if self.periodic:
                    self._enqueue_periodic_logging_errors()
                if not self._run_due_logging_errors():
                    self.stop_event.wait(self.poll_seconds)
        finally:
            connections.close_all()

    def _enqueue_periodic_logging_errors(self) -> None:
        try:
            enqueue_periodic_jobs()
        except Exception:
            logger.exception("worker %s: enqueueing periodic jobs failed", self.name)

    def _run_due_logging_errors(self) -> int:
        try:
            return self.run_due()
        except Exception:
            logger.exception("worker %s: claiming jobs failed; retrying in %ss", self.name, self.poll_seconds)
            return 0

    def run_job(self, job: Job) -> str:
        handler = get_handler(job.kind)
        if handler is None:
            fail_job(job, f"no handler registered for job kind {job.kind!r}")
            return self._log(job, Job.Status.FAILED, 0.0, "unknown kind")
        started = time.monotonic()
        try:
            with self._heartbeat(job) if self.heartbeat else nullcontext():
                result = as_json(handler(job))
        except Exception as exc:
            status = retry_or_fail_job(job, traceback.format_exc())
            return self._log(job, status, time.monotonic() - started, f"{type(exc).__name__}: {exc}")
        owned = complete_job(job, result)
        status = Job.Status.DONE if owned else "lost-lease"
        return self._log(job, status, time.monotonic() - started)

    def _log(self, job: Job, status: str, seconds: float, detail: str = "") -> str:
        level = logging.INFO if status == Job.Status.DONE else logging.WARNING
        line = "job %s#%s %s in %.2fs (attempt %s/%s, worker %s)"
        args = [job.kind, job.pk, status, seconds, job.attempts, job.max_attempts, self.name]
        if detail:
            line += ": %s"
            args.append(detail)
        logger.log(level, line, *args)
        return status

    def _extend(self, job: Job) -> bool:
        """One heartbeat; False stops beating (the job is no longer ours)."""
        try:
            owned = extend_lease(job, self.lease_seconds)
        except DatabaseError:
            logger.exception("job %s#%s: heartbeat failed; trying again", job.kind, job.pk)
            close_old_connections()
            return True
        if not owned:
            logger.warning("job %s#%s: lease lost to another worker", job.kind, job.pk)
        return owned

    @contextmanager
    def _heartbeat(self, job: Job):
        """Extend the lease every third of it while the handler runs, from a side thread."""
        done = threading.Event()

        def beat() -> None:
            try:
                while not done.wait(self.lease_seconds / 3) and self._extend(job):
                    pass
            finally:
                connections.close_all()

        thread = threading.Thread(target=beat, name=f"heartbeat-{job.pk}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            done.set()
            thread.join()
