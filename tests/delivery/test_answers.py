"""The save path without sockets: validation against the frozen form, the durable writer
(newer wins, repeated seq, events, deadline and submitted refusals) and the HTTP fallback."""

import datetime as dt
import hashlib
import json
import threading

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from exam_platform.delivery.answers import FormIndex, Refusal, Save, parse_save, write_saves
from exam_platform.delivery.models import Attempt, Response, ResponseEvent
from exam_platform.delivery.services.attempts import start_attempt, submit_attempt
from tests.delivery.exam_setup import (
    BACKEND,
    answer_for,
    items_by_type,
    log_in,
    make_entry,
    make_session,
    save_message,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def attempt():
    return start_attempt(make_entry(make_session()))


def _save(attempt, item, seq, answer, *, flagged=False) -> Save:
    parsed = parse_save(
        FormIndex(attempt.form),
        save_message(seq, item, answer, flagged=flagged),
        attempt_id=attempt.pk,
        channel="ws",
        ip_address="10.0.0.7",
    )
    assert isinstance(parsed, Save)
    return parsed


def _stored(attempt) -> dict:
    return {r.item_uid: (r.answer, r.flagged, r.seq) for r in Response.objects.filter(attempt=attempt)}


# --- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "answer"),
    [
        ("single", None),
        ("multiple", "all"),
        ("numeric", {"value": "-3.25"}),
        ("numeric", {"value": "42"}),
        ("short", {"text": "กรุงเทพ"}),
        ("essay", {"text": "ก" * 20_000}),
    ],
)
def test_parse_save_accepts_answers_fitting_the_item(attempt, kind, answer):
    item = items_by_type(attempt)[kind]
    if answer == "all":
        answer = {"choices": [c["uid"] for c in item["choices"]]}

    parsed = parse_save(
        FormIndex(attempt.form), save_message(7, item, answer), attempt_id=1, channel="ws", ip_address=None
    )

    assert isinstance(parsed, Save)
    assert parsed.seq == 7
    assert parsed.client_time == dt.datetime(2026, 3, 1, 2, 0, tzinfo=dt.UTC)


def _bad_cases(attempt):
    types = items_by_type(attempt)
    single, multiple = types["single"], types["multiple"]
    return [
        save_message(1, single, {"choice": multiple["choices"][0]["uid"]}),  # another item's choice
        save_message(1, single, {"choice": "not-a-choice"}),
        save_message(1, single, {"choices": [single["choices"][0]["uid"]]}),  # wrong shape for single
        save_message(1, single, {"choice": single["choices"][0]["uid"], "extra": 1}),
        save_message(1, multiple, {"choices": multiple["choices"][0]["uid"]}),  # not a list
        save_message(1, multiple, {"choices": []}),
        save_message(1, multiple, {"choices": [multiple["choices"][0]["uid"]] * 2}),
        save_message(1, types["numeric"], {"value": "12abc"}),
        save_message(1, types["numeric"], {"value": 12}),
        save_message(1, types["short"], {"text": "ก" * 501}),
        save_message(1, types["essay"], {"text": "ก" * 20_001}),
        {**save_message(1, single, None), "item": "00000000-0000-0000-0000-000000000000"},
        {**save_message(1, single, None), "flagged": "yes"},
        save_message(1, types["essay"], {"text": "ก\x00ข"}),  # jsonb refuses NUL
        save_message(1, types["short"], {"text": "\ud800"}),  # a lone surrogate: not UTF-8
    ]


def test_parse_save_refuses_answers_not_fitting_the_frozen_form(attempt):
    index = FormIndex(attempt.form)

    results = [parse_save(index, m, attempt_id=1, channel="ws", ip_address=None) for m in _bad_cases(attempt)]

    assert results == [Refusal(1, "invalid")] * len(results)


