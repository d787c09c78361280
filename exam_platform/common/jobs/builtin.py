"""Job kinds the platform itself provides."""

import logging

from exam_platform.common.audit import verify_chain

from .registry import LONG_LANE, job_handler
from .worker import periodic_job

logger = logging.getLogger("exam_platform.audit")


@job_handler("audit.verify_chain", lane=LONG_LANE)  # reads the whole log: minutes on a big one
def verify_audit_chain(job) -> dict:
    """Periodic integrity check of the audit log. The result keeps the chain's head (last seq and
    hash): comparing heads between runs shows a tail that was cut off or rewritten."""
    report = verify_chain()
    if not report.ok:
        logger.error("audit chain broken at entry #%s: %s", report.broken_seq, report.reason)
    return report.as_dict()


@job_handler("common.purge_jobs")
def purge_finished_jobs(job) -> dict:
    """Delete jobs that finished successfully more than settings.JOB_RETENTION_DAYS ago. Periodic
    jobs alone add thousands of rows a day; failed jobs are kept for whoever investigates them."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from exam_platform.common.models import Job

    cutoff = timezone.now() - timedelta(days=settings.JOB_RETENTION_DAYS)
    deleted, _ = Job.objects.filter(status=Job.Status.DONE, finished_at__lt=cutoff).delete()
    return {"deleted": deleted, "cutoff": cutoff.isoformat()}


periodic_job("audit.verify_chain", 3600)
periodic_job("common.purge_jobs", 3600)
