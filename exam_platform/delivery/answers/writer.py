"""The durable writer: a batch of saves committed in ONE transaction, then each save's verdict.

For a batch, inside one transaction:
1. the batch's attempt rows are read and, on PostgreSQL, locked FOR SHARE: a concurrent
   submit_attempt (FOR UPDATE) waits for this transaction or this one sees it submitted;
2. each save is refused "submitted" (attempt not in progress) or "deadline" (now > deadline +
   settings.ANSWER_GRACE_SECONDS), else accepted;
3. accepted saves are appended to ResponseEvent (ON CONFLICT (attempt_id, seq) DO NOTHING: a
   repeated seq is ignored) and upserted into Response, the newest seq per item winning
   (ON CONFLICT (attempt_id, item_uid) DO UPDATE ... WHERE response.seq < excluded.seq).
The verdicts (None = ack) are returned only after the commit; an exception means nothing of the
batch is known to be stored, and nothing is acked.

On PostgreSQL the three steps are ONE statement (BATCH_SQL_PG: the saves travel as one JSON
parameter, data-modifying CTEs do the rest) run in autocommit, so a batch is one round trip to the
server and one commit: psycopg's async I/O loop costs CPU per round trip, and BEGIN, a locking
SELECT, two executemany and COMMIT were five (docs/performance.md). On SQLite they are separate
statements inside one IMMEDIATE transaction.

Two ways in, same SQL:
- write_saves(saves): sync, through Django's connection (HTTP fallback; SQLite behind the batcher);
- save_answers(saves): async, for consumers. Saves from every socket of the process go through one
  SaveBatcher per event loop, which groups them for up to MAX_WAIT_SECONDS or MAX_BATCH saves into
  one transaction (DESIGN §10: per-save ORM work caps a process at ~450 saves/s). On PostgreSQL the
  batch is written by psycopg's async API over a module-level AsyncConnectionPool (created lazily
  from settings.DATABASES["default"]); on SQLite by write_saves in Django's database thread.
Nothing here touches the channel layer or Redis.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import time
import weakref
from collections.abc import Sequence
from datetime import datetime, timedelta

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone

from exam_platform.common.batching import Batcher, for_this_loop

from .validation import DEADLINE, SUBMITTED, Save

logger = logging.getLogger(__name__)

MAX_BATCH = 500
# How long a batch waits for more saves, unless FLUSH_AT are queued (then it goes at once: under
# saturation a fixed wait only caps throughput). 5 ms made batches of 2–3 saves at 500 saves/s per
# process, and psycopg's per-batch async overhead then took ≈ 40 % of a process; 15 ms halved the
# paced p99 at 5,000 candidates (194 → 110 ms) for +6 ms of p50 (docs/performance.md).
MAX_WAIT_SECONDS = 0.015
FLUSH_AT = 64
WRITERS_IN_FLIGHT = 2  # batches being committed at once per process
POOL_MAX_SIZE = 4
DEADLOCK_RETRIES = 3
SLOW_BATCH_SECONDS = 0.1  # a batch slower than this is logged with where the time went

IN_PROGRESS = "in_progress"


# --- SQL ------------------------------------------------------------------------------------


# SQLite: separate statements in one IMMEDIATE transaction (write_saves).
_EVENT_SQL = (
    "INSERT INTO delivery_responseevent "
    "(attempt_id, seq, item_uid, answer, flagged, received_at, client_time, channel, ip_address) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (attempt_id, seq) DO NOTHING"
)
_RESPONSE_SQL = (
    "INSERT INTO delivery_response (attempt_id, item_uid, answer, flagged, seq, saved_at) "
    "VALUES (%s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (attempt_id, item_uid) DO UPDATE SET answer = excluded.answer, "
    "flagged = excluded.flagged, seq = excluded.seq, saved_at = excluded.saved_at "
    "WHERE delivery_response.seq < excluded.seq"
)

# PostgreSQL: the whole batch in one statement. %(saves)s is a JSON array of the saves in arrival
# order (pg_params); "n" is the position, so that of two saves with the same seq the first
# wins, as it did with one INSERT per save. The attempts CTE locks the rows FOR SHARE before
# anything is inserted (the inserts read it through "accepted"); a row a concurrent submit changed
# is re-read after that submit commits, so its new status decides. The statement returns the
# locked attempt rows, from which verdicts() computes the same verdicts as the WHERE of accepted.
BATCH_SQL_PG = """
WITH input AS (
    SELECT * FROM jsonb_to_recordset(%(saves)s::jsonb) AS s(
        n integer, attempt_id bigint, seq bigint, item_uid text, answer jsonb, flagged boolean,
        client_time timestamptz, channel text, ip_address inet)
), attempts AS (
    SELECT id, status, deadline FROM delivery_attempt
    WHERE id IN (SELECT attempt_id FROM input) ORDER BY id FOR SHARE
), accepted AS (
    SELECT input.* FROM input JOIN attempts ON attempts.id = input.attempt_id
    WHERE attempts.status = 'in_progress' AND %(now)s <= attempts.deadline + %(grace)s
), events AS (
    INSERT INTO delivery_responseevent
        (attempt_id, seq, item_uid, answer, flagged, received_at, client_time, channel, ip_address)
    SELECT attempt_id, seq, item_uid, answer, flagged, %(now)s, client_time, channel, ip_address
    FROM accepted ORDER BY attempt_id, seq, n
    ON CONFLICT (attempt_id, seq) DO NOTHING
), responses AS (
    INSERT INTO delivery_response (attempt_id, item_uid, answer, flagged, seq, saved_at)
    SELECT DISTINCT ON (attempt_id, item_uid) attempt_id, item_uid, answer, flagged, seq, %(now)s
    FROM accepted ORDER BY attempt_id, item_uid, seq DESC, n
    ON CONFLICT (attempt_id, item_uid) DO UPDATE SET answer = excluded.answer,
        flagged = excluded.flagged, seq = excluded.seq, saved_at = excluded.saved_at
    WHERE delivery_response.seq < excluded.seq
)
SELECT id, status, deadline FROM attempts
"""


def pg_params(saves: Sequence[Save], now: datetime) -> dict:
    """The parameters of BATCH_SQL_PG for a batch."""
    rows = [
        {
            "n": n,
            "attempt_id": s.attempt_id,
            "seq": s.seq,
            "item_uid": s.item_uid,
            "answer": s.answer,
            "flagged": s.flagged,
            "client_time": s.client_time.isoformat() if s.client_time is not None else None,
            "channel": s.channel,
            "ip_address": s.ip_address,
        }
        for n, s in enumerate(saves)
    ]
    return {
        "saves": json.dumps(rows, ensure_ascii=False, separators=(",", ":")),
        "now": now,
        "grace": timedelta(seconds=settings.ANSWER_GRACE_SECONDS),
    }


def _dump(answer) -> str | None:
    return None if answer is None else json.dumps(answer, ensure_ascii=False, separators=(",", ":"))


def verdicts(
    saves: Sequence[Save], attempts: dict[int, tuple[str, datetime]], now: datetime
) -> list[str | None]:
    """None (accept) or a refusal code per save, from the attempt rows read in the transaction."""
    grace = timedelta(seconds=settings.ANSWER_GRACE_SECONDS)
    result: list[str | None] = []
    for save in saves:
        status, deadline = attempts.get(save.attempt_id, ("", None))
        if status != IN_PROGRESS:
            result.append(SUBMITTED)
        elif now > deadline + grace:
            result.append(DEADLINE)
        else:
            result.append(None)
    return result


def rows_for(saves: Sequence[Save], codes: Sequence[str | None], now: datetime) -> tuple[list, list]:
    """Parameter rows for the event insert and the response upsert. Within a batch only the
    newest seq per (attempt, item) goes to the upsert (one statement may not touch a row twice);
    rows are sorted so that concurrent batches lock response rows in the same order."""
    accepted = [s for s, code in zip(saves, codes, strict=True) if code is None]
    events = [
        (
            s.attempt_id,
            s.seq,
            s.item_uid,
            _dump(s.answer),
            s.flagged,
            now,
            s.client_time,
            s.channel,
            s.ip_address,
        )
        for s in sorted(accepted, key=lambda s: (s.attempt_id, s.seq))
    ]
    newest: dict[tuple[int, str], Save] = {}
    for s in accepted:
        key = (s.attempt_id, s.item_uid)
        if key not in newest or newest[key].seq < s.seq:
            newest[key] = s
    responses = [
        (s.attempt_id, s.item_uid, _dump(s.answer), s.flagged, s.seq, now)
        for _key, s in sorted(newest.items())
    ]
    return events, responses


# --- sync: Django's connection --------------------------------------------------------------


def write_saves(saves: Sequence[Save], *, now: datetime | None = None) -> list[str | None]:
    """Write one batch in one transaction through Django's connection; verdicts after commit."""
    from ..models import Attempt

    if not saves:
        return []
    now = now or timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(BATCH_SQL_PG, pg_params(saves, now))
            return verdicts(saves, _attempt_rows(cursor.fetchall()), now)
        # SQLite: the IMMEDIATE transaction already holds the database's write lock
        ids = {s.attempt_id for s in saves}
        rows = Attempt.objects.filter(pk__in=ids).values_list("id", "status", "deadline")
        codes = verdicts(saves, _attempt_rows(rows), now)
        events, responses = rows_for(saves, codes, now)
        if events:
            cursor.executemany(_EVENT_SQL, events)
            cursor.executemany(_RESPONSE_SQL, responses)
        return codes


