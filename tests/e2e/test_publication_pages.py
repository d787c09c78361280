"""Publication in a browser: the public list (after a correction), the candidate's result page, the
verification of a downloaded file, and the PDF announcement rendered to PNG (screenshots)."""

import shutil
import subprocess

import pytest

from exam_platform.publication.services import approve_and_publish, prepare_rank_list, publish_correction
from tests.e2e.conftest import SCREENSHOT_DIR
from tests.publication.conftest import TEST_SIGNING_KEY
from tests.publication.list_setup import ScoredRound, fresh_code, two_officers

pytestmark = pytest.mark.django_db(transaction=True)

PEOPLE = [
    ("กมลวรรณ", "เกษมสุข", ("46", "44")),
    ("ณัฐวุฒิ", "ศรีสุข", ("45", "40")),
    ("ปิยะฉัตร", "แก้วประเสริฐ", ("40", "42")),
    ("ธนพล", "บุญมี", ("41", "40")),
    ("ศิริพร", "ทองคำ", ("40", "41")),
    ("กิตติศักดิ์", "พึ่งน้ำ", ("38", "40")),
    ("สุทธิดา", "สุวรรณภูมิ", ("39", "38")),
    ("วีรยุทธ", "เรืองศรี", ("35", "40")),
    ("กัญญ์ณัฏฐ์", "ชื่นใจ", ("36", "36")),
    ("พงษ์ศักดิ์", "วงศ์สวัสดิ์", ("36", "36")),
    ("เบญจมาศ", "ผู้มีบุญ", ("33", "33")),
    ("ชัยวัฒน์", "ตั้งมั่น", ("20", "25")),
]


@pytest.fixture(autouse=True)
def _signing_key(settings):
    settings.PLATFORM_SIGNING_KEY = TEST_SIGNING_KEY
    settings.PUBLIC_BASE_URL = "https://exam.bangkok.go.th"


def _round():
    scored = ScoredRound()
    totals = sorted({sum(int(s) for s in secs) for _f, _l, secs in PEOPLE}, reverse=True)
    entries = []
    for first, last, sections in PEOPLE:
        total = sum(int(s) for s in sections)
        passed = total >= 60
        rank = 1 + sum(1 for f, la, s in PEOPLE if sum(int(x) for x in s) > total) if passed else None
        entries.append(scored.candidate(sections, rank=rank, passed=passed, first_name=first, last_name=last))
    assert totals
    return scored, entries


def test_public_list_candidate_result_and_pdf(page, login_as, screenshot, live_server, tmp_path):
    scored, entries = _round()
    preparer, approver = two_officers()
    for officer, name in ((preparer, "นายเอกชัย อยู่เย็น"), (approver, "นางสาวพิมพ์ชนก รุ่งทิวา")):
        officer.display_name = name
        officer.save()
    v1 = approve_and_publish(
        prepare_rank_list(
            scored.round,
            actor=preparer,
            title="ประกาศรายชื่อผู้สอบแข่งขันได้ ตำแหน่งนักทรัพยากรบุคคลปฏิบัติการ",
            announcement_number="๔๕๖/๒๕๖๙",
        ),
        actor=approver,
        code=fresh_code(approver),
    )
    # a key correction moves one candidate up
    scored.new_run()
    scored.set_result(
        entries[4],
        total="84.00",
        rank=3,
        explanation="ผ่าน: รวม 84/100 (84 %) ≥ 60 %",
        section_scores=[
            {"section": 1, "title": "ภาษาไทย", "score": "43", "max": "50"},
            {"section": 2, "title": "ภาษาอังกฤษ", "score": "41", "max": "50"},
        ],
    )
    scored.set_result(entries[2], rank=4)
    scored.set_result(entries[3], rank=5)
    v2 = approve_and_publish(
        publish_correction(v1.rank_list, actor=approver, change_note="แก้ไขเฉลยข้อ 37 ตามมติคณะกรรมการ"),
        actor=preparer,
        code=fresh_code(preparer),
    )

    page.goto(f"/lists/{v2.rank_list_id}/v2/")
    assert page.get_by_text("ลายเซ็นถูกต้อง (signature valid)").first.is_visible()
    assert page.get_by_text("การเปลี่ยนแปลงจากฉบับที่ 1").is_visible()
    screenshot("public_list")

    page.goto("/verify/")
    page.set_input_files(
        "#id_file",
        files=[
            {"name": "list.csv", "mimeType": "text/csv", "buffer": bytes(v2.files.get(kind="csv").content)}
        ],
    )
    page.get_by_role("button", name="ตรวจสอบไฟล์").click()
    assert page.get_by_text("ไฟล์ตรงกับประกาศที่เผยแพร่ (genuine)").is_visible()
    screenshot("verify_page")

    login_as(entries[4].candidate.user)
    page.goto("/results/")
    assert page.get_by_role("link", name="ดาวน์โหลดใบแจ้งผลคะแนน (PDF)").is_visible()
    screenshot("result_page")

    pdf = SCREENSHOT_DIR / "rank_list.pdf"
    pdf.write_bytes(bytes(v2.files.get(kind="pdf").content))
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "70", str(pdf), str(SCREENSHOT_DIR / "rank_list_pdf")], check=True
        )
        assert (SCREENSHOT_DIR / "rank_list_pdf-1.png").exists()

    from exam_platform.publication.queries import standing_of
    from exam_platform.publication.slip import slip_pdf

    entry = entries[4]
    entry.refresh_from_db()
    standing = standing_of(entry)
    slip = SCREENSHOT_DIR / "score_slip.pdf"
    slip.write_bytes(
        slip_pdf(
            entry.result, rank=standing.row["rank"], list_ref=standing.list_ref, list_title=v2.rank_list.title
        )
    )
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "70", str(slip), str(SCREENSHOT_DIR / "score_slip")], check=True
        )
