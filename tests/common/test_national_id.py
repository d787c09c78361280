import pytest
from django.core.exceptions import ValidationError

from exam_platform.common import national_id


@pytest.mark.parametrize(
    "raw", ["1101700203450", "1-1017-00203-45-0", " 1 1017 00203 45 0 ", "๑๑๐๑๗๐๐๒๐๓๔๕๐"]
)
def test_is_valid_accepts_common_spellings(raw):
    assert national_id.is_valid(raw)


def test_check_digit_matches_design_formula():
    digits = "110170020345"
    s = sum(int(d) * (14 - i) for i, d in enumerate(digits, start=1))
    assert national_id.check_digit(digits) == (11 - s % 11) % 10 == 0


def test_validate_rejects_wrong_check_digit_with_thai_and_english_message():
    with pytest.raises(ValidationError) as exc:
        national_id.validate_national_id("1101700203451")
    assert exc.value.code == "checksum"
    assert "เลขตรวจสอบ" in str(exc.value.messages[0])
    assert "check digit" in str(exc.value.messages[0])


def test_validate_rejects_wrong_length():
    with pytest.raises(ValidationError) as exc:
        national_id.validate_national_id("12345")
    assert exc.value.code == "length"


def test_format_and_mask():
    assert national_id.format_national_id("1101700203450") == "1-1017-00203-45-0"
    assert national_id.mask_national_id("1101700203450") == "x-xxxx-xxxx3-45-0"
