"""Worker jobs of live delivery.

"delivery.enforce_deadlines" submits every in-progress attempt past deadline + grace. Running
workers enqueue it every ENFORCE_EVERY_SECONDS (exam_platform.common.jobs.worker.periodic_job), so
nothing but `manage.py run_worker` has to be running; all its state is in the database. It runs in
the default lane; roster imports and e-mail batches run in the long lane, on their own thread, so
they never delay it.
"""

from exam_platform.common.jobs import job_handler
from exam_platform.common.jobs.registry import LONG_LANE
from exam_platform.common.jobs.worker import periodic_job

from .services.activation_mail import EMAIL_CODES_JOB, send_activation_emails
from .services.attempts import submit_expired_attempts
from .services.roster_upload import (
    IMPORT_JOB,
    LEGACY_SET_PASSWORDS_JOB,
    issue_codes_for_legacy_job,
    run_roster_import,
)

# A deadline is enforced at most ≈ 2 s (+ grace) late; when none is due a run is one indexed query.
ENFORCE_EVERY_SECONDS = 2


@job_handler("delivery.enforce_deadlines")
def enforce_deadlines(job) -> dict:
    return {"submitted": submit_expired_attempts()}


periodic_job("delivery.enforce_deadlines", ENFORCE_EVERY_SECONDS)


@job_handler(IMPORT_JOB, lane=LONG_LANE)
def import_roster_upload(job) -> dict:
    """A large roster upload (stored in the private storage), imported with a progress report."""
    return run_roster_import(job)


@job_handler(EMAIL_CODES_JOB, lane=LONG_LANE)
def email_activation_codes(job) -> dict:
    """Each not-yet-activated candidate of a session who has an e-mail address gets their code."""
    return send_activation_emails(job)


@job_handler(LEGACY_SET_PASSWORDS_JOB, lane=LONG_LANE)
def set_roster_passwords(job) -> dict:
    """Jobs queued by imports from before activation codes (they used to set a password derived from
    the date of birth). Such a job may still sit in the table of an upgraded installation: it now
    issues activation codes to the listed candidates who cannot log in yet, and sets no password."""
    return {"activation_codes": issue_codes_for_legacy_job(job.payload.get("candidate_ids", []))}
