"""Automatic scoring: a submitted attempt asks for its round to be (re)scored by the worker.

Requests are debounced: one "scoring.score_round" job per round per window of DEBOUNCE_SECONDS,
due just after the window closes, so a thousand submissions at the deadline cause one run, and
every submission of a window is committed before that window's job runs. The job is written in
the caller's transaction (common.jobs): it exists exactly when the submit commits.
"""

import datetime as dt
import time

from exam_platform.common.jobs import enqueue_job

SCORE_ROUND_JOB = "scoring.score_round"
DEBOUNCE_SECONDS = 30
SETTLE_SECONDS = 2


def request_scoring(round_id: int, *, now: float | None = None, reason: str = "submitted"):
    """Enqueue (once per window) a scoring job for the round; returns the Job."""
    now = time.time() if now is None else now
    window = int(now // DEBOUNCE_SECONDS)
    due = dt.datetime.fromtimestamp((window + 1) * DEBOUNCE_SECONDS + SETTLE_SECONDS, tz=dt.UTC)
    return enqueue_job(
        SCORE_ROUND_JOB,
        {"round": round_id, "reason": reason},
        run_after=due,
        dedupe_key=f"scoring:{round_id}:{window}",
    )


def on_attempt_submitted(attempt) -> None:
    """Call inside the transaction that submits (or auto-submits, or terminates) an attempt."""
    on_attempts_submitted([attempt.pk])


def on_attempts_submitted(attempt_ids) -> None:
    """The batch form, for the deadline sweep: one request per round touched."""
    from exam_platform.delivery.models import Attempt

    round_ids = set(
        Attempt.objects.filter(pk__in=list(attempt_ids)).values_list("entry__session__round_id", flat=True)
    )
    for round_id in sorted(round_ids):
        request_scoring(round_id)
