"""Browser: a bank owner builds a two-section paper from the demo bank, sees the live availability,
locks it and opens the candidate preview. Screenshots: qb_paper_builder.png, qb_paper_preview.png."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from exam_platform.demo.bank import load_demo_bank
from question_bank.models import BankMembership, Paper
from tests.factories import make_examiner

pytestmark = pytest.mark.e2e


def _add_rule(page, section, subject: str, count: int) -> None:
    form = page.locator(f"#add-rule-{section.pk}")
    form.get_by_label("วิชา/หัวข้อ").select_option(label=subject)
    availability = form.locator(".qb-live-availability")
    availability.filter(has_text="มีข้อสอบที่ใช้ได้").wait_for()
    form.get_by_label("จำนวนข้อ").fill(str(count))
    form.get_by_role("button", name="เพิ่มกฎ").click()
    page.wait_for_load_state()


def test_owner_builds_locks_and_previews_paper(page, screenshot, login_as, transactional_db):
    bank = load_demo_bank().bank
    owner = make_examiner(username="e2e.owner", display_name="สมหญิง ผู้ออกข้อสอบ")
    BankMembership.objects.create(bank=bank, user=owner, role="owner")
    device = TOTPDevice.objects.create(user=owner, name="phone", confirmed=True)
    login_as(owner, device=device)

    page.goto(f"/qb/banks/{bank.pk}/papers/")
    page.get_by_role("link", name="สร้างแบบทดสอบใหม่").click()
    page.get_by_label("รหัสแบบทดสอบ").fill("part-a-1-2569")
    page.get_by_label("ชื่อแบบทดสอบ").fill("สอบภาค ก ครั้งที่ 1/2569")
    page.get_by_label("เวลาสอบ (นาที)").fill("90")
    page.get_by_role("button", name="สร้างแบบทดสอบ").click()
    page.wait_for_url(re.compile(r"/qb/papers/\d+/$"))
    paper = Paper.objects.get(bank=bank, code="part-a-1-2569")

    for title, minutes, subject, count in (
        ("ความสามารถในการคิดวิเคราะห์", "45", "ความสามารถในการคิดวิเคราะห์", 10),
        ("ภาษาอังกฤษ", "30", "ภาษาอังกฤษ", 10),
    ):
        add = page.locator("#add-section")
        add.get_by_label("ชื่อตอน").fill(title)
        add.get_by_label("เวลาของตอน (นาที)").fill(minutes)
        add.get_by_role("button", name="เพิ่มตอน").click()
        page.wait_for_load_state()
        section = paper.sections.get(title=title)
        _add_rule(page, section, subject, count)

    assert page.get_by_text("ตรวจแล้ว: คลังมีข้อสอบพอตามพิมพ์เขียว").is_visible()
    assert (
        page.locator(".qb-availability").first.inner_text()
        == "มีข้อสอบที่ใช้ได้ 44 ข้อ: ง่าย 16 / ปานกลาง 19 / ยาก 9"
    )
    assert page.locator(".qb-rule").count() == 2
    # Live availability while choosing a rule's category (shown open in the screenshot).
    english = page.locator(f"#add-rule-{paper.sections.get(position=2).pk}")
    english.locator("summary").click()
    english.get_by_label("วิชา/หัวข้อ").select_option(label="ภาษาอังกฤษ › ไวยากรณ์")
    live = english.locator(".qb-live-availability")
    live.filter(has_text="มีข้อสอบที่ใช้ได้").wait_for()
    assert re.fullmatch(r"มีข้อสอบที่ใช้ได้ \d+ ข้อ: ง่าย \d+ / ปานกลาง \d+ / ยาก \d+", live.inner_text())
    screenshot("qb_paper_builder")

    page.get_by_label("ฉันตรวจทานแล้ว").check()
    page.get_by_role("button", name="ล็อกแบบทดสอบ").click()
    page.wait_for_load_state()
    paper.refresh_from_db()
    assert paper.status == "locked"
    assert page.get_by_text("ล็อกแล้ว — แก้ไขไม่ได้").is_visible()
    assert page.locator(".qb-digest").inner_text() == paper.content_digest

    page.get_by_role("link", name="ดูตัวอย่างแบบที่ผู้สอบเห็น").click()
    page.wait_for_url(re.compile(r"/preview/"))
    assert page.locator(".candidate-item").count() == 20
    assert page.get_by_role("heading", name="ตอนที่ 2: ภาษาอังกฤษ").is_visible()
    assert page.get_by_text("ตัวอย่าง — ยังไม่ล็อก").count() == 0
    screenshot("qb_paper_preview")
