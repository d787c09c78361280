"""Buddhist-era dates and Thai numerals for pages and documents.

>>> format_thai_date(date(2026, 11, 21))
'21 พฤศจิกายน 2569'
>>> format_thai_date(date(2026, 11, 21), style="short", thai_digits=True)
'๒๑ พ.ย. ๒๕๖๙'
"""

import datetime as dt

from django.utils import timezone

BUDDHIST_ERA_OFFSET = 543

THAI_MONTHS = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)  # fmt: skip
THAI_MONTHS_SHORT = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)  # fmt: skip
THAI_WEEKDAYS = ("วันจันทร์", "วันอังคาร", "วันพุธ", "วันพฤหัสบดี", "วันศุกร์", "วันเสาร์", "วันอาทิตย์")

_TO_THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


def to_thai_digits(value) -> str:
    return str(value).translate(_TO_THAI_DIGITS)


def buddhist_year(value: dt.date) -> int:
    return value.year + BUDDHIST_ERA_OFFSET


def _as_local_date(value):
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date(), value
    return value, None


def format_thai_date(
    value: dt.date | dt.datetime,
    style: str = "long",
    thai_digits: bool = False,
    with_time: bool = False,
    with_weekday: bool = False,
) -> str:
    """style "long": 21 พฤศจิกายน 2569; "short": 21 พ.ย. 2569. Aware datetimes are shown in local time."""
    if value is None:
        return ""
    day, moment = _as_local_date(value)
    months = THAI_MONTHS if style == "long" else THAI_MONTHS_SHORT
    text = f"{day.day} {months[day.month - 1]} {buddhist_year(day)}"
    if with_weekday:
        text = f"{THAI_WEEKDAYS[day.weekday()]}ที่ {text}"
    if with_time and moment is not None:
        text = f"{text} เวลา {moment:%H.%M} น."
    return to_thai_digits(text) if thai_digits else text


def format_thai_official_date(value: dt.date | dt.datetime, thai_digits: bool = False) -> str:
    """The date as official documents write it: '21 พฤศจิกายน พ.ศ. 2569'."""
    if value is None:
        return ""
    day, _moment = _as_local_date(value)
    text = f"{day.day} {THAI_MONTHS[day.month - 1]} พ.ศ. {buddhist_year(day)}"
    return to_thai_digits(text) if thai_digits else text
