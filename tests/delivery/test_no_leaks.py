"""Nothing leaks: a candidate reaches only their own attempt (HTTP 404, socket 4403), questions are
served only after check-in inside the window (the exam room shows none before the start; the
attempt page carries them only in its JSON config), sockets need a session and this site's Origin,
and no payload carries the key, a correctness flag or an explanation in any form."""

import datetime as dt
import json
import re

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.db import connections
from django.test import Client

from exam_platform.asgi import application
from exam_platform.delivery.answers import close_writers
from exam_platform.delivery.models import Attempt
from exam_platform.delivery.services.attempts import start_attempt
from tests.delivery.exam_setup import (
    DISTRACTOR_TEXT,
    EXPLANATION_TEXT,
    KEY_TEXT,
    items_by_type,
    log_in,
    make_entry,
    make_session,
    save_message,
    socket_headers,
)
from tests.factories import make_staff

FORBIDDEN_WORDS = (
    "is_correct",
    "correct",
    "answer_spec",
    "explanation",
    EXPLANATION_TEXT,
    "accepted",
    "tolerance",
)
ATTEMPT_PAGES = ("", "state", "submit", "receipt", "receipt.txt")


def _assert_clean(text: str) -> None:
    for word in FORBIDDEN_WORDS:
        assert word not in text, word


# --- HTTP ----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("page", ATTEMPT_PAGES)
def test_attempt_pages_of_another_candidate_are_404(page):
    session = make_session()
    mine = start_attempt(make_entry(session))
    other_session_attempt = start_attempt(make_entry(make_session()))
    other = log_in(make_entry(session).candidate.user)

    for attempt in (mine, other_session_attempt):
        assert other.get(f"/exam/attempts/{attempt.uid}/{page}").status_code == 404


@pytest.mark.django_db
def test_save_into_another_candidates_attempt_is_404_and_stores_nothing():
    session = make_session()
    victim = start_attempt(make_entry(session))
    intruder = log_in(start_attempt(make_entry(session)).entry.candidate.user)
    item = items_by_type(victim)["single"]
    body = json.dumps([save_message(1, item, {"choice": item["choices"][0]["uid"]})])

    response = intruder.post(f"/exam/attempts/{victim.uid}/save", data=body, content_type="application/json")

    assert response.status_code == 404
    assert not victim.responses.exists()


@pytest.mark.django_db
def test_attempt_page_unknown_uuid_is_404_like_a_foreign_one():
    client = log_in(start_attempt(make_entry(make_session())).entry.candidate.user)

    assert client.get("/exam/attempts/00000000-0000-4000-8000-000000000000/").status_code == 404


@pytest.mark.django_db
def test_attempt_page_anonymous_redirects_to_login():
    attempt = start_attempt(make_entry(make_session()))

    response = Client().get(f"/exam/attempts/{attempt.uid}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login")


@pytest.mark.django_db
def test_attempt_page_staff_even_verified_cannot_open_a_candidates_attempt():
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    attempt = start_attempt(make_entry(make_session()))
    staff = make_staff("exam_officer")
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    client = Client()
    client.force_login(staff)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()

    assert client.get(f"/exam/attempts/{attempt.uid}/state").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("checked_in", "opens", "late", "closes"),
    [(False, -10, 20, 90), (True, 5, 20, 90), (True, -60, -1, 90)],
    ids=["not-checked-in", "before-window", "after-late-entry"],
)
def test_start_outside_rules_serves_no_question(checked_in, opens, late, closes):
    entry = make_entry(make_session(opens=opens, late=late, closes=closes), checked_in=checked_in)
    client = log_in(entry.candidate.user)

    response = client.post(f"/exam/entries/{entry.pk}/start")

    assert response.status_code == 409
    assert not Attempt.objects.exists()
    html = response.content.decode()
    assert "candidate-item" not in html and KEY_TEXT not in html and DISTRACTOR_TEXT not in html


