"""The officer's live panel socket (ws/officer/sessions/<id>/live/) over the real ASGI application:
snapshot at connect, an update after a check-in and after a submit, at most one update a second
under a burst, one shared feed per session, and who is refused (4403)."""

import asyncio
import math
import time

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.db import connections
from django.test import Client

from exam_platform.asgi import application
from exam_platform.delivery import live_feed
from exam_platform.delivery.live_feed import POLL_SECONDS, session_feed
from exam_platform.delivery.models import Attempt, Room
from exam_platform.delivery.services.attempts import start_attempt, submit_attempt
from exam_platform.delivery.services.checkin import check_in_by_staff
from tests.delivery.exam_setup import make_entry, make_locked_paper, make_session, socket_headers
from tests.factories import log_in, make_staff

pytestmark = pytest.mark.django_db(transaction=True)

UPDATE_TIMEOUT = 3.0  # an update is due within about POLL_SECONDS; generous for a loaded machine


@pytest.fixture(autouse=True)
async def _clean():
    channel_layers.backends = {}
    yield
    channel_layers.backends = {}
    await sync_to_async(connections.close_all)()


@database_sync_to_async
def arrange(*, checked_in: int = 0, not_checked_in: int = 1):
    """A session open now with rooms A and B; entries in room A. Returns (session, room A, room B,
    entries, an exam officer's verified client)."""
    session = make_session(make_locked_paper())
    room_a = Room.objects.create(session=session, code="a", name="ห้อง ก", capacity=50)
    room_b = Room.objects.create(session=session, code="b", name="ห้อง ข", capacity=50, position=1)
    entries = []
    for i in range(checked_in + not_checked_in):
        entry = make_entry(session, checked_in=i < checked_in)
        entry.room = room_a
        entry.seat_number = i + 1
        entry.save(update_fields=["room", "seat_number"])
        entries.append(entry)
    officer = make_staff("exam_officer")
    return session, room_a, room_b, entries, log_in(Client(), officer)


def connect(session, client) -> WebsocketCommunicator:
    return WebsocketCommunicator(
        application, f"/ws/officer/sessions/{session.pk}/live/", headers=socket_headers(client)
    )


async def open_panel(session, client) -> tuple[WebsocketCommunicator, dict]:
    comm = connect(session, client)
    connected, _ = await comm.connect()
    assert connected
    snapshot = await comm.receive_json_from(timeout=5)
    return comm, snapshot


async def refused_with(session, client) -> int:
    comm = connect(session, client)
    connected, _ = await comm.connect()
    assert connected  # accepted only to say why
    closed = await comm.receive_output(timeout=5)
    await comm.disconnect()
    return closed["code"]


async def next_update(comm) -> dict:
    message = await comm.receive_json_from(timeout=UPDATE_TIMEOUT)
    assert message["type"] == "update"
    return message


async def test_live_socket_snapshot_at_connect_has_rooms_counts_and_history():
    session, room_a, room_b, _entries, client = await arrange(checked_in=2, not_checked_in=1)

    comm, snapshot = await open_panel(session, client)

    assert snapshot["type"] == "snapshot"
    assert snapshot["session"]["id"] == session.pk
    assert [room["key"] for room in snapshot["rooms"]] == [str(room_a.pk), str(room_b.pk), "none"]
    assert snapshot["counts"]["session"]["total"] == 3
    assert snapshot["counts"]["session"]["waiting"] == 2
    assert snapshot["counts"]["session"]["not_checked_in"] == 1
    assert snapshot["counts"]["rooms"][str(room_a.pk)]["total"] == 3
    assert str(room_b.pk) not in snapshot["counts"]["rooms"]  # no one seated there
    assert snapshot["history"][-1]["counts"] == snapshot["counts"]
    await comm.disconnect()


async def test_live_socket_update_after_a_check_in():
    session, _a, _b, [entry], client = await arrange()
    comm, snapshot = await open_panel(session, client)
    assert snapshot["counts"]["session"]["checked_in"] == 0

    await database_sync_to_async(check_in_by_staff)(entry, actor=None)
    update = await next_update(comm)

    assert update["counts"]["session"]["checked_in"] == 1
    assert update["counts"]["session"]["waiting"] == 1
    assert update["counts"]["session"]["not_checked_in"] == 0
    await comm.disconnect()


async def test_live_socket_update_after_a_start_and_after_a_submit():
    session, _a, _b, [entry], client = await arrange(checked_in=1, not_checked_in=0)
    comm, _snapshot = await open_panel(session, client)

    attempt = await database_sync_to_async(start_attempt)(entry)
    started = await next_update(comm)
    await database_sync_to_async(submit_attempt)(attempt, reason=Attempt.SubmitReason.CANDIDATE)
    submitted = await next_update(comm)

    assert (started["counts"]["session"]["waiting"], started["counts"]["session"]["in_progress"]) == (0, 1)
    assert submitted["counts"]["session"]["in_progress"] == 0
    assert submitted["counts"]["session"]["submitted"] == 1
    assert submitted["counts"]["session"]["submitted_candidate"] == 1
    await comm.disconnect()


