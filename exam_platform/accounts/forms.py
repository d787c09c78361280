from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from exam_platform.accounts.models import BACKUP_CODE_LENGTH, normalise_backup_code
from exam_platform.common.national_id import normalise


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("เลขประจำตัวประชาชน หรือ ชื่อผู้ใช้"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "inputmode": "text"}),
        help_text=_("ผู้สมัครสอบ: กรอกเลขประจำตัวประชาชน 13 หลัก"),
    )
    password = forms.CharField(
        label=_("รหัสผ่าน"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": _("เลขประจำตัวประชาชน/ชื่อผู้ใช้ หรือรหัสผ่านไม่ถูกต้อง (Incorrect ID/username or password)."),
        "inactive": _("บัญชีนี้ถูกระงับการใช้งาน (This account is inactive)."),
    }


# Shared attributes for one-time-code inputs: phones offer the code from SMS/app, screen readers
# announce the purpose, and no browser tries to autocorrect or capitalise it.
_CODE_ATTRS = {
    "autocomplete": "one-time-code",
    "autocorrect": "off",
    "autocapitalize": "off",
    "spellcheck": "false",
}

INVALID_CODE = _("รหัสยืนยันไม่ถูกต้อง (Invalid code).")


class TotpTokenForm(forms.Form):
    """A 6-digit code from the authenticator app; spaces and Thai digits are accepted."""

    method = forms.CharField(widget=forms.HiddenInput, initial="totp", required=False)
    token = forms.CharField(
        label=_("รหัสยืนยัน 6 หลักจากแอป"),
        max_length=16,
        widget=forms.TextInput(
            attrs={**_CODE_ATTRS, "inputmode": "numeric", "autofocus": True, "size": 8, "maxlength": 16}
        ),
        help_text=_("เปิดแอปยืนยันตัวตน (เช่น Google Authenticator, Microsoft Authenticator) แล้วกรอกรหัส 6 หลัก"),
        error_messages={"required": _("กรุณากรอกรหัสยืนยัน (Please enter the code).")},
    )

    def clean_token(self) -> str:
        token = normalise(self.cleaned_data["token"])
        if len(token) != 6 or not token.isdigit():
            raise forms.ValidationError(
                _("รหัสยืนยันต้องเป็นตัวเลข 6 หลัก (The code must be 6 digits)."), code="format"
            )
        return token


class BackupCodeForm(forms.Form):
    """One of the ten backup codes shown at enrolment (xxxxx-xxxxx)."""

    method = forms.CharField(widget=forms.HiddenInput, initial="backup", required=False)
    token = forms.CharField(
        label=_("รหัสสำรอง"),
        max_length=32,
        widget=forms.TextInput(attrs={**_CODE_ATTRS, "inputmode": "text", "autofocus": True, "size": 14}),
        help_text=_("รหัสสำรองใช้ได้รหัสละหนึ่งครั้ง รูปแบบ xxxxx-xxxxx"),
        error_messages={"required": _("กรุณากรอกรหัสสำรอง (Please enter a backup code).")},
    )

    def clean_token(self) -> str:
        token = normalise_backup_code(self.cleaned_data["token"])
        if len(token) != BACKUP_CODE_LENGTH:
            raise forms.ValidationError(INVALID_CODE, code="format")
        return token


class ReauthForm(forms.Form):
    """Password re-entry before a two-factor change; goes through authenticate() so axes counts failures."""

    password = forms.CharField(
        label=_("รหัสผ่านปัจจุบัน"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
        error_messages={"required": _("กรุณากรอกรหัสผ่าน (Please enter your password).")},
    )

    def __init__(self, *args, request, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        user = self.request.user
        checked = authenticate(self.request, username=user.get_username(), password=password)
        if checked is None or checked.pk != user.pk:
            raise forms.ValidationError(_("รหัสผ่านไม่ถูกต้อง (Incorrect password)."), code="invalid_password")
        return password
