"""A date-time form field shown and typed as dd/mm/yyyy HH:MM, in local time (settings.TIME_ZONE).

The year follows the interface language: the Buddhist era in the Thai UI (15/01/2570 09:00), the
Common era otherwise (15/01/2027 09:00). The widget carries what its calendar needs (month and
weekday names, labels) in data attributes; common/static/common/thai_datetime.js adds an
accessible calendar button to every such input and writes the same text a person would type, so
the server parses one format whichever way the value was entered.

>>> parse_local_datetime("15/01/2570 09:00", buddhist_era=True)
datetime.datetime(2027, 1, 15, 9, 0, tzinfo=zoneinfo.ZoneInfo(key='Asia/Bangkok'))
"""

import datetime as dt
import json
import re
import zoneinfo

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from exam_platform.common.thai_dates import BUDDHIST_ERA_OFFSET, THAI_MONTHS

# The years a person may mean in each era (an exam is scheduled within a few decades of now).
BE_YEARS = range(2500, 2701)
CE_YEARS = range(BE_YEARS.start - BUDDHIST_ERA_OFFSET, BE_YEARS.stop - BUDDHIST_ERA_OFFSET)

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
# dd/mm/yyyy, then the time as HH:MM or HH.MM (Thai writing), optionally followed by "น."
_PATTERN = re.compile(
    r"^(?P<day>\d{1,2})[/\-.](?P<month>\d{1,2})[/\-.](?P<year>\d{4})"
    r"(?:\s*(?:,|เวลา)?\s*(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?:\s*น\.?)?)?$"
)
ENGLISH_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
THAI_WEEKDAYS_SHORT = ("อา", "จ", "อ", "พ", "พฤ", "ศ", "ส")  # Sunday first, as Thai calendars print
ENGLISH_WEEKDAYS_SHORT = ("Su", "Mo", "Tu", "We", "Th", "Fr", "Sa")


def uses_buddhist_era(language: str | None = None) -> bool:
    return (language or get_language() or "th").startswith("th")


def local_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def format_local_datetime(value: dt.datetime | None, *, buddhist_era: bool) -> str:
    """'15/01/2570 09:00' (or '15/01/2027 09:00'): an aware datetime in local time."""
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = value.astimezone(local_zone())
    year = value.year + (BUDDHIST_ERA_OFFSET if buddhist_era else 0)
    return f"{value.day:02d}/{value.month:02d}/{year:04d} {value.hour:02d}:{value.minute:02d}"


def _example(buddhist_era: bool) -> str:
    return "15/01/2570 09:00" if buddhist_era else "15/01/2027 09:00"


def parse_local_datetime(text: str, *, buddhist_era: bool) -> dt.datetime:
    """The aware datetime (settings.TIME_ZONE) that `text` names; ValueError with a Thai message
    (translated) saying what is wrong otherwise. Thai digits are accepted; a missing time is an error
    (an exam time without a time of day is never what the officer meant)."""
    cleaned = " ".join((text or "").translate(_THAI_DIGITS).split())
    match = _PATTERN.match(cleaned)
    example = _example(buddhist_era)
    if match is None:
        raise ValueError(_("รูปแบบวันเวลาไม่ถูกต้อง ใช้ วว/ดด/ปปปป ชช:นน เช่น %(example)s") % {"example": example})
    if match["hour"] is None:
        raise ValueError(_("โปรดระบุเวลาด้วย เช่น %(example)s") % {"example": example})
    year = int(match["year"])
    if buddhist_era and year not in BE_YEARS:
        if year in CE_YEARS:
            raise ValueError(
                _("ปี %(year)d เป็นปี ค.ศ. โปรดใช้ปี พ.ศ. (เช่น %(be_year)d)")
                % {"year": year, "be_year": year + BUDDHIST_ERA_OFFSET}
            )
        raise ValueError(_("ปี พ.ศ. %(year)d อยู่นอกช่วงที่รับได้") % {"year": year})
    if not buddhist_era and year not in CE_YEARS:
        if year in BE_YEARS:
            raise ValueError(
                _("ปี %(year)d เป็นปี พ.ศ. โปรดใช้ปี ค.ศ. (เช่น %(ce_year)d)")
                % {"year": year, "ce_year": year - BUDDHIST_ERA_OFFSET}
            )
        raise ValueError(_("ปี ค.ศ. %(year)d อยู่นอกช่วงที่รับได้") % {"year": year})
    if buddhist_era:
        year -= BUDDHIST_ERA_OFFSET
    try:
        day = dt.date(year, int(match["month"]), int(match["day"]))
    except ValueError:
        raise ValueError(_("ไม่มีวันที่นี้ในปฏิทิน: %(text)s") % {"text": cleaned}) from None
    hour, minute = int(match["hour"]), int(match["minute"])
    if hour > 23 or minute > 59:
        raise ValueError(
            _("เวลาไม่ถูกต้อง: %(time)s (ชั่วโมง 00–23 นาที 00–59)") % {"time": f"{hour}:{minute:02d}"}
        )
    # Asia/Bangkok has no daylight saving time; for other zones fold=0 picks the first of two.
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=local_zone())


