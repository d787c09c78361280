from django import forms
from django.utils.translation import gettext_lazy as _

from .services.accommodations import MAX_EXTRA_MINUTES, MAX_EXTRA_PERCENT
from .services.roster import MAX_UPLOAD_BYTES, parse_thai_date


class RosterImportForm(forms.Form):
    file = forms.FileField(
        label=_("ไฟล์รายชื่อ (CSV หรือ Excel .xlsx)"),
        help_text=_(
            "แถวแรกเป็นหัวคอลัมน์ภาษาไทยหรืออังกฤษ: เลขประจำตัวประชาชน, เลขที่ใบสมัคร, คำนำหน้า, ชื่อ, นามสกุล, "
            "วันเกิด (วว/ดด/ปปปป พ.ศ.), ตำแหน่ง, โทรศัพท์, อีเมล, การอำนวยความสะดวก, อายุราชการ"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("ไฟล์ใหญ่เกิน 10 MB (The file is larger than 10 MB)."))
        return upload


class AssignSeatsForm(forms.Form):
    order = forms.ChoiceField(
        label=_("เรียงที่นั่งตาม"),
        choices=[("name", _("ชื่อ (ลำดับพจนานุกรมไทย)")), ("application_number", _("เลขที่ใบสมัคร"))],
        initial="name",
    )


class ThaiDateField(forms.Field):
    """A date typed as วว/ดด/ปปปป in the Buddhist Era (or the Common Era, or ISO)."""

    widget = forms.TextInput

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            return None
        try:
            return parse_thai_date(value)
        except (ValueError, TypeError):
            raise forms.ValidationError(
                _("วันเกิดไม่ถูกต้อง ใช้รูปแบบ วว/ดด/ปปปป เช่น 17/05/2538 (Invalid date: use dd/mm/yyyy)."),
                code="invalid",
            ) from None


class IdentityCheckInForm(forms.Form):
    national_id = forms.CharField(
        label=_("เลขประจำตัวประชาชน (National ID)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    date_of_birth = ThaiDateField(
        label=_("วันเกิด (Date of birth)"),
        help_text=_("วว/ดด/ปปปป (พ.ศ.) เช่น 17/05/2538"),
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "bday",
                "placeholder": "17/05/2538",
                "maxlength": 20,
            }
        ),
    )
    application_number = forms.CharField(
        label=_("เลขที่ใบสมัคร (Application number)"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    accept_rules = forms.BooleanField(
        label=_("ข้าพเจ้าได้อ่านและยอมรับระเบียบการสอบข้างต้น (I have read and accept the exam rules)"),
        required=True,
        error_messages={"required": _("โปรดยอมรับระเบียบการสอบ (Please accept the exam rules).")},
    )


class TokenCheckInForm(forms.Form):
    token = forms.CharField(
        label=_("รหัสจาก QR บนบัตรประจำตัวสอบ (QR token)"),
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class AccommodationsForm(forms.Form):
    extra_time_percent = forms.IntegerField(
        label=_("เวลาเพิ่ม (ร้อยละ)"), min_value=0, max_value=MAX_EXTRA_PERCENT, required=False, initial=0
    )
    extra_minutes = forms.IntegerField(
        label=_("เวลาเพิ่ม (นาที)"), min_value=0, max_value=MAX_EXTRA_MINUTES, required=False, initial=0
    )
    beyond_window = forms.BooleanField(label=_("สอบต่อได้เกินเวลาปิดรอบสอบ"), required=False)
    large_text = forms.BooleanField(label=_("ตัวอักษรขนาดใหญ่"), required=False)
    high_contrast = forms.BooleanField(label=_("สีตัดกันสูง"), required=False)
    screen_reader = forms.BooleanField(label=_("โหมดโปรแกรมอ่านหน้าจอ"), required=False)
    breaks = forms.BooleanField(label=_("พักระหว่างสอบได้"), required=False)
