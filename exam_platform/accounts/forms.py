from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


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
        "invalid_login": _(
            "เลขประจำตัวประชาชน/ชื่อผู้ใช้ หรือรหัสผ่านไม่ถูกต้อง (Incorrect ID/username or password)."
        ),
        "inactive": _("บัญชีนี้ถูกระงับการใช้งาน (This account is inactive)."),
    }
