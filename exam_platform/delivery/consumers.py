"""The candidate's attempt socket: ws/attempt/<attempt uid>/ (DESIGN §3–§5).

Admission (exam_platform.common.realtime.AuthenticatedConsumer): the Origin must be this site's,
the session a logged-in user's (else close 4401); authorize() admits only the candidate whose
attempt it is, while it is in progress — anything else closes 4403 without saying whether the
attempt exists (the page then asks GET /exam/attempts/<uid>/state to learn "submitted").

Messages, JSON text frames. Browser → server:

    {"type": "save", "seq": 17, "item": "<item uid>", "answer": {...} | null, "flagged": false,
     "client_time": "2026-03-01T09:12:30.120+07:00"}
        seq: per attempt, increasing, never reused (the browser persists it); answer formats in
        delivery/answers/validation.py. Answered with exactly one of
        {"type": "ack", "seq": 17}            committed (or an older/repeated seq: stored before)
        {"type": "nack", "seq": 17, "code": "deadline" | "submitted" | "invalid",
         "message": "<Thai (English)>"}       refused for good: drop it from the outbox, show message
        nothing                               the database failed: keep it, resend later
    {"type": "time", "t0": <client ms>}
        → {"type": "time", "t0": <echoed>, "server_time": "<ISO, ms>", "deadline": "<ISO>",
           "status": "in_progress"}   offset = server_time − (t0 + t1) / 2, t1 = arrival time
    {"type": "submit"}
        waits for this socket's saves in flight, submits, then
        → {"type": "submitted", "status": "submitted", "receipt_digest": "<sha-256>",
           "receipt_url": "/exam/attempts/<uid>/receipt"}

Server → browser, unasked:
    {"type": "hello", "attempt": "<uid>", "server_time": "...", "deadline": "...",
     "last_seq": <highest seq stored>, "status": "in_progress"}          right after the accept
    {"type": "deadline", "deadline": "..."}        an extension (best effort over the channel layer)
    {"type": "submitted", "status": "submitted", ...}   submitted elsewhere (proctor, deadline)

Saves never use the channel layer or Redis: validation uses what was loaded at connect, the write
goes through delivery.answers' per-process batcher (grouped commits), the ack follows the commit.
"""

from __future__ import annotations

import asyncio
import logging

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from django.urls import reverse
from django.utils import timezone

from exam_platform.common.realtime import AuthenticatedConsumer

from .answers import FormIndex, Refusal, ack_message, nack_message, parse_save, save_answers
from .models import Attempt

logger = logging.getLogger(__name__)

MAX_IN_FLIGHT = 200  # saves of one socket awaiting their commit


def attempt_group_name(attempt_uid) -> str:
    return f"attempt.{attempt_uid}"


def iso(value) -> str:
    return value.isoformat(timespec="milliseconds")


@database_sync_to_async
def _load(user, attempt_uid):
    from .attempt_access import attempt_socket_state

    return attempt_socket_state(user, attempt_uid)


@database_sync_to_async
def _submit(attempt_id: int, user):
    from .services.attempts import submit_attempt

    attempt = Attempt.objects.get(pk=attempt_id)
    return submit_attempt(attempt, reason=Attempt.SubmitReason.CANDIDATE, actor=user)


@database_sync_to_async
def _current(attempt_id: int):
    return Attempt.objects.filter(pk=attempt_id).values("status", "deadline").first()


