"""The audit log's filter form. Dates are typed dd/mm/yyyy: a year from 2400 on is read as the
Buddhist era (the Thai UI), an earlier one as the Common era (the English UI); yyyy-mm-dd works too."""

import datetime as dt
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from .audit_queries import AuditFilters
from .thai_dates import BUDDHIST_ERA_OFFSET

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
BE_THRESHOLD = 2400


def parse_day(text: str) -> dt.date:
    text = text.strip().translate(_THAI_DIGITS)
    if match := _ISO.match(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _DMY.match(text):
        day, month, year = (int(g) for g in match.groups())
    else:
        raise ValueError(text)
    if year >= BE_THRESHOLD:
        year -= BUDDHIST_ERA_OFFSET
    return dt.date(year, month, day)


class DayField(forms.CharField):
    default_error_messages = {"invalid": _("วันที่ไม่ถูกต้อง กรุณากรอกเป็น วว/ดด/ปปปป เช่น 21/11/2569")}

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        try:
            return parse_day(text)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


def _day_input():
    return forms.TextInput(
        attrs={"inputmode": "numeric", "autocomplete": "off", "placeholder": _("วว/ดด/ปปปป")}
    )


class AuditFilterForm(forms.Form):
    actor = forms.CharField(
        label=_("ผู้ดำเนินการ"), required=False, max_length=200, help_text=_("ชื่อผู้ใช้ หรือส่วนหนึ่งของชื่อ")
    )
    action = forms.CharField(
        label=_("การดำเนินการ"),
        required=False,
        max_length=100,
        help_text=_("ขึ้นต้นด้วย เช่น delivery.session หรือ accounts.role"),
    )
    object_type = forms.CharField(
        label=_("ชนิดของรายการ"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"list": "audit-object-types"}),
    )
    object_id = forms.CharField(label=_("รหัสของรายการ"), required=False, max_length=64)
    q = forms.CharField(label=_("ค้นหาชื่อรายการ"), required=False, max_length=200, widget=forms.SearchInput())
    date_from = DayField(label=_("ตั้งแต่วันที่"), required=False, widget=_day_input())
    date_to = DayField(label=_("ถึงวันที่"), required=False, widget=_day_input())

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("วันที่สิ้นสุดต้องไม่ก่อนวันที่เริ่มต้น"))
        return data

    def filters(self) -> AuditFilters:
        """The valid filters; an invalid field is shown with its error and counts as empty."""
        if not self.is_bound:
            return AuditFilters()
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        text = {k: (data.get(k) or "").strip() for k in ("actor", "action", "object_type", "object_id", "q")}
        return AuditFilters(**text, date_from=data.get("date_from"), date_to=data.get("date_to"))
