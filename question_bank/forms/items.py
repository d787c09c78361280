"""The item editor's form: one ItemForm for the version's fields and a formset of up to five choices.

The form only shapes input into ItemData; the rules (how many choices, which are correct, numeric
values…) live in services.items.validate_item_data, whose Thai+English messages the view shows as
form errors. Choice rows carry the choice's stable uid in a hidden field so an edit keeps it.
"""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Category, ItemVersion
from ..services.items import MAX_CHOICES, PARTIAL_CREDIT_RULES, ChoiceData, ItemData

Type = ItemVersion.ItemType
HTML_HELP = _(
    "ใช้ HTML ได้บางส่วน: <p> <br> <strong> <em> <u> <sub> <sup> <ul> <ol> <li> <table> และรูปภาพจากคลังนี้ "
    "ส่วนอื่นจะถูกตัดออกเมื่อบันทึก (A safe HTML subset; anything else is removed on save)."
)
PARTIAL_CREDIT_LABELS = {
    "all_or_nothing": _("ได้คะแนนเมื่อเลือกถูกครบทุกข้อและไม่เลือกผิดเลย (all or nothing)"),
    "per_choice": _("(ข้อที่เลือกถูก − ข้อที่เลือกผิด) ÷ จำนวนข้อที่ถูก ไม่ต่ำกว่า 0 (per choice)"),
    "proportional": _("ข้อที่เลือกถูก ÷ จำนวนข้อที่ถูก หากไม่เลือกผิดเลย มิฉะนั้น 0 (proportional)"),
}


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return f"{obj.parent.name} › {obj.name}" if obj.parent_id else obj.name


