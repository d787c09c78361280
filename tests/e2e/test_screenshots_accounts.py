import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from exam_platform.accounts.models import BackupCodeDevice, User
from tests.accounts.conftest import PASSWORD, totp_code

pytestmark = pytest.mark.e2e


def _focused(page) -> str:
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return e ? (e.id || e.name || e.tagName.toLowerCase() + ':' + (e.textContent || '').trim()) : '' }"
    )


def test_login_page_thai_screenshot_and_keyboard(page, screenshot):
    page.goto("/accounts/login/")

    path = screenshot("login_th")

    assert path.stat().st_size > 10_000
    assert page.locator("html").get_attribute("lang") == "th"
    assert page.get_by_label("เลขประจำตัวประชาชน หรือ ชื่อผู้ใช้").is_visible()
    assert page.get_by_label("รหัสผ่าน").is_visible()
    # Start from the top of the document (the skip link is the first stop), not the autofocused field.
    page.locator("a.skip-link").focus()
    order = [_focused(page)]
    for _i in range(15):
        page.keyboard.press("Tab")
        order.append(_focused(page))
        if order[-1] == "button:เข้าสู่ระบบ":
            break
    start = order.index("id_username")
    assert order[start : start + 3] == ["id_username", "id_password", "button:เข้าสู่ระบบ"]
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # focus is visible


def test_staff_enrols_authenticator_and_reaches_home(page, screenshot, transactional_db):
    staff = User.objects.create_user(
        username="e2e.staff", password=PASSWORD, kind="staff", display_name="สมศรี"
    )
    page.goto("/accounts/login/")
    page.get_by_label("เลขประจำตัวประชาชน หรือ ชื่อผู้ใช้").fill("e2e.staff")
    page.get_by_label("รหัสผ่าน").fill(PASSWORD)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()

    page.wait_for_url(re.compile(r"/accounts/two-factor/setup/"))
    qr = page.locator("figure.qr svg")
    assert qr.is_visible()
    box = qr.bounding_box()
    assert box["width"] >= 150
    assert box["height"] >= 150
    screenshot("otp_enrol")
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    secret_shown = page.locator("code.secret").inner_text().replace(" ", "")
    assert secret_shown == device.config_url.split("secret=")[1].split("&")[0]

    page.get_by_label("รหัสยืนยัน 6 หลักจากแอป").fill(totp_code(device))
    page.get_by_role("button", name="ยืนยันและเปิดใช้งาน").click()

    page.get_by_role("heading", name="รหัสสำรองของคุณ").wait_for()
    codes = page.locator("ol.backup-codes code").all_inner_texts()
    assert len(codes) == 10
    assert all(re.fullmatch(r"[2-9a-z]{5}-[2-9a-z]{5}", c) for c in codes)
    screenshot("otp_backup_codes")
    assert BackupCodeDevice.objects.get(user=staff).unused_codes().count() == 10

    page.get_by_role("link", name="บันทึกแล้ว ดำเนินการต่อ").click()
    page.wait_for_url(re.compile(r"/$"))
    assert page.get_by_role("heading", name="สวัสดี สมศรี").is_visible()


def test_staff_wrong_code_on_verify_page_shows_alert(page, screenshot, login_as, transactional_db):
    staff = User.objects.create_user(username="e2e.verify", password=PASSWORD, kind="staff")
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    login_as(staff)
    wrong = f"{(int(totp_code(device)) + 500000) % 1000000:06d}"

    page.goto("/")
    page.wait_for_url(re.compile(r"/accounts/two-factor/verify/\?next=%2F$"))
    assert page.evaluate("() => document.activeElement.id") == "id_token"
    page.get_by_label("รหัสยืนยัน 6 หลักจากแอป").fill(wrong)
    page.get_by_role("button", name="ยืนยัน", exact=True).click()

    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "รหัสยืนยันไม่ถูกต้อง (Invalid code)." in alert.inner_text()
    assert page.get_by_label("รหัสยืนยัน 6 หลักจากแอป").get_attribute("aria-invalid") == "true"
    screenshot("otp_verify_error")


def test_two_factor_settings_page_asks_password_first(page, screenshot, login_as, transactional_db):
    from exam_platform.accounts.services import two_factor

    staff = User.objects.create_user(username="e2e.settings", password=PASSWORD, kind="staff")
    device = TOTPDevice.objects.create(user=staff, name="โทรศัพท์ (phone)", confirmed=True)
    two_factor.regenerate_backup_codes(staff)
    login_as(staff, device)

    page.goto("/accounts/two-factor/")
    screenshot("two_factor_settings")
    page.get_by_label("รหัสผ่านปัจจุบัน").fill(PASSWORD)
    page.get_by_role("button", name="ยืนยันรหัสผ่าน").click()

    page.get_by_role("button", name="สร้างรหัสสำรองชุดใหม่").click()
    page.get_by_role("heading", name="รหัสสำรองของคุณ").wait_for()
    assert len(page.locator("ol.backup-codes code").all_inner_texts()) == 10
