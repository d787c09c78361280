"""The garbage-collector policy of the server processes (exam_platform.asgi calls install()).

A daphne process holding thousands of sockets has over a million objects that live as long as
their sockets. CPython's full (generation 2) collection walks every one of them and stops every
socket of the process while it does: measured at 5,000 candidates, 33 full collections of up to
1 s during the exam start and 14 in 16 s of saturated saving (docs/performance.md). So:

* everything imported at start-up is frozen (gc.freeze: out of every collection);
* with settings.GC_FREEZE, after each full collection the survivors are frozen too, so the next
  one walks only what was created since — sockets' long-lived objects are walked about once;
* frozen objects that later become unreachable cyclic garbage (a closed socket's protocol objects)
  would stay, so every settings.GC_THAW_SECONDS the frozen set is released (gc.unfreeze) and the
  following full collection walks — and frees — everything once;
* the youngest generation is collected after settings.GC_YOUNG_THRESHOLD net allocations instead
  of CPython's 700: a process answering hundreds of saves a second allocated enough to run
  dozens of collections a second and a full one every second or two, each a stop of every socket
  of the process (docs/performance.md); a collection of 10,000 live young objects takes ≈ 0.5 ms;
* every collection slower than settings.GC_LOG_SLOW_MS is logged (warning) with its generation
  and how many objects it freed;
* settle() collects everything at once after a burst of allocations, when a pause hurts least:
  the waiting room calls it when the last socket of a start wave (a process's sockets waiting for
  the same opens_at, at least 50 started) has its paper (delivery/starter.py), so the start's
  garbage and its sockets' new long-lived objects are walked once while candidates read their
  first question, not in the middle of their answers. A settle that falls due for the thaw does
  the thaw's walk itself and freezes everything after it.

Objects freed by reference counting (most of them) are freed as always; only cycles wait.
Under tests GC_FREEZE is off (frozen cyclic garbage would accumulate over a whole suite) and so is
the slow-collection log (it would write to streams pytest has closed).
"""

from __future__ import annotations

import gc
import logging
import time

logger = logging.getLogger("exam_platform.gc")


class GcPolicy:
    def __init__(self, *, slow_ms: float, freeze: bool, thaw_seconds: float):
        self.slow_seconds = slow_ms / 1000
        self.freeze = freeze
        self.thaw_seconds = thaw_seconds
        self.last_thaw = time.monotonic()
        self._started: float | None = None

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        took = time.perf_counter() - self._started if self._started is not None else 0.0
        generation = info.get("generation")
        if self.slow_seconds > 0 and took >= self.slow_seconds:
            # Nothing here may walk the objects (gc.get_freeze_count(), gc.get_objects()): at
            # 500,000 of them that alone takes tens of milliseconds, inside the pause.
            logger.warning(
                "gc: generation %s collection took %.0f ms (%s objects collected)",
                generation,
                took * 1000,
                info.get("collected"),
            )
        if self.freeze and generation == 2:
            if self.thaw_due():
                gc.unfreeze()  # the next full collection walks everything once and frees cycles
                self.last_thaw = time.monotonic()
            else:
                gc.freeze()

    def thaw_due(self) -> bool:
        return time.monotonic() - self.last_thaw >= self.thaw_seconds


def settle() -> int | None:
    """A full collection now; the installed policy freezes its survivors. Nothing (None) unless a
    freezing policy is installed (tests run without one). Returns the objects collected."""
    policy = next((cb for cb in gc.callbacks if isinstance(cb, GcPolicy)), None)
    if policy is None or not policy.freeze:
        return None
    began = time.perf_counter()
    if policy.thaw_due():  # this walk is the thaw's: everything, once, then all survivors frozen
        gc.unfreeze()
        policy.last_thaw = time.monotonic()
    collected = gc.collect()
    took = (time.perf_counter() - began) * 1000
    logger.info("gc: settled: %d objects collected in %.0f ms", collected, took)
    return collected


def install(*, slow_ms: float, freeze: bool, thaw_seconds: float, young_threshold: int = 700) -> GcPolicy:
    """Freeze what exists now, then apply the policy to every collection. Replaces an earlier one."""
    if young_threshold < 1:
        raise ValueError("young_threshold must be at least 1 (0 would turn the collector off)")
    gc.callbacks[:] = [cb for cb in gc.callbacks if not isinstance(cb, GcPolicy)]
    gc.collect()
    gc.freeze()
    _threshold, older, oldest = gc.get_threshold()
    gc.set_threshold(young_threshold, older, oldest)
    policy = GcPolicy(slow_ms=slow_ms, freeze=freeze, thaw_seconds=thaw_seconds)
    gc.callbacks.append(policy)
    return policy
