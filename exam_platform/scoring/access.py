"""Load-with-permission helpers of the scoring screens: exam officers (and administrators), and for
essay marking the examiners assigned to a round (EssayMarkerAssignment).
Staff two-factor is enforced by accounts.middleware before any of these run."""

from django.http import Http404

from exam_platform.accounts.access import require_staff_role
from exam_platform.accounts.roles import Role
from exam_platform.delivery.models import ExamRound

from .models import EssayMarkerAssignment, ItemAdjustment, PolicyChange


def require_scoring_officer(user) -> None:
    require_staff_role(user, Role.EXAM_OFFICER)


def get_round_for_scoring(user, code: str) -> ExamRound:
    require_scoring_officer(user)
    try:
        return ExamRound.objects.get(code=code)
    except ExamRound.DoesNotExist:
        raise Http404 from None


def get_adjustment_for_scoring(user, exam_round: ExamRound, adjustment_id: int) -> ItemAdjustment:
    require_scoring_officer(user)
    try:
        return ItemAdjustment.objects.get(round=exam_round, pk=adjustment_id)
    except ItemAdjustment.DoesNotExist:
        raise Http404 from None


def get_policy_change_for_scoring(user, exam_round: ExamRound, change_id: int) -> PolicyChange:
    require_scoring_officer(user)
    try:
        return PolicyChange.objects.select_related("round", "proposed_by").get(round=exam_round, pk=change_id)
    except PolicyChange.DoesNotExist:
        raise Http404 from None


def require_essay_marker(user) -> None:
    require_staff_role(user, Role.EXAMINER)


def get_round_for_marking(user, code: str) -> ExamRound:
    """A round whose essays `user` is assigned to mark (404 otherwise: no hint that it exists)."""
    require_essay_marker(user)
    try:
        return ExamRound.objects.get(code=code, essay_marker_assignments__marker=user)
    except ExamRound.DoesNotExist:
        raise Http404 from None


def get_marker_assignment_for_scoring(
    user, exam_round: ExamRound, assignment_id: int
) -> EssayMarkerAssignment:
    require_scoring_officer(user)
    try:
        return EssayMarkerAssignment.objects.select_related("round", "marker").get(
            round=exam_round, pk=assignment_id
        )
    except EssayMarkerAssignment.DoesNotExist:
        raise Http404 from None
