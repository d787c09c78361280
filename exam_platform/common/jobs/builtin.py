"""Job kinds the platform itself provides."""

import logging

from exam_platform.common.audit import verify_chain

from .registry import job_handler

logger = logging.getLogger("exam_platform.audit")


@job_handler("audit.verify_chain")
def verify_audit_chain(job) -> dict:
    """Periodic integrity check of the audit log. The result keeps the chain's head (last seq and
    hash): comparing heads between runs shows a tail that was cut off or rewritten."""
    report = verify_chain()
    if not report.ok:
        logger.error("audit chain broken at entry #%s: %s", report.broken_seq, report.reason)
    return report.as_dict()
