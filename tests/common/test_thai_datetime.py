"""The Buddhist-era date-time field: parsing and formatting both ways, errors, the widget's attributes."""

import datetime as dt
import zoneinfo

import pytest
from django import forms
from django.utils import translation

from exam_platform.common.forms.thai_datetime import (
    ThaiDateTimeField,
    format_local_datetime,
    parse_local_datetime,
)

BANGKOK = zoneinfo.ZoneInfo("Asia/Bangkok")


class SessionTimes(forms.Form):
    opens_at = ThaiDateTimeField(label="เริ่ม")


def test_parse_buddhist_era_gives_bangkok_time():
    value = parse_local_datetime("15/01/2570 09:00", buddhist_era=True)
    assert value == dt.datetime(2027, 1, 15, 9, 0, tzinfo=BANGKOK)
    assert value.astimezone(dt.UTC) == dt.datetime(2027, 1, 15, 2, 0, tzinfo=dt.UTC)


def test_parse_common_era_in_english():
    assert parse_local_datetime("15/01/2027 09:00", buddhist_era=False) == dt.datetime(
        2027, 1, 15, 9, 0, tzinfo=BANGKOK
    )


@pytest.mark.parametrize(
    "text",
    ["15/1/2570 9:00", " 15/01/2570  09.00 ", "15/01/2570 09.00 น.", "๑๕/๐๑/๒๕๗๐ ๐๙:๐๐", "15-01-2570 09:00"],
)
def test_parse_buddhist_era_accepts_typed_variants(text):
    assert parse_local_datetime(text, buddhist_era=True) == dt.datetime(2027, 1, 15, 9, 0, tzinfo=BANGKOK)


def test_format_round_trips_both_eras():
    value = dt.datetime(2027, 1, 15, 2, 0, tzinfo=dt.UTC)  # 09:00 in Bangkok
    assert format_local_datetime(value, buddhist_era=True) == "15/01/2570 09:00"
    assert format_local_datetime(value, buddhist_era=False) == "15/01/2027 09:00"
    for buddhist_era in (True, False):
        text = format_local_datetime(value, buddhist_era=buddhist_era)
        assert parse_local_datetime(text, buddhist_era=buddhist_era) == value


@pytest.mark.parametrize(
    ("text", "buddhist_era", "message"),
    [
        ("15/01/2027 09:00", True, "ปี 2027 เป็นปี ค.ศ. โปรดใช้ปี พ.ศ. (เช่น 2570)"),
        ("15/01/2570 09:00", False, "ปี 2570 เป็นปี พ.ศ. โปรดใช้ปี ค.ศ. (เช่น 2027)"),
        ("31/02/2570 09:00", True, "ไม่มีวันที่นี้ในปฏิทิน: 31/02/2570 09:00"),
        ("15/01/2570 24:00", True, "เวลาไม่ถูกต้อง: 24:00 (ชั่วโมง 00–23 นาที 00–59)"),
        ("15/01/2570", True, "โปรดระบุเวลาด้วย เช่น 15/01/2570 09:00"),
        ("2027-01-15T09:00", True, "รูปแบบวันเวลาไม่ถูกต้อง ใช้ วว/ดด/ปปปป ชช:นน เช่น 15/01/2570 09:00"),
        ("15/01/1900 09:00", True, "ปี พ.ศ. 1900 อยู่นอกช่วงที่รับได้"),
    ],
)
def test_parse_refuses_with_a_clear_message(text, buddhist_era, message):
    with pytest.raises(ValueError) as caught:
        parse_local_datetime(text, buddhist_era=buddhist_era)
    assert str(caught.value) == message


def test_field_follows_the_interface_language():
    with translation.override("th"):
        form = SessionTimes({"opens_at": "15/01/2570 09:00"})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["opens_at"] == dt.datetime(2027, 1, 15, 9, 0, tzinfo=BANGKOK)
    with translation.override("en"):
        form = SessionTimes({"opens_at": "15/01/2027 09:00"})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["opens_at"] == dt.datetime(2027, 1, 15, 9, 0, tzinfo=BANGKOK)


def test_field_error_is_shown_on_the_form():
    with translation.override("th"):
        form = SessionTimes({"opens_at": "15/01/2027 09:00"})
        assert not form.is_valid()
        assert form.errors["opens_at"] == ["ปี 2027 เป็นปี ค.ศ. โปรดใช้ปี พ.ศ. (เช่น 2570)"]


def test_widget_shows_the_era_of_the_language():
    initial = {"opens_at": dt.datetime(2027, 1, 15, 2, 0, tzinfo=dt.UTC)}
    with translation.override("th"):
        html = str(SessionTimes(initial=initial)["opens_at"])
        assert 'value="15/01/2570 09:00"' in html
        assert 'data-era-offset="543"' in html
        assert "มกราคม" in html
    with translation.override("en"):
        html = str(SessionTimes(initial=initial)["opens_at"])
        assert 'value="15/01/2027 09:00"' in html
        assert 'data-era-offset="0"' in html
        assert "January" in html
