"""Scoring screens in a browser: status, a key correction proposed by item number by one officer and
approved with a fresh TOTP code by another, results (screenshots)."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from exam_platform.scoring.services.policies import set_pass_policy
from exam_platform.scoring.services.runs import score_round
from tests.factories import make_staff
from tests.scoring.round_setup import ScoringRound, totp_code

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _signing_key(settings):
    from tests.publication.conftest import TEST_SIGNING_KEY

    settings.PLATFORM_SIGNING_KEY = TEST_SIGNING_KEY
    settings.PLATFORM_SIGNING_KEY_FILE = ""


def test_officer_reviews_a_key_correction_diff_and_applies_it(page, login_as, screenshot):
    officer = make_staff("exam_officer")
    device = TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)
    r = ScoringRound(code="e2e-score")
    r.add_section(1, "ความสามารถทั่วไป")
    r.add_section(2, "ภาษาอังกฤษ")
    r.add_item("q1", 1, "single", points="50", correct=(1,))
    r.add_item("q2", 2, "single", points="50", correct=(0,))
    set_pass_policy(
        r.round,
        actor=officer,
        min_total_percent="60",
        section_minimums=[{"section": 2, "percent": 50}],
        tie_break=[{"by": "section", "section": 2}, {"by": "application_number"}],
    )
    names = ["สมชาย", "สมหญิง", "ประเสริฐ", "วิไล"]
    for k, name in enumerate(names):
        r.sit({"q1": r.pick("q1", 1 if k < 3 else 0), "q2": r.pick("q2", k % 2)}, first_name=name)
    r.entry(first_name="ขาดสอบ")
    score_round(r.round, actor=officer)
    login_as(officer, device)

    page.goto("/scoring/e2e-score/")
    assert page.get_by_role("button", name="คิดคะแนนเดี๋ยวนี้").is_visible()
    screenshot("scoring-status")

    page.goto("/scoring/e2e-score/adjustments/")
    page.get_by_label("ข้อที่").fill("2")
    page.get_by_role("button", name="เปิดข้อนี้").click()
    page.wait_for_url("**/adjustments/items/1/2/")
    assert page.get_by_role("heading", name="ตอนที่ 2 ข้อ 2").is_visible()
    assert page.locator("li.in-key").inner_text().startswith("ก.")
    page.get_by_label("แก้ไขเฉลย", exact=True).check()
    page.get_by_label("ข. ตัวเลือก 2").check()
    page.get_by_label("เหตุผล").fill("ข้อ 2 มีคำตอบถูกสองข้อ")
    screenshot("scoring-adjustment-item")
    html = page.content()
    assert r.items["q2"]["uid"] not in html and not any(c in html for c in r.items["q2"]["choices"])
    page.get_by_role("button", name="เสนอ", exact=True).click()
    page.wait_for_url("**/adjustments/#diff-title")
    assert page.get_by_text("ผลต่างหากใช้การแก้ไขที่เสนอ").is_visible()
    assert page.get_by_text("มีผู้เข้าสอบ 3 คนที่คะแนน ผลการสอบ หรือลำดับที่เปลี่ยน").is_visible()
    assert page.get_by_text("ต้องให้เจ้าหน้าที่สอบอีกคนตรวจผลต่างนี้และอนุมัติ").is_visible()
    screenshot("scoring-adjustment-diff-proposer")

    second = make_staff("exam_officer")
    second_device = TOTPDevice.objects.create(user=second, name="phone", confirmed=True)
    page.context.clear_cookies()
    login_as(second, second_device)
    page.goto("/scoring/e2e-score/adjustments/")
    assert page.get_by_text("ก, ข").first.is_visible()  # the proposed key, by label
    page.get_by_label("ข้าพเจ้าได้ตรวจผลต่างข้างต้นแล้ว และอนุมัติให้ใช้").check()
    page.get_by_label("รหัสยืนยันตัวตนสองขั้นตอน (จากแอปหรือรหัสสำรอง)").fill(totp_code(second))
    screenshot("scoring-adjustment-approve")
    page.get_by_role("button", name="อนุมัติ ใช้การแก้ไข และคิดคะแนนใหม่").click()
    page.wait_for_url("**/results/")
    assert page.get_by_text("ใช้การแก้ไขเฉลยและคิดคะแนนใหม่แล้ว").is_visible()
    assert page.get_by_text("เท่ากันทุกเกณฑ์ — ลำดับร่วม").count() == 0
    assert page.get_by_text("ผ่าน: รวม 100/100 (100 %) ≥ 60 %; ภาษาอังกฤษ 50/50 ≥ 50 %").count() == 3
    screenshot("scoring-results")

    # the result is final: officer 1 prepares the rank list, officer 2 approves it with a fresh code
    page.context.clear_cookies()
    login_as(officer, device)
    page.goto("/publication/")
    assert page.get_by_text("พร้อมจัดเตรียมประกาศ").first.is_visible()
    screenshot("publication-readiness")
    page.get_by_label("รอบการสอบ").select_option(label=str(r.round))
    page.get_by_label("เลขที่ประกาศ").fill("12/2569")
    page.get_by_role("button", name="จัดเตรียม", exact=True).click()
    page.wait_for_url("**/publication/versions/*/")
    assert page.get_by_text("ต้องให้เจ้าหน้าที่สอบอีกคนเป็นผู้อนุมัติ").is_visible()

    version_url = page.url
    page.context.clear_cookies()
    login_as(second, second_device)
    page.goto(version_url)
    page.get_by_role("button", name="อนุมัติและประกาศ").click()  # without confirmation or code
    assert page.get_by_text("กรุณายืนยันว่าได้ตรวจฉบับนี้แล้ว").is_visible()
    page.get_by_label("ข้าพเจ้าได้ตรวจรายชื่อและค่า SHA-256 ของฉบับนี้แล้ว และอนุมัติให้ประกาศ").check()
    page.get_by_label("รหัสยืนยันตัวตนสองขั้นตอน (จากแอปหรือรหัสสำรอง)").fill(totp_code(second))
    screenshot("publication-approve-with-code")
    page.get_by_role("button", name="อนุมัติและประกาศ").click()
    assert page.get_by_text("อนุมัติและประกาศแล้ว (Approved and published).").is_visible()
    screenshot("publication-published")

    # the policy editor: after the list, a change is a proposal with a preview on the current scores
    page.goto("/scoring/e2e-score/policy/")
    assert page.get_by_text("รอบนี้จัดเตรียมประกาศแล้ว:").is_visible()
    page.get_by_label("ลำดับที่ 1").select_option("date_of_birth:younger_first")
    page.get_by_label("ลำดับที่ 2").select_option("")
    page.get_by_role("button", name="แสดงผลต่างจากคะแนนปัจจุบัน").click()
    assert page.get_by_text("ผลต่างหากใช้เกณฑ์นี้ (ยังไม่บันทึก)").is_visible()
    screenshot("scoring-policy-preview")
    page.goto("/scoring/e2e-score/results/?outcome=passed")
    assert page.get_by_text("พบ 3 คน").is_visible()
    screenshot("scoring-results-filtered")
    page.context.add_cookies([{"name": "lang", "value": "en", "url": page.url.split("/scoring/")[0] + "/"}])
    page.goto("/scoring/e2e-score/policy/")
    screenshot("scoring-policy-en")
