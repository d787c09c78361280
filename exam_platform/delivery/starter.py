"""The waiting room (issue 4 §9(a)): every waiting socket of a process prepares its form and is
started through batchers, so the exam-start herd — thousands of sockets reaching opens_at in the
same second — costs one transaction per batch, not one request and one transaction per candidate:
services.attempts.prepare_forms while candidates wait (forms frozen from the per-process paper
cache, one insert), then start_attempts at opens_at (entries locked, each prepared form copied
into its attempt by the database, one audit entry).

    seed, index, form_json = await prepare_entry(entry_id)   # while waiting: the form frozen ahead
    state = await start_entry(entry_id)    # the attempt's socket state (dict) or an AttemptError
"""

from __future__ import annotations

import asyncio
import json
import weakref

from channels.db import database_sync_to_async
from django.db.models import Max
from django.utils.translation import gettext as _

from exam_platform.common.batching import Batcher

from .answers import FormIndex
from .attempt_access import candidate_form
from .models import Attempt, ResponseEvent
from .services.attempts import AttemptError, prepare_forms, start_attempts

MAX_BATCH = 200
MAX_WAIT_SECONDS = 0.01
PREPARE_BATCH = 100
PREPARE_WAIT_SECONDS = 0.05  # arrivals are spread out: wait a little longer to group their commits


def dumps(content) -> str:
    """JSON for the browser: Thai as UTF-8 (3 bytes a letter), not \\u0e01 escapes (6): a paper is
    half the size."""
    return json.dumps(content, ensure_ascii=False, separators=(",", ":"))


def prepare_for_sockets(entry_ids: list[int]) -> list[tuple[int, FormIndex, str]]:
    """One batch: per entry id (in order), (seed, the form's FormIndex, the browser's form as JSON
    text), so that at the start the socket only splices a ready string into "started"."""
    prepared = prepare_forms(entry_ids)
    return [
        (p.seed, FormIndex.of(p.form), dumps(candidate_form(p.form)))
        for p in (prepared[pk] for pk in entry_ids)
    ]


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


_batchers: dict[str, weakref.WeakKeyDictionary] = {
    "start": weakref.WeakKeyDictionary(),
    "prepare": weakref.WeakKeyDictionary(),
}


def _batcher(kind: str, handle, **options) -> Batcher:
    """This event loop's batcher of `kind` (one per loop: batchers hold loop-bound futures)."""
    loop = asyncio.get_running_loop()
    batcher = _batchers[kind].get(loop)
    if batcher is None:
        batcher = _batchers[kind][loop] = Batcher(
            database_sync_to_async(handle), name=f"waiting room {kind}", **options
        )
    return batcher


async def start_entry(entry_id: int) -> dict | AttemptError:
    """Start (or resume) one roster entry's attempt through this event loop's batcher."""
    batcher = _batcher("start", start_for_sockets, max_batch=MAX_BATCH, max_wait=MAX_WAIT_SECONDS)
    (result,) = await batcher.submit([entry_id])
    return result


async def prepare_entry(entry_id: int) -> tuple[int, FormIndex, str]:
    """Freeze (once) one waiting entry's form through this event loop's batcher."""
    batcher = _batcher("prepare", prepare_for_sockets, max_batch=PREPARE_BATCH, max_wait=PREPARE_WAIT_SECONDS)
    (result,) = await batcher.submit([entry_id])
    return result
