"""The waiting room (issue 4 §9(a)): every waiting socket of a process prepares its form and is
started through batchers, so the exam-start herd — thousands of sockets reaching opens_at in the
same second — costs one transaction per batch, not one request and one transaction per candidate:
services.attempts.prepare_forms while candidates wait (forms frozen from the per-process paper
cache, one insert), then start_attempts at opens_at (entries locked, each prepared form copied
into its attempt by the database, one audit entry).

    seed, index, form_json = await prepare_entry(entry_id)   # while waiting: the form frozen ahead
    state = await start_entry(entry_id)    # the attempt's socket state (dict) or an AttemptError

The sockets of a process that wait for the same opens_at form a start wave (start_wave()): when the
last of them has been started, the start's garbage is collected at once (common/gc_policy.settle).
"""

from __future__ import annotations

import asyncio
import json
import weakref

from channels.db import database_sync_to_async
from django.db.models import Max
from django.utils.translation import gettext as _

from exam_platform.common import gc_policy
from exam_platform.common.batching import Batcher, for_this_loop

from .answers import FormIndex
from .attempt_access import candidate_form
from .models import Attempt, ResponseEvent
from .services.attempts import AttemptError, prepare_forms, start_attempts

MAX_BATCH = 200
MAX_WAIT_SECONDS = 0.01
PREPARE_BATCH = 100
PREPARE_WAIT_SECONDS = 0.05  # arrivals are spread out: wait a little longer to group their commits
SETTLE_AFTER_SECONDS = 0.2  # after the wave's last "started" message has gone out
SETTLE_MIN_STARTED = 50  # a smaller start leaves little to collect: not worth pausing the others


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
    _forget_relations(r for r in results.values() if isinstance(r, Attempt))
    return out


def _forget_relations(attempts) -> None:
    """Drop the related objects the ORM cached on these attempts. An attempt and its entry cache
    each other, and so do the candidate and the user: reference cycles that only a garbage
    collection frees. Left to it, the start of 2,500 sockets is a collection of ≈ 90,000 objects in
    the middle of the exam's first answers, stopping every socket of the process for ≈ 130 ms
    (docs/performance.md); without the cycles they are freed as soon as the batch is done."""
    for attempt in attempts:
        entry = attempt._state.fields_cache.pop("entry", None)
        if entry is None:
            continue
        candidate = entry._state.fields_cache.pop("candidate", None)
        entry._state.fields_cache.clear()
        if candidate is not None:
            user = candidate._state.fields_cache.pop("user", None)
            if user is not None:
                user._state.fields_cache.clear()


class StartWave:
    """The sockets of this event loop waiting for the same opens_at. Starting them is the biggest
    burst of allocations of an exam: the sockets' new long-lived objects, and garbage that the
    collector would otherwise free later, stopping every socket of the process in the middle of
    the first answers (≈ 100 ms at 2,500 sockets, docs/performance.md). So when the last waiting
    socket of a wave has been started (or has left), and at least SETTLE_MIN_STARTED were started,
    one full collection runs at once (gc_policy.settle): while the candidates read their first
    question. Waves of different start times are separate: a later session's waiting sockets do
    not hold back an earlier session's settle."""

    def __init__(self, opens_at, waves: dict):
        self.opens_at = opens_at
        self.waves = waves
        self.waiting = 0
        self.started = 0

    def join(self) -> StartWave:
        self.waiting += 1
        return self

    def leave(self, *, started: bool) -> None:
        self.waiting -= 1
        self.started += started
        if self.waiting == 0:
            if self.waves.get(self.opens_at) is self:
                del self.waves[self.opens_at]
            if self.started >= SETTLE_MIN_STARTED:
                asyncio.get_running_loop().call_later(SETTLE_AFTER_SECONDS, gc_policy.settle)


_waves: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def start_wave(opens_at) -> StartWave:
    """This event loop's start wave for opens_at."""
    waves = for_this_loop(_waves, dict)
    wave = waves.get(opens_at)
    if wave is None:
        wave = waves[opens_at] = StartWave(opens_at, waves)
    return wave


_batchers: dict[str, weakref.WeakKeyDictionary] = {
    "start": weakref.WeakKeyDictionary(),
    "prepare": weakref.WeakKeyDictionary(),
}


def _batcher(kind: str, handle, **options) -> Batcher:
    """This event loop's batcher of `kind` (one per loop: batchers hold loop-bound futures)."""
    return for_this_loop(
        _batchers[kind],
        lambda: Batcher(database_sync_to_async(handle), name=f"waiting room {kind}", **options),
    )


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
