"""Candidate check-in in a real browser: the sessions page, the identity form (error, then success).
Then the exam room, waiting. Screenshots: var/screenshots/checkin.png (the form), checkin_error.png,
checkin_home.png, exam_room_waiting_early.png."""

import datetime as dt

import pytest

from exam_platform.delivery.models import RosterEntry
from tests.delivery.roster_setup import make_entry, make_session
from tests.factories import make_candidate

pytestmark = pytest.mark.django_db(transaction=True)


def test_candidate_checks_in_through_the_form(page, login_as, screenshot, live_server):
    session = make_session(opens_in=dt.timedelta(hours=2), rooms=[("r101", 40)])
    candidate = make_candidate(
        first_name_th="กมลชนก", last_name_th="แสงอรุณ", date_of_birth=dt.date(1995, 5, 17)
    )
    entry = make_entry(
        session,
        candidate,
        application_number="69-0042",
        exam_number="00042",
        room=session.rooms.get(),
        seat=12,
    )
    login_as(candidate.user)

    page.goto("/exam/")
    page.get_by_role("link", name="ยืนยันตัวตนและเช็กอิน").click()
    page.get_by_label("เลขประจำตัวประชาชน").fill(candidate.national_id_display)
    page.get_by_label("วันเกิด").fill("17/05/2538")
    page.get_by_label("เลขที่ใบสมัคร").fill("69-0042")
    screenshot("checkin")
    page.get_by_role("checkbox").check()
    page.get_by_label("วันเกิด").fill("18/05/2538")
    page.get_by_role("button", name="ยืนยันและเช็กอิน").click()
    assert page.get_by_role("alert").first.is_visible()
    screenshot("checkin_error")
    page.get_by_label("วันเกิด").fill("17/05/2538")
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="ยืนยันและเช็กอิน").click()

    page.wait_for_url("**/exam/")
    assert page.get_by_text("เช็กอินแล้ว พร้อมเข้าสอบ").is_visible()
    screenshot("checkin_home")
    assert RosterEntry.objects.get(pk=entry.pk).checked_in_at is not None

    # Two hours early: the exam room waits (its socket needs daphne: tests/e2e/test_exam_resilience.py).
    page.get_by_role("link", name="เข้าห้องสอบ").click()
    page.wait_for_url(f"**/exam/entries/{entry.pk}/room")
    assert page.get_by_role("heading", name="รอเริ่มการสอบ").is_visible()
    assert page.locator("#exam-start-form").is_hidden()  # no start button before the start
    page.wait_for_function(
        "/^1:5\\d:\\d\\d$/.test(document.getElementById('exam-waiting-countdown').textContent)"
    )
    screenshot("exam_room_waiting_early")
