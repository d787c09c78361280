from django import forms
from django.utils.translation import gettext_lazy as _

from exam_platform.delivery.models import ExamRound, Position

MAX_VERIFY_BYTES = 50 * 1024 * 1024


class PrepareRankListForm(forms.Form):
    round = forms.ModelChoiceField(label=_("รอบการสอบ"), queryset=ExamRound.objects.order_by("-created_at"))
    position = forms.ModelChoiceField(
        label=_("ตำแหน่ง (เว้นว่าง: ทุกตำแหน่ง)"),
        queryset=Position.objects.select_related("round").order_by("round_id", "code"),
        required=False,
    )
    title = forms.CharField(
        label=_("ชื่อประกาศ"),
        max_length=300,
        initial="ประกาศรายชื่อผู้สอบแข่งขันได้",
        help_text=_("เช่น ประกาศรายชื่อผู้สอบแข่งขันได้ ในการสอบแข่งขันเพื่อบรรจุ... ครั้งที่ 1/2569"),
    )
    announcement_number = forms.CharField(label=_("เลขที่ประกาศ"), max_length=60, required=False)

    def clean(self):
        data = super().clean()
        position, exam_round = data.get("position"), data.get("round")
        if position is not None and exam_round is not None and position.round_id != exam_round.pk:
            self.add_error("position", _("ตำแหน่งไม่อยู่ในรอบการสอบนี้ (Position is not in this round)."))
        return data


class ApproveForm(forms.Form):
    """Approve and publish: confirm, and type a fresh two-factor code (checked by the service)."""

    confirm = forms.BooleanField(
        label=_("ข้าพเจ้าได้ตรวจรายชื่อและค่า SHA-256 ของฉบับนี้แล้ว และอนุมัติให้ประกาศ"),
        error_messages={"required": _("กรุณายืนยันว่าได้ตรวจฉบับนี้แล้ว")},
    )
    code = forms.CharField(
        label=_("รหัสยืนยันตัวตนสองขั้นตอน (จากแอปหรือรหัสสำรอง)"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
        error_messages={"required": _("กรุณากรอกรหัสยืนยันตัวตนสองขั้นตอน")},
    )


class CorrectionForm(forms.Form):
    change_note = forms.CharField(
        label=_("เหตุผลการแก้ไข"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("แสดงต่อสาธารณะในประกาศฉบับแก้ไข"),
    )


class VerifyFileForm(forms.Form):
    file = forms.FileField(
        label=_("ไฟล์ที่ต้องการตรวจสอบ (PDF, CSV, Excel หรือ HTML)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.csv,.xlsx,.html,.htm"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_VERIFY_BYTES:
            raise forms.ValidationError(_("ไฟล์ใหญ่เกิน 50 MB (The file is larger than 50 MB)."))
        return upload


class SlipCodeForm(forms.Form):
    code = forms.CharField(
        label=_("รหัสตรวจสอบใบแจ้งผล หรือ URL จาก QR code"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if "/verify/slip/" in code:  # a whole URL pasted from the QR code
            code = code.split("/verify/slip/", 1)[1].split("/", 1)[0]
        return code
