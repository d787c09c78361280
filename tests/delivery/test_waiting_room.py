"""The exam room socket ws/exam/<entry id>/ (issue 4 §9(a)): the waiting room, the server's own
start at opens_at through the batched starter, the paper delivered over the socket, refusals."""

import asyncio
import datetime as dt
import json

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.db import connections
from django.utils import timezone

from exam_platform.asgi import application
from exam_platform.common.audit import AuditEntry
from exam_platform.common.realtime import group_send_safely
from exam_platform.delivery.answers import close_writers
from exam_platform.delivery.attempt_access import candidate_form
from exam_platform.delivery.consumers import entry_group_name
from exam_platform.delivery.models import Attempt, ExamSession, PreparedForm
from exam_platform.delivery.services.attempts import start_attempt, submit_attempt
from tests.delivery.exam_setup import (
    answer_for,
    log_in,
    make_entry,
    make_locked_paper,
    make_session,
    save_message,
    socket_headers,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
async def _clean(settings):
    settings.EXAM_START_JITTER_SECONDS = 0
    channel_layers.backends = {}
    yield
    await close_writers()
    channel_layers.backends = {}
    await sync_to_async(connections.close_all)()


@database_sync_to_async
def arrange(n: int = 1, *, opens_in: float = 0.0, checked_in: bool = True, late_minutes: float = 20):
    """A session opening `opens_in` seconds from now; n entries and a logged-in client each."""
    now = timezone.now()
    session = make_session(make_locked_paper(), opens=0, late=late_minutes)
    session.opens_at = now + dt.timedelta(seconds=opens_in)
    session.save(update_fields=["opens_at"])
    result = []
    for _ in range(n):
        entry = make_entry(session, checked_in=checked_in)
        result.append((entry, log_in(entry.candidate.user)))
    return session, result


async def open_room(entry, client, query: str = "") -> tuple[WebsocketCommunicator, dict]:
    comm = WebsocketCommunicator(application, f"/ws/exam/{entry.pk}/{query}", headers=socket_headers(client))
    connected, _ = await comm.connect()
    assert connected
    return comm, await comm.receive_json_from(timeout=5)


async def refused_code(entry_id, client) -> int:
    comm = WebsocketCommunicator(application, f"/ws/exam/{entry_id}/", headers=socket_headers(client))
    await comm.connect()
    message = await comm.receive_output(timeout=5)
    await comm.wait()
    return message.get("code")


def keyless(payload: dict) -> None:
    text = json.dumps(payload, ensure_ascii=False)
    for word in ("correct", "answer_spec", "points", "seed", "version"):
        assert f'"{word}"' not in text, word


async def test_waiting_room_gets_no_paper_until_the_server_starts_it_at_opens_at():
    session, [(entry, client)] = await arrange(opens_in=1.5)
    comm, hello = await open_room(entry, client)

    assert hello["type"] == "hello" and hello["status"] == "waiting"
    assert hello["opens_at"] == session.opens_at.isoformat(timespec="milliseconds")
    assert "form" not in hello and "attempt" not in hello
    assert await comm.receive_nothing(timeout=1.0)  # before opens_at: nothing
    assert not await database_sync_to_async(Attempt.objects.filter(entry=entry).exists)()

    started = await comm.receive_json_from(timeout=5)

    attempt = await database_sync_to_async(Attempt.objects.get)(entry=entry)
    assert started["type"] == "started" and started["status"] == "in_progress"
    assert started["attempt"] == str(attempt.uid)
    assert attempt.started_at >= session.opens_at
    assert started["deadline"] == attempt.deadline.isoformat(timespec="milliseconds")
    assert started["urls"]["save"] == f"/exam/attempts/{attempt.uid}/save"
    assert started["responses"] == {}
    frozen = [i for s in attempt.form["sections"] for i in s["items"]]
    sent = [i for s in started["form"]["sections"] for i in s["items"]]
    assert [i["uid"] for i in sent] == [i["uid"] for i in frozen]  # this candidate's order
    assert [[c["uid"] for c in i["choices"]] for i in sent] == [
        [c["uid"] for c in i["choices"]] for i in frozen
    ]
    assert all(set(i) <= {"uid", "type", "stem", "language", "choices", "max_words"} for i in sent)
    keyless(started)
    await comm.disconnect()


async def test_socket_connecting_after_opens_at_is_started_at_once_and_can_save():
    _session, [(entry, client)] = await arrange(opens_in=-60)
    comm, hello = await open_room(entry, client)
    started = await comm.receive_json_from(timeout=5)

    assert hello["status"] == "waiting"
    assert started["type"] == "started"
    item = next(i for s in started["form"]["sections"] for i in s["items"] if i["type"] == "single")
    await comm.send_json_to(save_message(1, item, answer_for(item)))
    assert await comm.receive_json_from(timeout=5) == {"type": "ack", "seq": 1}
    await comm.disconnect()

    comm, hello = await open_room(entry, client)  # reconnect: the attempt, not the waiting room
    assert hello["status"] == "in_progress" and hello["last_seq"] == 1
    assert "form" not in hello
    await comm.disconnect()
    comm, hello = await open_room(entry, client, "?form=1")
    assert hello["form"]["sections"] and hello["responses"][item["uid"]]["seq"] == 1
    keyless(hello)
    await comm.disconnect()


async def test_save_while_waiting_is_refused_invalid_and_nothing_started():
    _session, [(entry, client)] = await arrange(opens_in=30)
    comm, _hello = await open_room(entry, client)

    await comm.send_json_to({"type": "save", "seq": 1, "item": "x", "answer": None, "flagged": False})
    reply = await comm.receive_json_from(timeout=5)
    await comm.send_json_to({"type": "submit"})

    assert (reply["type"], reply["seq"], reply["code"]) == ("nack", 1, "invalid")
    assert await comm.receive_nothing(timeout=0.5)
    assert not await database_sync_to_async(Attempt.objects.filter(entry=entry).exists)()
    await comm.disconnect()


async def test_time_while_waiting_reports_opens_at_and_follows_a_postponement():
    session, [(entry, client)] = await arrange(opens_in=1.0)
    comm, _hello = await open_room(entry, client)
    later = session.opens_at + dt.timedelta(seconds=30)
    await database_sync_to_async(ExamSession.objects.filter(pk=session.pk).update)(opens_at=later)

    await comm.send_json_to({"type": "time", "t0": 1.5})
    reply = await comm.receive_json_from(timeout=5)

    assert reply["status"] == "waiting" and reply["t0"] == 1.5
    assert reply["opens_at"] == later.isoformat(timespec="milliseconds")
    assert await comm.receive_nothing(timeout=2.0)  # the old opens_at passed: no start
    assert not await database_sync_to_async(Attempt.objects.filter(entry=entry).exists)()
    await comm.disconnect()


async def test_postponed_start_is_refused_not_open_and_retried_at_the_new_time():
    session, [(entry, client)] = await arrange(opens_in=1.0)
    comm, _hello = await open_room(entry, client)
    later = session.opens_at + dt.timedelta(seconds=1.5)
    await database_sync_to_async(ExamSession.objects.filter(pk=session.pk).update)(opens_at=later)

    refused = await comm.receive_json_from(timeout=5)
    started = await comm.receive_json_from(timeout=5)

    assert (refused["type"], refused["code"]) == ("start_refused", "not_open")
    assert refused["opens_at"] == later.isoformat(timespec="milliseconds")
    assert "(" in refused["message"]
    assert started["type"] == "started"
    attempt = await database_sync_to_async(Attempt.objects.get)(entry=entry)
    assert attempt.started_at >= later
    await comm.disconnect()


async def test_many_waiting_sockets_start_in_batches_with_one_audit_entry_per_batch():
    session, pairs = await arrange(40, opens_in=1.0)
    sockets = [await open_room(entry, client) for entry, client in pairs]

    started = [await comm.receive_json_from(timeout=10) for comm, _hello in sockets]

    assert all(m["type"] == "started" for m in started)
    attempts = await database_sync_to_async(list)(Attempt.objects.filter(entry__session=session))
    assert len(attempts) == 40
    assert len({a.seed for a in attempts}) == 40
    audits = await database_sync_to_async(list)(AuditEntry.objects.filter(action="attempt.start"))
    in_batches = {uid for a in audits for uid in a.after.get("attempts", {})}
    alone = {a.object_id for a in audits if not a.after.get("attempts")}
    assert len(audits) < 40
    assert all(str(a.uid) in in_batches or str(a.pk) in alone for a in attempts)  # each one, once
    assert len(in_batches) + len(alone) == 40
    batch = next(a for a in audits if a.after.get("attempts"))
    one = batch.after["attempts"][next(iter(batch.after["attempts"]))]
    assert set(one) == {"entry", "paper", "form", "seed", "started_at", "deadline"}
    for comm, _hello in sockets:
        await comm.disconnect()


async def test_room_socket_refusals_are_4403_without_saying_why():
    _session, [(entry, client), (other, _other_client)] = await arrange(2, opens_in=-60)
    _s, [(unchecked, unchecked_client)] = await arrange(opens_in=-60, checked_in=False)
    _s, [(late, late_client)] = await arrange(opens_in=-3600, late_minutes=-1)

    assert await refused_code(other.pk, client) == 4403  # someone else's entry
    assert await refused_code(999_999, client) == 4403
    assert await refused_code(unchecked.pk, unchecked_client) == 4403
    assert await refused_code(late.pk, late_client) == 4403  # late entry over, never started

    attempt = await database_sync_to_async(start_attempt)(entry)
    await database_sync_to_async(submit_attempt)(attempt)
    assert await refused_code(entry.pk, client) == 4403  # submitted: the page goes to the receipt
    comm = WebsocketCommunicator(application, f"/ws/exam/{other.pk}/", headers=socket_headers(None))
    await comm.connect()
    assert (await comm.receive_output(timeout=5)).get("code") == 4401  # anonymous


async def test_disconnecting_before_opens_at_starts_nothing():
    _session, [(entry, client)] = await arrange(opens_in=0.5)
    comm, _hello = await open_room(entry, client)
    await comm.disconnect()
    await asyncio.sleep(1.0)
    assert not await database_sync_to_async(Attempt.objects.filter(entry=entry).exists)()


async def test_waiting_socket_prepares_its_form_ahead_and_the_start_copies_exactly_it():
    _session, [(entry, client)] = await arrange(opens_in=3.0)
    comm, _hello = await open_room(entry, client)
    await asyncio.sleep(1.0)
    prepared = await database_sync_to_async(PreparedForm.objects.get)(entry_id=entry.pk)
    assert not await database_sync_to_async(Attempt.objects.filter(entry=entry).exists)()

    started = await comm.receive_json_from(timeout=6)

    attempt = await database_sync_to_async(Attempt.objects.get)(entry=entry)
    assert (attempt.seed, attempt.form) == (prepared.seed, prepared.form)
    assert started["form"] == candidate_form(prepared.form)
    assert not await database_sync_to_async(PreparedForm.objects.filter(entry_id=entry.pk).exists)()
    keyless(started)
    await comm.disconnect()


async def test_layer_events_for_the_entry_reach_its_socket_before_and_after_the_start():
    _session, [(entry, client)] = await arrange(opens_in=-60)
    comm, _hello = await open_room(entry, client)
    started = await comm.receive_json_from(timeout=5)

    sent = await group_send_safely(
        entry_group_name(entry.pk), {"type": "attempt.deadline", "deadline": started["deadline"]}
    )

    assert sent
    assert await comm.receive_json_from(timeout=5) == {"type": "deadline", "deadline": started["deadline"]}
    await comm.disconnect()


@pytest.fixture
def settles(monkeypatch):
    from exam_platform.common import gc_policy
    from exam_platform.delivery import starter

    calls = []
    monkeypatch.setattr(gc_policy, "settle", lambda: calls.append(timezone.now()))
    monkeypatch.setattr(starter, "SETTLE_MIN_STARTED", 1)
    return calls


def waiting_in_waves() -> dict:
    from exam_platform.common.batching import for_this_loop
    from exam_platform.delivery import starter

    return {opens_at: wave.waiting for opens_at, wave in for_this_loop(starter._waves, dict).items()}


async def test_when_the_last_waiting_socket_has_started_the_process_settles_its_garbage_once(settles):
    _session, pairs = await arrange(3, opens_in=1.0)
    sockets = [await open_room(entry, client) for entry, client in pairs]

    started = [await comm.receive_json_from(timeout=10) for comm, _hello in sockets]
    await asyncio.sleep(0.5)

    assert [m["type"] for m in started] == ["started"] * 3
    assert len(settles) == 1
    _s, [(late, late_client)] = await arrange(opens_in=-60)  # after opens_at: not in the wave
    comm, _hello = await open_room(late, late_client)
    assert (await comm.receive_json_from(timeout=5))["type"] == "started"
    await asyncio.sleep(0.5)
    assert len(settles) == 1
    for socket in [comm, *(c for c, _h in sockets)]:
        await socket.disconnect()


async def test_sockets_leaving_before_the_start_do_not_settle(settles):
    _session, pairs = await arrange(2, opens_in=1.0)
    sockets = [await open_room(entry, client) for entry, client in pairs]
    await asyncio.sleep(0.2)
    assert list(waiting_in_waves().values()) == [2]
    for comm, _hello in sockets:
        await comm.disconnect()

    await asyncio.sleep(1.2)

    assert settles == []
    assert waiting_in_waves() == {}


async def test_a_later_sessions_waiting_sockets_do_not_hold_back_an_earlier_settle(settles):
    _early, early_pairs = await arrange(2, opens_in=1.0)
    _later, later_pairs = await arrange(1, opens_in=60)
    later = [await open_room(entry, client) for entry, client in later_pairs]
    early = [await open_room(entry, client) for entry, client in early_pairs]

    assert [(await comm.receive_json_from(timeout=10))["type"] for comm, _h in early] == ["started"] * 2
    await asyncio.sleep(0.5)

    assert len(settles) == 1
    assert list(waiting_in_waves().values()) == [1]  # the later session's socket still waits
    for comm, _hello in [*early, *later]:
        await comm.disconnect()
