"""Key corrections after an exam: propose (one exam officer) → preview the diff
(services/runs.preview_rescore) → apply and rescore (ANOTHER exam officer, with the digest of the
diff they reviewed and a fresh two-factor code) or withdraw. Every step is audited.

Two people: nobody applies a correction they proposed. Applying takes every proposed correction of
the round at once (one diff, one rescore), so the approver must have proposed none of them. The
database refuses it too (ItemAdjustment constraint item_adjustment_two_people).

After a rank list of the round has been published, applying changes the results only: the published
list never changes, and a corrected list is a new version (publication.services.publish_correction),
which again needs two officers.
"""

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from exam_platform.common.audit import record_audit
from exam_platform.delivery.models import ExamRound

from ..engine import CHOICE_TYPES, parse_number
from ..item_catalogue import round_catalogue
from ..models import ItemAdjustment
from ..second_factor import FreshCodeError, require_fresh_code
from ..signals import results_corrected
from .runs import ScoringError, score_round


def _snapshot(adjustment: ItemAdjustment) -> dict:
    return {
        "round": adjustment.round_id,
        "item_uid": adjustment.item_uid,
        "item_label": adjustment.item_label,
        "action": adjustment.action,
        "new_key": adjustment.new_key,
        "reason": adjustment.reason,
        "status": adjustment.status,
        "proposed_by": adjustment.proposed_by_id,
        "applied_by": adjustment.applied_by_id,
    }


def _item_version(item_uid: str):
    from question_bank.models import ItemVersion

    version = (
        ItemVersion.objects.filter(item__uid=item_uid).order_by("-number").first()
        if _is_uuid(item_uid)
        else None
    )
    if version is None:
        raise ScoringError("no_item", _("ไม่พบข้อสอบนี้ (No such item)."))
    return version


def _is_uuid(text: str) -> bool:
    import uuid

    try:
        uuid.UUID(str(text))
    except ValueError:
        return False
    return True


def _clean_key(version, action: str, new_key: dict | None) -> dict:
    if action != ItemAdjustment.Action.CHANGE_KEY:
        return {}
    new_key = new_key or {}
    kind = version.item_type
    if kind in CHOICE_TYPES:
        chosen = [str(uid) for uid in new_key.get("choices", [])]
        known = {str(uid) for uid in version.item.versions.values_list("choices__uid", flat=True) if uid}
        if not chosen or not set(chosen) <= known:
            raise ScoringError("bad_key", _("ตัวเลือกเฉลยใหม่ไม่ถูกต้อง (The new key's choices are not valid)."))
        return {"choices": sorted(set(chosen))}
    if kind == "numeric":
        value, tolerance = new_key.get("value"), new_key.get("tolerance") or "0"
        if parse_number(value) is None or parse_number(tolerance) is None or parse_number(tolerance) < 0:
            raise ScoringError("bad_key", _("ค่าเฉลยตัวเลขไม่ถูกต้อง (The numeric key is not valid)."))
        return {"value": str(value).strip(), "tolerance": str(tolerance).strip()}
    if kind == "short":
        accepted = [str(a).strip() for a in new_key.get("accepted", []) if str(a).strip()]
        if not accepted:
            raise ScoringError("bad_key", _("ต้องมีคำตอบที่ยอมรับอย่างน้อยหนึ่งคำตอบ (At least one accepted answer)."))
        return {"accepted": accepted, "case_sensitive": bool(new_key.get("case_sensitive", False))}
    raise ScoringError("bad_key", _("ข้อสอบชนิดนี้แก้ไขเฉลยไม่ได้ (This item type has no key to change)."))


def propose_adjustment(
    exam_round: ExamRound,
    *,
    actor,
    item_uid: str,
    action: str,
    reason: str,
    new_key=None,
    item_label: str = "",
    request=None,
) -> ItemAdjustment:
    """Record a proposed correction of one item of the round (applied later by another officer).

    `item_label` is how the officer named the item ("ตอนที่ 1 ข้อ 7"); the views take it from
    item_catalogue, where the item is chosen by its number."""
    if action not in ItemAdjustment.Action.values:
        raise ScoringError("bad_action", _("การแก้ไขไม่ถูกต้อง (Unknown correction)."))
    if not (reason or "").strip():
        raise ScoringError("no_reason", _("ต้องระบุเหตุผล (A reason is required)."))
    version = _item_version(item_uid)
    key = _clean_key(version, action, new_key)
    catalogue = round_catalogue(exam_round)
    if not catalogue.has(str(item_uid)):
        raise ScoringError("not_in_round", _("ข้อสอบนี้ไม่อยู่ในแบบทดสอบของรอบการสอบนี้"))
    item_label = item_label or catalogue.label_of(str(item_uid))
    with transaction.atomic():
        adjustment = ItemAdjustment.objects.create(
            round=exam_round,
            item_uid=str(item_uid),
            item_label=item_label[:120],
            action=action,
            new_key=key,
            reason=reason.strip(),
            proposed_by=actor,
        )
        record_audit(
            "scoring.adjustment.propose",
            actor=actor,
            request=request,
            obj=adjustment,
            after=_snapshot(adjustment),
        )
    return adjustment


