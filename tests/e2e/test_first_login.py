"""A new candidate from an imported roster activates their account in a real browser with the code
printed on their admission card, then logs in with their own password. Screenshots:
var/screenshots/first_login.png (the form, Thai), first_login_error.png, first_login_password.png,
first_login_done.png, first_login_en.png (English UI)."""

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from exam_platform.common.jobs.registry import LONG_LANE, load_handlers
from exam_platform.common.jobs.worker import Worker
from exam_platform.delivery.admission_card import admission_cards_pdf
from exam_platform.delivery.models import RosterEntry
from exam_platform.delivery.services.roster import import_roster
from tests.delivery.roster_rows import big_roster_csv
from tests.delivery.roster_setup import make_officer, make_session

pytestmark = pytest.mark.django_db(transaction=True)
CODE = re.compile(r"รหัสเปิดใช้งาน:\s*([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{2})")
NEW_PASSWORD = "ช้างเผือก-2569-ok"


def _code_from_card(entry) -> str:
    loaded = RosterEntry.objects.select_related("session__round", "candidate", "room", "position").get(
        pk=entry.pk
    )
    text = PdfReader(io.BytesIO(admission_cards_pdf([loaded]))).pages[0].extract_text()
    return CODE.search(text).group(1)


def test_new_candidate_activates_with_the_card_code_and_logs_in(
    page, screenshot, browser_context, live_server
):
    officer = make_officer()
    session = make_session(actor=officer)
    assert import_roster(session, big_roster_csv(1, email=True), filename="r.csv", actor=officer).ok
    entry = RosterEntry.objects.select_related("candidate").get(session=session)
    national_id = entry.candidate.national_id
    code = _code_from_card(entry)

    page.goto("/accounts/login/")
    page.get_by_role("link", name=re.compile("เปิดใช้งานบัญชีครั้งแรก")).click()
    page.wait_for_url("**/accounts/activate/")
    page.get_by_label("เลขประจำตัวประชาชน").fill(entry.candidate.national_id_display)
    page.get_by_label("รหัสเปิดใช้งาน").fill("AAAA-BBBB-CC")
    page.get_by_role("button", name="ถัดไป: ตั้งรหัสผ่าน").click()
    assert page.get_by_role("alert").first.is_visible()
    assert page.get_by_text("รหัสเปิดใช้งานไม่ถูกต้อง").first.is_visible()
    screenshot("first_login_error")

    page.get_by_label("รหัสเปิดใช้งาน").fill(code.lower())
    screenshot("first_login")
    page.get_by_role("button", name="ถัดไป: ตั้งรหัสผ่าน").click()
    page.wait_for_url("**/accounts/activate/password/")
    page.get_by_label("รหัสผ่านใหม่", exact=True).fill("1234567890")
    page.get_by_label("ยืนยันรหัสผ่านใหม่").fill("1234567890")
    page.get_by_role("button", name="ตั้งรหัสผ่านและเข้าสู่ระบบ").click()
    assert page.get_by_text("รหัสผ่านต้องไม่เป็นตัวเลขทั้งหมด").first.is_visible()
    screenshot("first_login_password")
    page.get_by_label("รหัสผ่านใหม่", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("ยืนยันรหัสผ่านใหม่").fill(NEW_PASSWORD)
    page.get_by_role("button", name="ตั้งรหัสผ่านและเข้าสู่ระบบ").click()

    page.wait_for_url(lambda url: "/accounts/" not in url)
    assert page.get_by_text("เปิดใช้งานบัญชีแล้ว").first.is_visible()
    screenshot("first_login_done")

    browser_context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("เลขประจำตัวประชาชน หรือ ชื่อผู้ใช้").fill(national_id)
    page.get_by_label("รหัสผ่าน").fill(NEW_PASSWORD)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    browser_context.clear_cookies()
    host = live_server.url.split("//", 1)[1].split(":")[0]
    browser_context.add_cookies([{"name": "lang", "value": "en", "domain": host, "path": "/"}])
    page.goto("/accounts/activate/")
    screenshot("first_login_en")


def test_officer_sends_codes_and_reissues_one(page, screenshot, login_as, settings):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.ROSTER_INLINE_MAX_ROWS = 2
    load_handlers()
    officer = make_officer()
    session = make_session(actor=officer)
    login_as(officer, TOTPDevice.objects.create(user=officer, name="phone", confirmed=True))
    path = Path(settings.BASE_DIR) / "var" / "e2e-roster.csv"
    path.write_bytes(big_roster_csv(3, email=True))

    page.goto(f"/exam/officer/sessions/{session.pk}/")
    page.get_by_label(re.compile("ไฟล์รายชื่อ")).set_input_files(str(path))
    page.get_by_role("button", name="นำเข้า", exact=True).click()
    page.wait_for_url("**/officer/roster-imports/*/")
    screenshot("roster_import_job_waiting")
    Worker("e2e", heartbeat=False, lanes=(LONG_LANE,)).run_due()
    page.wait_for_function("document.body.textContent.includes('นำเข้าแล้ว 3 คน')", timeout=15000)
    screenshot("roster_import_job_done")

    page.get_by_role("link", name="รหัสเปิดใช้งานและการส่งอีเมล").click()
    page.get_by_role("button", name="ส่งรหัสเปิดใช้งานทางอีเมล").click()
    assert page.get_by_text("กำลังส่งรหัสเปิดใช้งานทางอีเมลถึง 3 คน").is_visible()
    screenshot("session_activation")

    entry = RosterEntry.objects.filter(session=session).order_by("exam_number").first()
    page.goto(f"/exam/officer/entries/{entry.pk}/activation/")
    page.get_by_role("button", name="ออกรหัสเปิดใช้งานใหม่").click()
    assert page.get_by_role("heading", name="ออกรหัสเปิดใช้งานใหม่แล้ว").is_visible()
    screenshot("entry_activation_reissued")
    path.unlink()
