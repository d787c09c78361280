"""A round's pass policy: created or changed as a new version, audited with before/after."""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from exam_platform.common.audit import record_audit

from ..models import PassPolicy
from ..pass_rules import PassRules
from .runs import ScoringError

FIELDS = (
    "min_total_percent",
    "min_total_points",
    "section_minimums",
    "absent_treatment",
    "terminated_treatment",
    "tie_break",
    "rank_per_position",
    "essay_markers",
    "essay_disagreement_threshold",
)


def _decimal(value, *, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number < 0:
        raise ScoringError("bad_policy", _("ค่า %(f)s ไม่ถูกต้อง (Invalid %(f)s).") % {"f": field})
    return number


def _validate(values: dict) -> dict:
    for field in ("min_total_percent", "min_total_points", "essay_disagreement_threshold"):
        if field in values:
            values[field] = _decimal(values[field], field=field)
    if values.get("min_total_percent") is not None and values["min_total_percent"] > 100:
        raise ScoringError("bad_policy", _("ร้อยละต้องไม่เกิน 100 (Percent must be at most 100)."))
    for minimum in values.get("section_minimums") or []:
        if (
            not isinstance(minimum, dict)
            or "section" not in minimum
            or not (("percent" in minimum) ^ ("points" in minimum))
        ):
            raise ScoringError(
                "bad_policy", _("เกณฑ์รายตอนต้องมี section และ percent หรือ points (Section minimum format).")
            )
        int(minimum["section"])
        _decimal(minimum.get("percent", minimum.get("points")), field="section_minimums")
    for rule in values.get("tie_break") or []:
        if (
            not isinstance(rule, dict)
            or rule.get("by") not in ("section", "application_number")
            or (rule["by"] == "section" and not str(rule.get("section", "")).isdigit())
        ):
            raise ScoringError("bad_policy", _("เกณฑ์ตัดสินคะแนนเท่ากันไม่ถูกต้อง (Invalid tie-break rule)."))
    if "essay_markers" in values and values["essay_markers"] not in (1, 2):
        raise ScoringError("bad_policy", _("จำนวนผู้ตรวจต้องเป็น 1 หรือ 2 (Essay markers must be 1 or 2)."))
    return values


def set_pass_policy(exam_round, *, actor, request=None, **values) -> PassPolicy:
    """Create the round's policy or change it (version + 1); only FIELDS may be given."""
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown policy fields: {sorted(unknown)}")
    values = _validate(dict(values))
    with transaction.atomic():
        policy = PassPolicy.objects.select_for_update().filter(round=exam_round).first()
        before = PassRules.from_policy(policy).as_dict() if policy else None
        if policy is None:
            policy = PassPolicy(round=exam_round, version=1)
        else:
            policy.version += 1
        for field, value in values.items():
            setattr(policy, field, value)
        policy.updated_by = actor
        policy.save()
        record_audit(
            "scoring.policy.set",
            actor=actor,
            request=request,
            obj=policy,
            before=before,
            after=PassRules.from_policy(policy).as_dict(),
        )
    return policy