class ItemForm(forms.Form):
    item_type = forms.ChoiceField(label=_("ชนิดข้อสอบ"), choices=Type.choices, initial=Type.SINGLE_CHOICE)
    category = CategoryChoiceField(
        label=_("หมวด (วิชา › หัวข้อ)"),
        queryset=Category.objects.none(),
        error_messages={"invalid_choice": _("หมวดไม่อยู่ในคลังนี้ (Choose a topic of this bank).")},
    )
    stem = forms.CharField(label=_("โจทย์"), widget=forms.Textarea(attrs={"rows": 5}), help_text=HTML_HELP)
    default_points = forms.DecimalField(
        label=_("คะแนน"), initial=Decimal("1"), min_value=Decimal("0.01"), max_digits=6, decimal_places=2
    )
    difficulty = forms.ChoiceField(
        label=_("ความยาก"), choices=ItemVersion.Difficulty.choices, initial=ItemVersion.Difficulty.MEDIUM
    )
    language = forms.ChoiceField(
        label=_("ภาษา"), choices=[("th", _("ไทย")), ("en", _("อังกฤษ"))], initial="th"
    )
    # type-specific answer data
    partial_credit = forms.ChoiceField(
        label=_("การให้คะแนนบางส่วน"),
        choices=[(rule, PARTIAL_CREDIT_LABELS[rule]) for rule in PARTIAL_CREDIT_RULES],
        initial="all_or_nothing",
        required=False,
    )
    numeric_value = forms.CharField(label=_("คำตอบที่ถูกต้อง (ตัวเลข)"), required=False, max_length=40)
    numeric_tolerance = forms.CharField(
        label=_("ค่าคลาดเคลื่อนที่ยอมรับ (±)"), required=False, max_length=40, initial="0"
    )
    short_accepted = forms.CharField(
        label=_("คำตอบที่ยอมรับ (บรรทัดละหนึ่งคำตอบ)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("เปรียบเทียบหลังปรับรูปแบบ: ช่องว่าง และ ำ สองแบบถือว่าเหมือนกัน"),
    )
    short_case_sensitive = forms.BooleanField(label=_("ตัวพิมพ์เล็ก/ใหญ่ต้องตรงกัน"), required=False)
    essay_max_words = forms.IntegerField(label=_("จำนวนคำสูงสุด"), required=False, min_value=1, max_value=10000)
    essay_rubric = forms.CharField(
        label=_("เกณฑ์การให้คะแนน"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    explanation = forms.CharField(
        label=_("คำอธิบายเฉลย"), required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text=HTML_HELP
    )
    tags = forms.CharField(
        label=_("ป้ายกำกับ"), required=False, max_length=500, help_text=_("คั่นด้วยจุลภาค เช่น ไวยากรณ์, ปี 2568")
    )
    change_note = forms.CharField(label=_("บันทึกการแก้ไข"), required=False, max_length=300)

    def __init__(self, *args, bank, **kwargs):
        super().__init__(*args, **kwargs)
        self.bank = bank
        self.fields["category"].queryset = (
            Category.objects.filter(bank=bank, parent__isnull=False)
            .select_related("parent")
            .order_by("parent__name", "name")
        )

    def answer_spec(self) -> dict:
        data, kind = self.cleaned_data, self.cleaned_data.get("item_type")
        if kind == Type.MULTIPLE_RESPONSE:
            return {"partial_credit": data.get("partial_credit") or "all_or_nothing"}
        if kind == Type.NUMERIC:
            return {
                "value": data.get("numeric_value", "").strip(),
                "tolerance": data.get("numeric_tolerance") or "0",
            }
        if kind == Type.SHORT_ANSWER:
            lines = (data.get("short_accepted") or "").splitlines()
            return {
                "accepted": [a.strip() for a in lines if a.strip()],
                "case_sensitive": data["short_case_sensitive"],
            }
        if kind == Type.ESSAY:
            spec = {"rubric": (data.get("essay_rubric") or "").strip()}
            if data.get("essay_max_words"):
                spec["max_words"] = data["essay_max_words"]
            return spec
        return {}

    def to_item_data(self, choices: list[ChoiceData]) -> ItemData:
        """The form's data as ItemData (not yet cleaned or validated: the service does that)."""
        data = self.cleaned_data
        kind = data["item_type"]
        return ItemData(
            item_type=kind,
            stem=data["stem"],
            category=data["category"],
            choices=choices if kind in ItemVersion.CHOICE_TYPES else [],
            answer_spec=self.answer_spec(),
            default_points=data["default_points"],
            difficulty=data["difficulty"],
            explanation=data.get("explanation", ""),
            language=data["language"],
            tags=[t for t in (data.get("tags") or "").replace("،", ",").split(",")],
            change_note=data.get("change_note", ""),
        )


class ChoiceForm(forms.Form):
    uid = forms.UUIDField(required=False, widget=forms.HiddenInput)
    text = forms.CharField(label=_("ข้อความตัวเลือก"), required=False, widget=forms.Textarea(attrs={"rows": 1}))
    is_correct = forms.BooleanField(label=_("คำตอบที่ถูก"), required=False)


class BaseChoiceFormSet(forms.BaseFormSet):
    def choice_data(self) -> list[ChoiceData]:
        """Non-empty rows, in order; a row whose text is blank is an unused slot."""
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not (data.get("text") or "").strip():
                continue
            uid = data.get("uid")
            rows.append(
                ChoiceData(text=data["text"], is_correct=data["is_correct"], uid=str(uid) if uid else None)
            )
        return rows


def choice_formset(data=None, *, choices=()) -> BaseChoiceFormSet:
    """The choice rows, pre-filled with `choices` (ChoiceData) and padded to MAX_CHOICES.

    Always MAX_CHOICES rows and blank rows are ignored, so the editor works without JavaScript
    (editor.js hides the unused rows and offers add/remove buttons instead).
    """
    initial = [{"uid": c.uid, "text": c.text, "is_correct": c.is_correct} for c in choices]
    formset = forms.formset_factory(
        ChoiceForm,
        formset=BaseChoiceFormSet,
        extra=max(MAX_CHOICES - len(initial), 0),
        max_num=MAX_CHOICES,
        absolute_max=MAX_CHOICES,
    )
    return formset(data, initial=initial or None, prefix="choices")


def initial_from_item_data(data: ItemData) -> dict:
    """ItemForm initial values from an existing version's data (the start of an edit)."""
    spec = data.answer_spec
    return {
        "item_type": data.item_type,
        "category": data.category.pk,
        "stem": data.stem,
        "default_points": data.default_points,
        "difficulty": data.difficulty,
        "language": data.language,
        "partial_credit": spec.get("partial_credit", "all_or_nothing"),
        "numeric_value": spec.get("value", ""),
        "numeric_tolerance": spec.get("tolerance", "0"),
        "short_accepted": "\n".join(spec.get("accepted", [])),
        "short_case_sensitive": bool(spec.get("case_sensitive")),
        "essay_max_words": spec.get("max_words"),
        "essay_rubric": spec.get("rubric", ""),
        "explanation": data.explanation,
        "tags": ", ".join(data.tags),
    }
