"""Everyday scale in a real browser: a reviewer filters a bank's items, selects all matching,
approves them after the confirmation; an officer marks a called candidate's reporting-in documents
checked (in bulk after a confirmation, and one by one)."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from question_bank.models import Item
from tests.factories import make_bank, make_examiner, make_item

pytestmark = pytest.mark.e2e


@pytest.fixture
def review_bank(transactional_db):
    author = make_examiner(username="e2e.author", display_name="สมชาย เขียนข้อสอบ")
    reviewer = make_examiner(username="e2e.reviewer", display_name="วิไล พิจารณา")
    bank = make_bank(name="คลังภาค ก ทดลอง", members={author: "author", reviewer: "reviewer"})
    hard_in_review = [
        make_item(
            bank, actor=author, status="in_review", difficulty="hard", stem=f"<p>ข้อยากที่ {n}: คำใดสะกดถูก</p>"
        )
        for n in range(1, 28)
    ]
    drafts = [make_item(bank, actor=author, difficulty="hard", stem=f"<p>ร่างที่ {n}</p>") for n in range(1, 4)]
    easy = [make_item(bank, actor=author, status="in_review", difficulty="easy") for _ in range(4)]
    device = TOTPDevice.objects.create(user=reviewer, name="phone", confirmed=True)
    return {
        "bank": bank,
        "reviewer": reviewer,
        "device": device,
        "hard": hard_in_review,
        "drafts": drafts,
        "easy": easy,
    }


def _statuses(items):
    return set(Item.objects.filter(pk__in=[i.pk for i in items]).values_list("status", flat=True))


def test_reviewer_selects_all_matching_and_approves_after_the_confirmation(
    page, screenshot, login_as, review_bank
):
    bank = review_bank["bank"]
    login_as(review_bank["reviewer"], review_bank["device"])
    page.goto(f"/qb/banks/{bank.pk}/items/")

    page.get_by_label("ความยาก").select_option("hard")
    page.get_by_role("button", name="ค้นหา").click()
    page.wait_for_url(re.compile(r"difficulty=hard"))
    assert "พบ 30 ข้อ" in page.locator(".qb-result-count").inner_text()
    assert page.locator('input[name="item"]').count() == 25

    # every row's checkbox is named for its item; the page box ticks them all
    first = page.locator("table.qb-item-table tbody tr").first
    first_id = first.locator("td.num").first.inner_text()
    assert page.get_by_label(re.compile(rf"^เลือกข้อสอบรหัส {first_id}: ")).count() == 1
    page.get_by_label("เลือกทุกข้อในหน้านี้").check()
    assert page.locator('input[name="item"]:checked').count() == 25
    assert "เลือกแล้ว 25 ข้อในหน้านี้" in page.locator("#bulk-count").inner_text()
    page.get_by_label("เลือกทั้งหมด 30 ข้อที่ตรงกับตัวกรอง (ทุกหน้า)").check()
    page.get_by_label("คำสั่ง").select_option("approve")
    screenshot("bulk_item_list_selected")

    page.get_by_role("button", name="ตรวจดูก่อนยืนยัน").click()
    page.wait_for_url(re.compile(r"/items/bulk/$"))
    summary = page.locator(".qb-bulk-summary").inner_text()
    assert "เลือกไว้ 30 ข้อ" in summary and "จะอนุมัติ 27 ข้อ" in summary and "ข้าม 3 ข้อ" in summary
    assert page.locator("td.reason").all_inner_texts() == ["สถานะปัจจุบันคือ ฉบับร่าง ซึ่งอนุมัติไม่ได้"] * 3
    assert _statuses(review_bank["hard"]) == {"in_review"}  # nothing written yet
    screenshot("bulk_item_confirm")

    page.get_by_label("ความเห็น (ไม่บังคับ บันทึกในทุกข้อ)").fill("ตรวจแล้ว ถูกต้องตามหลักเกณฑ์")
    page.get_by_role("button", name="ยืนยันอนุมัติ 27 ข้อ").click()
    page.wait_for_url(re.compile(r"/items/\?.*difficulty=hard"))
    assert "อนุมัติ 27 ข้อแล้ว" in page.locator("body").inner_text()
    assert _statuses(review_bank["hard"]) == {"approved"}
    assert _statuses(review_bank["drafts"]) == {"draft"}
    assert _statuses(review_bank["easy"]) == {"in_review"}
    screenshot("bulk_item_done")

    page.context.add_cookies([{"name": "lang", "value": "en", "url": page.url.split("/qb/")[0] + "/"}])
    page.goto(f"/qb/banks/{bank.pk}/items/?status=in_review")
    screenshot("bulk_item_list_en")


@pytest.fixture
def called_with_documents(transactional_db, settings):
    from tests.eligibility.conftest import TEST_SIGNING_KEY
    from tests.eligibility.list_setup import Arranged, pdf_bytes, png_bytes, upload

    settings.PLATFORM_SIGNING_KEY = TEST_SIGNING_KEY
    settings.PLATFORM_SIGNING_KEY_FILE = ""
    settings.PUBLIC_BASE_URL = "https://exam.example.go.th"
    from exam_platform.eligibility.services import call_next, upload_reporting_document

    a = Arranged()
    calls = call_next(a.elist, actor=a.officer, count=2, post="นักจัดการงานทั่วไปปฏิบัติการ")
    documents = {}
    for call in calls:
        user = call.entry.candidate.user
        documents[call.pk] = [
            upload_reporting_document(
                call, user=user, doc_type="id_card", uploaded=upload("บัตร.pdf", pdf_bytes())
            ),
            upload_reporting_document(
                call, user=user, doc_type="education", uploaded=upload("วุฒิ.png", png_bytes())
            ),
        ]
    device = TOTPDevice.objects.create(user=a.officer, name="phone", confirmed=True)
    return a, calls, documents, device


def test_officer_marks_a_called_candidates_documents_checked(
    page, screenshot, login_as, called_with_documents
):
    from exam_platform.eligibility.models import ReportingDocument

    a, calls, documents, device = called_with_documents
    first, second = calls
    login_as(a.officer, device)
    page.goto(f"/eligibility/lists/{a.elist.pk}/")
    page.get_by_role("link", name="ตรวจเอกสารรายงานตัว").click()
    page.wait_for_url(re.compile(r"/reporting-in/$"))
    assert page.locator("tbody tr").count() == 2
    screenshot("reporting_documents_list")

    # the document opens through the permission-checking view, as a download
    with page.expect_download() as download:
        page.locator(f"#call-{first.pk}").get_by_role("link", name="สำเนาบัตรประจำตัวประชาชน").click()
    assert download.value.suggested_filename == f"{first.exam_number}-id_card.pdf"

    # tick both documents of the first candidate, confirm
    page.get_by_label(f"เลือกสำเนาบัตรประจำตัวประชาชนของ {first.name}").check()
    page.get_by_label(f"เลือกสำเนาวุฒิการศึกษาของ {first.name}").check()
    page.get_by_role("button", name="ตรวจดูก่อนยืนยัน").click()
    page.wait_for_url(re.compile(r"/reporting-in/check$"))
    assert "จะบันทึกว่าตรวจแล้ว 2 ฉบับ ของผู้ถูกเรียก 1 คน" in page.locator(".lead").inner_text()
    screenshot("reporting_documents_confirm")
    page.get_by_role("button", name="ยืนยันว่าตรวจแล้ว 2 ฉบับ").click()
    page.wait_for_url(re.compile(r"/reporting-in/$"))
    assert "บันทึกว่าตรวจเอกสารแล้ว 2 ฉบับ ของผู้ถูกเรียก 1 คน" in page.locator("body").inner_text()
    assert page.locator(f"#call-{first.pk} .ok").count() == 2

    # one by one for the second candidate, by its button
    page.get_by_role("button", name=f"บันทึกว่าตรวจสำเนาวุฒิการศึกษาของ {second.name} แล้ว").click()
    page.wait_for_url(re.compile(r"/reporting-in/$"))
    checked = ReportingDocument.objects.filter(checked_at__isnull=False)
    assert sorted(checked.values_list("pk", flat=True)) == sorted(
        [d.pk for d in documents[first.pk]] + [documents[second.pk][1].pk]
    )

    # the filter "documents to check" now shows only the second candidate
    page.get_by_label("เอกสาร", exact=True).select_option("to_check")
    page.get_by_role("button", name="ค้นหา").click()
    page.wait_for_url(re.compile(r"documents=to_check"))
    assert page.locator("tbody tr").count() == 1
    assert page.locator(f"#call-{second.pk}").count() == 1
    screenshot("reporting_documents_checked")

    page.context.add_cookies(
        [{"name": "lang", "value": "en", "url": page.url.split("/eligibility/")[0] + "/"}]
    )
    page.goto(f"/eligibility/lists/{a.elist.pk}/reporting-in/")
    screenshot("reporting_documents_en")
