"""Eligibility screens in a browser: the candidate's รายงานตัว page (upload, confirm) and the
officer's list lifecycle page (screenshots)."""

import base64

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from exam_platform.eligibility.models import Call
from exam_platform.eligibility.services import (
    call_next,
    decide_use_request,
    record_call_outcome,
    request_list_use,
    upload_reporting_document,
)
from tests.eligibility.list_setup import Arranged, pdf_bytes, upload

pytestmark = pytest.mark.django_db(transaction=True)

POST = "นักทรัพยากรบุคคลปฏิบัติการ สำนักงานเขตพระนคร"


@pytest.fixture(autouse=True)
def _signing_key(settings):
    settings.PLATFORM_SIGNING_KEY = base64.b64encode(bytes(range(32))).decode("ascii")
    settings.PLATFORM_SIGNING_KEY_FILE = ""
    settings.PUBLIC_BASE_URL = "https://exam.example.go.th"


def test_candidate_reports_in_online(page, login_as, screenshot, tmp_path):
    a = Arranged()
    (call,) = call_next(a.elist, actor=a.officer, post=POST, unit="สำนักงานเขตพระนคร", respond_days=7)
    user = a.user_of("กมล")
    upload_reporting_document(
        call, user=user, doc_type="id_card", uploaded=upload("บัตรประชาชน.pdf", pdf_bytes())
    )
    login_as(user)

    page.goto(f"/eligibility/my/{call.uid}/")
    assert page.get_by_role("heading", name="รายงานตัว", exact=True).is_visible()
    assert page.get_by_text(POST).is_visible()
    screenshot("reporting_in")

    fake = tmp_path / "วุฒิการศึกษา.pdf"
    fake.write_bytes(b"<html><body>not a pdf</body></html>")
    page.get_by_label("ประเภทเอกสาร").select_option("education")
    page.get_by_label("ไฟล์").set_input_files(str(fake))
    page.get_by_role("button", name="อัปโหลด").click()
    assert page.get_by_text("The file's content is not a PDF, JPEG or PNG").first.is_visible()
    screenshot("reporting_in_refused")

    for doc_type, name in (("education", "วุฒิ.pdf"), ("medical", "ใบรับรองแพทย์.pdf")):
        good = tmp_path / name
        good.write_bytes(pdf_bytes())
        page.get_by_label("ประเภทเอกสาร").select_option(doc_type)
        page.get_by_label("ไฟล์").set_input_files(str(good))
        page.get_by_role("button", name="อัปโหลด").click()
        assert page.get_by_text("อัปโหลดเอกสารแล้ว").is_visible()
    page.get_by_role("button", name="ยืนยันรายงานตัว").click()
    assert page.get_by_text("ยืนยันการรายงานตัวแล้ว").is_visible()
    screenshot("reporting_in_confirmed")
    call.reporting_in.refresh_from_db()
    assert call.reporting_in.completed is True


def test_officer_list_lifecycle_page(page, login_as, screenshot):
    a = Arranged()
    device = TOTPDevice.objects.create(user=a.officer, name="phone", confirmed=True)
    first, second = call_next(a.elist, actor=a.officer, count=2, post=POST, unit="สำนักงานเขตพระนคร")
    record_call_outcome(first, Call.Outcome.APPOINTED, actor=a.officer)
    record_call_outcome(second, Call.Outcome.DECLINED, actor=a.officer, notes="แจ้งเป็นหนังสือ")
    approved = request_list_use(
        a.elist, actor=a.officer, unit="สำนักงานเขตบางรัก", positions_count=2, reason="อัตราว่างจากการโอนย้าย"
    )
    decide_use_request(approved, True, actor=a.officer)
    request_list_use(
        a.elist, actor=a.officer, unit="สำนักการแพทย์", positions_count=1, reason="ขอใช้บัญชีตำแหน่งเดียวกัน"
    )
    login_as(a.officer, device)

    page.goto(f"/eligibility/lists/{a.elist.pk}/")
    page.get_by_label("จำนวนที่เรียก (คน)").fill("2")
    page.get_by_label("ตำแหน่ง/หน่วยงานที่บรรจุ").fill("นักทรัพยากรบุคคลปฏิบัติการ สำนักงานเขตบางรัก")
    page.get_by_label("เรียกตามคำขอใช้บัญชี").select_option(str(approved.pk))
    page.get_by_role("button", name="เรียกลำดับถัดไป").click()
    assert page.get_by_text("เรียกรายงานตัวแล้ว 2 คน").is_visible()
    assert Call.objects.count() == 5
    screenshot("eligibility_list")
