"""Background jobs: rows in common.Job, run by `manage.py run_worker` (no Celery; DESIGN §6).

Enqueue from a service function, inside its transaction:

    enqueue_job("scoring.compute_results", {"exam_session": session.pk}, dedupe_key=f"results:{session.pk}")

The job is a row written in the caller's transaction: it exists if and only if the caller's
change commits, so no "on_commit" dance is needed and a crash never loses or orphans work.
A worker sees it once the transaction commits.

Handlers live in each app's `jobs.py` (found by autodiscovery when the worker starts):

    @job_handler("scoring.compute_results")
    def compute_results(job):
        ...              # may run more than once (a worker can die mid-job): make it idempotent
        return {...}     # JSON-serialisable; stored in job.result

An exception makes the job retry with exponential backoff, then fail after max_attempts.
"""

from .queue import enqueue_job
from .registry import job_handler

__all__ = ["enqueue_job", "job_handler"]