@pytest.mark.django_db
def test_start_another_candidates_entry_is_404():
    entry = make_entry(make_session())
    intruder = log_in(make_entry(entry.session).candidate.user)

    assert intruder.post(f"/exam/entries/{entry.pk}/start").status_code == 404
    assert not Attempt.objects.exists()


@pytest.mark.django_db
def test_start_then_page_resumes_same_attempt():
    entry = make_entry(make_session())
    client = log_in(entry.candidate.user)

    first = client.post(f"/exam/entries/{entry.pk}/start")
    second = client.post(f"/exam/entries/{entry.pk}/start")

    attempt = Attempt.objects.get()
    assert first["Location"] == second["Location"] == f"/exam/attempts/{attempt.uid}/"


def _page_config(html: str) -> dict:
    match = re.search(r'<script id="exam-config" type="application/json">(.*?)</script>', html, flags=re.S)
    assert match, "no exam-config"
    return json.loads(match.group(1))


def _normalised_choice(choice: dict) -> str:
    """A choice of the page config, with what may legitimately differ (uid, text) blanked."""
    shape = dict(choice, uid="UID")
    shape["html"] = re.sub(rf"(?:{KEY_TEXT}|{DISTRACTOR_TEXT}) \d", "TEXT", shape["html"])
    return json.dumps(shape, sort_keys=True)


@pytest.mark.django_db
def test_exam_page_and_state_carry_no_key_and_key_choices_look_like_the_others():
    attempt = start_attempt(make_entry(make_session()))
    client = log_in(attempt.entry.candidate.user)

    html = client.get(f"/exam/attempts/{attempt.uid}/").content.decode()
    state = client.get(f"/exam/attempts/{attempt.uid}/state").content.decode()

    _assert_clean(html)
    _assert_clean(state)
    _assert_clean(json.dumps(attempt.form, ensure_ascii=False))
    config = _page_config(html)
    _assert_clean(json.dumps(config, ensure_ascii=False))
    items = [item for section in config["form"]["sections"] for item in section["items"]]
    # only what the candidate sees: no points, version ids, seed, paper digest
    assert set(config["form"]) == {"sections"}
    assert all(set(item) <= {"uid", "type", "stem", "language", "choices", "max_words"} for item in items)
    assert "seed" not in config and "points" not in html and '"version"' not in html
    # the questions are only in the config (exam.js renders them), once each
    assert html.count(KEY_TEXT) == 3 and html.count(DISTRACTOR_TEXT) == 5  # single 1+3, multiple 2+2
    shapes = [_normalised_choice(choice) for item in items for choice in item["choices"]]
    assert len(shapes) == 8
    assert len(set(shapes)) == 1  # a key choice is sent exactly like a distractor
    assert all(set(choice) == {"uid", "html"} for item in items for choice in item["choices"])


@pytest.mark.django_db
@pytest.mark.parametrize(("opens", "late"), [(5, 20), (-1, 20)], ids=["before-opening", "open-no-attempt"])
def test_room_serves_no_question_before_the_start(opens, late):
    entry = make_entry(make_session(opens=opens, late=late))
    started_elsewhere = start_attempt(make_entry(entry.session), now=entry.session.opens_at)  # same paper
    client = log_in(entry.candidate.user)

    response = client.get(f"/exam/entries/{entry.pk}/room")

    assert response.status_code == 200
    html = response.content.decode()
    _assert_clean(html)
    stems = [i["stem"] for s in started_elsewhere.form["sections"] for i in s["items"]]
    assert not any(stem in html for stem in stems)
    assert KEY_TEXT not in html and DISTRACTOR_TEXT not in html and "ข้อใดเขียนถูกต้อง" not in html
    assert "candidate-item" not in html
    config = _page_config(html)
    assert "form" not in config and "responses" not in config and "attempt" not in config
    assert not Attempt.objects.filter(entry=entry).exists()


@pytest.mark.django_db
def test_room_of_another_candidates_entry_is_404():
    entry = make_entry(make_session())
    intruder = log_in(make_entry(entry.session).candidate.user)

    assert intruder.get(f"/exam/entries/{entry.pk}/room").status_code == 404