@pytest.mark.parametrize("seq", [0, -1, True, "3", 1.5, 2**53, None])
def test_parse_save_bad_seq_refused_without_seq(attempt, seq):
    item = items_by_type(attempt)["single"]

    result = parse_save(
        FormIndex(attempt.form), save_message(seq, item, None), attempt_id=1, channel="ws", ip_address=None
    )

    assert result == Refusal(None, "invalid")


# --- the writer --------------------------------------------------------------------------------


def test_write_saves_stores_response_and_event_in_one_go(attempt):
    item = items_by_type(attempt)["single"]
    answer = answer_for(item)

    codes = write_saves([_save(attempt, item, 1, answer, flagged=True)])

    assert codes == [None]
    assert _stored(attempt) == {item["uid"]: (answer, True, 1)}
    event = ResponseEvent.objects.get(attempt=attempt)
    assert (event.seq, event.item_uid, event.answer, event.channel, event.ip_address) == (
        1, item["uid"], answer, "ws", "10.0.0.7",
    )  # fmt: skip


def test_write_saves_newer_seq_wins_out_of_order(attempt):
    item = items_by_type(attempt)["numeric"]

    write_saves([_save(attempt, item, 9, {"value": "9"})])
    codes = write_saves([_save(attempt, item, 4, {"value": "4"})])

    assert codes == [None]  # acked, ignored for the current answer
    assert _stored(attempt) == {item["uid"]: ({"value": "9"}, False, 9)}
    assert list(
        ResponseEvent.objects.filter(attempt=attempt).order_by("seq").values_list("seq", flat=True)
    ) == [4, 9]


def test_write_saves_same_item_twice_in_one_batch_newest_wins(attempt):
    item = items_by_type(attempt)["short"]

    codes = write_saves([_save(attempt, item, 3, {"text": "ค"}), _save(attempt, item, 2, {"text": "ข"})])

    assert codes == [None, None]
    assert _stored(attempt) == {item["uid"]: ({"text": "ค"}, False, 3)}


def test_write_saves_repeated_seq_is_idempotent(attempt):
    item = items_by_type(attempt)["single"]
    first = answer_for(item, variant=0)

    write_saves([_save(attempt, item, 5, first)])
    codes = write_saves([_save(attempt, item, 5, answer_for(item, variant=1))])

    assert codes == [None]
    assert _stored(attempt) == {item["uid"]: (first, False, 5)}
    assert ResponseEvent.objects.filter(attempt=attempt).count() == 1
    assert ResponseEvent.objects.get(attempt=attempt).answer == first


def test_write_saves_clearing_an_answer_stores_null(attempt):
    item = items_by_type(attempt)["single"]

    write_saves([_save(attempt, item, 1, answer_for(item)), _save(attempt, item, 2, None, flagged=True)])

    assert _stored(attempt) == {item["uid"]: (None, True, 2)}


def test_write_saves_within_grace_accepted_after_grace_refused(attempt, settings):
    settings.ANSWER_GRACE_SECONDS = 10
    item = items_by_type(attempt)["essay"]
    now = timezone.now()
    Attempt.objects.filter(pk=attempt.pk).update(deadline=now - dt.timedelta(seconds=9))

    inside = write_saves([_save(attempt, item, 1, {"text": "ทัน"})], now=now)
    outside = write_saves([_save(attempt, item, 2, {"text": "ไม่ทัน"})], now=now + dt.timedelta(seconds=2))

    assert inside == [None]
    assert outside == ["deadline"]
    assert _stored(attempt) == {item["uid"]: ({"text": "ทัน"}, False, 1)}
    assert ResponseEvent.objects.filter(attempt=attempt).count() == 1


def test_write_saves_after_submit_refused_submitted(attempt):
    item = items_by_type(attempt)["single"]
    submit_attempt(attempt)

    codes = write_saves([_save(attempt, item, 1, answer_for(item))])

    assert codes == ["submitted"]
    assert _stored(attempt) == {}
    assert ResponseEvent.objects.count() == 0


# --- HTTP fallback -----------------------------------------------------------------------------


def _url(attempt, name="save"):
    return f"/exam/attempts/{attempt.uid}/{name}"


