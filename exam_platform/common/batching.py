"""Group commits for asyncio code: work submitted from every task of an event loop is handled in
batches, one call per batch, so thousands of sockets cost a few transactions instead of thousands.

    batcher = Batcher(handle, max_batch=500, max_wait=0.005, in_flight=2, name="answers")
    results = await batcher.submit(items)     # one result per item, in order

`handle(items) -> results` is awaited once per batch. A batch waits up to `max_wait` for more items
unless `flush_at` items (default: `max_batch`) are already queued — under load a batch goes at once,
under moderate load items are grouped for up to `max_wait`; at most `in_flight` batches are handled
at once. If `handle` raises, every
item of that batch gets the exception (the callers decide what that means: no ack, a retry, ...).
Used by the answer writer (delivery.answers.writer) and the waiting room's starter (delivery.starter).
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

logger = logging.getLogger(__name__)


class Batcher:
    def __init__(
        self,
        handle: Callable[[Sequence[Any]], Awaitable[Sequence[Any]]],
        *,
        max_batch: int,
        max_wait: float,
        in_flight: int = 1,
        flush_at: int | None = None,
        name: str = "batch",
    ):
        self.handle = handle
        self.max_batch = max_batch
        self.max_wait = max_wait
        self.flush_at = min(flush_at or max_batch, max_batch)
        self._enough = asyncio.Event()
        self.name = name
        self._queue: list[tuple[Any, asyncio.Future]] = []
        self._runner: asyncio.Task | None = None
        self._slots = asyncio.Semaphore(in_flight)
        self._working: set[asyncio.Task] = set()

    async def submit(self, items: Sequence[Any]) -> list[Any]:
        """The results for `items` once their batch was handled; raises if the batch failed."""
        loop = asyncio.get_running_loop()
        futures = [loop.create_future() for _ in items]
        self._queue.extend(zip(items, futures, strict=True))
        if len(self._queue) >= self.flush_at:
            self._enough.set()
        if self._runner is None or self._runner.done():
            self._runner = loop.create_task(self._run())
        return list(await asyncio.gather(*futures))

    async def _run(self) -> None:
        while self._queue:
            if len(self._queue) < self.flush_at:  # let other tasks' items join this batch
                self._enough.clear()
                try:
                    await asyncio.wait_for(self._enough.wait(), self.max_wait)
                except TimeoutError:
                    pass
            await self._slots.acquire()
            batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
            task = asyncio.get_running_loop().create_task(self._handle(batch))
            self._working.add(task)
            task.add_done_callback(self._working.discard)

    async def _handle(self, batch: list[tuple[Any, asyncio.Future]]) -> None:
        try:
            results = await self.handle([item for item, _future in batch])
        except Exception as exc:
            logger.exception("%s: a batch of %d failed", self.name, len(batch))
            for _item, future in batch:
                if not future.done():
                    future.set_exception(exc)
        else:
            for (_item, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)
        finally:
            self._slots.release()

    async def drain(self) -> None:
        """Wait until everything submitted so far was handled."""
        while self._queue or self._working or (self._runner and not self._runner.done()):
            await asyncio.sleep(self.max_wait)


def for_this_loop(registry: weakref.WeakKeyDictionary, make):
    """registry's object for the running event loop, made by make() the first time: for objects
    bound to one loop (batchers hold its futures, pools its connections)."""
    loop = asyncio.get_running_loop()
    value = registry.get(loop)
    if value is None:
        value = registry[loop] = make()
    return value
