"""Worker jobs of the eligibility app.

"eligibility.expire_calls" (periodic, every EXPIRE_EVERY_SECONDS): calls past their deadline without
a confirmed reporting-in become expired / no_show and the next in rank is called; lists past their
validity become expired. All state is in the database: a restarted worker just runs it again.
"""

from exam_platform.common.jobs import job_handler
from exam_platform.common.jobs.worker import periodic_job

from .services import expire_lists, expire_overdue_calls

EXPIRE_EVERY_SECONDS = 60


@job_handler("eligibility.expire_calls")
def expire_calls(job) -> dict:
    return {"calls": expire_overdue_calls(), "lists": expire_lists()}


periodic_job("eligibility.expire_calls", EXPIRE_EVERY_SECONDS)
