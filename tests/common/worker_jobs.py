"""Job handlers used only by the worker tests. The `run_worker` subprocesses started by the tests
import this module through WORKER_EXTRA_JOB_MODULES=tests.common.worker_jobs."""

import os
import threading
import time
from pathlib import Path

from exam_platform.common.jobs import job_handler

executions: list[tuple[int, str]] = []
_executions_lock = threading.Lock()


@job_handler("tests.echo")
def echo(job):
    return {"echo": job.payload, "attempt": job.attempts}


@job_handler("tests.fail")
def always_fail(job):
    raise ValueError(f"broken on attempt {job.attempts}")


@job_handler("tests.record")
def record_execution(job):
    """Remembers every execution (job id, worker) so a test can count double runs."""
    with _executions_lock:
        executions.append((job.pk, job.locked_by))
    time.sleep(0.001)
    return None


@job_handler("tests.sleep")
def sleep_with_marker(job):
    """Writes the marker file, then sleeps; the marker tells a test the job has started."""
    Path(job.payload["marker"]).write_text(str(os.getpid()))
    time.sleep(job.payload["seconds"])
    return {"pid": os.getpid()}


@job_handler("tests.block_first_attempt")
def block_first_attempt(job):
    """The first attempt writes the marker and hangs (the test kills its worker); later ones finish."""
    marker = Path(job.payload["marker"])
    if job.attempts == 1:
        marker.write_text(str(os.getpid()))
        time.sleep(300)
    return {"pid": os.getpid(), "attempt": job.attempts}
