"""Cells of the Excel (.xlsx) exports: dates stay dates, numbers stay numbers, text is never a formula.

Every workbook the platform writes (results, rank lists, eligibility calls, question-bank exports)
appends its rows through ``append_row``:

    book = Workbook(write_only=True)
    sheet = book.create_sheet("ผลคะแนน")
    append_row(sheet, ["ลำดับที่", "วันที่เรียก"])
    append_row(sheet, [1, call.called_at])      # an int and an Excel date-time "dd/mm/yyyy hh:mm"

- ``datetime``: Excel has no time zones, so an aware datetime is written in local time
  (TIME_ZONE, Asia/Bangkok) without its zone, formatted ``dd/mm/yyyy hh:mm``; a ``date`` as
  ``dd/mm/yyyy``. Excel shows them in the Gregorian calendar (it sorts and filters them as dates).
- ``int``, ``float``, ``Decimal``: numbers. Numbers written as text (an exam number "00042") stay
  text: leading zeros matter.
- text: always a string cell, never a formula, even when it starts with ``= + - @``, a tab or a CR
  (spreadsheet formula injection, OWASP "CSV injection"); such cells also get Excel's quote prefix,
  so editing the cell in Excel does not turn it into a formula either.
"""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"


def excel_datetime(value: dt.datetime) -> dt.datetime:
    """``value`` as Excel wants it: local wall-clock time, no time zone, whole seconds (Excel keeps
    only milliseconds, which would make a read-back value differ from any stored one)."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(tzinfo=None, microsecond=0)


def excel_cell(sheet, value):
    """A cell of ``sheet`` (write-only or not) holding ``value`` with the right type and format."""
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, dt.datetime):
        cell = WriteOnlyCell(sheet, excel_datetime(value))
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = DATE_FORMAT
        return cell
    if value is None or isinstance(value, bool | int | float | Decimal):
        return WriteOnlyCell(sheet, value)
    text = str(value)
    cell = WriteOnlyCell(sheet, text)
    cell.data_type = "s"  # openpyxl would store a text starting with "=" as a formula
    if text.startswith(FORMULA_STARTS):
        cell.quotePrefix = True
    return cell


def append_row(sheet, values) -> None:
    """Append one row of values to ``sheet`` through ``excel_cell``."""
    sheet.append([excel_cell(sheet, value) for value in values])
