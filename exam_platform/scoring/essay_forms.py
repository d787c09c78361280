"""Forms of blind essay marking: one marker's mark, and an officer assigning a marker."""

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from exam_platform.accounts.roles import Role

POINT_STEP = Decimal("0.5")


class MarkEssayForm(forms.Form):
    points = forms.DecimalField(
        label=_("คะแนน"),
        max_digits=6,
        decimal_places=2,
        error_messages={
            "required": _("กรุณากรอกคะแนน (Enter the points)."),
            "invalid": _("คะแนนต้องเป็นตัวเลข (Points must be a number)."),
            "max_digits": _("คะแนนต้องเป็นตัวเลข (Points must be a number)."),
            "max_decimal_places": _("คะแนนให้ได้ทีละครึ่งคะแนน (Points go in steps of 0.5)."),
            "max_whole_digits": _("คะแนนต้องเป็นตัวเลข (Points must be a number)."),
        },
    )
    comment = forms.CharField(
        label=_("ความเห็นของผู้ตรวจ (ไม่บังคับ)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("ความเห็นยาวเกิน 2,000 ตัวอักษร (Comment over 2,000 characters).")},
    )

    def __init__(self, *args, max_points: Decimal, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_points = max_points
        self.fields["points"].widget.attrs.update(
            {
                "min": "0",
                "max": f"{max_points.normalize():f}",
                "step": f"{POINT_STEP}",
                "inputmode": "decimal",
                "aria-describedby": "points-help",
            }
        )

    def clean_points(self) -> Decimal:
        points = self.cleaned_data["points"]
        if points < 0 or points > self.max_points:
            raise forms.ValidationError(
                _("คะแนนต้องอยู่ระหว่าง 0 ถึง %(max)s (Points must be 0 to %(max)s)."),
                params={"max": f"{self.max_points.normalize():f}"},
            )
        if points % POINT_STEP:
            raise forms.ValidationError(_("คะแนนให้ได้ทีละครึ่งคะแนน (Points go in steps of 0.5)."))
        return points


class MarkerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj} ({obj.username})"


class AssignMarkerForm(forms.Form):
    marker = MarkerChoiceField(
        label=_("ผู้ออกข้อสอบที่จะเป็นผู้ตรวจ"),
        queryset=get_user_model().objects.none(),
        empty_label=_("— เลือกผู้ออกข้อสอบ —"),
        error_messages={
            "required": _("กรุณาเลือกผู้ตรวจ (Choose a marker)."),
            "invalid_choice": _("ไม่พบผู้ออกข้อสอบนี้ (No such examiner)."),
        },
    )

    def __init__(self, *args, exam_round, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["marker"].queryset = (
            get_user_model()
            .objects.filter(groups__name=Role.EXAMINER, is_active=True)
            .exclude(pk__in=exam_round.essay_marker_assignments.values("marker_id"))
            .distinct()
            .order_by("username")
        )
