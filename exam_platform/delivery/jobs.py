"""Worker jobs of live delivery.

"delivery.enforce_deadlines" submits every in-progress attempt past deadline + grace. Running
workers enqueue it every ENFORCE_EVERY_SECONDS (exam_platform.common.jobs.worker.periodic_job), so
nothing but `manage.py run_worker` has to be running; all its state is in the database.
"""

from exam_platform.common.jobs import job_handler
from exam_platform.common.jobs.worker import periodic_job

from .services.attempts import submit_expired_attempts
from .services.roster import SET_PASSWORDS_JOB, set_initial_passwords

# A deadline is enforced at most ≈ 2 s (+ grace) late; when none is due a run is one indexed query.
ENFORCE_EVERY_SECONDS = 2


@job_handler("delivery.enforce_deadlines")
def enforce_deadlines(job) -> dict:
    return {"submitted": submit_expired_attempts()}


periodic_job("delivery.enforce_deadlines", ENFORCE_EVERY_SECONDS)


@job_handler(SET_PASSWORDS_JOB)
def set_roster_passwords(job) -> dict:
    """Initial passwords of candidates created by a roster import (services.roster)."""
    return {"set": set_initial_passwords(job.payload.get("candidate_ids", []))}
