"""A round's pass policy: created or changed as a new version, audited with before/after.

Before any rank list of the round has been prepared, an exam officer sets the policy directly
(set_pass_policy). Afterwards a change is a PolicyChange: proposed with the diff of who changes pass
or rank (preview_policy), applied by ANOTHER exam officer who reviewed that diff (its digest) and
typed a fresh two-factor code (apply_policy_change), or withdrawn. Every step is audited.
"""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from exam_platform.common.audit import record_audit
from exam_platform.delivery.models import ExamRound

from ..models import PassPolicy, PolicyChange
from ..pass_rules import PassRules
from ..second_factor import FreshCodeError, require_fresh_code
from ..signals import results_corrected
from .runs import Preview, ScoringError, preview_rescore, round_rules, score_round

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
TIE_BREAKS = ("section", "application_number", "exam_number", "date_of_birth")
BIRTH_ORDERS = ("older_first", "younger_first")


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
        number = _decimal(minimum.get("percent", minimum.get("points")), field="section_minimums")
        if "percent" in minimum and number is not None and number > 100:
            raise ScoringError("bad_policy", _("ร้อยละต้องไม่เกิน 100 (Percent must be at most 100)."))
    seen = set()
    for rule in values.get("tie_break") or []:
        if (
            not isinstance(rule, dict)
            or rule.get("by") not in TIE_BREAKS
            or (rule["by"] == "section" and not str(rule.get("section", "")).isdigit())
            or (rule["by"] == "date_of_birth" and rule.get("order", "older_first") not in BIRTH_ORDERS)
        ):
            raise ScoringError("bad_policy", _("เกณฑ์ตัดสินคะแนนเท่ากันไม่ถูกต้อง (Invalid tie-break rule)."))
        key = (rule["by"], str(rule.get("section", "")))
        if key in seen:
            raise ScoringError("bad_policy", _("เกณฑ์ตัดสินคะแนนเท่ากันซ้ำกัน แต่ละเกณฑ์ใช้ได้ครั้งเดียว"))
        seen.add(key)
    if "essay_markers" in values and values["essay_markers"] not in (1, 2):
        raise ScoringError("bad_policy", _("จำนวนผู้ตรวจต้องเป็น 1 หรือ 2 (Essay markers must be 1 or 2)."))
    return values


def _check_fields(values: dict) -> dict:
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown policy fields: {sorted(unknown)}")
    return _validate(dict(values))


def rank_list_prepared(exam_round) -> bool:
    """Has any rank list of the round been prepared (read through the app registry: scoring does not
    import publication)? From then on the policy changes only through a reviewed PolicyChange."""
    from django.apps import apps

    if not apps.is_installed("exam_platform.publication"):
        return False
    return apps.get_model("publication", "RankList").objects.filter(round=exam_round).exists()


def _write_policy(exam_round, values: dict, *, actor, request, action="scoring.policy.set", extra=None):
    """Create or change (version + 1) the policy, audited. The caller holds the transaction."""
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
        action,
        actor=actor,
        request=request,
        obj=policy,
        before=before,
        after={**PassRules.from_policy(policy).as_dict(), **(extra or {})},
    )
    return policy


def set_pass_policy(exam_round, *, actor, request=None, **values) -> PassPolicy:
    """Create the round's policy or change it (version + 1); only FIELDS may be given. Refused once
    a rank list of the round has been prepared: then propose_policy_change."""
    values = _check_fields(values)
    if rank_list_prepared(exam_round):
        raise ScoringError(
            "needs_review",
            _("รอบนี้จัดเตรียมประกาศแล้ว การเปลี่ยนเกณฑ์ต้องเสนอและให้เจ้าหน้าที่สอบอีกคนอนุมัติ"),
        )
    with transaction.atomic():
        return _write_policy(exam_round, values, actor=actor, request=request)


def policy_values(exam_round) -> dict:
    """The round's current policy as FIELDS values (the defaults when it has none)."""
    rules = round_rules(exam_round)
    return {
        "min_total_percent": rules.min_total_percent,
        "min_total_points": rules.min_total_points,
        "section_minimums": list(rules.section_minimums),
        "absent_treatment": rules.absent_treatment,
        "terminated_treatment": rules.terminated_treatment,
        "tie_break": list(rules.tie_break),
        "rank_per_position": rules.rank_per_position,
        "essay_markers": rules.essay_markers,
        "essay_disagreement_threshold": rules.essay_disagreement_threshold,
    }


def rules_for(exam_round, values: dict) -> PassRules:
    """The rules `values` would give, as the next version (so a preview's digest is the digest the
    rescore after applying them computes)."""
    current = round_rules(exam_round)
    merged = {**policy_values(exam_round), **_check_fields(values)}
    policy = PassPolicy(round=exam_round, version=current.version + 1, **merged)
    return PassRules.from_policy(policy)


def preview_policy(exam_round, values: dict) -> Preview:
    """Who would change score, pass or rank under `values`, against the stored results. Writes nothing."""
    return preview_rescore(exam_round, rules=rules_for(exam_round, values), include_proposed=False)


