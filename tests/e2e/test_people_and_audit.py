"""An administrator creates an exam officer, the officer logs in and enrols two-factor, the
administrator revokes the role, and the auditor finds both changes in the audit log."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from exam_platform.accounts.models import User
from tests.accounts.conftest import totp_code
from tests.factories import make_staff

pytestmark = pytest.mark.e2e


def test_people_and_audit_flow(browser, live_server, page, login_as, screenshot, transactional_db):
    admin = make_staff("administrator", username="admin.e2e", display_name="ผู้ดูแล ระบบ")
    auditor = make_staff("auditor", username="auditor.e2e", display_name="ผู้ตรวจ สอบ")
    login_as(admin, TOTPDevice.objects.create(user=admin, name="phone", confirmed=True))

    # 1. The administrator creates the account.
    page.goto("/accounts/people/")
    screenshot("people_list_th")
    page.get_by_role("link", name="สร้างบัญชีเจ้าหน้าที่").click()
    page.get_by_label("ชื่อผู้ใช้").fill("officer.new")
    page.get_by_label("ชื่อที่แสดง").fill("สมหญิง เจ้าหน้าที่")
    page.get_by_label("อีเมล").fill("somying@example.org")
    page.get_by_label("เจ้าหน้าที่สอบ").check()
    screenshot("people_new_th")
    page.get_by_role("button", name="สร้างบัญชี").click()
    page.get_by_role("heading", name="สร้างบัญชีของ สมหญิง เจ้าหน้าที่ แล้ว").wait_for()
    password = page.locator(".secret").get_attribute("data-password")
    assert password and len(password) == 16
    screenshot("people_created_th")
    officer = User.objects.get(username="officer.new")

    # 2. The new officer logs in (another browser context) and must enrol two-factor.
    context = browser.new_context(
        base_url=live_server.url, locale="th-TH", viewport={"width": 1280, "height": 900}
    )
    try:
        officer_page = context.new_page()
        officer_page.goto("/accounts/login/")
        officer_page.get_by_label("เลขประจำตัวประชาชน หรือ ชื่อผู้ใช้").fill("officer.new")
        officer_page.get_by_label("รหัสผ่าน").fill(password)
        officer_page.get_by_role("button", name="เข้าสู่ระบบ").click()
        officer_page.wait_for_url(re.compile(r"/accounts/two-factor/setup/"))
        device = TOTPDevice.objects.get(user=officer, confirmed=False)
        officer_page.get_by_label("รหัสยืนยัน 6 หลักจากแอป").fill(totp_code(device))
        officer_page.get_by_role("button", name="ยืนยันและเปิดใช้งาน").click()
        officer_page.get_by_role("heading", name="รหัสสำรองของคุณ").wait_for()
        officer_page.get_by_role("link", name="บันทึกแล้ว ดำเนินการต่อ").click()
        officer_page.wait_for_url(re.compile(r"/$"))
        assert officer_page.get_by_role("link", name="การจัดสอบ").first.is_visible()
    finally:
        context.close()

    # 3. The administrator revokes the role.
    page.goto(f"/accounts/people/{officer.pk}/")
    assert page.get_by_text("ลงทะเบียนแอปยืนยันตัวตนแล้ว").is_visible()
    page.locator('button[data-role="exam_officer"]').click()
    page.get_by_text("ถอนบทบาทเจ้าหน้าที่สอบจาก สมหญิง เจ้าหน้าที่ แล้ว").wait_for()
    screenshot("people_detail_th")
    assert not officer.groups.exists()

    # 4. The auditor finds both changes, opens one, runs the verification.
    page.context.clear_cookies()
    login_as(auditor, TOTPDevice.objects.create(user=auditor, name="phone", confirmed=True))
    page.goto("/audit/")
    page.get_by_label("รหัสของรายการ").fill(str(officer.pk))
    page.get_by_label("การดำเนินการ").fill("accounts.")
    page.get_by_role("button", name="กรอง").click()
    rows = page.locator("table.audit-table tbody tr")
    actions = rows.locator("code").all_inner_texts()
    assert "accounts.staff_created" in actions and "accounts.role_revoked" in actions
    assert actions.index("accounts.role_revoked") < actions.index("accounts.staff_created")  # newest first
    screenshot("audit_log_th")
    rows.filter(has_text="accounts.role_revoked").locator("th a").click()
    page.get_by_role("heading", name=re.compile("accounts.role_revoked")).wait_for()
    changed = page.locator("table.json-diff tr.changed")
    assert changed.count() == 1
    assert "exam_officer" in changed.locator("td").first.inner_text()
    screenshot("audit_entry_th")
    page.get_by_role("link", name="บันทึกการตรวจสอบ").first.click()
    page.get_by_role("button", name="ตรวจสอบห่วงโซ่บันทึก").click()
    page.locator('[data-verify="ok"]').wait_for()
    assert "บันทึกครบถ้วน" in page.locator('[data-verify="ok"]').inner_text()
    screenshot("audit_verify_th")

    # The same pages in the English UI (Thai until the catalog is merged).
    page.context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])
    page.goto(f"/audit/?object_id={officer.pk}")
    assert page.locator("html").get_attribute("lang") == "en"
    screenshot("audit_log_en")
    page.context.clear_cookies()
    login_as(admin, TOTPDevice.objects.create(user=admin, name="phone2", confirmed=True))
    page.context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])
    page.goto(f"/accounts/people/{officer.pk}/")
    screenshot("people_detail_en")


def test_error_pages_and_broken_chain_screenshots(live_server, page, login_as, screenshot, transactional_db):
    from django.db import connection

    from exam_platform.common.audit import record_audit
    from exam_platform.common.models import AuditEntry

    page.goto("/audit/?action=accounts")
    page.wait_for_url(re.compile(r"/accounts/login/\?next=/audit/%3Faction%3Daccounts$"))

    proctor = make_staff("proctor", display_name="สมหมาย คุมสอบ")
    login_as(proctor, TOTPDevice.objects.create(user=proctor, name="phone", confirmed=True))
    response = page.goto("/audit/")
    assert response.status == 403
    assert page.get_by_role("heading", name="ไม่มีสิทธิ์เข้าถึงหน้านี้").is_visible()
    screenshot("error_403_th")
    response = page.goto("/no-such-page/")
    assert response.status == 404
    screenshot("error_404_th")
    page.context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])
    page.goto("/audit/")
    screenshot("error_403_en")
    page.context.clear_cookies()

    auditor = make_staff("auditor", display_name="ผู้ตรวจ สอบ")
    record_audit("tests.one")
    forged = record_audit("tests.two", after={"score": 10})
    record_audit("tests.three")
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(AuditEntry._meta.db_table)
        cursor.execute(f"UPDATE {table} SET after = %s WHERE seq = %s", ['{"score": 99}', forged.seq])  # noqa: S608
    login_as(auditor, TOTPDevice.objects.create(user=auditor, name="phone", confirmed=True))
    page.goto("/audit/")
    page.get_by_role("button", name="ตรวจสอบห่วงโซ่บันทึก").click()
    broken = page.locator('[data-verify="broken"]')
    broken.wait_for()
    assert f"#{forged.seq}" in broken.inner_text()
    screenshot("audit_verify_broken_th")