class AttemptConsumer(AuthenticatedConsumer):
    attempt_id: int | None = None

    async def authorize(self) -> bool:
        state = await _load(self.user, self.scope["url_route"]["kwargs"]["attempt_uid"])
        if state is None or state["status"] != Attempt.Status.IN_PROGRESS:
            return False
        self.attempt_id = state["id"]
        self.attempt_uid = state["uid"]
        self.deadline = state["deadline"]
        self.last_seq = state["last_seq"]
        self.index = FormIndex(state["form"])
        client = self.scope.get("client") or (None,)
        self.ip_address = client[0]
        self.in_flight: set[asyncio.Task] = set()
        return True

    def extra_groups(self) -> list[str]:
        return [attempt_group_name(self.attempt_uid)]

    async def dispatch(self, message) -> None:
        """Channels' dispatch runs close_old_connections() through sync_to_async before EVERY
        handler: a hop through the process's one sync thread per save, queued behind whatever sync
        work (page renders, starts) the process has (docs/performance.md). Nothing here touches
        Django's connection outside database_sync_to_async, which closes old connections itself,
        and saves go through delivery.answers' own pool, so the hop is skipped."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connected(self) -> None:
        await self.send_json(
            {
                "type": "hello",
                "attempt": str(self.attempt_uid),
                "server_time": iso(timezone.now()),
                "deadline": iso(self.deadline),
                "last_seq": self.last_seq,
                "status": Attempt.Status.IN_PROGRESS,
            }
        )

    async def receive_json(self, content, **kwargs) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "save":
            await self._accept_save(content)
        elif kind == "time":
            await self._send_time(content)
        elif kind == "submit":
            await self._submit()

    async def _accept_save(self, content: dict) -> None:
        parsed = parse_save(
            self.index, content, attempt_id=self.attempt_id, channel="ws", ip_address=self.ip_address
        )
        if isinstance(parsed, Refusal):
            await self.send_json(nack_message(parsed.seq, parsed.code))
            return
        while len(self.in_flight) >= MAX_IN_FLIGHT:
            await asyncio.wait(self.in_flight, return_when=asyncio.FIRST_COMPLETED)
        # A task per save: this socket's saves join the same batch instead of queueing one by one.
        task = asyncio.get_running_loop().create_task(self._store(parsed))
        self.in_flight.add(task)
        task.add_done_callback(self.in_flight.discard)

    async def _store(self, save) -> None:
        try:
            (code,) = await save_answers([save])
        except Exception:
            return  # logged by the writer; no ack, so the browser keeps the save and resends it
        try:
            await self.send_json(ack_message(save.seq) if code is None else nack_message(save.seq, code))
        except Exception:  # the socket closed meanwhile: stored; the browser resends and gets an ack
            logger.debug("attempt %s: could not ack seq %s", self.attempt_uid, save.seq, exc_info=True)

    async def _send_time(self, content: dict) -> None:
        current = await _current(self.attempt_id)
        t0 = content.get("t0")
        await self.send_json(
            {
                "type": "time",
                "t0": t0 if isinstance(t0, (int, float)) and not isinstance(t0, bool) else None,
                "server_time": iso(timezone.now()),
                "deadline": iso(current["deadline"]) if current else None,
                "status": current["status"] if current else None,
            }
        )

    async def _submit(self) -> None:
        if self.in_flight:
            await asyncio.wait(set(self.in_flight))
        attempt = await _submit(self.attempt_id, self.user)
        await self.send_json(self.submitted_message(attempt.uid, attempt.receipt_digest))

    @staticmethod
    def submitted_message(attempt_uid, digest: str) -> dict:
        return {
            "type": "submitted",
            "status": Attempt.Status.SUBMITTED,
            "receipt_digest": digest,
            "receipt_url": reverse("delivery:attempt_receipt", args=[attempt_uid]),
        }

    # --- layer events (best effort) --------------------------------------------------------

    async def attempt_deadline(self, event: dict) -> None:
        await self.send_json({"type": "deadline", "deadline": event["deadline"]})

    async def attempt_submitted(self, event: dict) -> None:
        await self.send_json(self.submitted_message(self.attempt_uid, event.get("receipt_digest", "")))

    async def websocket_disconnect(self, message) -> None:
        # Saves in flight finish on their own (the batcher commits them); nothing to wait for.
        await super().websocket_disconnect(message)
