"""Forms of the first-login page: national ID + activation code, then a password of one's own.

Django's password validators (settings.AUTH_PASSWORD_VALIDATORS) decide; their messages have no Thai
translation in Django, so the known ones are shown in Thai here (by error code) and any other as is.
"""

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from exam_platform.accounts.activation_codes import CODE_LENGTH, normalise_code
from exam_platform.common.national_id import normalise as normalise_national_id

WRONG_CODE = _(
    "เลขประจำตัวประชาชนหรือรหัสเปิดใช้งานไม่ถูกต้อง หรือรหัสหมดอายุหรือถูกใช้ไปแล้ว "
    "โปรดตรวจสอบแล้วลองใหม่ หรือติดต่อเจ้าหน้าที่สอบเพื่อขอรหัสใหม่"
)


class ActivationCodeForm(forms.Form):
    # Named "username" so that django-axes counts failures per national ID, as on the login page.
    username = forms.CharField(
        label=_("เลขประจำตัวประชาชน"),
        max_length=32,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "inputmode": "numeric"}),
        error_messages={"required": _("กรุณากรอกเลขประจำตัวประชาชน")},
    )
    activation_code = forms.CharField(
        label=_("รหัสเปิดใช้งาน"),
        max_length=32,
        help_text=_("รหัส 10 ตัวบนบัตรประจำตัวสอบหรือในอีเมล เช่น ABCD-EFGH-JK (ตัวพิมพ์เล็กหรือใหญ่ก็ได้)"),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocorrect": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
            }
        ),
        error_messages={"required": _("กรุณากรอกรหัสเปิดใช้งาน")},
    )

    def clean_username(self) -> str:
        return normalise_national_id(self.cleaned_data["username"])

    def clean_activation_code(self) -> str:
        code = normalise_code(self.cleaned_data["activation_code"])
        if len(code) != CODE_LENGTH:
            raise ValidationError(_("รหัสเปิดใช้งานมี 10 ตัว (ไม่นับขีด)"), code="format")
        return code


def _thai_password_error(error: ValidationError) -> str:
    params = error.params or {}
    messages = {
        "password_too_short": gettext("รหัสผ่านสั้นเกินไป ต้องมีอย่างน้อย %(min_length)d ตัวอักษร"),
        "password_too_similar": gettext("รหัสผ่านคล้ายกับข้อมูลของบัญชี (เช่น เลขประจำตัวประชาชน ชื่อ หรืออีเมล) มากเกินไป"),
        "password_too_common": gettext("รหัสผ่านนี้ใช้กันทั่วไปและเดาได้ง่าย"),
        "password_entirely_numeric": gettext("รหัสผ่านต้องไม่เป็นตัวเลขทั้งหมด"),
    }
    template = messages.get(error.code)
    if template is None:
        return " ".join(error.messages)
    return template % params if "%(" in template else template


def _min_length() -> int:
    for validator in settings.AUTH_PASSWORD_VALIDATORS:
        if validator["NAME"].endswith("MinimumLengthValidator"):
            return int(validator.get("OPTIONS", {}).get("min_length", 8))
    return 8


class NewPasswordForm(forms.Form):
    new_password1 = forms.CharField(
        label=_("รหัสผ่านใหม่"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "autofocus": True}),
        error_messages={"required": _("กรุณาตั้งรหัสผ่าน")},
    )
    new_password2 = forms.CharField(
        label=_("ยืนยันรหัสผ่านใหม่"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("กรุณากรอกรหัสผ่านอีกครั้ง")},
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = gettext(
            "อย่างน้อย %(min_length)d ตัวอักษร ไม่ใช่ตัวเลขล้วน ไม่ใช่รหัสที่ใช้กันทั่วไป "
            "และไม่คล้ายเลขประจำตัวประชาชนหรือชื่อของท่าน"
        ) % {"min_length": _min_length()}

    def clean_new_password1(self) -> str:
        password = self.cleaned_data["new_password1"]
        try:
            password_validation.validate_password(password, self.user)
        except ValidationError as exc:
            raise ValidationError([_thai_password_error(e) for e in exc.error_list]) from None
        return password

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("new_password1"), cleaned.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", gettext("รหัสผ่านทั้งสองช่องไม่ตรงกัน"))
        return cleaned
