"""The examiner's item list over the demo bank, in a real browser: screenshot, filters by keyboard."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from exam_platform.demo.bank import load_demo_bank
from question_bank.models import BankMembership
from tests.factories import make_examiner

pytestmark = pytest.mark.e2e


@pytest.fixture
def demo_owner(transactional_db):
    bank = load_demo_bank().bank
    user = make_examiner(username="e2e.examiner", display_name="สมหญิง ออกข้อสอบ")
    BankMembership.objects.create(bank=bank, user=user, role="owner")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return bank, user, device


def test_qb_item_list_demo_bank_screenshot_and_keyboard_filters(page, screenshot, login_as, demo_owner):
    bank, user, device = demo_owner
    login_as(user, device)

    page.goto(f"/qb/banks/{bank.pk}/items/")

    assert page.get_by_role("heading", name="รายการข้อสอบ").is_visible()
    assert page.locator("table.qb-item-table tbody tr").count() == 25
    assert "พบ 175 ข้อ" in page.locator(".qb-result-count").inner_text()
    screenshot("qb_item_list")

    # Filters are labelled controls, reachable and usable with the keyboard alone.
    page.get_by_label("ค้นหาข้อความ").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_subject"
    page.get_by_label("ความยาก").select_option("hard")
    page.get_by_label("แสดงต่อหน้า").select_option("100")
    page.get_by_label("แสดงต่อหน้า").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "ค้นหา"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"difficulty=hard"))
    rows = page.locator("table.qb-item-table tbody tr")
    assert rows.count() > 0
    assert set(page.locator("table.qb-item-table tbody .qb-difficulty").all_inner_texts()) == {"ยาก"}
    screenshot("qb_item_list_filtered")

    # Paging keeps the filters.
    page.goto(f"/qb/banks/{bank.pk}/items/?status=approved&per_page=25")
    page.get_by_role("link", name="ถัดไป").click()
    page.wait_for_url(re.compile(r"page=2"))
    assert "status=approved" in page.url


def test_qb_bank_page_screenshot(page, screenshot, login_as, demo_owner):
    bank, user, device = demo_owner
    login_as(user, device)

    page.goto(f"/qb/banks/{bank.pk}/")

    assert page.get_by_role("heading", name=bank.name).is_visible()
    assert page.get_by_role("heading", name="สมาชิกของคลัง").is_visible()
    screenshot("qb_bank")
    page.goto("/qb/")
    assert page.get_by_role("link", name=bank.name, exact=True).is_visible()
    screenshot("qb_home")