class ThaiDateTimeWidget(forms.TextInput):
    """A text input plus (with JavaScript) a calendar button; see the module docstring."""

    class Media:
        css = {"all": ["common/thai_datetime.css"]}
        js = ["common/thai_datetime.js"]

    def __init__(self, attrs=None):
        defaults = {"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false", "size": 18}
        super().__init__({**defaults, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, dt.datetime):
            return format_local_datetime(value, buddhist_era=uses_buddhist_era())
        return super().format_value(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        buddhist_era = uses_buddhist_era()
        widget_attrs = context["widget"]["attrs"]
        widget_attrs.setdefault("placeholder", _("วว/ดด/ปปปป ชช:นน"))
        widget_attrs.update(
            {
                "data-thai-datetime": "",
                "data-era-offset": str(BUDDHIST_ERA_OFFSET if buddhist_era else 0),
                "data-months": json.dumps(
                    THAI_MONTHS if buddhist_era else ENGLISH_MONTHS, ensure_ascii=False
                ),
                "data-weekdays": json.dumps(
                    THAI_WEEKDAYS_SHORT if buddhist_era else ENGLISH_WEEKDAYS_SHORT, ensure_ascii=False
                ),
                "data-labels": json.dumps(
                    {
                        "open": _("เลือกวันที่จากปฏิทิน"),
                        "dialog": _("ปฏิทิน"),
                        "previous": _("เดือนก่อนหน้า"),
                        "next": _("เดือนถัดไป"),
                        "hour": _("ชั่วโมง"),
                        "minute": _("นาที"),
                        "choose": _("เลือก"),
                        "close": _("ปิด"),
                        "help": _("ใช้ลูกศรเลื่อนวัน Page Up/Page Down เลื่อนเดือน Enter เลือก Esc ปิด"),
                        "era": _("พ.ศ.") if buddhist_era else "",
                    },
                    ensure_ascii=False,
                ),
            }
        )
        return context


class ThaiDateTimeField(forms.Field):
    """An aware datetime typed as dd/mm/yyyy HH:MM (Buddhist era in the Thai UI)."""

    widget = ThaiDateTimeWidget
    default_error_messages = {"invalid": gettext_lazy("รูปแบบวันเวลาไม่ถูกต้อง")}

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _HelpText())
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, dt.datetime):
            return value if timezone.is_aware(value) else value.replace(tzinfo=local_zone())
        value = (value or "").strip()
        if not value:
            return None
        try:
            return parse_local_datetime(value, buddhist_era=uses_buddhist_era())
        except ValueError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None

    def has_changed(self, initial, data):
        try:
            return self.to_python(data) != self.to_python(initial)
        except forms.ValidationError:
            return True


class _HelpText:
    """The format hint, in the era of the language active when the form is rendered."""

    def __str__(self) -> str:
        if uses_buddhist_era():
            return _("วว/ดด/ปปปป ชช:นน ปี พ.ศ. เวลากรุงเทพฯ เช่น %(example)s") % {"example": _example(True)}
        return _("วว/ดด/ปปปป ชช:นน ปี ค.ศ. เวลากรุงเทพฯ เช่น %(example)s") % {"example": _example(False)}

    def __bool__(self) -> bool:
        return True
