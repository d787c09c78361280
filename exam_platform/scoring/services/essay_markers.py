"""Who marks a round's essays: examiners assigned by an exam officer (audited). Marks already given
stand when a marker is removed; the removed marker simply cannot mark any more."""

from django.db import transaction
from django.utils.translation import gettext as _

from exam_platform.accounts.roles import Role, has_role
from exam_platform.common.audit import record_audit

from ..models import EssayMarkerAssignment
from .runs import ScoringError


def assign_essay_marker(exam_round, *, marker, actor, request=None) -> EssayMarkerAssignment:
    if not marker.is_active or marker.is_candidate or not has_role(marker, Role.EXAMINER):
        raise ScoringError(
            "not_examiner",
            _("ผู้ตรวจอัตนัยต้องเป็นผู้ออกข้อสอบที่ยังใช้งานอยู่ (An essay marker must be an active examiner)."),
        )
    with transaction.atomic():
        assignment, created = EssayMarkerAssignment.objects.get_or_create(
            round=exam_round, marker=marker, defaults={"assigned_by": actor}
        )
        if not created:
            raise ScoringError(
                "already_assigned",
                _("ผู้นี้เป็นผู้ตรวจอัตนัยของการสอบนี้อยู่แล้ว (Already a marker of this round)."),
            )
        record_audit(
            "scoring.essay_marker.assign",
            actor=actor,
            request=request,
            obj=assignment,
            object_repr=f"{exam_round.code}: {marker.username}",
            after={"round": exam_round.code, "marker": marker.username},
        )
    return assignment


def unassign_essay_marker(assignment: EssayMarkerAssignment, *, actor, request=None) -> None:
    with transaction.atomic():
        record_audit(
            "scoring.essay_marker.unassign",
            actor=actor,
            request=request,
            obj=assignment,
            object_repr=f"{assignment.round.code}: {assignment.marker.username}",
            before={"round": assignment.round.code, "marker": assignment.marker.username},
        )
        assignment.delete()