def withdraw_adjustment(adjustment: ItemAdjustment, *, actor, request=None) -> ItemAdjustment:
    with transaction.atomic():
        fresh = ItemAdjustment.objects.select_for_update().get(pk=adjustment.pk)
        if fresh.status != ItemAdjustment.Status.PROPOSED:
            raise ScoringError("not_proposed", _("รายการนี้ไม่ได้อยู่ในสถานะเสนอ (Not a proposed correction)."))
        before = _snapshot(fresh)
        fresh.status = ItemAdjustment.Status.WITHDRAWN
        fresh.save(update_fields=["status"])
        record_audit(
            "scoring.adjustment.withdraw",
            actor=actor,
            request=request,
            obj=fresh,
            before=before,
            after=_snapshot(fresh),
        )
    return fresh


def check_may_apply(exam_round: ExamRound, actor) -> None:
    """Refuse (ScoringError "same_person") if `actor` proposed any of the round's pending corrections."""
    if ItemAdjustment.objects.filter(
        round=exam_round, status=ItemAdjustment.Status.PROPOSED, proposed_by=actor
    ).exists():
        raise ScoringError(
            "same_person",
            _("ผู้เสนอการแก้ไขเฉลยอนุมัติการแก้ไขของตนเองไม่ได้ ต้องให้เจ้าหน้าที่สอบอีกคนเป็นผู้อนุมัติ"),
        )


def apply_adjustments(exam_round: ExamRound, *, actor, expected_digest: str, code: str | None, request=None):
    """Approve and apply every proposed correction of the round and rescore, in one transaction.

    `actor` must be an exam officer who proposed none of them; `code` a fresh TOTP or backup code
    of `actor` (second_factor.py); `expected_digest` the inputs digest of the preview the officer
    reviewed: if anything changed since (answers, marks, policy, another correction), nothing is
    applied."""
    if not expected_digest:
        raise ScoringError("no_digest", _("ไม่พบค่าย่อยของผลต่างที่ตรวจแล้ว กรุณาเปิดหน้าผลต่างแล้วตรวจอีกครั้ง"))
    check_may_apply(exam_round, actor)
    try:
        require_fresh_code(actor, code, request=request)
    except FreshCodeError as error:
        raise ScoringError("fresh_code", error.message) from None
    with transaction.atomic():
        ExamRound.objects.select_for_update().filter(pk=exam_round.pk).first()
        proposed = list(
            ItemAdjustment.objects.select_for_update()
            .filter(round=exam_round, status=ItemAdjustment.Status.PROPOSED)
            .order_by("id")
        )
        if not proposed:
            raise ScoringError("nothing", _("ไม่มีการแก้ไขเฉลยที่รอใช้ (No proposed corrections)."))
        check_may_apply(exam_round, actor)
        now = timezone.now()
        for adjustment in proposed:
            before = _snapshot(adjustment)
            adjustment.status = ItemAdjustment.Status.APPLIED
            adjustment.applied_by = actor
            adjustment.applied_at = now
            adjustment.save(update_fields=["status", "applied_by", "applied_at"])
            record_audit(
                "scoring.adjustment.apply",
                actor=actor,
                request=request,
                obj=adjustment,
                before=before,
                after={**_snapshot(adjustment), "reviewed_digest": expected_digest},
            )
        run = score_round(exam_round, actor=actor, request=request)
        if run.inputs_digest != expected_digest:
            raise ScoringError(
                "stale",
                _("ข้อมูลเปลี่ยนไปหลังการแสดงตัวอย่าง กรุณาตรวจผลต่างอีกครั้ง (Inputs changed since the preview)."),
            )
        with translation.override("th"):  # the note goes into a public Thai list
            note = "; ".join(
                f"{a.item_label or a.item_uid}: {a.get_action_display()} — {a.reason}" for a in proposed
            )
            change_note = _("แก้ไขเฉลย %(items)s") % {"items": note}
        results_corrected.send(
            ItemAdjustment,
            exam_round=exam_round,
            actor=actor,
            change_note=change_note,
            request=request,
        )
    return run
