"""Malformed files: every error with its line/row (Thai + English), and nothing written."""

from pathlib import Path

import pytest

from exam_platform.common.models import AuditEntry
from question_bank.models import Category, Choice, Item, ItemVersion
from question_bank.transfer import import_items
from tests.factories import make_bank, make_examiner

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Item, ItemVersion, Choice, AuditEntry, Category))


@pytest.fixture
def author():
    return make_examiner()


@pytest.fixture
def bank(author):
    bank = make_bank(members={author: "author"})
    thai = Category.objects.create(bank=bank, code="thai", name="ภาษาไทย ป.")
    Category.objects.create(bank=bank, parent=thai, code="reading", name="การอ่านจับใจความ")
    return bank


def errors_of(bank, author, name, fmt, **options) -> list[tuple[str, str]]:
    before = counts()
    report = import_items(bank, (FIXTURES / name).read_bytes(), fmt, actor=author, **options)
    assert counts() == before  # all or nothing: not one row written
    assert report.created == 0
    return [(e.position.label() if e.position else "", e.message) for e in report.errors]


def test_transfer_errors_gift_names_every_bad_line_and_writes_nothing(bank, author):
    errors = errors_of(bank, author, "broken.gift", "gift")

    assert [where for where, _m in errors] == [
        "บรรทัด 8 (line 8)",
        "บรรทัด 10 (line 10)",
        "บรรทัด 12 (line 12)",
        "บรรทัด 14 (line 14)",
    ]
    assert "No answer block" in errors[0][1] and "ไม่พบส่วนคำตอบ" in errors[0][1]
    assert "Only one '=' answer" in errors[1][1]
    assert "Invalid numeric answer" in errors[2][1]
    assert "Empty choice" in errors[3][1]


def test_transfer_errors_aiken_names_every_bad_line_and_writes_nothing(bank, author):
    errors = errors_of(bank, author, "broken_aiken.txt", "aiken", default_category=bank.categories.first())

    assert errors == [
        ("บรรทัด 4 (line 4)", "คำตอบ 'C' ไม่ตรงกับตัวเลือกใด (The answer 'C' is not one of the choices)."),
        ("บรรทัด 6 (line 6)", "ไม่พบบรรทัด ANSWER: ของข้อนี้ (Missing 'ANSWER:' line)."),
        ("บรรทัด 10 (line 10)", "ต้องมีตัวเลือกอย่างน้อย 2 ข้อ (At least two choices are needed)."),
    ]


def test_transfer_errors_csv_names_every_bad_row_and_writes_nothing(bank, author):
    errors = errors_of(bank, author, "broken.csv", "csv")

    assert [where for where, _m in errors] == [
        "แถว 3 (row 3)",
        "แถว 4 (row 4)",
        "แถว 5 (row 5)",
        "แถว 6 (row 6)",
    ]
    assert "The answer must be choice letters" in errors[0][1]
    assert "Unknown item type" in errors[1][1]
    assert "Difficulty must be easy, medium or hard" in errors[2][1]
    assert "ไม่พบหัวข้อ 'nowhere'" in errors[3][1]


def test_transfer_errors_moodle_xml_names_question_lines_and_writes_nothing(bank, author):
    errors = errors_of(
        bank, author, "broken_moodle.xml", "moodlexml", default_category=bank.categories.first()
    )

    assert [where for where, _m in errors] == ["บรรทัด 9 (line 9)", "บรรทัด 14 (line 14)", "บรรทัด 16 (line 16)"]
    assert "Question type not supported" in errors[0][1]
    assert "Invalid numerical answer" in errors[1][1]
    assert "The stem must not be empty" in errors[2][1]


def test_transfer_errors_malformed_xml_reports_the_parser_line(bank, author):
    data = b'<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n<question type="essay">\n</quiz>\n'
    report = import_items(bank, data, "moodlexml", actor=author)

    assert [e.position.label() for e in report.errors] == ["บรรทัด 4 (line 4)"]
    assert "Malformed XML" in report.errors[0].message