def _json_values(values: dict) -> dict:
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in values.items()}


def propose_policy_change(exam_round, *, actor, values: dict, reason: str, request=None) -> PolicyChange:
    values = _check_fields(values)
    if not (reason or "").strip():
        raise ScoringError("no_reason", _("ต้องระบุเหตุผล (A reason is required)."))
    with transaction.atomic():
        ExamRound.objects.select_for_update().filter(pk=exam_round.pk).first()
        if PolicyChange.objects.filter(round=exam_round, status=PolicyChange.Status.PROPOSED).exists():
            raise ScoringError("pending", _("มีข้อเสนอเปลี่ยนเกณฑ์ที่รออนุมัติอยู่แล้ว ให้อนุมัติหรือถอนก่อน"))
        change = PolicyChange.objects.create(
            round=exam_round,
            values=_json_values({**_json_values(policy_values(exam_round)), **_json_values(values)}),
            base_version=round_rules(exam_round).version,
            reason=reason.strip(),
            proposed_by=actor,
        )
        record_audit(
            "scoring.policy.propose",
            actor=actor,
            request=request,
            obj=change,
            before=_json_values(policy_values(exam_round)),
            after={"values": change.values, "base_version": change.base_version, "reason": change.reason},
        )
    return change


def preview_change(change: PolicyChange) -> Preview:
    return preview_policy(change.round, change.values)


def apply_policy_change(change: PolicyChange, *, actor, expected_digest: str, code: str | None, request=None):
    """A second exam officer applies a proposed change: policy version + 1 and a rescore, in one
    transaction, only if the rescore's digest is the one of the diff they reviewed."""
    if not expected_digest:
        raise ScoringError("no_digest", _("ไม่พบค่าย่อยของผลต่างที่ตรวจแล้ว กรุณาเปิดหน้าผลต่างแล้วตรวจอีกครั้ง"))
    if change.proposed_by_id == actor.pk:
        raise ScoringError(
            "same_person", _("ผู้เสนอเปลี่ยนเกณฑ์อนุมัติข้อเสนอของตนเองไม่ได้ ต้องให้เจ้าหน้าที่สอบอีกคนเป็นผู้อนุมัติ")
        )
    try:
        require_fresh_code(actor, code, request=request)
    except FreshCodeError as error:
        raise ScoringError("fresh_code", error.message) from None
    with transaction.atomic():
        exam_round = ExamRound.objects.select_for_update().get(pk=change.round_id)
        fresh = PolicyChange.objects.select_for_update().get(pk=change.pk)
        if fresh.status != PolicyChange.Status.PROPOSED:
            raise ScoringError("not_proposed", _("รายการนี้ไม่ได้อยู่ในสถานะเสนอ (Not a proposed correction)."))
        if round_rules(exam_round).version != fresh.base_version:
            raise ScoringError(
                "stale",
                _("ข้อมูลเปลี่ยนไปหลังการแสดงตัวอย่าง กรุณาตรวจผลต่างอีกครั้ง (Inputs changed since the preview)."),
            )
        _write_policy(
            exam_round,
            _check_fields(fresh.values),
            actor=actor,
            request=request,
            action="scoring.policy.apply",
            extra={
                "change": fresh.pk,
                "proposed_by": fresh.proposed_by_id,
                "reviewed_digest": expected_digest,
            },
        )
        fresh.status = PolicyChange.Status.APPLIED
        fresh.applied_by = actor
        fresh.applied_at = timezone.now()
        fresh.save(update_fields=["status", "applied_by", "applied_at"])
        run = score_round(exam_round, actor=actor, request=request)
        if run.inputs_digest != expected_digest:
            raise ScoringError(
                "stale",
                _("ข้อมูลเปลี่ยนไปหลังการแสดงตัวอย่าง กรุณาตรวจผลต่างอีกครั้ง (Inputs changed since the preview)."),
            )
        with translation.override("th"):  # the note goes into a public Thai list
            change_note = _("เปลี่ยนเกณฑ์การผ่านและการจัดอันดับ — %(reason)s") % {"reason": fresh.reason}
        results_corrected.send(
            PolicyChange,
            exam_round=exam_round,
            actor=actor,
            change_note=change_note,
            request=request,
        )
    return run


def withdraw_policy_change(change: PolicyChange, *, actor, request=None) -> PolicyChange:
    with transaction.atomic():
        fresh = PolicyChange.objects.select_for_update().get(pk=change.pk)
        if fresh.status != PolicyChange.Status.PROPOSED:
            raise ScoringError("not_proposed", _("รายการนี้ไม่ได้อยู่ในสถานะเสนอ (Not a proposed correction)."))
        fresh.status = PolicyChange.Status.WITHDRAWN
        fresh.save(update_fields=["status"])
        record_audit(
            "scoring.policy.withdraw",
            actor=actor,
            request=request,
            obj=fresh,
            before={"status": PolicyChange.Status.PROPOSED},
            after={"status": fresh.status},
        )
    return fresh