async def test_live_socket_burst_of_check_ins_gives_at_most_one_update_a_second():
    session, _a, _b, entries, client = await arrange(not_checked_in=25)
    comm, _snapshot = await open_panel(session, client)

    started = time.monotonic()
    for entry in entries:
        await database_sync_to_async(check_in_by_staff)(entry, actor=None)
        await asyncio.sleep(0.1)
    updates = []
    while not updates or updates[-1]["counts"]["session"]["checked_in"] < len(entries):
        updates.append(await next_update(comm))
    window = time.monotonic() - started

    # 25 changes spread over the window: the updates are bounded by the window, not the changes.
    assert 2 <= len(updates) <= math.ceil(window / POLL_SECONDS) + 1
    assert len(updates) < len(entries)
    counts = [u["counts"]["session"]["checked_in"] for u in updates]
    assert counts == sorted(counts)
    await comm.disconnect()


async def test_live_socket_unchanged_counts_send_nothing_until_keepalive():
    session, _a, _b, _entries, client = await arrange()
    comm, _snapshot = await open_panel(session, client)

    await asyncio.sleep(2.5 * POLL_SECONDS)

    assert await comm.receive_nothing(timeout=0.1)
    await comm.disconnect()


async def test_live_sockets_of_one_session_share_one_feed_that_stops_when_they_leave():
    session, _a, _b, _entries, client = await arrange()
    first, _ = await open_panel(session, client)
    second, _ = await open_panel(session, client)
    feed = session_feed(session.pk)
    assert len(feed.watchers) == 2
    reads = feed.reads

    await asyncio.sleep(3 * POLL_SECONDS)
    polled = feed.reads - reads
    await first.disconnect()
    await second.disconnect()
    await asyncio.sleep(2 * POLL_SECONDS)

    assert 2 <= polled <= 4  # about one read a second for both sockets, not one each
    assert feed.watchers == set()
    assert feed._task.done()


async def test_live_socket_reconnect_gets_a_fresh_snapshot():
    session, _a, _b, [entry], client = await arrange()
    comm, _snapshot = await open_panel(session, client)
    await comm.disconnect()

    await database_sync_to_async(check_in_by_staff)(entry, actor=None)
    comm, snapshot = await open_panel(session, client)

    assert snapshot["type"] == "snapshot"
    assert snapshot["counts"]["session"]["checked_in"] == 1
    await comm.disconnect()


# --- who may watch --------------------------------------------------------------------------


@database_sync_to_async
def client_of(*roles, verified=True, candidate_of=None):
    if candidate_of is not None:
        client = Client()
        client.force_login(candidate_of.candidate.user)
        return client
    user = make_staff(*roles)
    if verified:
        return log_in(Client(), user), user
    client = Client()
    client.force_login(user)
    return client, user


@database_sync_to_async
def assign(room, user):
    room.proctors.add(user)


async def test_live_socket_refuses_a_candidate_with_4403():
    session, _a, _b, [entry], _client = await arrange()
    candidate = await client_of(candidate_of=entry)

    assert await refused_with(session, candidate) == 4403


async def test_live_socket_refuses_staff_without_two_factor_with_4403():
    session, _a, _b, _entries, _client = await arrange()
    officer, _user = await client_of("exam_officer", verified=False)

    assert await refused_with(session, officer) == 4403


async def test_live_socket_refuses_other_staff_roles_and_unknown_sessions_with_4403():
    session, _a, _b, _entries, client = await arrange()
    examiner, _user = await client_of("examiner")

    assert await refused_with(session, examiner) == 4403
    session.pk += 1000
    assert await refused_with(session, client) == 4403


async def test_live_socket_refuses_a_proctor_of_another_room_with_4403():
    session, _a, _b, _entries, _client = await arrange()
    other = await database_sync_to_async(make_session)()
    elsewhere = await database_sync_to_async(Room.objects.create)(
        session=other, code="x", name="x", capacity=5
    )
    proctor, user = await client_of("proctor")
    await assign(elsewhere, user)

    assert await refused_with(session, proctor) == 4403


async def test_live_socket_proctor_sees_only_their_rooms():
    session, _room_a, room_b, _entries, _client = await arrange(checked_in=1, not_checked_in=1)
    proctor, user = await client_of("proctor")
    await assign(room_b, user)

    comm, snapshot = await open_panel(session, proctor)

    assert [room["key"] for room in snapshot["rooms"]] == [str(room_b.pk)]
    assert snapshot["counts"]["rooms"] == {}
    assert snapshot["counts"]["session"]["total"] == 0  # room A's two candidates are not theirs
    await comm.disconnect()


async def test_live_feed_slow_reads_stretch_the_interval(monkeypatch):
    def slow_read(session_id, *, now):
        time.sleep(0.3)  # 0.3 s a read: at most MAX_READ_SHARE of the time → one read per 3 s
        return {"session": {}, "rooms": {}}

    class Watcher:
        async def offer(self, now, counts):
            pass

    monkeypatch.setattr(live_feed, "session_status_counts", slow_read)
    feed = live_feed.SessionFeed(session_id=0)
    watcher = Watcher()

    feed.watch(watcher)
    await asyncio.sleep(2.5)
    feed.unwatch(watcher)

    assert feed.reads == 1  # unstretched: three


async def test_live_socket_closes_1011_when_the_snapshot_cannot_be_read(monkeypatch):
    session, _a, _b, _entries, client = await arrange()

    async def broken(self):
        raise RuntimeError("database down")

    monkeypatch.setattr(live_feed.SessionFeed, "read", broken)

    assert await refused_with(session, client) == 1011
    assert session_feed(session.pk).watchers == set()
