"""Blind essay marking. A marker sees an attempt's uid and the item, never a name; marks are
independent (one per marker per essay) and turned into a final mark by essay_rule.py."""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from exam_platform.common.audit import record_audit
from exam_platform.delivery.models import Attempt

from ..engine import to_cents
from ..essay_rule import marks_needed
from ..models import EssayMark
from .runs import ScoringError, round_rules
from .triggers import request_scoring


def _essay_item(attempt: Attempt, item_uid: str) -> dict:
    for section in attempt.form.get("sections", []):
        for item in section["items"]:
            if item["uid"] == item_uid and item["type"] == "essay":
                return item
    raise ScoringError("no_essay", _("ไม่พบข้อสอบอัตนัยนี้ในการสอบ (No such essay in this attempt)."))


def mark_essay(
    attempt: Attempt, item_uid: str, *, marker, points, comment: str = "", request=None
) -> EssayMark:
    """Record one marker's mark; a third mark only when the first two disagree beyond the threshold."""
    item = _essay_item(attempt, item_uid)
    try:
        value = Decimal(str(points))
    except InvalidOperation:
        value = Decimal(-1)
    if not value.is_finite() or value < 0 or value > Decimal(str(item["points"])):
        raise ScoringError(
            "bad_points",
            _("คะแนนต้องอยู่ระหว่าง 0 ถึง %(max)s (Points must be 0 to %(max)s).") % {"max": item["points"]},
        )
    exam_round = attempt.entry.session.round
    rules = round_rules(exam_round)
    with transaction.atomic():
        Attempt.objects.select_for_update().filter(pk=attempt.pk).first()
        existing = list(EssayMark.objects.filter(attempt=attempt, item_uid=item_uid).order_by("id"))
        if any(mark.marker_id == marker.pk for mark in existing):
            raise ScoringError("already_marked", _("ท่านตรวจข้อนี้แล้ว (You have already marked this essay)."))
        given = [to_cents(mark.points) for mark in existing]
        threshold = to_cents(rules.essay_disagreement_threshold)
        if len(given) >= marks_needed(given, markers=rules.essay_markers, threshold=threshold):
            raise ScoringError("complete", _("ข้อนี้ตรวจครบแล้ว (This essay needs no more marks)."))
        mark = EssayMark.objects.create(
            attempt=attempt, item_uid=item_uid, marker=marker, points=value, comment=comment
        )
        record_audit(
            "scoring.essay.mark",
            actor=marker,
            request=request,
            obj=mark,
            object_repr=f"{attempt.uid}:{item_uid}",
            after={
                "attempt": str(attempt.uid),
                "item_uid": item_uid,
                "points": value,
                "order": len(given) + 1,
            },
        )
        request_scoring(exam_round.pk, reason="essay_mark")
    return mark
