"""An exam officer sets up an exam in a real browser: a round, a position, a session (the opening
picked in the calendar by keyboard, the other times typed), a room with a proctor; the proctor then
sees only that room on "my rooms". Screenshots: var/screenshots/setup_*.png (Thai) and
setup_session_en.png (the English UI: Gregorian years)."""

import datetime as dt

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from exam_platform.common.forms.thai_datetime import format_local_datetime, local_zone
from exam_platform.common.thai_dates import THAI_MONTHS
from exam_platform.delivery.models import ExamRound
from tests.delivery.roster_setup import make_entry, make_paper, make_session
from tests.factories import make_candidate, make_staff

pytestmark = pytest.mark.django_db(transaction=True)


def keyboard_target(today: dt.date) -> dt.date:
    """Where PageDown then ArrowDown lead from today: the same day next month (clamped), a week on."""
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(today.day, last)) + dt.timedelta(days=7)


def test_officer_sets_up_an_exam_and_the_proctor_sees_only_their_room(page, login_as, screenshot):
    officer = make_staff("exam_officer", display_name="เจ้าหน้าที่ทดสอบ")
    proctor = make_staff("proctor", username="proctor.kanya", display_name="กัญญา คุมสอบ")
    paper = make_paper()
    elsewhere = make_session(rooms=[("r999", 10)]).rooms.get()  # another room the proctor must not see
    login_as(officer, TOTPDevice.objects.create(user=officer, name="phone", confirmed=True))

    # A round.
    page.goto("/exam/officer/")
    page.get_by_role("link", name="สร้างรอบการสอบ").click()
    page.get_by_label("รหัสการสอบ").fill("bma-2570-1")
    page.get_by_label("ชื่อการสอบ").fill("การสอบแข่งขันเพื่อบรรจุบุคคลเข้ารับราชการ ครั้งที่ 1/2570")
    page.get_by_label("ประเภทการสอบ").select_option("competitive")
    page.get_by_label("เลขที่ประกาศ (ครั้งที่/ปี)").fill("1/2026")
    page.get_by_role("button", name="สร้างรอบการสอบ").click()
    assert page.get_by_role("alert").get_by_text("ปี 2026 เป็นปี ค.ศ.").is_visible()
    screenshot("setup_round_error")
    page.get_by_label("เลขที่ประกาศ (ครั้งที่/ปี)").fill("1/2570")
    screenshot("setup_round")
    page.get_by_role("button", name="สร้างรอบการสอบ").click()
    page.wait_for_url("**/exam/officer/rounds/*/")
    exam_round = ExamRound.objects.get(code="bma-2570-1")
    assert exam_round.announcement_number == "1/2570"

    # A position.
    page.get_by_role("link", name="เพิ่มตำแหน่ง").click()
    page.get_by_label("รหัสตำแหน่ง").fill("hr-op")
    page.get_by_label("ชื่อตำแหน่ง").fill("นักทรัพยากรบุคคลปฏิบัติการ")
    page.get_by_label("อัตราว่าง").fill("4")
    screenshot("setup_position")
    page.get_by_role("button", name="เพิ่มตำแหน่ง").click()
    page.wait_for_url(f"**/exam/officer/rounds/{exam_round.pk}/")
    assert page.get_by_role("cell", name="นักทรัพยากรบุคคลปฏิบัติการ", exact=True).is_visible()
    screenshot("setup_round_page")

    # A session: the opening through the calendar, by keyboard only.
    page.get_by_role("link", name="เพิ่มรอบสอบ").click()
    page.get_by_label("รหัสรอบสอบ").fill("morning")
    page.get_by_label("ชื่อรอบสอบ").fill("ภาค ก รอบเช้า")
    page.get_by_label("แบบทดสอบ (เฉพาะที่ล็อกแล้ว)").select_option(
        label=f"{paper.title} · รหัส {paper.code} · ฉบับที่ 1 · 60 นาที"
    )
    opener = page.get_by_role("button", name="เลือกวันที่จากปฏิทิน: เริ่มเปิดให้เข้าสอบ")
    opener.focus()
    page.keyboard.press("Enter")
    calendar = page.get_by_role("dialog")
    assert calendar.is_visible()
    assert opener.get_attribute("aria-expanded") == "true"
    today = timezone.localdate()
    month = THAI_MONTHS[today.month - 1]
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == (
        f"{today.day} {month} พ.ศ. {today.year + 543}"
    )
    page.keyboard.press("Escape")  # closes without change, focus back on the button
    assert calendar.is_hidden()
    assert page.evaluate("document.activeElement.classList.contains('thai-datetime-button')")
    page.keyboard.press("Enter")
    page.keyboard.press("PageDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")  # the hour
    page.keyboard.press("ArrowDown")  # 09 → 10
    screenshot("setup_session_calendar")
    page.keyboard.press("Shift+Tab")  # back to the day
    page.keyboard.press("Enter")
    assert calendar.is_hidden()
    target = keyboard_target(today)
    opens = dt.datetime.combine(target, dt.time(10, 0), tzinfo=local_zone())
    assert page.get_by_role(
        "textbox", name="เริ่มเปิดให้เข้าสอบ", exact=True
    ).input_value() == format_local_datetime(opens, buddhist_era=True)
    # The other times typed, Thai style.
    page.get_by_role("textbox", name="เข้าสอบได้ไม่เกิน", exact=True).fill(
        format_local_datetime(opens + dt.timedelta(minutes=30), buddhist_era=True)
    )
    page.get_by_role("textbox", name="ปิดการสอบ", exact=True).fill(
        f"{(opens + dt.timedelta(hours=2)):%d/%m}/{opens.year + 543} 12.00"
    )
    screenshot("setup_session")
    page.get_by_role("button", name="สร้างรอบสอบ").click()
    page.wait_for_url("**/exam/officer/sessions/*/")
    session = exam_round.sessions.get()
    assert session.opens_at == opens
    assert session.closes_at == opens + dt.timedelta(hours=2)
    assert session.paper == paper

    # A room with its proctor.
    page.get_by_role("link", name="เพิ่มห้องสอบ").click()
    page.get_by_label("รหัสห้อง").fill("r301")
    page.get_by_label("ชื่อห้องสอบ").fill("ห้อง 301")
    page.get_by_label("อาคาร").fill("อาคารธานีนพรัตน์")
    page.get_by_label("จำนวนที่นั่ง").fill("40")
    page.get_by_label("กัญญา คุมสอบ (proctor.kanya)").check()
    screenshot("setup_room")
    page.get_by_role("button", name="เพิ่มห้องสอบ").click()
    page.wait_for_url(f"**/exam/officer/sessions/{session.pk}/")
    room = session.rooms.get()
    assert list(room.proctors.all()) == [proctor]
    assert page.get_by_role("cell", name="กัญญา คุมสอบ", exact=True).is_visible()
    screenshot("setup_session_page")

    # A late addition seated by hand from the roster page.
    seated = make_entry(session, make_candidate(first_name_th="กมล", last_name_th="ใจงาม"), room=room, seat=1)
    late = make_entry(session, make_candidate(first_name_th="สุดา", last_name_th="มาทีหลัง"))
    page.goto(f"/exam/officer/sessions/{session.pk}/roster/")
    page.get_by_label("จัดที่นั่งแล้ว").select_option("no")
    page.get_by_role("button", name="ค้นหา").click()
    assert page.locator("tbody tr").count() == 1
    screenshot("setup_roster_filtered")
    page.get_by_role("link", name="จัดที่นั่ง นายสุดา มาทีหลัง").click()
    assert page.get_by_label("เลขที่นั่ง").input_value() == "2"  # the first free seat
    page.get_by_label("เลขที่นั่ง").fill("1")
    page.get_by_role("button", name="บันทึกที่นั่ง").click()
    assert page.get_by_role("alert").get_by_text("มีผู้เข้าสอบแล้ว").is_visible()
    screenshot("setup_seat_error")
    page.get_by_label("เลขที่นั่ง").fill("2")
    page.get_by_role("button", name="บันทึกที่นั่ง").click()
    page.wait_for_url(f"**/exam/officer/sessions/{session.pk}/roster/")
    late.refresh_from_db()
    seated.refresh_from_db()
    assert (late.room, late.seat_number, seated.seat_number) == (room, 2, 1)
    screenshot("setup_roster")

    # The English UI shows Gregorian years in the same form.
    page.context.add_cookies([{"name": "lang", "value": "en", "url": page.url.split("/exam/")[0] + "/"}])
    page.goto(f"/exam/officer/sessions/{session.pk}/edit/")
    assert page.locator("#id_opens_at").input_value() == format_local_datetime(opens, buddhist_era=False)
    page.locator(".thai-datetime-button").nth(1).click()
    screenshot("setup_session_en")
    page.context.clear_cookies()

    # The proctor: only their room.
    login_as(proctor, TOTPDevice.objects.create(user=proctor, name="phone", confirmed=True))
    page.goto("/exam/rooms/mine/")
    rows = page.locator("tbody tr")
    assert rows.count() == 1
    assert rows.first.get_by_role("link", name="ห้อง 301").is_visible()
    screenshot("setup_my_rooms")
    rows.first.get_by_role("link", name="ห้อง 301").click()
    page.wait_for_url(f"**/exam/rooms/{room.pk}/")
    assert page.get_by_role("heading", name="ห้อง 301").is_visible()
    response = page.goto(f"/exam/rooms/{elsewhere.pk}/")
    assert response.status == 404
