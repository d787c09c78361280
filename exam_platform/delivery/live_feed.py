"""The officer panel's feed: per session and per server process, the live status counts
(delivery.live_status) read once a second while at least one officer socket watches that session,
and handed to those sockets (officer_consumers.SessionLiveConsumer), which send what changed.

Why polling, and not a message per check-in, start or submit (ARCHITECTURE.md, "The officer's
live panel"): nothing on the candidate's paths is touched — no group_send per answer, start or
submit, no dependency on Redis — the count is always the database's, so a missed message or a
Redis outage cannot leave a panel wrong, and time alone changes counts (at the late-entry cutoff
the waiting become absent) without any event. The price is one aggregate query a second per watched
session per process, whether or not anything changed, however many officers watch (its cost at
5,000 entries: docs/performance.md); a read slower than MAX_READ_SHARE of a second stretches the
interval instead of taking more.

The query runs on the feed's own thread, not through database_sync_to_async: that one shared thread
also carries the waiting room's start batches (delivery.starter), which must not queue behind a
panel. The thread closes its connection after each read (with PostgreSQL's pool that hands it back).
(Not so on the in-memory SQLite test database: see _in_memory_sqlite.)
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Protocol

from channels.db import database_sync_to_async
from django.db import connection
from django.utils import timezone

from exam_platform.common.batching import for_this_loop

from .live_status import session_status_counts

logger = logging.getLogger(__name__)

POLL_SECONDS = 1.0  # at most one read — and so one update per socket — a second
# A slow read (a loaded database; SQLite reading frozen forms inline) stretches the interval, so
# that the reads of one feed take at most this share of the time (docs/performance.md).
MAX_READ_SHARE = 0.1
HISTORY = timedelta(minutes=30)  # what a snapshot carries for the chart
HISTORY_STEP = timedelta(seconds=10)  # at most one history sample per step (the latest is always sent)
MAX_IDLE_FEEDS = 50  # feeds kept for their history after their last socket left

_executor: ThreadPoolExecutor | None = None


def _reader() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="live-panel")
    return _executor


def read_counts(session_id: int, now: datetime) -> dict:
    """session_status_counts on the feed's thread; its connection is closed afterwards."""
    try:
        return session_status_counts(session_id, now=now)
    finally:
        connection.close()


def _in_memory_sqlite() -> bool:
    """The test database on SQLite: one in-memory database in shared-cache mode, where a read on
    a second thread makes a write on the first fail at once ("database table is locked") instead of
    waiting. There the read goes through the shared sync thread like every other query; a SQLite
    file (WAL) or PostgreSQL takes concurrent reads."""
    return connection.vendor == "sqlite" and connection.is_in_memory_db()


class Watcher(Protocol):
    async def offer(self, now: datetime, counts: dict) -> None: ...


class SessionFeed:
    def __init__(self, session_id: int):
        self.session_id = session_id
        self.watchers: set[Watcher] = set()
        self.history: deque[tuple[datetime, dict]] = deque()
        self.latest: tuple[datetime, dict] | None = None
        self.reads = 0
        self._task: asyncio.Task | None = None

    async def read(self) -> tuple[datetime, dict]:
        """A fresh read now (a snapshot's; the feed's own reads go through here too)."""
        now = timezone.now()
        if _in_memory_sqlite():
            counts = await database_sync_to_async(session_status_counts)(self.session_id, now=now)
        else:
            counts = await asyncio.get_running_loop().run_in_executor(
                _reader(), read_counts, self.session_id, now
            )
        self.reads += 1
        self._record(now, counts)
        return now, counts

    def _record(self, now: datetime, counts: dict) -> None:
        if self.latest is None or now >= self.latest[0]:
            self.latest = (now, counts)
        last = self.history[-1] if self.history else None
        if last is None or (counts != last[1] and now - last[0] >= HISTORY_STEP):
            self.history.append((now, counts))
        while self.history and now - self.history[0][0] > HISTORY:
            self.history.popleft()

    def samples(self) -> list[tuple[datetime, dict]]:
        """The history for a snapshot, oldest first, ending with the latest read."""
        samples = list(self.history)
        if self.latest is not None and (not samples or samples[-1][0] < self.latest[0]):
            samples.append(self.latest)
        return samples

    def watch(self, watcher: Watcher) -> None:
        self.watchers.add(watcher)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    def unwatch(self, watcher: Watcher) -> None:
        self.watchers.discard(watcher)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while self.watchers:
            started = loop.time()
            try:
                now, counts = await self.read()
            except Exception:
                logger.warning("live panel: reading session %s failed", self.session_id, exc_info=True)
            else:
                for watcher in list(self.watchers):
                    try:
                        await watcher.offer(now, counts)
                    except Exception:
                        logger.warning("live panel: update failed", exc_info=True)
            took = loop.time() - started
            await asyncio.sleep(max(POLL_SECONDS, took / MAX_READ_SHARE) - took)


_feeds: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def session_feed(session_id: int) -> SessionFeed:
    """The running event loop's feed of `session_id`."""
    feeds: dict[int, SessionFeed] = for_this_loop(_feeds, dict)
    feed = feeds.get(session_id)
    if feed is None:
        if len(feeds) >= MAX_IDLE_FEEDS:
            for key in [k for k, f in feeds.items() if not f.watchers]:
                del feeds[key]
        feed = feeds[session_id] = SessionFeed(session_id)
    return feed
