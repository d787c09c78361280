"""The pass-policy editor: total minimum (percent and/or points), a minimum per section of the paper
(by its title), absentees and terminated attempts, rank per position, and the tie-break chain as
ordered steps (one select per step: choosing "—" removes a step, changing the selects reorders them).
Values are returned as services.policies.FIELDS."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import PassPolicy

STEP_ROWS_MIN = 4
STEP_ROWS_MAX = 10
SECTION_KINDS = (("", _("ไม่มีเกณฑ์")), ("percent", _("ร้อยละ")), ("points", _("คะแนน")))


def tie_break_choices(sections) -> list[tuple[str, str]]:
    choices = [("", "—")]
    for position, title in sections:
        label = _("คะแนนตอนที่ %(n)d %(title)s (มากกว่าได้ลำดับก่อน)") % {"n": position, "title": title}
        choices.append((f"section:{position}", label))
    choices += [
        ("application_number", _("เลขที่ใบสมัคร (น้อยกว่าได้ลำดับก่อน)")),
        ("exam_number", _("เลขประจำตัวสอบ (น้อยกว่าได้ลำดับก่อน)")),
        ("date_of_birth:older_first", _("วันเกิด: อายุมากกว่าได้ลำดับก่อน")),
        ("date_of_birth:younger_first", _("วันเกิด: อายุน้อยกว่าได้ลำดับก่อน")),
    ]
    return choices


def step_key(rule: dict) -> str:
    if rule.get("by") == "section":
        return f"section:{rule['section']}"
    if rule.get("by") == "date_of_birth":
        return f"date_of_birth:{rule.get('order', 'older_first')}"
    return str(rule.get("by", ""))


def step_rule(key: str) -> dict:
    by, _sep, arg = key.partition(":")
    if by == "section":
        return {"by": "section", "section": int(arg)}
    if by == "date_of_birth":
        return {"by": "date_of_birth", "order": arg}
    return {"by": by}


class PolicyForm(forms.Form):
    min_total_percent = forms.DecimalField(
        label=_("คะแนนรวมขั้นต่ำ (ร้อยละ)"), required=False, min_value=0, max_value=100, decimal_places=2
    )
    min_total_points = forms.DecimalField(
        label=_("คะแนนรวมขั้นต่ำ (คะแนน)"), required=False, min_value=0, decimal_places=2
    )
    absent_treatment = forms.ChoiceField(
        label=_("ผู้ขาดสอบ"), choices=PassPolicy.AbsentTreatment.choices, widget=forms.RadioSelect
    )
    terminated_treatment = forms.ChoiceField(
        label=_("ผู้ถูกยุติการสอบ"), choices=PassPolicy.TerminatedTreatment.choices, widget=forms.RadioSelect
    )
    rank_per_position = forms.BooleanField(label=_("จัดอันดับแยกตามตำแหน่ง"), required=False)
    reason = forms.CharField(
        label=_("เหตุผลการเปลี่ยนเกณฑ์"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("จำเป็นเมื่อรอบนี้จัดเตรียมประกาศแล้ว (ต้องให้เจ้าหน้าที่อีกคนอนุมัติ)"),
    )

    def __init__(self, *args, sections, current: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.sections = list(sections)
        minimums = {int(m["section"]): m for m in current.get("section_minimums") or []}
        self.initial.update(
            {
                "min_total_percent": current.get("min_total_percent"),
                "min_total_points": current.get("min_total_points"),
                "absent_treatment": current.get("absent_treatment"),
                "terminated_treatment": current.get("terminated_treatment"),
                "rank_per_position": current.get("rank_per_position"),
            }
        )
        for position, title in self.sections:
            minimum = minimums.get(position, {})
            kind = "percent" if "percent" in minimum else "points" if "points" in minimum else ""
            self.fields[f"section_{position}_kind"] = forms.ChoiceField(
                label=_("ตอนที่ %(n)d %(title)s: เกณฑ์ขั้นต่ำ") % {"n": position, "title": title},
                choices=SECTION_KINDS,
                required=False,
                initial=kind,
            )
            self.fields[f"section_{position}_value"] = forms.DecimalField(
                label=_("ตอนที่ %(n)d: ค่าขั้นต่ำ") % {"n": position},
                required=False,
                min_value=0,
                decimal_places=2,
                initial=minimum.get(kind) if kind else None,
            )
        chain = [step_key(rule) for rule in current.get("tie_break") or []]
        rows = min(max(len(chain) + 2, STEP_ROWS_MIN), STEP_ROWS_MAX)
        choices = tie_break_choices(self.sections)
        known = {value for value, _label in choices}
        for k in range(1, rows + 1):
            self.fields[f"tie_{k}"] = forms.ChoiceField(
                label=_("ลำดับที่ %(k)d") % {"k": k},
                choices=choices,
                required=False,
                initial=chain[k - 1] if k <= len(chain) and chain[k - 1] in known else "",
            )
        self.step_names = [f"tie_{k}" for k in range(1, rows + 1)]

    def section_rows(self):
        return [
            (position, title, self[f"section_{position}_kind"], self[f"section_{position}_value"])
            for position, title in self.sections
        ]

    def step_fields(self):
        return [self[name] for name in self.step_names]

    def clean(self):
        data = super().clean()
        for position, _title in self.sections:
            kind, value = data.get(f"section_{position}_kind"), data.get(f"section_{position}_value")
            if kind and value is None:
                self.add_error(f"section_{position}_value", _("กรอกค่าขั้นต่ำของตอนนี้"))
            if kind == "percent" and value is not None and value > 100:
                self.add_error(f"section_{position}_value", _("ร้อยละต้องไม่เกิน 100"))
        steps = [data.get(name) for name in self.step_names if data.get(name)]
        if len(steps) != len(set(steps)):
            self.add_error(None, _("เกณฑ์ตัดสินคะแนนเท่ากันซ้ำกัน แต่ละเกณฑ์ใช้ได้ครั้งเดียว"))
        return data

    def values(self) -> dict:
        data = self.cleaned_data
        minimums = []
        titles = dict(self.sections)
        for position, _title in self.sections:
            kind, value = data.get(f"section_{position}_kind"), data.get(f"section_{position}_value")
            if kind and value is not None:
                minimums.append({"section": position, "title": titles[position], kind: _plain(value)})
        return {
            "min_total_percent": data.get("min_total_percent"),
            "min_total_points": data.get("min_total_points"),
            "section_minimums": minimums,
            "absent_treatment": data["absent_treatment"],
            "terminated_treatment": data["terminated_treatment"],
            "rank_per_position": bool(data.get("rank_per_position")),
            "tie_break": [step_rule(data[name]) for name in self.step_names if data.get(name)],
        }


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")