def _attempt_rows(rows) -> dict[int, tuple[str, datetime]]:
    return {pk: (status, deadline) for pk, status, deadline in rows}


# --- async: psycopg pool + batcher ----------------------------------------------------------


class PostgresWriter:
    """psycopg's async API over a small pool of this process (one per event loop)."""

    def __init__(self):
        from psycopg.conninfo import make_conninfo
        from psycopg_pool import AsyncConnectionPool

        db = settings.DATABASES["default"]
        params = {
            "dbname": db.get("NAME"),
            "user": db.get("USER"),
            "password": db.get("PASSWORD"),
            "host": db.get("HOST"),
            "port": str(db["PORT"]) if db.get("PORT") else None,
            "application_name": "exam_platform.answers",
        }
        conninfo = make_conninfo(**{k: v for k, v in params.items() if v})
        self.pool = AsyncConnectionPool(
            conninfo,
            min_size=1,
            max_size=POOL_MAX_SIZE,
            open=False,
            # autocommit: a batch is one statement, its own transaction (one round trip, no BEGIN)
            kwargs={"options": "-c TimeZone=UTC", "autocommit": True},
            name="answers",
        )
        self._opened = False

    async def write(self, saves: Sequence[Save]) -> list[str | None]:
        import psycopg

        if not self._opened:
            self._opened = True
            await self.pool.open()
        for attempt in range(DEADLOCK_RETRIES):
            try:
                began = time.perf_counter()
                async with self.pool.connection() as conn:
                    connected = time.perf_counter()
                    now = timezone.now()
                    cursor = await conn.execute(BATCH_SQL_PG, pg_params(saves, now))  # autocommit
                    rows = await cursor.fetchall()
                    done = time.perf_counter()
                if done - began >= SLOW_BATCH_SECONDS:
                    logger.warning(
                        "answers: a batch of %d saves took %.0f ms (pool %.0f, statement and commit %.0f)",
                        len(saves),
                        (done - began) * 1000,
                        (connected - began) * 1000,
                        (done - connected) * 1000,
                    )
                return verdicts(saves, _attempt_rows(rows), now)
            except (psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure):
                if attempt == DEADLOCK_RETRIES - 1:
                    raise
                logger.info("answers: batch of %d hit a deadlock; retrying", len(saves))
        raise AssertionError("unreachable")

    async def close(self) -> None:
        if self._opened:
            await self.pool.close()


