"""The item editor in a real browser: Thai stem and choices, the live preview follows the typing,
save, submit for review; a reviewer's queue shows the item. Screenshots: qb_item_editor.png and
qb_review_queue.png in var/screenshots/."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from question_bank.models import Item
from tests.factories import make_bank, make_examiner

pytestmark = pytest.mark.e2e

STEM = "คำในข้อใดสะกดถูกต้องตามพจนานุกรมฉบับราชบัณฑิตยสถาน"
CHOICES = ["กะเพรา", "กระเพรา", "กะเพา", "กระเพา"]


def verified_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def test_item_editor_live_preview_save_and_review_queue(page, screenshot, login_as, transactional_db):
    author = make_examiner(username="e2e.author", display_name="สมหญิง เขียนดี")
    reviewer = make_examiner(username="e2e.reviewer", display_name="ประเสริฐ ตรวจงาน")
    bank = make_bank(name="คลังข้อสอบภาษาไทย ภาค ก", members={author: "author", reviewer: "reviewer"})
    topic = bank.categories.get(parent__isnull=False)
    login_as(author, device=verified_device(author))

    page.goto(f"/qb/banks/{bank.pk}/items/new/")
    preview = page.locator("#preview")
    assert page.locator(".qb-choice-row:visible").count() == 2  # JS hides the unused rows
    page.get_by_label("หมวด (วิชา › หัวข้อ)").select_option(str(topic.pk))
    page.get_by_label("โจทย์").fill(STEM)
    page.get_by_role("button", name="เพิ่มตัวเลือก").click()
    page.get_by_role("button", name="เพิ่มตัวเลือก").click()
    for label, text in zip("กขคง", CHOICES, strict=True):
        page.get_by_label(f"ตัวเลือก {label}", exact=True).fill(text)
    page.locator(".qb-correct").first.click()
    page.get_by_label("ป้ายกำกับ").fill("สะกดคำ, ภาค ก")

    # the preview follows the typing, as the candidate will see it: labels ก–ง, no key
    page.wait_for_function("() => document.querySelectorAll('#preview .candidate-choice').length === 4")
    assert STEM in preview.locator(".candidate-item-stem").inner_text()
    labels = preview.locator(".candidate-choice-label").all_inner_texts()
    assert labels == ["ก.", "ข.", "ค.", "ง."]
    assert "correct" not in preview.inner_html()
    page.get_by_label("โจทย์").press("End")
    page.keyboard.type(" ยกเว้นคำใด")
    page.wait_for_function("() => document.querySelector('#preview').textContent.includes('ยกเว้นคำใด')")
    page.get_by_label("โจทย์").fill(STEM)
    page.wait_for_function("() => !document.querySelector('#preview').textContent.includes('ยกเว้นคำใด')")
    screenshot("qb_item_editor")

    page.get_by_role("button", name="บันทึก", exact=True).click()
    page.wait_for_url(re.compile(r"/qb/items/\d+/$"))
    item = Item.objects.get(bank=bank)
    version = item.current_version
    assert (version.stem, version.number) == (STEM, 1)
    first_uids = [c.uid for c in version.choices.all()]
    assert [(c.text, c.is_correct) for c in version.choices.all()] == [
        (CHOICES[0], True),
        *((text, False) for text in CHOICES[1:]),
    ]
    screenshot("qb_item_page")

    # edit: the rows come back filled, one correct at a time for single choice; history shows the diff
    page.get_by_role("link", name="แก้ไข", exact=True).click()
    page.wait_for_url(re.compile(r"/edit/$"))
    assert page.locator(".qb-choice-row:visible").count() == 4
    page.get_by_label("โจทย์").fill(STEM.replace("ถูกต้อง", "ผิด"))
    page.locator(".qb-correct").nth(1).click()
    assert page.locator(".qb-correct input:checked").count() == 1
    page.get_by_label("บันทึกการแก้ไข").fill("กลับคำถามเป็นข้อที่ผิด")
    page.get_by_role("button", name="บันทึก", exact=True).click()
    page.wait_for_url(re.compile(r"/qb/items/\d+/$"))
    page.get_by_role("link", name="ประวัติการแก้ไข").first.click()
    assert page.locator("ins", has_text="ผิด").count() == 1
    assert page.locator("del", has_text="ถูกต้อง").count() == 1
    assert page.locator(".qb-correctness-changed").count() == 2
    screenshot("qb_item_history")
    page.go_back()
    page.get_by_role("button", name="ส่งพิจารณา").click()
    page.wait_for_url(re.compile(r"/qb/items/\d+/$"))
    item.refresh_from_db()
    assert item.status == "in_review"
    assert item.current_version.number == 2
    assert [c.uid for c in item.current_version.choices.all()] == first_uids
    assert [c.is_correct for c in item.current_version.choices.all()] == [False, True, False, False]

    login_as(reviewer, device=verified_device(reviewer))
    page.goto(f"/qb/banks/{bank.pk}/review/")
    assert page.locator("article.qb-review-item").count() == 1
    assert page.get_by_role("button", name="อนุมัติ").is_visible()
    screenshot("qb_review_queue")
    page.get_by_role("button", name="อนุมัติ").click()
    page.wait_for_load_state()
    item.refresh_from_db()
    assert item.status == "approved"
