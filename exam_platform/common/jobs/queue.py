"""The job table as a queue: enqueue, claim with a conditional update, settle.

Claiming never lets two workers hold the same job. On PostgreSQL the due rows are picked with
SELECT ... FOR UPDATE SKIP LOCKED and marked running in the same transaction; elsewhere (SQLite)
each candidate is taken with UPDATE ... WHERE id = ? AND <still due>, and only a row count of 1
makes it ours. A running job whose lease (locked_until) has passed is due again: its worker died.
Every settle is conditional on still owning the job, so a worker that lost its lease cannot
overwrite the result of the one that took over. A claimer may be limited to some lanes (Job.lane):
run_worker's thread for the "default" lane never picks up a long import, so it is always free for
the next deadline.
"""

import json
from datetime import timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from exam_platform.common.models import Job

from .registry import LANES, lane_of

BACKOFF_BASE_SECONDS = 10
BACKOFF_CAP_SECONDS = 3600
ERROR_MAX_CHARS = 10_000
LEASE_LOST_ERROR = "lease expired on the last attempt: the worker died or hung"


def enqueue_job(
    kind: str,
    payload: dict | None = None,
    *,
    run_after=None,
    dedupe_key: str | None = None,
    max_attempts: int = 5,
    lane: str | None = None,
) -> Job:
    """Add a job (in the caller's transaction). With `dedupe_key`, an existing job with that key
    (in any status) is returned instead: put a date or version in keys of work that repeats.
    `lane` defaults to the one the kind's @job_handler declared (registry.lane_of)."""
    lane = lane or lane_of(kind)
    if lane not in LANES:
        raise ValueError(f"unknown job lane {lane!r}; lanes are {LANES}")
    fields = {
        "kind": kind,
        "lane": lane,
        "payload": as_json(payload or {}),
        "run_after": run_after or timezone.now(),
        "max_attempts": max_attempts,
    }
    if dedupe_key is None:
        return Job.objects.create(**fields)
    job, _created = Job.objects.get_or_create(dedupe_key=dedupe_key, defaults=fields)
    return job


def as_json(value):
    """Dates, Decimals and UUIDs become strings, as the stored JSON will hold them."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, allow_nan=False))


def claim_jobs(
    worker: str,
    *,
    limit: int = 1,
    lease_seconds: float | None = None,
    skip_locked=None,
    lanes: tuple[str, ...] | None = None,
) -> list[Job]:
    """Take up to `limit` due jobs for `worker`: status running, attempts + 1, leased until now + lease.
    With `lanes`, only jobs of those lanes (None: any lane)."""
    now = timezone.now()
    lease = timedelta(seconds=lease_seconds or settings.WORKER_LEASE_SECONDS)
    _fail_abandoned(now)
    fields = {
        "status": Job.Status.RUNNING,
        "locked_by": worker,
        "locked_until": now + lease,
        "attempts": F("attempts") + 1,
    }
    if skip_locked is None:
        skip_locked = connection.vendor == "postgresql"
    take = _take_skip_locked if skip_locked else _take_one_by_one
    ids = take(now, fields, limit, lanes)
    return list(Job.objects.filter(id__in=ids).order_by("run_after", "id"))


def _due(now, lanes=None) -> Q:
    pending = Q(status=Job.Status.PENDING, run_after__lte=now)
    lease_expired = Q(status=Job.Status.RUNNING, locked_until__lt=now, attempts__lt=F("max_attempts"))
    due = pending | lease_expired
    return due if lanes is None else due & Q(lane__in=list(lanes))


def _due_ids(now, limit: int, lanes=None, *, lock: bool = False) -> list[int]:
    jobs = Job.objects.filter(_due(now, lanes)).order_by("run_after", "id")
    if lock:
        jobs = jobs.select_for_update(skip_locked=True)
    return list(jobs.values_list("id", flat=True)[:limit])


def _take_skip_locked(now, fields: dict, limit: int, lanes) -> list[int]:
    with transaction.atomic():
        ids = _due_ids(now, limit, lanes, lock=True)
        if ids:
            Job.objects.filter(id__in=ids).update(**fields)
    return ids


def _take_one_by_one(now, fields: dict, limit: int, lanes) -> list[int]:
    taken = []
    for job_id in _due_ids(now, limit + 10, lanes):
        if Job.objects.filter(_due(now, lanes), id=job_id).update(**fields) == 1:
            taken.append(job_id)
            if len(taken) == limit:
                break
    return taken


def _fail_abandoned(now) -> None:
    """A job whose worker died on its last allowed attempt is not retried for ever."""
    Job.objects.filter(
        status=Job.Status.RUNNING, locked_until__lt=now, attempts__gte=F("max_attempts")
    ).update(status=Job.Status.FAILED, finished_at=now, last_error=LEASE_LOST_ERROR)


def _owned(job: Job):
    return Job.objects.filter(id=job.id, status=Job.Status.RUNNING, locked_by=job.locked_by)


def extend_lease(job: Job, lease_seconds: float) -> bool:
    """Heartbeat: push the lease forward; False if the job is no longer ours."""
    until = timezone.now() + timedelta(seconds=lease_seconds)
    return _owned(job).update(locked_until=until) == 1


def complete_job(job: Job, result) -> bool:
    return (
        _owned(job).update(
            status=Job.Status.DONE, result=result, finished_at=timezone.now(), locked_until=None
        )
        == 1
    )


def retry_or_fail_job(job: Job, error: str) -> Job.Status:
    """After a failed attempt: back to pending with exponential backoff, or failed when out of attempts."""
    now = timezone.now()
    fields = {"last_error": error[-ERROR_MAX_CHARS:], "locked_until": None}
    if job.attempts >= job.max_attempts:
        fields.update(status=Job.Status.FAILED, finished_at=now)
    else:
        fields.update(status=Job.Status.PENDING, run_after=now + backoff(job.attempts), locked_by="")
    _owned(job).update(**fields)
    return fields["status"]


def fail_job(job: Job, error: str) -> bool:
    """Fail without retrying (the job can never succeed, e.g. its kind has no handler)."""
    fields = {"status": Job.Status.FAILED, "finished_at": timezone.now(), "locked_until": None}
    return _owned(job).update(last_error=error[-ERROR_MAX_CHARS:], **fields) == 1


def backoff(attempts: int) -> timedelta:
    """10 s, 20 s, 40 s, ... capped at an hour."""
    return timedelta(seconds=min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0)))
