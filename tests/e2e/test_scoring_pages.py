"""Scoring screens in a browser: status, key correction with its diff, apply, results (screenshots)."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from exam_platform.scoring.services.policies import set_pass_policy
from exam_platform.scoring.services.runs import score_round
from tests.factories import make_staff
from tests.scoring.round_setup import ScoringRound

pytestmark = pytest.mark.django_db(transaction=True)


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
    page.get_by_label("รหัสข้อสอบ (UUID)").fill(r.items["q2"]["uid"])
    page.get_by_label("การแก้ไข").select_option("award_all")
    page.get_by_label("เหตุผล").fill("ข้อ 2 มีคำตอบถูกสองข้อ")
    page.get_by_role("button", name="เสนอ", exact=True).click()
    assert page.get_by_text("ผลต่างหากใช้การแก้ไขที่เสนอ").is_visible()
    assert page.get_by_text("มีผู้เข้าสอบ 3 คนที่คะแนน ผลการสอบ หรือลำดับที่เปลี่ยน").is_visible()
    screenshot("scoring-adjustment-diff")
    page.get_by_role("button", name="ยืนยันใช้การแก้ไขและคิดคะแนนใหม่").click()
    page.wait_for_url("**/results/")
    assert page.get_by_text("ใช้การแก้ไขเฉลยและคิดคะแนนใหม่แล้ว").is_visible()
    assert page.get_by_text("เท่ากันทุกเกณฑ์ — ลำดับร่วม").count() == 0
    assert page.get_by_text("ผ่าน: รวม 100/100 (100 %) ≥ 60 %; ภาษาอังกฤษ 50/50 ≥ 50 %").count() == 3
    screenshot("scoring-results")