def test_transfer_errors_xml_entity_bomb_is_refused(bank, author):
    data = b'<!DOCTYPE quiz [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><quiz>&b;</quiz>'
    report = import_items(bank, data, "moodlexml", actor=author)

    assert "Forbidden XML construct" in report.errors[0].message
    assert Item.objects.count() == 0


def test_transfer_errors_excel_names_rows(bank, author):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["รหัสวิชา", "รหัสหัวข้อ", "ชนิดข้อสอบ", "โจทย์", "ตัวเลือก ก", "ตัวเลือก ข", "คำตอบ"])
    sheet.append(["thai", "reading", "ปรนัย", "ข้อดี", "หนึ่ง", "สอง", "ก"])
    sheet.append(["thai", "reading", "ปรนัย", "", "หนึ่ง", "สอง", "ก"])
    sheet.append(["thai", "reading", "ตัวเลข", "สองบวกสอง", None, None, "สี่"])
    import io

    out = io.BytesIO()
    workbook.save(out)
    before = counts()

    report = import_items(bank, out.getvalue(), "xlsx", actor=author)

    assert [e.position.label() for e in report.errors] == ["แถว 3 (row 3)", "แถว 4 (row 4)"]
    assert "The stem must not be empty" in report.errors[0].message
    assert "A numeric answer value is required" in report.errors[1].message
    assert counts() == before


def test_transfer_errors_unknown_column_is_reported_on_row_one(bank, author):
    data = "โจทย์,คำตอบ,ตัวเลือกก\nข้อหนึ่ง,ก,หนึ่ง\n".encode()

    report = import_items(bank, data, "csv", actor=author)

    assert [str(e) for e in report.errors] == ["แถว 1 (row 1): ไม่รู้จักคอลัมน์ 'ตัวเลือกก' (Unknown column)."]


def test_transfer_errors_qti_package_without_manifest_is_refused(bank, author):
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("items/a.xml", "<x/>")

    report = import_items(bank, out.getvalue(), "qti", actor=author)

    assert "imsmanifest.xml is missing" in report.errors[0].message


def test_transfer_errors_qti_item_names_its_file_and_line(bank, author):
    import io
    import zipfile

    from question_bank.transfer.qti import manifest_xml

    item = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0" identifier="x">\n'
        "<qti-item-body><p>ไม่มีตัวเลือก</p></qti-item-body>\n"
        "</qti-assessment-item>\n"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("items/x.xml", item)
        package.writestr("imsmanifest.xml", manifest_xml([("x", "items/x.xml")]))

    report = import_items(bank, out.getvalue(), "qti", actor=author)

    assert [str(e.position) for e in report.errors] == ["items/x.xml: บรรทัด 2 (line 2)"]
    assert "Only choice interactions are supported" in report.errors[0].message


def test_transfer_errors_non_utf8_file_is_refused_with_a_clear_message(bank, author):
    data = "คำใดสะกดถูกต้อง {=น้ำแข็ง ~น้ำแขง}".encode("cp874")

    report = import_items(bank, data, "gift", actor=author)

    assert len(report.errors) == 1
    assert "not UTF-8" in report.errors[0].message and "UTF-8" in report.errors[0].message
    assert report.errors[0].position.label() == "บรรทัด 1 (line 1)"


def test_transfer_errors_missing_category_without_default_names_the_line(bank, author):
    report = import_items(bank, "ข้อหนึ่ง {=ก ~ข}".encode(), "gift", actor=author)

    assert [str(e) for e in report.errors] == [
        "บรรทัด 1 (line 1): ไม่ได้ระบุหมวด (วิชา/หัวข้อ) ให้ระบุในไฟล์หรือเลือกหมวดเริ่มต้น "
        "(No category: name one in the file or choose a default category)."
    ]
