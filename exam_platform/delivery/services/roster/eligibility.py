"""Eligibility of internal-selection rounds (ExamRound.eligibility): years of service, current position."""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from .result import ParsedRow

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def check_eligibility(row: ParsedRow, eligibility: dict, error) -> None:
    """Report through `error(row, message)` each rule of `eligibility` the row does not meet."""
    minimum = eligibility.get("min_years_of_service")
    if minimum is not None:
        raw = row.values["years_of_service"].translate(THAI_DIGITS)
        try:
            years = Decimal(raw)
        except InvalidOperation:
            error(
                row,
                _("ไม่มีหรืออ่านอายุราชการไม่ได้ “%(value)s” (Years of service missing or not a number).")
                % {"value": raw},
            )
        else:
            if years < Decimal(str(minimum)):
                error(
                    row,
                    _(
                        "ไม่มีสิทธิ์สอบ: อายุราชการ %(years)s ปี น้อยกว่าที่กำหนด %(minimum)s ปี "
                        "(Not eligible: %(years)s years of service, %(minimum)s required)."
                    )
                    % {"years": raw, "minimum": minimum},
                )
    allowed = eligibility.get("current_positions")
    if allowed and row.values["current_position"] not in allowed:
        error(
            row,
            _("ไม่มีสิทธิ์สอบ: ตำแหน่งปัจจุบัน “%(position)s” ไม่อยู่ในตำแหน่งที่กำหนด (Not eligible: current position).")
            % {"position": row.values["current_position"]},
        )
