"""The candidate's exam socket (DESIGN §3–§5): ws/exam/<entry id>/ (the exam room: waiting room,
then the attempt) and ws/attempt/<attempt uid>/ (an attempt already started).

Admission (exam_platform.common.realtime.AuthenticatedConsumer): the Origin must be this site's,
the session a logged-in user's (else close 4401); authorize() admits only the candidate whose
roster entry / attempt it is: for ws/exam/ a checked-in entry with an in-progress attempt, or
with none yet while late entry is open; for ws/attempt/ an in-progress attempt. Anything else
closes 4403 without saying whether it exists (the page then asks the server what happened).
`?form=1` in the URL adds "form" and "responses" to an in-progress hello (a page without the
paper embedded asks for it).

The waiting room (issue 4 §9(a)): a socket with no attempt yet gets a "waiting" hello; the SERVER
starts the attempt at opens_at (+ up to EXAM_START_JITTER_SECONDS, so a herd spreads over a
second), or at once if the window is already open, through delivery.starter's per-process batcher
(one transaction per batch), and sends "started" with the candidate's form. The browser never
asks for the paper, so it cannot get it early, and no HTTP request is needed at the start instant.

Messages, JSON text frames (UTF-8, not ASCII-escaped). Server → browser, unasked:

    {"type": "hello", "status": "waiting", "server_time": "<ISO, ms>", "opens_at": "...",
     "late_entry_until": "..."}
    {"type": "hello", "status": "in_progress", "attempt": "<uid>", "server_time": "...",
     "deadline": "...", "last_seq": <highest seq stored>, "urls": {page, save, state, submit,
     receipt}[, "form": FORM, "responses": {item uid: {answer, flagged, seq}}]}
    {"type": "started", ... the in-progress hello's fields, always with form and responses}
        FORM = attempt_access.candidate_form(): sections → items {uid, type, stem, language,
        choices [{uid, html}], max_words?} in this candidate's order; never a key or points
    {"type": "start_refused", "code": "not_open" | "closed" | ..., "message": "<Thai (English)>",
     "opens_at": "...", "server_time": "..."}   not_open: the server retries at the new opens_at
    {"type": "deadline", "deadline": "..."}        an extension (best effort over the channel layer)
    {"type": "submitted", "status": "submitted", ...}   submitted elsewhere (proctor, deadline)

Browser → server:

    {"type": "save", "seq": 17, "item": "<item uid>", "answer": {...} | null, "flagged": false,
     "client_time": "2026-03-01T09:12:30.120+07:00"}
        seq: per attempt, increasing, never reused (the browser persists it); answer formats in
        delivery/answers/validation.py. Answered with exactly one of
        {"type": "ack", "seq": 17}            committed (or an older/repeated seq: stored before)
        {"type": "nack", "seq": 17, "code": "deadline" | "submitted" | "invalid",
         "message": "<Thai (English)>"}       refused for good: drop it from the outbox, show message
        nothing                               the database failed: keep it, resend later
        (a save before "started" is refused "invalid")
    {"type": "time", "t0": <client ms>}
        → {"type": "time", "t0": <echoed>, "server_time": "<ISO, ms>", "deadline": "<ISO>",
           "status": "in_progress"}   offset = server_time − (t0 + t1) / 2, t1 = arrival time
        → while waiting: {"type": "time", "t0", "server_time", "opens_at", "status": "waiting"}
           (opens_at re-read: an officer may have moved it; the start is rescheduled)
    {"type": "submit"}
        waits for this socket's saves in flight, submits, then
        → {"type": "submitted", "status": "submitted", "receipt_digest": "<sha-256>",
           "receipt_url": "/exam/attempts/<uid>/receipt"}

Saves never use the channel layer or Redis: validation uses what was loaded at connect, the write
goes through delivery.answers' per-process batcher (grouped commits), the ack follows the commit.
"""

from __future__ import annotations

import asyncio
import logging
import random
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from exam_platform.common.realtime import AuthenticatedConsumer

from .answers import INVALID, FormIndex, Refusal, ack_message, nack_message, parse_save, save_answers
from .attempt_access import attempt_urls, candidate_form
from .models import Attempt, ExamSession
from .services.attempts import AttemptError
from .starter import dumps, prepare_entry, start_entry, start_wave

logger = logging.getLogger(__name__)

