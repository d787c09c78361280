from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ItemAdjustment


class ProposeAdjustmentForm(forms.Form):
    item_uid = forms.UUIDField(label=_("รหัสข้อสอบ (UUID)"))
    action = forms.ChoiceField(label=_("การแก้ไข"), choices=ItemAdjustment.Action.choices)
    new_choices = forms.CharField(label=_("เฉลยใหม่: รหัสตัวเลือก (คั่นด้วยจุลภาค)"), required=False, max_length=400)
    new_value = forms.CharField(label=_("เฉลยใหม่: ค่าตัวเลข"), required=False, max_length=40)
    new_tolerance = forms.CharField(label=_("เฉลยใหม่: ค่าคลาดเคลื่อนที่ยอมรับ"), required=False, max_length=40)
    new_accepted = forms.CharField(
        label=_("เฉลยใหม่: คำตอบที่ยอมรับ (บรรทัดละหนึ่งคำตอบ)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reason = forms.CharField(label=_("เหตุผล"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def new_key(self) -> dict:
        data = self.cleaned_data
        key: dict = {}
        if data.get("new_choices"):
            key["choices"] = [part.strip() for part in data["new_choices"].split(",") if part.strip()]
        if data.get("new_value"):
            key["value"] = data["new_value"]
            key["tolerance"] = data.get("new_tolerance") or "0"
        if data.get("new_accepted"):
            key["accepted"] = [line.strip() for line in data["new_accepted"].splitlines() if line.strip()]
        return key