@functools.cache
def _on_postgresql() -> bool:
    """Asked once per process: asked in each batch's task, django.db.connection created a
    DatabaseWrapper for the task's context (asgiref Local), a reference cycle of ≈ 40 objects left
    for the garbage collector per batch — its collections then stopped every socket of the
    process every few seconds of the exam (docs/performance.md)."""
    return connections["default"].vendor == "postgresql"


async def write_batch(saves: Sequence[Save]) -> list[str | None]:
    """One batch, one transaction, on whichever database the settings name."""
    if _on_postgresql():
        return await _postgres_writer().write(saves)
    return await sync_to_async(write_saves, thread_sensitive=True)(saves)


class SaveBatcher(Batcher):
    """Groups saves from every socket of an event loop into batches (group commit)."""

    def __init__(self, *, max_batch: int = MAX_BATCH, max_wait: float = MAX_WAIT_SECONDS):
        # write_batch is looked up at each batch, so tests can replace it.
        super().__init__(
            lambda saves: write_batch(saves),
            max_batch=max_batch,
            max_wait=max_wait,
            in_flight=WRITERS_IN_FLIGHT,
            flush_at=FLUSH_AT,
            name="answers (none acked)",
        )


_batchers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_pg_writers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _postgres_writer() -> PostgresWriter:
    return for_this_loop(_pg_writers, PostgresWriter)


async def save_answers(saves: Sequence[Save]) -> list[str | None]:
    """Verdicts (None = stored and committed) for saves of any attempts, through this loop's batcher."""
    if not saves:
        return []
    return await for_this_loop(_batchers, SaveBatcher).submit(saves)


async def close_writers() -> None:
    """Finish this loop's batches and close its pool (tests; orderly shutdown)."""
    loop = asyncio.get_running_loop()
    batcher = _batchers.pop(loop, None)
    if batcher is not None:
        await batcher.drain()
    writer = _pg_writers.pop(loop, None)
    if writer is not None:
        await writer.close()
