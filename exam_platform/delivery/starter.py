"""The waiting room's start (issue 4 §9(a)): every waiting socket of a process is started through
one batcher, so the exam-start herd — thousands of sockets reaching opens_at in the same second —
costs one transaction per batch (services.attempts.start_attempts: entries locked, forms frozen from
the per-process paper cache, one bulk insert, one audit entry), not one request and one transaction
per candidate.

    state = await start_entry(entry_id)    # the attempt's socket state (dict) or an AttemptError
"""

from __future__ import annotations

import asyncio
import weakref

from channels.db import database_sync_to_async
from django.db.models import Max
from django.utils.translation import gettext as _

from exam_platform.common.batching import Batcher

from .models import Attempt, ResponseEvent
from .services.attempts import AttemptError, start_attempts

MAX_BATCH = 200
MAX_WAIT_SECONDS = 0.01


def start_for_sockets(entry_ids: list[int]) -> list[dict | AttemptError]:
    """One batch: per entry id (in order), the started or resumed in-progress attempt as the socket
    needs it ({"id", "uid", "seed", "deadline", "form", "last_seq"}; "form" is None when it was
    copied from the form prepared for this socket, which the socket already holds) or the
    AttemptError refusing it."""
    results = start_attempts(entry_ids)
    attempt_ids = [r.pk for r in results.values() if isinstance(r, Attempt)]
    seqs = dict(  # a resumed attempt may have answers already (a second tab, the HTTP start)
        ResponseEvent.objects.filter(attempt_id__in=attempt_ids)
        .values("attempt_id")
        .annotate(m=Max("seq"))
        .values_list("attempt_id", "m")
    )
    out: list[dict | AttemptError] = []
    for pk in entry_ids:
        result = results[pk]
        if isinstance(result, AttemptError):
            out.append(result)
        elif result.status != Attempt.Status.IN_PROGRESS:
            out.append(AttemptError("submitted", _("การสอบนี้ส่งแล้ว (The attempt was already submitted).")))
        else:
            out.append(
                {
                    "id": result.pk,
                    "uid": result.uid,
                    "seed": result.seed,
                    "deadline": result.deadline,
                    "form": result.form,
                    "last_seq": seqs.get(result.pk) or 0,
                }
            )
    return out


_batchers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


async def start_entry(entry_id: int) -> dict | AttemptError:
    """Start (or resume) one roster entry's attempt through this event loop's batcher."""
    loop = asyncio.get_running_loop()
    batcher = _batchers.get(loop)
    if batcher is None:
        batcher = _batchers[loop] = Batcher(
            database_sync_to_async(start_for_sockets),
            max_batch=MAX_BATCH,
            max_wait=MAX_WAIT_SECONDS,
            name="waiting-room start",
        )
    (result,) = await batcher.submit([entry_id])
    return result
