"""Thai national ID numbers (เลขประจำตัวประชาชน): 13 digits with a check digit.

S = sum(d_i * (14 - i)) for i = 1..12; check digit = (11 - S mod 11) mod 10 = d13.
Shown as 1-2345-67890-12-3.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_SEPARATORS = re.compile(r"[\s\-]")


def normalise(raw: str) -> str:
    """Strip spaces and dashes, turn Thai digits into ASCII ones."""
    text = _SEPARATORS.sub("", raw or "")
    return text.translate(str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789"))


def check_digit(first_twelve: str) -> int:
    total = sum(int(d) * (13 - i) for i, d in enumerate(first_twelve))
    return (11 - total % 11) % 10


def is_valid(raw: str) -> bool:
    digits = normalise(raw)
    return len(digits) == 13 and digits.isdigit() and check_digit(digits[:12]) == int(digits[12])


def validate_national_id(raw: str) -> None:
    digits = normalise(raw)
    if len(digits) != 13 or not digits.isdigit():
        raise ValidationError(
            _("เลขประจำตัวประชาชนต้องมี 13 หลัก (National ID must have 13 digits)."), code="length"
        )
    if check_digit(digits[:12]) != int(digits[12]):
        raise ValidationError(
            _("เลขประจำตัวประชาชนไม่ถูกต้อง: เลขตรวจสอบไม่ตรง (Invalid national ID: check digit does not match)."),
            code="checksum",
        )


def format_national_id(raw: str) -> str:
    d = normalise(raw)
    if len(d) != 13:
        return raw
    return f"{d[0]}-{d[1:5]}-{d[5:10]}-{d[10:12]}-{d[12]}"


def mask_national_id(raw: str, visible: int = 4) -> str:
    """x-xxxx-xxxxx-12-3 style: only the last `visible` digits are shown."""
    d = normalise(raw)
    if len(d) != 13:
        return "x" * len(d)
    masked = "x" * (13 - visible) + d[13 - visible :]
    return format_national_id(masked)


def make_valid(first_twelve: str) -> str:
    """Complete twelve digits with their check digit (demo data and tests)."""
    return first_twelve + str(check_digit(first_twelve))
