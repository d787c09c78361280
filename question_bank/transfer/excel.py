"""Excel (.xlsx) with the Thai template: openpyxl over the item table.

The first sheet holds the items: a Thai header row (frozen), column widths, drop-down lists for
ชนิดข้อสอบ and ความยาก. A second sheet, "คำอธิบาย", explains the columns. An export with no items
is the blank template examiners download and fill in.
"""

import io

from django.utils.translation import gettext as _

from .model import ParseResult, Position, TransferFileError
from .table import COLUMNS, DIFFICULTY_THAI, TYPE_THAI, header_row, item_from_row, map_headers, row_from_item

SHEET_TITLE = "ข้อสอบ"
HELP_TITLE = "คำอธิบาย"
MAX_ROWS = 200_000


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse(data: bytes) -> ParseResult:
    from openpyxl import load_workbook

    result = ParseResult()
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise TransferFileError(
            _("ไม่ใช่ไฟล์ Excel (.xlsx) ที่อ่านได้ (Not a readable .xlsx workbook): %s") % exc
        ) from None
    try:
        sheet = workbook[SHEET_TITLE] if SHEET_TITLE in workbook.sheetnames else workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        headers = next(rows, None)
        if headers is None:
            result.error(Position("row", 1), _("ไฟล์ว่าง (The file is empty)."))
            return result
        keys, errors = map_headers(list(headers), Position("row", 1))
        if errors:
            result.errors += errors
            return result
        for number, cells in enumerate(rows, 2):
            if number > MAX_ROWS:
                result.error(Position("row", number), _("แถวมากเกินไป (Too many rows)."))
                break
            texts = [_cell(c) for c in cells]
            if not any(t.strip() for t in texts):
                continue
            values = {key: text for key, text in zip(keys, texts, strict=False) if key}
            parsed = item_from_row(values, Position("row", number))
            if isinstance(parsed, list):
                result.errors += parsed
            else:
                result.items.append(parsed)
    finally:
        workbook.close()
    return result


def write(items) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from exam_platform.common.spreadsheet import append_row

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    sheet.append(header_row())
    bold = Font(bold=True, name="Sarabun")
    fill = PatternFill("solid", fgColor="DDE7F3")
    for index, (_key, _th, _en, width) in enumerate(COLUMNS, 1):
        cell = sheet.cell(row=1, column=index)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    for item in items:
        append_row(sheet, row_from_item(item))  # a stem starting with "=" stays text, never a formula
    last = max(sheet.max_row, 1000)
    keys = [key for key, *_rest in COLUMNS]
    for key, values in (("type", TYPE_THAI.values()), ("difficulty", DIFFICULTY_THAI.values())):
        letter = get_column_letter(keys.index(key) + 1)
        check = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True)
        check.error = _("เลือกจากรายการ (Choose from the list).")
        sheet.add_data_validation(check)
        check.add(f"{letter}2:{letter}{last}")
    _help_sheet(workbook.create_sheet(HELP_TITLE))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _help_sheet(sheet) -> None:
    from openpyxl.styles import Font

    sheet.append(["คอลัมน์ (Column)", "English header", "คำอธิบาย (What to write)"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    notes = {
        "subject": "รหัสหรือชื่อวิชา (subject code or name)",
        "topic": "รหัสหรือชื่อหัวข้อ (topic code or name)",
        "type": " / ".join(TYPE_THAI.values()),
        "stem": "ข้อความโจทย์ หรือ HTML (text, or HTML with tags)",
        "answer": "ก–จ หรือ A–E; หลายคำตอบ: ก,ค; ตัวเลข: 3.5; คำตอบสั้น: คำตอบ1 | คำตอบ2",
        "difficulty": " / ".join(DIFFICULTY_THAI.values()),
        "tags": "คั่นด้วยจุลภาค (comma separated)",
        "partial_credit": "all_or_nothing / per_choice / proportional",
    }
    for key, th, en, _width in COLUMNS:
        sheet.append([th, en, notes.get(key, "")])
    for letter, width in (("A", 22), ("B", 18), ("C", 70)):
        sheet.column_dimensions[letter].width = width
