"""The officer's live status panel socket: ws/officer/sessions/<session id>/live/ (page:
views/live.py, delivery/static/delivery/session_live.js).

Admission (common.realtime.AuthenticatedConsumer): Origin, a logged-in session (4401), staff
two-factor verified in that session (4403), then access.get_session_for_live_panel — exam officers
and administrators see the whole session, proctors only the rooms assigned to them (those rooms'
counts, and totals of those rooms alone); anyone else, an unknown session, or a proctor of none of
its rooms: 4403. Logout closes the socket (4001).

The counts come from the database, not from events (delivery.live_feed: one aggregate query a
second per watched session per process; definitions in delivery.live_status). Messages, server →
browser only (anything the browser sends is ignored):

    {"type": "snapshot", "server_time": "<ISO, ms>", "poll_seconds": 1,
     "session": {"id", "title", "opens_at", "late_entry_until", "closes_at"},
     "rooms": [{"key": "<room id>", "name", "building"}, ...],        in room order, then
              {"key": "none", "name": null} (no room yet) for those who see the whole session
     "counts": COUNTS,
     "history": [{"t": "<ISO>", "counts": COUNTS}, ...]}               oldest first, ≤ 30 min
        at connect, so after every reconnect: the page replaces everything it had
    {"type": "update", "server_time": "...", "counts": COUNTS[, "rooms": [...]]}
        at most one a second, when a count changed, and every KEEPALIVE_SECONDS even if none did;
        always the whole aggregate (small), so a lost update is harmless; "rooms" only when a
        room appeared that the page does not know

    COUNTS = {"session": C, "rooms": {"<room key>": C}}, C = {key: int for key in
             live_status.COUNT_KEYS}; a room with no roster entry is missing from "rooms"
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

from channels.db import database_sync_to_async
from django.core.exceptions import PermissionDenied
from django.http import Http404

from exam_platform.common.realtime import CLOSE_FORBIDDEN, AuthenticatedConsumer

from . import access
from .live_feed import POLL_SECONDS, session_feed
from .live_status import ROOMLESS, restrict_to_rooms
from .starter import dumps

KEEPALIVE_SECONDS = 15.0
CLOSE_SERVER_ERROR = 1011

logger = logging.getLogger(__name__)


def iso(value: datetime) -> str:
    return value.isoformat(timespec="milliseconds")


def panel_rooms(rooms, *, roomless: bool) -> list[dict]:
    """The rooms as the page lists them; with `roomless`, the row of candidates without a room last."""
    listed = [{"key": str(room.pk), "name": room.name, "building": room.building} for room in rooms]
    if roomless:
        listed.append({"key": ROOMLESS, "name": None, "building": ""})  # the page names it
    return listed


@database_sync_to_async
def _load_panel(user, session_id) -> dict | None:
    try:
        session, rooms, whole_session = access.get_session_for_live_panel(user, session_id)
    except (PermissionDenied, Http404):
        return None
    return {
        "session": {
            "id": session.pk,
            "title": session.title,
            "opens_at": iso(session.opens_at),
            "late_entry_until": iso(session.late_entry_until),
            "closes_at": iso(session.closes_at),
        },
        "rooms": panel_rooms(rooms, roomless=whole_session),
        "room_keys": None if whole_session else {str(room.pk) for room in rooms},
    }


class SessionLiveConsumer(AuthenticatedConsumer):
    feed = None
    sent: dict | None = None
    sent_at = 0.0

    async def authorize(self) -> bool:
        self.panel = await _load_panel(self.user, self.scope["url_route"]["kwargs"]["session_id"])
        return self.panel is not None

    @classmethod
    async def encode_json(cls, content) -> str:
        return dumps(content)

    async def connected(self) -> None:
        self.room_keys = self.panel["room_keys"]
        self.known_rooms = {room["key"] for room in self.panel["rooms"]}
        self.feed = session_feed(self.panel["session"]["id"])
        try:
            now, counts = await self.feed.read()
        except Exception:  # the database: the page reconnects with backoff
            logger.warning("live panel: snapshot of session %s failed", self.feed.session_id, exc_info=True)
            await self.close(code=CLOSE_SERVER_ERROR)
            return
        mine = self._mine(counts)
        history = [{"t": iso(t), "counts": self._mine(c)} for t, c in self.feed.samples() if t <= now]
        await self._send(
            {
                "type": "snapshot",
                "server_time": iso(now),
                "poll_seconds": POLL_SECONDS,
                "session": self.panel["session"],
                "rooms": self.panel["rooms"],
                "counts": mine,
                "history": history,
            },
            mine,
        )
        if self.admitted:
            self.feed.watch(self)

    def _mine(self, counts: dict) -> dict:
        return restrict_to_rooms(counts, self.room_keys)

    async def _send(self, message: dict, counts: dict) -> None:
        self.sent, self.sent_at = counts, time.monotonic()
        await self.send_json(message)

    async def offer(self, now: datetime, counts: dict) -> None:
        """The feed's latest read (live_feed.SessionFeed): sent when it differs from what this socket
        sent last, or as a keepalive."""
        if not self.admitted:
            self._leave()
            return
        mine = self._mine(counts)
        if mine == self.sent and time.monotonic() - self.sent_at < KEEPALIVE_SECONDS:
            return
        message = {"type": "update", "server_time": iso(now), "counts": mine}
        if set(mine["rooms"]) - self.known_rooms:  # a room added since the snapshot
            panel = await _load_panel(self.user, self.panel["session"]["id"])
            if panel is None:  # no longer allowed
                self._leave()
                await self.close(code=CLOSE_FORBIDDEN)
                return
            self.known_rooms = {room["key"] for room in panel["rooms"]}
            message["rooms"] = panel["rooms"]
        await self._send(message, mine)

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        pass  # the panel only listens

    async def force_disconnect(self, event) -> None:
        self._leave()
        await super().force_disconnect(event)

    async def websocket_disconnect(self, message) -> None:
        self._leave()
        await super().websocket_disconnect(message)

    def _leave(self) -> None:
        if self.feed is not None:
            self.feed.unwatch(self)