def test_http_save_acks_and_nacks_in_order_and_stores_like_the_socket(attempt):
    client = log_in(attempt.entry.candidate.user)
    types = items_by_type(attempt)
    single, numeric = types["single"], types["numeric"]
    body = [
        save_message(2, single, answer_for(single)),
        save_message(3, numeric, {"value": "x"}),
        save_message(1, single, answer_for(single, variant=1)),
    ]

    response = client.post(_url(attempt), data=json.dumps(body), content_type="application/json")

    assert response.status_code == 200
    results = response.json()["results"]
    assert results[0] == {"type": "ack", "seq": 2}
    assert (results[1]["type"], results[1]["seq"], results[1]["code"]) == ("nack", 3, "invalid")
    assert results[2] == {"type": "ack", "seq": 1}
    assert _stored(attempt) == {single["uid"]: (answer_for(single), False, 2)}
    assert set(ResponseEvent.objects.values_list("channel", flat=True)) == {"http"}


def test_http_save_requires_csrf_token(attempt):
    client = Client(enforce_csrf_checks=True)
    client.force_login(attempt.entry.candidate.user, backend=BACKEND)
    item = items_by_type(attempt)["single"]
    body = json.dumps([save_message(1, item, answer_for(item))])

    refused = client.post(_url(attempt), data=body, content_type="application/json")
    client.get(f"/exam/attempts/{attempt.uid}/")  # the page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    accepted = client.post(_url(attempt), data=body, content_type="application/json", HTTP_X_CSRFTOKEN=token)

    assert refused.status_code == 403
    assert accepted.status_code == 200
    assert accepted.json()["results"] == [{"type": "ack", "seq": 1}]


@pytest.mark.parametrize("body", ["not json", json.dumps({"seq": 1}), json.dumps([{}] * 501)])
def test_http_save_malformed_body_is_400(attempt, body):
    client = log_in(attempt.entry.candidate.user)

    response = client.post(_url(attempt), data=body, content_type="application/json")

    assert response.status_code == 400
    assert Response.objects.count() == 0


def test_http_state_returns_stored_answers_for_resuming(attempt):
    client = log_in(attempt.entry.candidate.user)
    item = items_by_type(attempt)["multiple"]
    write_saves([_save(attempt, item, 4, answer_for(item, variant=1), flagged=True)])

    data = client.get(_url(attempt, "state")).json()

    assert data["status"] == "in_progress"
    assert data["last_seq"] == 4
    assert data["responses"] == {
        item["uid"]: {"answer": answer_for(item, variant=1), "flagged": True, "seq": 4}
    }


def test_http_submit_page_lists_unanswered_then_post_submits_and_shows_receipt(attempt):
    client = log_in(attempt.entry.candidate.user)
    item = items_by_type(attempt)["single"]
    write_saves([_save(attempt, item, 1, answer_for(item))])

    page = client.get(_url(attempt, "submit"))
    posted = client.post(_url(attempt, "submit"))
    attempt.refresh_from_db()
    receipt = client.get(_url(attempt, "receipt"))
    download = client.get(_url(attempt, "receipt.txt"))

    assert page.status_code == 200
    assert len(page.context["unanswered"]) == 4
    assert posted.status_code == 302 and posted["Location"] == _url(attempt, "receipt")
    assert attempt.status == "submitted" and attempt.submit_reason == "candidate"
    assert attempt.receipt_digest in receipt.content.decode()
    text = download.content.decode()
    assert download["Content-Type"] == "text/plain; charset=utf-8"
    assert f"SHA-256: {attempt.receipt_digest}" in text
    document = text.splitlines()[-1]
    assert hashlib.sha256(document.encode()).hexdigest() == attempt.receipt_digest