# --- sockets -------------------------------------------------------------------------------------


@pytest.fixture
async def _writers():
    channel_layers.backends = {}
    yield
    await close_writers()
    channel_layers.backends = {}
    await sync_to_async(connections.close_all)()


async def _close_code(comm) -> int:
    assert await comm.connect() == (True, None)
    message = await comm.receive_output(timeout=5)
    await comm.disconnect()
    assert message["type"] == "websocket.close"
    return message["code"]


@database_sync_to_async
def _two_candidates():
    session = make_session()
    mine = start_attempt(make_entry(session))
    other = make_entry(session)
    start_attempt(other)
    return mine, log_in(mine.entry.candidate.user), log_in(other.candidate.user)


def _socket(attempt_uid, client, **kwargs):
    return WebsocketCommunicator(
        application, f"/ws/attempt/{attempt_uid}/", headers=socket_headers(client, **kwargs)
    )


@pytest.mark.django_db(transaction=True)
async def test_socket_another_candidates_attempt_closed_4403(_writers):
    mine, _me, other = await _two_candidates()

    assert await _close_code(_socket(mine.uid, other)) == 4403


@pytest.mark.django_db(transaction=True)
async def test_socket_unknown_attempt_closed_4403_like_a_foreign_one(_writers):
    _mine, me, _other = await _two_candidates()

    assert await _close_code(_socket("00000000-0000-4000-8000-000000000000", me)) == 4403


@pytest.mark.django_db(transaction=True)
async def test_socket_anonymous_closed_4401(_writers):
    mine, _me, _other = await _two_candidates()

    assert await _close_code(_socket(mine.uid, None)) == 4401


@pytest.mark.django_db(transaction=True)
async def test_socket_foreign_origin_handshake_refused(_writers):
    mine, me, _other = await _two_candidates()
    comm = _socket(mine.uid, me, origin="https://evil.example")

    connected, _code = await comm.connect()

    assert connected is False


@pytest.mark.django_db(transaction=True)
async def test_socket_staff_without_two_factor_closed_4403(_writers):
    mine, _me, _other = await _two_candidates()
    staff_client = await database_sync_to_async(lambda: log_in(make_staff("proctor")))()

    assert await _close_code(_socket(mine.uid, staff_client)) == 4403


@pytest.mark.django_db(transaction=True)
async def test_socket_submitted_attempt_closed_4403(_writers):
    mine, me, _other = await _two_candidates()
    await database_sync_to_async(Attempt.objects.filter(pk=mine.pk).update)(status="submitted")

    assert await _close_code(_socket(mine.uid, me)) == 4403


@pytest.mark.django_db(transaction=True)
async def test_socket_hello_and_acks_carry_no_key(_writers):
    mine, me, _other = await _two_candidates()
    comm = _socket(mine.uid, me)
    assert (await comm.connect())[0]
    hello = await comm.receive_json_from(timeout=5)
    item = items_by_type(mine)["single"]
    await comm.send_json_to(save_message(1, item, {"choice": item["choices"][0]["uid"]}))
    ack = await comm.receive_json_from(timeout=5)

    _assert_clean(json.dumps(hello) + json.dumps(ack))
    assert ack == {"type": "ack", "seq": 1}  # no hint whether the choice was right
    await comm.disconnect()


@pytest.mark.django_db
def test_expired_window_resume_still_allowed_but_no_new_start():
    session = make_session(opens=-60, late=-30, closes=90)
    entry = make_entry(session)
    Attempt.objects.create(
        entry=entry, seed=1, form={"sections": []}, started_at=session.opens_at,
        deadline=session.opens_at + dt.timedelta(minutes=60),
    )  # fmt: skip
    late_entry = make_entry(session)

    assert start_attempt(entry).entry_id == entry.pk
    assert log_in(late_entry.candidate.user).post(f"/exam/entries/{late_entry.pk}/start").status_code == 409
