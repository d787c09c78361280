"""Forms of the paper builder: paper metadata, sections, rules and enemy groups.

The forms only parse input; question_bank.services.papers validates again and writes.
"""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Category, Paper, Tag
from ..services.papers import CODE_RE, MAX_FORMS


class _CategoryChoiceField(forms.ModelChoiceField):
    """Subjects first, each followed by its topics ("ภาษาอังกฤษ › ไวยากรณ์")."""

    def label_from_instance(self, obj) -> str:
        return obj.name if obj.parent_id is None else f"{obj.parent.name} › {obj.name}"


def bank_categories(bank):
    """A bank's categories in tree order (subject, then its topics), for the rule's select."""
    categories = list(Category.objects.filter(bank=bank).select_related("parent").order_by("name", "pk"))
    subjects = [c for c in categories if c.parent_id is None]
    ordered = []
    for subject in subjects:
        ordered.append(subject)
        ordered += [c for c in categories if c.parent_id == subject.pk]
    return ordered


class PaperMetaForm(forms.Form):
    title = forms.CharField(label=_("ชื่อแบบทดสอบ"), max_length=300)
    instructions = forms.CharField(
        label=_("คำชี้แจงผู้สอบ"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    duration_minutes = forms.IntegerField(label=_("เวลาสอบ (นาที)"), min_value=1, max_value=1440, initial=120)
    form_mode = forms.ChoiceField(label=_("รูปแบบชุดข้อสอบ"), choices=Paper.FormMode.choices)
    form_count = forms.IntegerField(label=_("จำนวนชุด"), min_value=1, max_value=MAX_FORMS, initial=1)

    def clean(self):
        data = super().clean()
        if data.get("form_mode") == Paper.FormMode.PARALLEL and (data.get("form_count") or 0) < 2:
            self.add_error(
                "form_count", _("แบบคู่ขนานต้องมีอย่างน้อย 2 ชุด (Parallel forms need at least 2 forms).")
            )
        return data


class PaperCreateForm(PaperMetaForm):
    code = forms.CharField(
        label=_("รหัสแบบทดสอบ"),
        max_length=60,
        help_text=_("ตัวอักษร a-z ตัวเลข และ - เช่น part-a-1-2569"),
    )

    field_order = ["code", "title", "instructions", "duration_minutes", "form_mode", "form_count"]

    def clean_code(self):
        code = self.cleaned_data["code"].strip().lower()
        if not CODE_RE.match(code):
            raise forms.ValidationError(_("ใช้ได้เฉพาะ a-z 0-9 และ - (Use a-z, 0-9 and - only)."))
        return code


class SectionForm(forms.Form):
    title = forms.CharField(label=_("ชื่อตอน"), max_length=200)
    time_limit_minutes = forms.IntegerField(
        label=_("เวลาของตอน (นาที)"), min_value=1, max_value=1440, required=False,
        help_text=_("เว้นว่างถ้าไม่จำกัดเวลาเฉพาะตอน"),
    )  # fmt: skip
    points_per_item = forms.DecimalField(
        label=_("คะแนนต่อข้อ"), min_value=0.01, max_value=9999, decimal_places=2, required=False,
        help_text=_("เว้นว่างเพื่อใช้คะแนนของแต่ละข้อ"),
    )  # fmt: skip
    shuffle_items = forms.BooleanField(label=_("สลับลำดับข้อ"), required=False, initial=True)
    shuffle_choices = forms.BooleanField(label=_("สลับลำดับตัวเลือก"), required=False, initial=True)

    @classmethod
    def for_section(cls, section, **kwargs):
        initial = {
            "title": section.title,
            "time_limit_minutes": section.time_limit_minutes,
            "points_per_item": section.points_per_item,
            "shuffle_items": section.shuffle_items,
            "shuffle_choices": section.shuffle_choices,
        }
        return cls(initial=initial, prefix=f"s{section.pk}", **kwargs)


class RuleForm(forms.Form):
    category = _CategoryChoiceField(label=_("วิชา/หัวข้อ"), queryset=Category.objects.none())
    tag = forms.ModelChoiceField(
        label=_("ป้ายกำกับ"), queryset=Tag.objects.none(), required=False, empty_label=_("— ไม่จำกัด —")
    )
    count = forms.IntegerField(label=_("จำนวนข้อ"), min_value=1, max_value=1000)
    easy_percent = forms.IntegerField(label=_("ง่าย (%)"), min_value=0, max_value=100, initial=40)
    medium_percent = forms.IntegerField(label=_("ปานกลาง (%)"), min_value=0, max_value=100, initial=40)
    hard_percent = forms.IntegerField(label=_("ยาก (%)"), min_value=0, max_value=100, initial=20)

    def __init__(self, *args, bank, **kwargs):
        super().__init__(*args, **kwargs)
        categories = bank_categories(bank)
        self.fields["category"].queryset = Category.objects.filter(bank=bank).select_related("parent")
        # keep tree order in the select (the queryset is only used for validation)
        self.fields["category"].choices = [("", "---------")] + [
            (c.pk, self.fields["category"].label_from_instance(c)) for c in categories
        ]
        self.fields["tag"].queryset = Tag.objects.filter(bank=bank).order_by("name")

    @classmethod
    def for_rule(cls, rule, *, bank, **kwargs):
        initial = {
            "category": rule.category_id,
            "tag": rule.tag_id,
            "count": rule.count,
            "easy_percent": rule.easy_percent,
            "medium_percent": rule.medium_percent,
            "hard_percent": rule.hard_percent,
        }
        return cls(initial=initial, prefix=f"r{rule.pk}", bank=bank, **kwargs)

    def clean(self):
        data = super().clean()
        parts = [data.get(name) for name in ("easy_percent", "medium_percent", "hard_percent")]
        if all(p is not None for p in parts) and sum(parts) != 100:
            raise forms.ValidationError(
                _("สัดส่วน ง่าย/ปานกลาง/ยาก ต้องรวมกันได้ 100%% (ได้ %(t)d%%) (Percentages must add up to 100).")
                % {"t": sum(parts)}
            )
        return data


class EnemyGroupForm(forms.Form):
    name = forms.CharField(label=_("ชื่อกลุ่ม"), max_length=200)
    items = forms.CharField(
        label=_("ข้อสอบในกลุ่ม"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("เลขที่ข้อ (id) หรือรหัส uid คั่นด้วยเว้นวรรค จุลภาค หรือขึ้นบรรทัดใหม่ อย่างน้อย 2 ข้อ"),
    )

    def clean_items(self):
        references = [ref for ref in re.split(r"[\s,;]+", self.cleaned_data["items"]) if ref]
        if len(set(references)) < 2:
            raise forms.ValidationError(_("ต้องระบุอย่างน้อย 2 ข้อ (At least 2 items)."))
        return references
