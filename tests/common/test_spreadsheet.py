"""common/spreadsheet.py: typed, formula-safe cells for every Excel export."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from exam_platform.common.spreadsheet import DATE_FORMAT, DATETIME_FORMAT, append_row


def roundtrip(values, *, write_only=True):
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("s") if write_only else book.active
    append_row(sheet, values)
    out = io.BytesIO()
    book.save(out)
    return list(load_workbook(io.BytesIO(out.getvalue())).worksheets[0][1])


@pytest.mark.parametrize("write_only", [True, False])
def test_append_row_aware_datetime_is_a_bangkok_local_excel_date(write_only):
    moment = dt.datetime(2026, 11, 21, 2, 30, 5, 123456, tzinfo=dt.UTC)  # 09:30:05 in Bangkok

    (cell,) = roundtrip([moment], write_only=write_only)

    assert cell.is_date
    assert cell.value == dt.datetime(2026, 11, 21, 9, 30, 5)
    assert cell.number_format == DATETIME_FORMAT


def test_append_row_date_is_an_excel_date():
    (cell,) = roundtrip([dt.date(2026, 11, 21)])

    assert cell.is_date and cell.number_format == DATE_FORMAT
    assert cell.value == dt.datetime(2026, 11, 21)  # Excel stores a date as a day serial


def test_append_row_numbers_stay_numbers_and_numeric_text_stays_text():
    cells = roundtrip([7, 85.5, Decimal("42.25"), "00042", None, True])

    assert [c.data_type for c in cells[:3]] == ["n", "n", "n"]
    assert [c.value for c in cells[:3]] == [7, 85.5, 42.25]
    assert cells[3].data_type == "s" and cells[3].value == "00042"
    assert cells[4].value is None
    assert cells[5].value is True


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_append_row_formula_like_text_stays_text(text):
    (cell,) = roundtrip([text])

    assert cell.data_type == "s"
    assert cell.value == text.replace("\r", "\n")  # XML reads a CR back as a line feed
    assert cell.quotePrefix


def test_append_row_plain_text_has_no_quote_prefix():
    (cell,) = roundtrip(["สมชาย ใจดี"])

    assert cell.data_type == "s" and not cell.quotePrefix
