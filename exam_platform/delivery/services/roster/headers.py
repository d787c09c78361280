"""Column headers: the Thai and English names each roster column may have, and the header row."""

import datetime as dt
import re

from django.utils.translation import gettext as _

from .result import ParsedRow, RosterImportResult, RowMessage
from .table import cell_text

HEADER_ALIASES = {
    "national_id": ("เลขประจำตัวประชาชน", "เลขบัตรประชาชน", "national_id", "nationalid", "national id"),
    "application_number": ("เลขที่ใบสมัคร", "application_number", "application number", "application_no"),
    "title": ("คำนำหน้า", "คำนำหน้าชื่อ", "title"),
    "first_name_th": ("ชื่อ", "ชื่อ (ไทย)", "first_name_th", "first_name", "first name"),
    "last_name_th": ("นามสกุล", "นามสกุล (ไทย)", "last_name_th", "last_name", "last name"),
    "first_name_en": ("ชื่อ (อังกฤษ)", "first_name_en", "first name (english)"),
    "last_name_en": ("นามสกุล (อังกฤษ)", "last_name_en", "last name (english)"),
    "date_of_birth": ("วันเกิด", "วันเดือนปีเกิด", "date_of_birth", "birth_date", "dob"),
    "position": ("ตำแหน่ง", "รหัสตำแหน่ง", "position", "position_code"),
    "phone": ("โทรศัพท์", "เบอร์โทรศัพท์", "phone", "telephone"),
    "email": ("อีเมล", "อีเมล์", "email", "e-mail"),
    "accommodations": ("การอำนวยความสะดวก", "accommodations"),
    "years_of_service": ("อายุราชการ", "อายุราชการ (ปี)", "years_of_service", "years of service"),
    "current_position": ("ตำแหน่งปัจจุบัน", "current_position", "current position"),
}
REQUIRED_COLUMNS = (
    "national_id",
    "application_number",
    "title",
    "first_name_th",
    "last_name_th",
    "date_of_birth",
)


def header_key(text) -> str:
    return re.sub(r"[\s_\-]+", "", str(text or "").replace("\ufeff", "")).lower()


HEADER_LOOKUP = {header_key(alias): column for column, aliases in HEADER_ALIASES.items() for alias in aliases}


def rows_from_table(table, result: RosterImportResult) -> list[ParsedRow]:
    """The data rows under the first non-empty row (the header), keyed by column; header problems go
    to `result` (missing required columns: errors; unknown ones: warnings)."""
    header_index = next((i for i, (_n, cells) in enumerate(table) if any(cell_text(c) for c in cells)), None)
    if header_index is None:
        result.errors.append(RowMessage(1, _("ไฟล์ว่างเปล่า (The file is empty).")))
        return []
    header_number, header_cells = table[header_index]
    columns: dict[int, str] = {}
    for position, cell in enumerate(header_cells):
        column = HEADER_LOOKUP.get(header_key(cell))
        if column is not None:
            if column in columns.values():
                result.errors.append(
                    RowMessage(
                        header_number,
                        _("คอลัมน์ “%(name)s” ซ้ำ (Column “%(name)s” appears twice).") % {"name": cell},
                    )
                )
            columns[position] = column
        elif cell_text(cell):
            result.warnings.append(
                RowMessage(
                    header_number,
                    _("ไม่รู้จักคอลัมน์ “%(name)s” จึงไม่นำเข้า (Unknown column “%(name)s” ignored).")
                    % {"name": cell_text(cell)},
                )
            )
    missing = [HEADER_ALIASES[c][0] for c in REQUIRED_COLUMNS if c not in columns.values()]
    if missing:
        result.errors.append(
            RowMessage(
                header_number,
                _("ไม่พบคอลัมน์ที่ต้องมี: %(names)s (Required columns missing).") % {"names": ", ".join(missing)},
            )
        )
        return []
    rows = []
    for number, cells in table[header_index + 1 :]:
        if not any(cell_text(c) for c in cells):
            continue
        values = {column: "" for column in HEADER_ALIASES}
        for position, column in columns.items():
            cell = cells[position] if position < len(cells) else None
            values[column] = (
                cell if column == "date_of_birth" and isinstance(cell, dt.date) else cell_text(cell)
            )
        rows.append(ParsedRow(number=number, values=values))
    return rows
