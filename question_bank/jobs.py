"""Worker jobs of the question bank: large imports run here, reporting progress in Job.result.

The upload is stored in the private storage under imports/ (never served); the job reads it, imports all or
nothing, and removes it when it is done. Running twice is safe: a second run finds every item
already in the bank and reports them as duplicates instead of writing them again.
"""

from pathlib import Path

from django.contrib.auth import get_user_model

from exam_platform.common.jobs import job_handler
from exam_platform.common.jobs.registry import LONG_LANE
from exam_platform.common.models import Job

from .models import Bank, Category
from .transfer import import_items

IMPORT_JOB = "question_bank.import_items"


def import_upload_dir() -> Path:
    """In the private storage (never under MEDIA_ROOT, never served): an upload holds keys."""
    from django.core.files.storage import storages

    return Path(storages["private"].location) / "imports"


def _progress(job: Job):
    def report(phase: str, done: int, total: int) -> None:
        Job.objects.filter(pk=job.pk).update(result={"phase": phase, "done": done, "total": total})

    return report


@job_handler(IMPORT_JOB, lane=LONG_LANE)
def run_import(job: Job) -> dict:
    payload = job.payload
    path = import_upload_dir() / Path(payload["file"]).name  # only ever inside the upload dir
    bank = Bank.objects.get(pk=payload["bank_id"])
    actor = get_user_model().objects.filter(pk=payload.get("user_id")).first()
    default = Category.objects.filter(bank=bank, pk=payload.get("default_category_id")).first()
    report = import_items(
        bank,
        path.read_bytes(),
        payload["format"],
        actor=actor,
        filename=payload.get("filename", ""),
        create_categories=bool(payload.get("create_categories")),
        fail_on_duplicates=bool(payload.get("fail_on_duplicates")),
        dry_run=bool(payload.get("dry_run")),
        default_category=default,
        progress=_progress(job),
        audit_extra={"job": job.pk},
    )
    path.unlink(missing_ok=True)
    return {"phase": "done", **report.as_dict()}