MAX_IN_FLIGHT = 200  # saves of one socket awaiting their commit
PREPARE_AHEAD_SECONDS = 2.0  # a waiting socket freezes its form unless the start is closer than this


def entry_group_name(entry_id: int) -> str:
    """The sockets of one roster entry (its waiting room and its attempt): joined at connect, so that
    the start of thousands of attempts adds no channel-layer round trip per socket."""
    return f"exam.entry.{entry_id}"


def iso(value) -> str:
    return value.isoformat(timespec="milliseconds")


@database_sync_to_async
def _load(user, attempt_uid):
    from .attempt_access import attempt_socket_state

    return attempt_socket_state(user, attempt_uid)


@database_sync_to_async
def _load_entry(user, entry_id):
    from .attempt_access import entry_socket_state

    return entry_socket_state(user, entry_id, timezone.now())


@database_sync_to_async
def _responses(attempt_id: int):
    from .attempt_access import attempt_responses

    return attempt_responses(attempt_id)


@database_sync_to_async
def _form(attempt_id: int) -> dict:
    return Attempt.objects.values_list("form", flat=True).get(pk=attempt_id)


@database_sync_to_async
def _opens_at(entry_id: int):
    return ExamSession.objects.filter(roster__pk=entry_id).values_list("opens_at", flat=True).first()


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
    attempt_uid = None
    entry_id: int | None = None
    opens_at = None
    # While waiting: (seed, FormIndex, the browser's form as JSON text) of the prepared form. A
    # socket keeps no form dict: 2,500 sockets × ~1,000 objects each made every full garbage
    # collection of a process take seconds (docs/performance.md).
    prepared: tuple[int, FormIndex, str] | None = None
    _start_task: asyncio.Task | None = None

    async def authorize(self) -> bool:
        kwargs = self.scope["url_route"]["kwargs"]
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        self.want_form = query.get("form") == ["1"]
        client = self.scope.get("client") or (None,)
        self.ip_address = client[0]
        self.in_flight: set[asyncio.Task] = set()
        if "entry_id" in kwargs:
            state = await _load_entry(self.user, kwargs["entry_id"])
            if state is None:
                return False
            self.entry_id = state["entry_id"]
            self.opens_at = state["opens_at"]
            self.late_entry_until = state["late_entry_until"]
            attempt = state["attempt"]
        else:
            attempt = await _load(self.user, kwargs["attempt_uid"])
            if attempt is None or attempt["status"] != Attempt.Status.IN_PROGRESS:
                return False
            self.entry_id = attempt["entry_id"]
        self.hello = None
        if attempt is not None:
            self._adopt(attempt, FormIndex.of(attempt["form"]))
            if self.want_form:
                responses = await _responses(self.attempt_id)
                self.hello = self._attempt_message("hello", responses, attempt["form"])
        return True

    def _adopt(self, state: dict, index: FormIndex) -> None:
        """From now on this socket is the attempt's: saves, time, submit."""
        self.attempt_id = state["id"]
        self.attempt_uid = state["uid"]
        self.deadline = state["deadline"]
        self.last_seq = state["last_seq"]
        self.index = index

    def extra_groups(self) -> list[str]:
        return [entry_group_name(self.entry_id)]

    @classmethod
    async def encode_json(cls, content) -> str:
        return dumps(content)

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
        if self.attempt_id is not None:
            hello, self.hello = self.hello or self._attempt_message("hello"), None
            await self.send_json(hello)
            return
        await self.send_json(
            {
                "type": "hello",
                "status": "waiting",
                "server_time": iso(timezone.now()),
                "opens_at": iso(self.opens_at),
                "late_entry_until": iso(self.late_entry_until),
            }
        )
        self._start_task = asyncio.get_running_loop().create_task(self._start_when_open())

    def _attempt_message(self, kind: str, responses: dict | None = None, form: dict | None = None) -> dict:
        message = {
            "type": kind,
            "status": Attempt.Status.IN_PROGRESS,
            "attempt": str(self.attempt_uid),
            "server_time": iso(timezone.now()),
            "deadline": iso(self.deadline),
            "last_seq": self.last_seq,
            "urls": attempt_urls(self.attempt_uid),
        }
        if form is not None:
            message["form"] = candidate_form(form)
            message["responses"] = responses or {}
        return message

    # --- the waiting room ------------------------------------------------------------------

    async def _start_when_open(self) -> None:
        """Start this socket's attempt at opens_at (the server's clock), then send the paper. While
        waiting, the form is frozen ahead (PREPARE_AHEAD_SECONDS before the start at the latest),
        so that the start itself moves no form through Python. A socket that waits for opens_at is
        part of its opens_at's start wave (starter.StartWave)."""
        failures = 0
        wave = None
        started = False
        try:
            while True:
                wait = (self.opens_at - timezone.now()).total_seconds()
                if wait > PREPARE_AHEAD_SECONDS and self.prepared is None:
                    try:
                        self.prepared = await prepare_entry(self.entry_id)
                    except Exception:  # not fatal: the start freezes the form itself
                        logger.warning("entry %s: could not prepare the form", self.entry_id, exc_info=True)
                    wait = (self.opens_at - timezone.now()).total_seconds()
                if wait > 0:
                    wave = wave or start_wave(self.opens_at).join()
                    await asyncio.sleep(wait + random.uniform(0, settings.EXAM_START_JITTER_SECONDS))
                try:
                    result = await start_entry(self.entry_id)
                except Exception:  # the database failed: logged by the batcher; try again shortly
                    failures += 1
                    await asyncio.sleep(min(30.0, 0.5 * 2**failures) * random.uniform(0.5, 1.5))
                    continue
                if isinstance(result, AttemptError):
                    opens_at = await _opens_at(self.entry_id)
                    self.opens_at = opens_at or self.opens_at
                    await self.send_json(
                        {
                            "type": "start_refused",
                            "code": result.code,
                            "message": result.message,
                            "opens_at": iso(self.opens_at),
                            "server_time": iso(timezone.now()),
                        }
                    )
                    if result.code != "not_open":
                        return
                    await asyncio.sleep(0.5)  # opens_at moved: wait for the new one
                    continue
                await self._send_started(result)
                started = True
                return
        finally:
            if wave is not None:
                wave.leave(started=started)

    async def _send_started(self, result: dict) -> None:
        """Adopt the started attempt and send "started" with the paper: the prepared form's JSON
        text as it is when the attempt was copied from it (same seed), else the attempt's form."""
        prepared, self.prepared = self.prepared, None
        form = result["form"]
        if form is None and (prepared is None or prepared[0] != result["seed"]):
            form = await _form(result["id"])
        self._adopt(result, FormIndex.of(form) if form is not None else prepared[1])
        responses = await _responses(self.attempt_id) if self.last_seq else {}
        if form is not None:
            await self.send_json(self._attempt_message("started", responses, form))
            return
        head = dumps({**self._attempt_message("started"), "responses": responses})
        await self.send(text_data=f'{head[:-1]},"form":{prepared[2]}}}')

    async def _reschedule(self, opens_at) -> None:
        if opens_at is None or opens_at == self.opens_at:
            return
        self.opens_at = opens_at
        if self._start_task is not None and not self._start_task.done():
            self._start_task.cancel()
            self._start_task = asyncio.get_running_loop().create_task(self._start_when_open())

    async def receive_json(self, content, **kwargs) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "save":
            await self._accept_save(content)
        elif kind == "time":
            await self._send_time(content)
        elif kind == "submit":
            await self._submit()

    async def _accept_save(self, content: dict) -> None:
        if self.attempt_id is None:  # still waiting: there is no paper to answer yet
            seq = content.get("seq")
            await self.send_json(nack_message(seq if isinstance(seq, int) else None, INVALID))
            return
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
        t0 = content.get("t0")
        t0 = t0 if isinstance(t0, (int, float)) and not isinstance(t0, bool) else None
        if self.attempt_id is None:
            await self._reschedule(await _opens_at(self.entry_id))
            await self.send_json(
                {
                    "type": "time",
                    "t0": t0,
                    "server_time": iso(timezone.now()),
                    "opens_at": iso(self.opens_at),
                    "status": "waiting",
                }
            )
            return
        current = await _current(self.attempt_id)
        await self.send_json(
            {
                "type": "time",
                "t0": t0,
                "server_time": iso(timezone.now()),
                "deadline": iso(current["deadline"]) if current else None,
                "status": current["status"] if current else None,
            }
        )

    async def _submit(self) -> None:
        if self.attempt_id is None:
            return
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
        # Saves in flight finish on their own (the batcher commits them); nothing to wait for. A
        # start not yet made is dropped (one already in a batch completes: the attempt resumes).
        if self._start_task is not None:
            self._start_task.cancel()
        await super().websocket_disconnect(message)
