"""Reading a roster file into (row number, cells): CSV (UTF-8 with or without BOM, or TIS-620) or .xlsx."""

import csv
import datetime as dt
import io

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def cell_text(value) -> str:
    """A cell as trimmed text with single spaces; Excel's 1101700203451.0 as 1101700203451."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel stores 1101700203451 as a float
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return " ".join(str(value).split())


def read_table(data: bytes, filename: str) -> list[tuple[int, list]]:
    """(row number, cells) of a CSV (UTF-8 with or without BOM, or TIS-620) or .xlsx file.

    Raises ValidationError for a file that cannot be read.
    """
    name = (filename or "").lower()
    if name.endswith(".xls"):
        raise ValidationError(
            _("ไม่รองรับไฟล์ .xls โปรดบันทึกเป็น .xlsx หรือ .csv (.xls is not supported: save as .xlsx or .csv).")
        )
    if name.endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise ValidationError(
                _("อ่านไฟล์ Excel ไม่ได้ (The Excel file cannot be read): %(error)s") % {"error": exc}
            ) from None
        return [(number, list(row)) for number, row in enumerate(sheet.iter_rows(values_only=True), start=1)]
    for encoding in ("utf-8-sig", "cp874"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationError(_("อ่านไฟล์ CSV ไม่ได้ (The CSV file cannot be decoded)."))
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    return list(enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1))


def count_data_rows(data: bytes, filename: str) -> int:
    """Rows after the header, roughly (for choosing between importing at once and a job)."""
    table = read_table(data, filename)
    return max(sum(1 for _n, cells in table if any(cell_text(c) for c in cells)) - 1, 0)
