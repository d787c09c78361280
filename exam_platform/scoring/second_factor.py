"""A fresh two-factor code for a sensitive approval (a key correction, a policy change, publishing
a rank list): the approver types a code from their authenticator app or one of their backup codes
on the page itself, and it is checked against their own django-otp devices at that moment. The
session's earlier verification is not enough: a session left open on a shared office PC must not
approve anything.

The check goes through accounts.services.two_factor.verify_second_factor (throttled, single use:
TOTP refuses a code it has already accepted, a backup code is consumed). Call it BEFORE the
caller's own transaction, so that a failed attempt's throttle counter is committed even though
the approval is refused.
"""

from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from exam_platform.accounts.services.two_factor import verify_second_factor

TOTP_DIGITS = 6


class FreshCodeError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _method_of(token: str) -> str:
    digits = token.translate(str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789"))
    return "totp" if digits.isdigit() and len(digits) == TOTP_DIGITS else "backup"


def require_fresh_code(user, code: str | None, *, request=None) -> None:
    """Raise FreshCodeError unless `code` is a valid, unused TOTP or backup code of `user`."""
    token = "".join((code or "").split())
    if not token:
        raise FreshCodeError(_("กรุณากรอกรหัสยืนยันตัวตนสองขั้นตอนจากแอปหรือรหัสสำรอง เพื่อยืนยันการอนุมัติ"))
    method = _method_of(token)
    if method == "totp":
        token = token.translate(str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789"))
    result = verify_second_factor(user, method=method, token=token, request=request)
    if result.locked_until is not None:
        until = date_format(localtime(result.locked_until), "H:i:s")
        raise FreshCodeError(_("กรอกรหัสผิดหลายครั้ง กรุณารอจนถึงเวลา %(time)s แล้วลองใหม่") % {"time": until})
    if not result.ok:
        raise FreshCodeError(_("รหัสยืนยันตัวตนไม่ถูกต้อง หรือถูกใช้ไปแล้ว กรุณากรอกรหัสใหม่จากแอป"))
