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
* every collection slower than settings.GC_LOG_SLOW_MS is logged (warning) with its generation.

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
            logger.warning(
                "gc: generation %s collection took %.0f ms (%s objects collected, %d frozen)",
                generation,
                took * 1000,
                info.get("collected"),
                gc.get_freeze_count(),
            )
        if self.freeze and generation == 2:
            now = time.monotonic()
            if now - self.last_thaw >= self.thaw_seconds:
                gc.unfreeze()  # the next full collection walks everything once and frees cycles
                self.last_thaw = now
            else:
                gc.freeze()


def install(*, slow_ms: float, freeze: bool, thaw_seconds: float) -> GcPolicy:
    """Freeze what exists now, then apply the policy to every collection. Replaces an earlier one."""
    gc.callbacks[:] = [cb for cb in gc.callbacks if not isinstance(cb, GcPolicy)]
    gc.collect()
    gc.freeze()
    policy = GcPolicy(slow_ms=slow_ms, freeze=freeze, thaw_seconds=thaw_seconds)
    gc.callbacks.append(policy)
    return policy
