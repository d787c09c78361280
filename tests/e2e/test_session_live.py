"""The officer's live status panel in a real browser against a real daphne (tests/e2e/daphne.py,
PostgreSQL): the counts change when a candidate is checked in and when an attempt is submitted;
daphne killed and restarted: the page says it is disconnected, reconnects and takes a fresh
snapshot. Screenshots: var/screenshots/session_live*.png (Thai, English, disconnected)."""

import pytest
from django.conf import settings
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from exam_platform.delivery.models import Attempt, Room
from exam_platform.delivery.services.attempts import start_attempt, submit_attempt
from exam_platform.delivery.services.checkin import check_in_by_staff
from tests.delivery.exam_setup import make_entry, make_locked_paper, make_session
from tests.e2e.conftest import SCREENSHOT_DIR
from tests.factories import make_staff

pytest_plugins = ["tests.e2e.daphne"]
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

UPDATE_TIMEOUT_MS = 10_000
RECONNECT_TIMEOUT_MS = 45_000


def log_in_verified(context, server, user) -> None:
    """A two-factor verified session cookie for `user` on the test server."""
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": server.url}])


def arrange():
    """Room ก: one candidate not checked in, one in progress, one waiting; room ข: one in progress."""
    session = make_session(make_locked_paper())
    rooms = [
        Room.objects.create(session=session, code="a", name="ห้อง 101", building="อาคาร 1", capacity=30),
        Room.objects.create(
            session=session, code="b", name="ห้อง 102", building="อาคาร 1", capacity=30, position=1
        ),
    ]
    entries = []
    for seat, (room, checked_in) in enumerate(
        [(rooms[0], False), (rooms[0], True), (rooms[0], True), (rooms[1], True)], start=1
    ):
        entry = make_entry(session, checked_in=checked_in)
        entry.room, entry.seat_number = room, seat
        entry.save(update_fields=["room", "seat_number"])
        entries.append(entry)
    attempts = [start_attempt(entries[1]), start_attempt(entries[3])]
    return session, entries, attempts


def screenshot(page, name: str, *, full_page: bool = True) -> None:
    """The `screenshot` fixture shoots live_server's page; these pages are exam_server's."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"), full_page=full_page)


def count(page, key: str) -> str:
    return page.locator(f'#live-counts [data-count="{key}"]').inner_text()


def wait_count(page, key: str, value: int) -> None:
    page.wait_for_function(
        "([k, v]) => document.querySelector(`#live-counts [data-count='${k}']`).textContent === v",
        arg=[key, str(value)],
        timeout=UPDATE_TIMEOUT_MS,
    )


def wait_state(page, state: str, timeout: int = UPDATE_TIMEOUT_MS) -> None:
    page.wait_for_function(
        "state => document.getElementById('live-connection').dataset.state === state",
        arg=state,
        timeout=timeout,
    )


def test_session_live_counts_change_on_check_in_and_submit(server_context, exam_server):
    session, entries, attempts = arrange()
    officer = make_staff("exam_officer")
    log_in_verified(server_context, exam_server, officer)
    page = server_context.new_page()

    page.goto(f"/exam/officer/sessions/{session.pk}/live/")
    wait_state(page, "live")
    assert (count(page, "total"), count(page, "checked_in"), count(page, "in_progress")) == ("4", "3", "2")
    assert (count(page, "waiting"), count(page, "not_checked_in")) == ("1", "1")

    check_in_by_staff(entries[0], actor=officer)
    wait_count(page, "checked_in", 4)
    assert (count(page, "waiting"), count(page, "not_checked_in")) == ("2", "0")

    submit_attempt(attempts[0], reason=Attempt.SubmitReason.CANDIDATE)
    wait_count(page, "submitted", 1)
    assert count(page, "in_progress") == "1"
    assert count(page, "submitted_candidate") == "1"
    room_a = page.locator(f'#live-rooms-body tr[data-room="{entries[0].room_id}"]')
    assert room_a.locator("td").all_inner_texts() == ["อาคาร 1", "3", "3", "0", "2", "0", "1", "0", "0"]
    assert "ส่งแล้ว จาก 0 เป็น 1" in page.locator("#live-chart-desc").inner_text()
    assert page.locator("#live-chart path.series").count() == 5
    page.wait_for_function(
        "document.getElementById('live-announce').textContent.includes('ส่งแล้ว 1')", timeout=UPDATE_TIMEOUT_MS
    )
    screenshot(page, "session_live")

    page.select_option("#live-chart-scope", str(entries[3].room_id))
    assert "กำลังสอบ จาก 1 เป็น 1" in page.locator("#live-chart-desc").inner_text()

    server_context.add_cookies([{"name": "lang", "value": "en", "url": exam_server.url}])
    page.reload()
    wait_state(page, "live")
    screenshot(page, "session_live_en")


def test_session_live_reconnects_after_the_server_restarts_with_a_fresh_snapshot(server_context, exam_server):
    session, entries, _attempts = arrange()
    officer = make_staff("exam_officer")
    log_in_verified(server_context, exam_server, officer)
    page = server_context.new_page()
    page.goto(f"/exam/officer/sessions/{session.pk}/live/")
    wait_state(page, "live")

    exam_server.kill_daphne()
    wait_state(page, "disconnected")
    screenshot(page, "session_live_disconnected", full_page=False)
    check_in_by_staff(entries[0], actor=officer)  # while the page cannot hear about it
    exam_server.start_daphne()

    wait_state(page, "live", timeout=RECONNECT_TIMEOUT_MS)
    wait_count(page, "checked_in", 4)
