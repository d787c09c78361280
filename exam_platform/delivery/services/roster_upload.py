"""Large roster uploads as worker jobs (long lane): store the file, enqueue, import with progress.

The upload goes to the private storage under roster-imports/ (never served: it holds national IDs
and dates of birth); the job reads it, runs import_roster (all or nothing) reporting its phase in
Job.result, and deletes the file. The officer's page (views/roster_import.py) polls the job and
shows the result: counts, errors and warnings with row numbers. Running the job twice is safe: the
second run finds the rows already on the roster and reports them as errors, writing nothing.
"""

import uuid

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.files.base import ContentFile
from django.db import transaction

from exam_platform.accounts.models import ActivationCode, Candidate
from exam_platform.accounts.services.activation import issue_activation_codes
from exam_platform.common.audit import record_audit
from exam_platform.common.jobs import enqueue_job
from exam_platform.common.jobs.registry import LONG_LANE
from exam_platform.common.models import Job
from exam_platform.common.private_storage import private_files

from ..models import ExamSession
from .roster import import_roster

IMPORT_JOB = "delivery.import_roster"
LEGACY_SET_PASSWORDS_JOB = "delivery.set_initial_passwords"
UPLOAD_DIR = "roster-imports"


def start_roster_import(session: ExamSession, data: bytes, *, filename: str, actor, request=None) -> Job:
    """Store the upload privately and enqueue its import; the job's id is the officer's result page."""
    stored = private_files.save(f"{UPLOAD_DIR}/{uuid.uuid4().hex}.upload", ContentFile(data))
    with transaction.atomic():
        job = enqueue_job(
            IMPORT_JOB,
            {
                "session_id": session.pk,
                "user_id": getattr(actor, "pk", None),
                "file": stored,
                "filename": (filename or "")[:200],
                "size": len(data),
            },
            max_attempts=2,
            lane=LONG_LANE,
        )
        record_audit(
            "delivery.roster.import_queued",
            actor=actor,
            request=request,
            obj=session,
            after={"file": filename, "bytes": len(data), "job": job.pk},
        )
    return job


def _progress(job: Job):
    def report(phase: str, done: int, total: int) -> None:
        Job.objects.filter(pk=job.pk).update(result={"phase": phase, "done": done, "total": total})

    return report


def run_roster_import(job: Job) -> dict:
    payload = job.payload
    name = str(payload["file"])
    if not name.startswith(f"{UPLOAD_DIR}/") or ".." in name:
        raise ValueError(f"roster upload outside {UPLOAD_DIR}/: {name!r}")
    session = ExamSession.objects.select_related("round").get(pk=payload["session_id"])
    actor = get_user_model().objects.filter(pk=payload.get("user_id")).first()
    with private_files.open(name, "rb") as handle:
        data = handle.read()
    result = import_roster(
        session,
        data,
        filename=payload.get("filename", ""),
        actor=actor,
        progress=_progress(job),
        audit_extra={"job": job.pk},
    )
    private_files.delete(name)
    return {
        "phase": "done",
        "session_id": session.pk,
        "filename": payload.get("filename", ""),
        **result.as_dict(),
    }


def issue_codes_for_legacy_job(candidate_ids: list[int]) -> int:
    """Codes for the listed candidates who cannot log in yet and hold no usable code (idempotent)."""
    users = set(
        Candidate.objects.filter(
            pk__in=candidate_ids, user__password__startswith=UNUSABLE_PASSWORD_PREFIX
        ).values_list("user_id", flat=True)
    )
    holding = set(ActivationCode.objects.usable().filter(user_id__in=users).values_list("user_id", flat=True))
    return issue_activation_codes(sorted(users - holding))


def is_large_roster(data: bytes, filename: str) -> bool:
    """More rows than settings.ROSTER_INLINE_MAX_ROWS: import in the worker, not in the request.
    A file that cannot be read is not large: the request reports why at once."""
    from django.conf import settings
    from django.core.exceptions import ValidationError

    from .roster import count_data_rows

    try:
        return count_data_rows(data, filename) > settings.ROSTER_INLINE_MAX_ROWS
    except ValidationError:
        return False
