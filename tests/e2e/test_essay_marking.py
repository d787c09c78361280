"""Blind essay marking in a browser: the marker's queue and mark form, the officer's overview
(screenshots var/screenshots/essay_marking*.png)."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from exam_platform.scoring.models import EssayMark
from exam_platform.scoring.services.essay_markers import assign_essay_marker
from exam_platform.scoring.services.policies import set_pass_policy
from tests.factories import make_staff
from tests.scoring.round_setup import ScoringRound

pytestmark = pytest.mark.django_db(transaction=True)

STEM = (
    "<p>จงอธิบายหลักธรรมาภิบาล 6 ประการ และยกตัวอย่างการนำไปใช้ในการให้บริการประชาชน"
    "ของสำนักงานเขต อย่างน้อย 2 ตัวอย่าง</p>"
)
ANSWER = (
    "หลักธรรมาภิบาลประกอบด้วย หลักนิติธรรม หลักคุณธรรม หลักความโปร่งใส หลักการมีส่วนร่วม "
    "หลักความรับผิดชอบ และหลักความคุ้มค่า\n\n"
    "ตัวอย่างที่ 1: สำนักงานเขตเปิดเผยขั้นตอนและระยะเวลาการขออนุญาตก่อสร้างบนเว็บไซต์ "
    "ประชาชนติดตามสถานะคำขอได้เอง (หลักความโปร่งใส)\n"
    "ตัวอย่างที่ 2: จัดประชุมประชาคมก่อนปรับปรุงสวนสาธารณะในชุมชน (หลักการมีส่วนร่วม)"
)


def essay_round(officer):
    r = ScoringRound(code="e2e-essay")
    r.round.title = "การสอบแข่งขันเพื่อบรรจุเป็นข้าราชการกรุงเทพมหานคร ครั้งที่ 1/2569"
    r.round.save(update_fields=["title"])
    r.add_section(1, "ความรู้ความสามารถทั่วไป")
    r.add_item("q1", 1, "single", points="1", correct=(0,))
    r.add_item("e1", 1, "essay", points="10")
    r.add_item("e2", 1, "essay", points="20")
    set_pass_policy(r.round, actor=officer, essay_markers=2, essay_disagreement_threshold="2")
    entries = []
    for k, name in enumerate(["สมศักดิ์", "มาลัย", "ธีรพงษ์"]):
        entry = r.sit(
            {"q1": r.pick("q1", 0), "e1": {"text": ANSWER}, "e2": {"text": f"คำตอบข้อ 2 ของผู้สอบ {k + 1}"}},
            first_name=name,
        )
        for section in entry.attempt.form["sections"]:
            for item in section["items"]:
                if item["uid"] == r.items["e1"]["uid"]:
                    item["stem"] = STEM
                elif item["uid"] == r.items["e2"]["uid"]:
                    item["stem"] = "<p>เขียนเรียงความเรื่อง กรุงเทพมหานครเมืองน่าอยู่สำหรับทุกคน</p>"
        entry.attempt.save(update_fields=["form"])
        entries.append(entry)
    return r, entries


def test_marker_marks_blind_and_officer_sees_progress(page, login_as, screenshot):
    officer = make_staff("exam_officer", display_name="นางสาววรรณา เจ้าหน้าที่สอบ")
    marker = make_staff("examiner", display_name="นายกิตติ ผู้ตรวจ")
    r, entries = essay_round(officer)
    assign_essay_marker(r.round, marker=marker, actor=officer)
    login_as(marker, TOTPDevice.objects.create(user=marker, name="phone", confirmed=True))

    page.goto("/scoring/e2e-essay/essays/")
    assert page.get_by_text("รอท่านตรวจ 6 ข้อ").is_visible()
    html = page.content()
    for entry in entries:
        for secret in (
            entry.candidate.first_name_th,
            entry.candidate.national_id,
            entry.exam_number,
            entry.application_number,
        ):
            assert secret not in html
    screenshot("essay_marking")

    page.get_by_role("link", name="เริ่มตรวจข้อแรก").click()
    assert page.get_by_text("หลักธรรมาภิบาลประกอบด้วย").is_visible()
    screenshot("essay_marking_form")
    page.get_by_label("คะแนน:", exact=True).fill("11")
    page.get_by_role("button", name="บันทึกคะแนน").click()
    assert page.get_by_text("คะแนนต้องอยู่ระหว่าง 0 ถึง 10 (Points must be 0 to 10).").is_visible()
    screenshot("essay_marking_error")
    page.get_by_label("คะแนน:", exact=True).fill("7.5")
    page.get_by_label("ความเห็นของผู้ตรวจ (ไม่บังคับ)").fill("ครบ 6 หลัก ตัวอย่างชัดเจน")
    page.get_by_role("button", name="บันทึกคะแนน").click()
    assert page.get_by_text("บันทึกคะแนนของ").is_visible()
    assert EssayMark.objects.get().points == 7.5

    page.context.clear_cookies()
    login_as(officer, TOTPDevice.objects.create(user=officer, name="phone", confirmed=True))
    page.goto("/scoring/e2e-essay/essays/overview/")
    assert page.locator('[data-count="total"]').inner_text() == "6"
    assert page.locator('[data-count="awaiting_second"]').inner_text() == "1"
    screenshot("essay_marking_overview")
