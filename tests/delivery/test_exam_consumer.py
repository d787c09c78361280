"""The attempt socket over the real ASGI application: hello, saves acked after commit, time,
submit, a failing writer, and many sockets saving at once (grouped commits)."""

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.db import connections

from exam_platform.asgi import application
from exam_platform.delivery.answers import close_writers, writer
from exam_platform.delivery.models import Attempt, Response, ResponseEvent
from exam_platform.delivery.services.attempts import start_attempt
from tests.delivery.exam_setup import (
    answer_for,
    items_by_type,
    log_in,
    make_entry,
    make_locked_paper,
    make_session,
    save_message,
    socket_headers,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
async def _clean_writers():
    channel_layers.backends = {}
    yield
    await close_writers()
    channel_layers.backends = {}
    await sync_to_async(connections.close_all)()


@database_sync_to_async
def arrange(n: int = 1):
    session = make_session(make_locked_paper())
    result = []
    for _ in range(n):
        entry = make_entry(session)
        attempt = start_attempt(entry)
        result.append((attempt, log_in(entry.candidate.user)))
    return result


def connect(attempt, client) -> WebsocketCommunicator:
    return WebsocketCommunicator(application, f"/ws/attempt/{attempt.uid}/", headers=socket_headers(client))


async def open_socket(attempt, client) -> tuple[WebsocketCommunicator, dict]:
    comm = connect(attempt, client)
    connected, _ = await comm.connect()
    assert connected
    hello = await comm.receive_json_from(timeout=5)
    return comm, hello


@database_sync_to_async
def stored(attempt) -> dict:
    return {r.item_uid: (r.answer, r.flagged, r.seq) for r in Response.objects.filter(attempt=attempt)}


@database_sync_to_async
def events(attempt) -> list[int]:
    return sorted(ResponseEvent.objects.filter(attempt=attempt).values_list("seq", flat=True))


async def test_exam_socket_hello_has_deadline_last_seq_and_status():
    [(attempt, client)] = await arrange()
    comm, hello = await open_socket(attempt, client)

    assert hello["type"] == "hello"
    assert hello["attempt"] == str(attempt.uid)
    assert hello["status"] == "in_progress"
    assert hello["last_seq"] == 0
    assert hello["deadline"] == attempt.deadline.isoformat(timespec="milliseconds")
    await comm.disconnect()


async def test_exam_socket_save_acked_after_row_is_committed():
    [(attempt, client)] = await arrange()
    item = items_by_type(attempt)["single"]
    comm, _hello = await open_socket(attempt, client)

    await comm.send_json_to(save_message(1, item, answer_for(item), flagged=True))
    reply = await comm.receive_json_from(timeout=5)

    assert reply == {"type": "ack", "seq": 1}
    assert await stored(attempt) == {item["uid"]: (answer_for(item), True, 1)}
    assert await events(attempt) == [1]
    await comm.disconnect()
    comm, hello = await open_socket(attempt, client)
    assert hello["last_seq"] == 1
    await comm.disconnect()


async def test_exam_socket_out_of_order_newer_wins_and_repeated_seq_acked_once_stored():
    [(attempt, client)] = await arrange()
    item = items_by_type(attempt)["multiple"]
    comm, _hello = await open_socket(attempt, client)

    for seq, variant in ((5, 1), (3, 0), (5, 2)):
        await comm.send_json_to(save_message(seq, item, answer_for(item, variant=variant)))
        assert await comm.receive_json_from(timeout=5) == {"type": "ack", "seq": seq}

    assert await stored(attempt) == {item["uid"]: (answer_for(item, variant=1), False, 5)}
    assert await events(attempt) == [3, 5]
    await comm.disconnect()


async def test_exam_socket_invalid_save_nacked_and_not_stored():
    [(attempt, client)] = await arrange()
    single = items_by_type(attempt)["single"]
    other = items_by_type(attempt)["multiple"]
    comm, _hello = await open_socket(attempt, client)

    await comm.send_json_to(save_message(1, single, {"choice": other["choices"][0]["uid"]}))
    reply = await comm.receive_json_from(timeout=5)

    assert reply["type"] == "nack"
    assert (reply["seq"], reply["code"]) == (1, "invalid")
    assert "(" in reply["message"]  # Thai (English)
    assert await stored(attempt) == {}
    await comm.disconnect()


async def test_exam_socket_time_reply_carries_server_time_and_echo():
    [(attempt, client)] = await arrange()
    comm, _hello = await open_socket(attempt, client)

    await comm.send_json_to({"type": "time", "t0": 12345.5})
    reply = await comm.receive_json_from(timeout=5)

    assert reply["type"] == "time"
    assert reply["t0"] == 12345.5
    assert reply["status"] == "in_progress"
    assert reply["server_time"].endswith("+00:00")
    await comm.disconnect()


async def test_exam_socket_submit_then_saves_refused_submitted():
    [(attempt, client)] = await arrange()
    item = items_by_type(attempt)["numeric"]
    comm, _hello = await open_socket(attempt, client)
    await comm.send_json_to(save_message(1, item, {"value": "42"}))
    await comm.send_json_to({"type": "submit"})

    ack = await comm.receive_json_from(timeout=5)
    submitted = await comm.receive_json_from(timeout=5)
    await comm.send_json_to(save_message(2, item, {"value": "41"}))
    refused = await comm.receive_json_from(timeout=5)

    assert ack == {"type": "ack", "seq": 1}
    assert submitted["type"] == "submitted"
    assert submitted["receipt_url"] == f"/exam/attempts/{attempt.uid}/receipt"
    fresh = await database_sync_to_async(Attempt.objects.get)(pk=attempt.pk)
    assert fresh.status == "submitted"
    assert submitted["receipt_digest"] == fresh.receipt_digest
    assert (refused["type"], refused["seq"], refused["code"]) == ("nack", 2, "submitted")
    assert await stored(attempt) == {item["uid"]: ({"value": "42"}, False, 1)}
    await comm.disconnect()


async def test_exam_socket_writer_failure_sends_no_ack_and_stores_nothing(monkeypatch):
    [(attempt, client)] = await arrange()
    item = items_by_type(attempt)["short"]
    # The response upsert fails: at run time (division by zero) inside PostgreSQL's one batch
    # statement (atomic: its event insert is not kept either), as the second statement on SQLite
    # (after the event insert, which the transaction rolls back).
    real_pg, real_sqlite = writer.BATCH_SQL_PG, writer._RESPONSE_SQL
    broken_pg = real_pg.replace("answer, flagged, seq, %(now)s", "answer, flagged, seq / 0, %(now)s")
    assert broken_pg != real_pg
    monkeypatch.setattr(writer, "BATCH_SQL_PG", broken_pg)
    monkeypatch.setattr(writer, "_RESPONSE_SQL", "INSERT INTO delivery_response (no_such_column) VALUES (%s)")
    comm, _hello = await open_socket(attempt, client)

    await comm.send_json_to(save_message(1, item, {"text": "ก"}))

    assert await comm.receive_nothing(timeout=1.0)
    assert await stored(attempt) == {}
    assert await events(attempt) == []  # the event insert before the failure was rolled back
    monkeypatch.setattr(writer, "BATCH_SQL_PG", real_pg)
    monkeypatch.setattr(writer, "_RESPONSE_SQL", real_sqlite)
    await comm.send_json_to(save_message(1, item, {"text": "ก"}))  # the browser resends
    assert await comm.receive_json_from(timeout=5) == {"type": "ack", "seq": 1}
    assert await stored(attempt) == {item["uid"]: ({"text": "ก"}, False, 1)}
    await comm.disconnect()


async def test_exam_socket_fifty_sockets_saving_concurrently_all_acked_last_answers_stored(monkeypatch):
    pairs = await arrange(50)
    batches = []
    real_write = writer.write_batch

    async def counting(saves):
        batches.append(len(saves))
        return await real_write(saves)

    monkeypatch.setattr(writer, "write_batch", counting)
    sockets = [await open_socket(attempt, client) for attempt, client in pairs]

    async def sit(comm, attempt):
        item = items_by_type(attempt)["single"]
        for seq in range(1, 5):
            await comm.send_json_to(save_message(seq, item, answer_for(item, variant=seq)))
        return sorted([(await comm.receive_json_from(timeout=20))["seq"] for _ in range(4)])

    acks = await asyncio.gather(*(sit(comm, a) for (comm, _h), (a, _c) in zip(sockets, pairs, strict=True)))

    assert acks == [[1, 2, 3, 4]] * 50
    assert sum(batches) == 200
    assert len(batches) < 100  # grouped: far fewer transactions than saves
    for attempt, _client in pairs:
        item = items_by_type(attempt)["single"]
        assert await stored(attempt) == {item["uid"]: (answer_for(item, variant=4), False, 4)}
    for comm, _hello in sockets:
        await comm.disconnect()


async def test_exam_socket_hello_and_form_payloads_are_json_without_key_words():
    [(attempt, client)] = await arrange()
    comm, hello = await open_socket(attempt, client)

    assert "correct" not in json.dumps(hello)
    await comm.disconnect()
