from django import forms
from django.utils.translation import gettext_lazy as _

from exam_platform.publication.models import RankList, RankListVersion

from .documents import MAX_BYTES
from .models import Call, UseRequest, default_validity_days
from .services.calls import DEFAULT_RESPOND_DAYS, MAX_CALLS_AT_ONCE, MAX_RESPOND_DAYS, OFFICER_OUTCOMES


class CreateListForm(forms.Form):
    rank_list = forms.ModelChoiceField(label=_("บัญชีที่ประกาศแล้ว"), queryset=RankList.objects.none())
    validity_days = forms.IntegerField(
        label=_("ระยะเวลาของบัญชี (วัน)"),
        min_value=1,
        max_value=3650,
        help_text=_("นับจากวันประกาศบัญชี เช่น 730 วัน = 2 ปี"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rank_list"].queryset = (
            RankList.objects.filter(
                versions__status=RankListVersion.Status.PUBLISHED, eligibility_list__isnull=True
            )
            .distinct()
            .order_by("-created_at")
        )
        self.fields["validity_days"].initial = default_validity_days()


class CallNextForm(forms.Form):
    count = forms.IntegerField(
        label=_("จำนวนที่เรียก (คน)"), min_value=1, max_value=MAX_CALLS_AT_ONCE, initial=1
    )
    post = forms.CharField(label=_("ตำแหน่ง/หน่วยงานที่บรรจุ"), max_length=300)
    unit = forms.CharField(label=_("หน่วยงานที่ขอเรียก"), max_length=300, required=False)
    respond_days = forms.IntegerField(
        label=_("ต้องรายงานตัวภายใน (วัน)"),
        min_value=1,
        max_value=MAX_RESPOND_DAYS,
        initial=DEFAULT_RESPOND_DAYS,
    )
    use_request = forms.ModelChoiceField(
        label=_("เรียกตามคำขอใช้บัญชี"), queryset=UseRequest.objects.none(), required=False
    )

    def __init__(self, *args, eligibility_list=None, **kwargs):
        super().__init__(*args, **kwargs)
        if eligibility_list is not None:
            self.fields["use_request"].queryset = eligibility_list.use_requests.filter(
                status=UseRequest.Status.APPROVED
            )


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("ผล"), choices=[(o.value, o.label) for o in Call.Outcome if o in OFFICER_OUTCOMES]
    )
    notes = forms.CharField(label=_("หมายเหตุ"), max_length=1000, required=False)


class UseRequestForm(forms.Form):
    unit = forms.CharField(label=_("หน่วยงานที่ขอใช้บัญชี"), max_length=300)
    post = forms.CharField(label=_("ตำแหน่งที่จะบรรจุ"), max_length=300, required=False)
    positions_count = forms.IntegerField(label=_("จำนวนอัตรา"), min_value=1, max_value=1000)
    reason = forms.CharField(label=_("เหตุผล"), widget=forms.Textarea(attrs={"rows": 2}))


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("อนุมัติ")), ("reject", _("ไม่อนุมัติ"))])
    note = forms.CharField(label=_("หมายเหตุ"), max_length=1000, required=False)


class ExtendForm(forms.Form):
    days = forms.IntegerField(label=_("ขยายอายุบัญชี (วัน)"), min_value=1, max_value=3650)
    reason = forms.CharField(label=_("เหตุผล/เลขที่ประกาศขยายบัญชี"), max_length=500)


class UploadForm(forms.Form):
    doc_type = forms.ChoiceField(label=_("ประเภทเอกสาร"))
    file = forms.FileField(
        label=_("ไฟล์"),
        help_text=_("PDF, JPEG หรือ PNG ขนาดไม่เกิน 5 MB"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}
        ),
    )

    def __init__(self, *args, reporting_in=None, **kwargs):
        super().__init__(*args, **kwargs)
        if reporting_in is not None:
            self.fields["doc_type"].choices = reporting_in.required_labels()

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if uploaded.size > MAX_BYTES:
            raise forms.ValidationError(_("ไฟล์ใหญ่เกิน 5 MB (The file is larger than 5 MB)."))
        return uploaded


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("เหตุผล (ถ้ามี)"), max_length=1000, required=False)


class ReportingFilterForm(forms.Form):
    """GET filters of the officers' reporting-in page; an invalid value counts as "any"."""

    q = forms.CharField(
        label=_("ค้นหา"),
        required=False,
        max_length=100,
        widget=forms.SearchInput(attrs={"placeholder": _("ชื่อ เลขประจำตัวสอบ หรือเลขที่ใบสมัคร")}),
    )
    outcome = forms.ChoiceField(
        label=_("ผลการเรียก"), required=False, choices=[("", _("ทุกสถานะ")), *Call.Outcome.choices]
    )
    documents = forms.ChoiceField(
        label=_("เอกสาร"),
        required=False,
        choices=[
            ("", _("ทั้งหมด")),
            ("to_check", _("มีเอกสารรอตรวจ")),
            ("all_checked", _("ตรวจครบแล้ว")),
            ("none", _("ยังไม่ส่งเอกสาร")),
        ],
    )

    def values(self) -> dict:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            name: (data.get(name) or "") if name not in self.errors else ""
            for name in ("q", "outcome", "documents")
        }
