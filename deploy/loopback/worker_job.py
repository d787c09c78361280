"""Enqueue one job and wait for a worker of the loopback topology to finish it.

Run through `manage.py shell < deploy/loopback/worker_job.py`; prints one line
`SMOKE_JOB {"id": ..., "status": ..., "locked_by": "host:pid", ...}`. The job is the platform's own
audit-chain check, harmless to run any time. Deploy-only code: not part of the application.
"""

import json
import os
import time

from exam_platform.common.jobs.queue import enqueue_job
from exam_platform.common.models import Job

job = enqueue_job("audit.verify_chain", {"source": "loopback smoke"}, max_attempts=1)
deadline = time.monotonic() + float(os.environ.get("SMOKE_JOB_TIMEOUT", "30"))
while job.status not in {Job.Status.DONE, Job.Status.FAILED} and time.monotonic() < deadline:
    time.sleep(0.2)
    job.refresh_from_db()
print(
    "SMOKE_JOB "
    + json.dumps(
        {"id": job.pk, "status": job.status, "locked_by": job.locked_by, "error": job.last_error[-500:]}
    )
)
