"""A background roster import's page: progress while the worker runs it, then the result (counts,
errors and warnings with row numbers). Exam officers only; the job's session is loaded through
access.py like every officer page, and a job id of another kind is a 404."""

from django.http import Http404, JsonResponse
from django.shortcuts import render

from exam_platform.common.models import Job

from .. import access
from ..services.roster import RosterImportResult
from ..services.roster_upload import IMPORT_JOB


def _job_and_session(request, job_id):
    access.require_officer(request.user)
    job = Job.objects.filter(pk=job_id, kind=IMPORT_JOB).first()
    if job is None:
        raise Http404
    return job, access.get_session_for_officer(request.user, job.payload.get("session_id"))


def _status(job: Job) -> dict:
    result = job.result if isinstance(job.result, dict) else {}
    return {
        "status": job.status,
        "phase": result.get("phase", "queued" if job.status == Job.Status.PENDING else ""),
        "done": result.get("done", 0),
        "total": result.get("total", 0),
        "failed": job.status == Job.Status.FAILED,
    }


def roster_import_job(request, job_id):
    job, session = _job_and_session(request, job_id)
    finished = job.status == Job.Status.DONE and isinstance(job.result, dict)
    context = {
        "session": session,
        "job": job,
        "status": _status(job),
        "result": RosterImportResult.from_dict(job.result) if finished else None,
        "filename": job.payload.get("filename", ""),
    }
    return render(request, "delivery/officer/roster_import_job.html", context)


def roster_import_status(request, job_id):
    job, _session = _job_and_session(request, job_id)
    return JsonResponse(_status(job))
