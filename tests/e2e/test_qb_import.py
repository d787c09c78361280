"""The import page in a browser: a malformed file shows every error with its line; screenshot."""

from pathlib import Path

from django_otp.plugins.otp_totp.models import TOTPDevice

from question_bank.models import Item
from tests.factories import make_bank, make_examiner

FIXTURES = Path(__file__).resolve().parents[1] / "question_bank" / "fixtures"


def test_qb_import_errors_page_lists_every_line(page, screenshot, login_as, transactional_db):
    author = make_examiner(username="import.author", display_name="สมหญิง นำเข้า")
    bank = make_bank(name="คลังข้อสอบภาษาไทย", members={author: "author"})
    login_as(author, TOTPDevice.objects.create(user=author, name="phone", confirmed=True))

    page.goto(f"/qb/banks/{bank.pk}/import/")
    page.set_input_files("input[name=file]", str(FIXTURES / "broken.gift"))
    page.select_option("select[name=format]", "gift")
    page.get_by_role("button", name="นำเข้า").click()

    alert = page.get_by_role("alert")
    assert "ไม่ได้นำเข้า: พบข้อผิดพลาด 4 รายการ" in alert.inner_text()
    cells = page.locator("table.qb-errors td.qb-where").all_inner_texts()
    assert cells == ["บรรทัด 8 (line 8)", "บรรทัด 10 (line 10)", "บรรทัด 12 (line 12)", "บรรทัด 14 (line 14)"]
    assert Item.objects.count() == 0
    screenshot("qb_import_errors")
