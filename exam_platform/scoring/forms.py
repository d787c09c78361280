"""Forms of the scoring screens. Items and choices are named as the booklet prints them (ข้อ 7, ก ข ค ง),
never by uid: the views map the officer's choice to uids through item_catalogue."""

from django import forms
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from .engine import CHOICE_TYPES
from .models import ItemAdjustment


class ItemPickForm(forms.Form):
    """Which item to correct: the form (when the round has several) and the item number."""

    form = forms.IntegerField(label=_("ชุดข้อสอบ"), min_value=1, initial=1)
    number = forms.IntegerField(label=_("ข้อที่"), min_value=1)

    def __init__(self, *args, catalogue=None, **kwargs):
        super().__init__(*args, **kwargs)
        forms_ = catalogue.forms if catalogue else []
        if len(forms_) > 1:
            self.fields["form"] = forms.TypedChoiceField(
                label=_("ชุดข้อสอบ"), coerce=int, choices=[(f.key, f.label) for f in forms_]
            )
        else:
            self.fields["form"].widget = forms.HiddenInput()


class ProposeAdjustmentForm(forms.Form):
    action = forms.ChoiceField(
        label=_("การแก้ไข"), choices=ItemAdjustment.Action.choices, widget=forms.RadioSelect
    )
    new_choices = forms.TypedMultipleChoiceField(
        label=_("เฉลยใหม่: เลือกตัวเลือกที่ถูก"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("ข้อเลือกตอบเดียว: ตัวเลือกที่ติ๊กทุกตัวได้คะแนน ข้อเลือกได้หลายคำตอบ: ชุดคำตอบที่ถูกทั้งหมด"),
    )
    new_value = forms.CharField(label=_("เฉลยใหม่: ค่าตัวเลข"), required=False, max_length=40)
    new_tolerance = forms.CharField(label=_("เฉลยใหม่: ค่าคลาดเคลื่อนที่ยอมรับ"), required=False, max_length=40)
    new_accepted = forms.CharField(
        label=_("เฉลยใหม่: คำตอบที่ยอมรับ (บรรทัดละหนึ่งคำตอบ)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    case_sensitive = forms.BooleanField(label=_("แยกตัวพิมพ์ใหญ่-เล็ก"), required=False)
    reason = forms.CharField(label=_("เหตุผล"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, item, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        if item.type in CHOICE_TYPES:
            self.fields["new_choices"].choices = [
                (c.index, f"{c.label}. {strip_tags(c.html)[:200]}") for c in item.choices
            ]
            self.fields["new_choices"].initial = [c.index for c in item.choices if c.in_key]
            for name in ("new_value", "new_tolerance", "new_accepted", "case_sensitive"):
                del self.fields[name]
        else:
            del self.fields["new_choices"]
            if item.type != "numeric":
                del self.fields["new_value"], self.fields["new_tolerance"]
            else:
                self.fields["new_value"].initial = item.spec.get("value")
                self.fields["new_tolerance"].initial = item.spec.get("tolerance")
            if item.type != "short":
                del self.fields["new_accepted"], self.fields["case_sensitive"]
            else:
                self.fields["new_accepted"].initial = "\n".join(item.spec.get("accepted", []))
                self.fields["case_sensitive"].initial = bool(item.spec.get("case_sensitive"))
        if item.type not in (*CHOICE_TYPES, "numeric", "short"):
            self.fields["action"].choices = [
                c for c in ItemAdjustment.Action.choices if c[0] != ItemAdjustment.Action.CHANGE_KEY
            ]

    def clean(self):
        data = super().clean()
        if data.get("action") == ItemAdjustment.Action.CHANGE_KEY and "new_choices" in self.fields:
            if not data.get("new_choices"):
                self.add_error("new_choices", _("ติ๊กตัวเลือกที่เป็นเฉลยใหม่อย่างน้อยหนึ่งตัวเลือก"))
        return data

    def new_key(self) -> dict:
        data = self.cleaned_data
        if data.get("action") != ItemAdjustment.Action.CHANGE_KEY:
            return {}
        if "new_choices" in self.fields:
            by_index = {c.index: c.uid for c in self.item.choices}
            return {"choices": [by_index[i] for i in data.get("new_choices") or [] if i in by_index]}
        if "new_value" in self.fields:
            return {"value": data.get("new_value") or "", "tolerance": data.get("new_tolerance") or "0"}
        if "new_accepted" in self.fields:
            lines = (data.get("new_accepted") or "").splitlines()
            return {
                "accepted": [line.strip() for line in lines if line.strip()],
                "case_sensitive": bool(data.get("case_sensitive")),
            }
        return {}


class FreshCodeForm(forms.Form):
    """Approval of a reviewed diff: confirm, and type a fresh two-factor code."""

    digest = forms.CharField(widget=forms.HiddenInput, max_length=64)
    confirm = forms.BooleanField(
        label=_("ข้าพเจ้าได้ตรวจผลต่างข้างต้นแล้ว และอนุมัติให้ใช้"),
        error_messages={"required": _("กรุณายืนยันว่าได้ตรวจผลต่างแล้ว")},
    )
    code = forms.CharField(
        label=_("รหัสยืนยันตัวตนสองขั้นตอน (จากแอปหรือรหัสสำรอง)"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false"}
        ),
        error_messages={"required": _("กรุณากรอกรหัสยืนยันตัวตนสองขั้นตอน")},
    )
