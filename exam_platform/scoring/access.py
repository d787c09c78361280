"""Load-with-permission helpers of the scoring screens: exam officers (and administrators) only.
Staff two-factor is enforced by accounts.middleware before any of these run."""

from django.http import Http404

from exam_platform.accounts.access import require_staff_role
from exam_platform.accounts.roles import Role
from exam_platform.delivery.models import ExamRound

from .models import ItemAdjustment


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
