"""Forms of the people pages (administrators): the list's filters, a new staff account, a role."""

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from .roles import ROLE_LABELS, STAFF_ROLES

PAGE_SIZE = 25


def staff_role_choices():
    return [(role, ROLE_LABELS[role]) for role in STAFF_ROLES]


class PeopleFilterForm(forms.Form):
    """GET filters of the people list; an invalid value counts as empty."""

    q = forms.CharField(
        label=_("ค้นหาชื่อหรือชื่อผู้ใช้"),
        required=False,
        max_length=150,
        widget=forms.SearchInput(),
    )
    role = forms.ChoiceField(label=_("บทบาท"), required=False)
    active = forms.ChoiceField(
        label=_("สถานะบัญชี"),
        required=False,
        choices=[("", _("ทุกสถานะ")), ("yes", _("ใช้งานอยู่")), ("no", _("ระงับแล้ว"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", _("ทุกบทบาท")), *staff_role_choices()]

    def values(self) -> dict:
        self.is_valid()
        return {name: self.cleaned_data.get(name) or "" for name in self.fields if name not in self.errors}


class StaffAccountForm(forms.Form):
    username = forms.CharField(
        label=_("ชื่อผู้ใช้"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("ใช้เข้าสู่ระบบ ตัวอักษรภาษาอังกฤษ ตัวเลข และ . _ - เท่านั้น เช่น somchai.j"),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        ),
        error_messages={"required": _("กรุณากรอกชื่อผู้ใช้")},
    )
    display_name = forms.CharField(
        label=_("ชื่อที่แสดง"),
        max_length=200,
        error_messages={"required": _("กรุณากรอกชื่อที่แสดง")},
    )
    email = forms.EmailField(
        label=_("อีเมล"), required=False, error_messages={"invalid": _("รูปแบบอีเมลไม่ถูกต้อง")}
    )
    roles = forms.MultipleChoiceField(
        label=_("บทบาท"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("กรุณาเลือกบทบาทอย่างน้อยหนึ่งบทบาท")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = staff_role_choices()


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("บทบาท"), error_messages={"invalid_choice": _("บทบาทไม่ถูกต้อง")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = staff_role_choices()