def _write_async(saves):
    """The consumers' PostgreSQL path: the async writer over its own pool, on its own event loop."""
    import asyncio

    from exam_platform.delivery.answers.writer import PostgresWriter

    async def run():
        writer = PostgresWriter()
        try:
            return await writer.write(saves)
        finally:
            await writer.close()

    return asyncio.run(run())


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers (one IMMEDIATE transaction at a time): there is no lock to wait for",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("write", [write_saves, _write_async], ids=["sync", "async"])
def test_a_batch_waits_for_a_submit_in_progress_then_is_refused_submitted(write):
    """The batch statement locks its attempts FOR SHARE before it inserts: a submit that holds the
    row (FOR UPDATE, status changed, not yet committed) makes the batch wait, and the batch then
    sees the committed status, so nothing lands after the submission."""
    attempt = start_attempt(make_entry(make_session()))
    item = items_by_type(attempt)["single"]
    save = _save(attempt, item, 1, answer_for(item))
    result = {}

    def in_thread():
        try:
            result["codes"] = write([save])
        finally:
            connection.close()

    with transaction.atomic():
        Attempt.objects.select_for_update().filter(pk=attempt.pk).update(status=Attempt.Status.SUBMITTED)
        thread = threading.Thread(target=in_thread)
        thread.start()
        thread.join(1.0)
        waited = thread.is_alive()
    thread.join(10)

    assert waited, "the batch did not wait for the submit's row lock"
    assert result["codes"] == ["submitted"]
    assert _stored(attempt) == {}
    assert ResponseEvent.objects.filter(attempt=attempt).count() == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the consumers' async writer is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_async_writer_batch_newest_wins_repeats_ignored_clears_stored_as_null():
    attempt = start_attempt(make_entry(make_session()))
    types = items_by_type(attempt)
    single, essay = types["single"], types["essay"]
    saves = [
        _save(attempt, single, 2, answer_for(single), flagged=True),
        _save(attempt, essay, 3, {"text": "ร่าง"}),
        _save(attempt, essay, 5, {"text": "ฉบับจริง"}),
        _save(attempt, essay, 4, {"text": "ช้ากว่า"}),
        _save(attempt, single, 6, None),
        _save(attempt, single, 6, answer_for(single)),  # a repeated seq: the first one counts
    ]

    codes = _write_async(saves)

    assert codes == [None] * 6
    assert _stored(attempt) == {single["uid"]: (None, False, 6), essay["uid"]: ({"text": "ฉบับจริง"}, False, 5)}
    events = ResponseEvent.objects.filter(attempt=attempt).order_by("seq")
    assert [(e.seq, e.channel, str(e.ip_address)) for e in events] == [
        (2, "ws", "10.0.0.7"),
        (3, "ws", "10.0.0.7"),
        (4, "ws", "10.0.0.7"),
        (5, "ws", "10.0.0.7"),
        (6, "ws", "10.0.0.7"),
    ]
    assert events.get(seq=6).answer is None
    assert events.get(seq=2).client_time == dt.datetime(2026, 3, 1, 2, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize("write", [write_saves, _write_async], ids=["sync", "async"])
@pytest.mark.django_db(transaction=True)
def test_a_client_clock_far_off_is_stored_in_utc_and_does_not_fail_the_batch(write):
    """Python accepts offsets up to ±23:59, PostgreSQL only ±15:59: the client's time is kept in UTC."""
    if write is _write_async and connection.vendor != "postgresql":
        pytest.skip("the consumers' async writer is PostgreSQL's")
    attempt = start_attempt(make_entry(make_session()))
    item = items_by_type(attempt)["single"]
    message = {**save_message(1, item, answer_for(item)), "client_time": "2026-03-01T20:00:00+20:00"}
    save = parse_save(FormIndex(attempt.form), message, attempt_id=attempt.pk, channel="ws", ip_address=None)

    codes = write([save])

    assert save.client_time.utcoffset() == dt.timedelta(0)
    assert codes == [None]
    stored = ResponseEvent.objects.get(attempt=attempt)
    assert stored.client_time == dt.datetime(2026, 3, 1, 0, 0, tzinfo=dt.UTC)
