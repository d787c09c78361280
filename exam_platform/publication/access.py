"""Load-with-permission helpers for publication views.

Public pages reach only published (or superseded) versions; officers reach everything through the
exam-officer guard; a candidate reaches only their own results, and only once released.
"""

from django.http import Http404

from exam_platform.accounts.access import get_own_candidate, require_staff_role
from exam_platform.accounts.roles import Role

from .models import RankList, RankListVersion
from .queries import PUBLIC, results_released


def require_officer(user) -> None:
    require_staff_role(user, Role.EXAM_OFFICER)


def get_public_version(list_id: int, number: int) -> RankListVersion:
    try:
        return RankListVersion.objects.select_related("rank_list__round", "rank_list__position").get(
            rank_list_id=list_id, number=number, status__in=PUBLIC
        )
    except RankListVersion.DoesNotExist:
        raise Http404 from None


def get_version_for_officer(user, version_id: int) -> RankListVersion:
    require_officer(user)
    try:
        return RankListVersion.objects.select_related(
            "rank_list__round", "rank_list__position", "prepared_by", "approved_by"
        ).get(pk=version_id)
    except RankListVersion.DoesNotExist:
        raise Http404 from None


def get_list_for_officer(user, list_id: int) -> RankList:
    require_officer(user)
    try:
        return RankList.objects.select_related("round", "position").get(pk=list_id)
    except RankList.DoesNotExist:
        raise Http404 from None


def get_own_result(user, entry_id: int):
    """The logged-in candidate's released result for one of their own roster entries; 404 for anyone
    else's entry (never confirming that it exists) and for results not yet released."""
    from exam_platform.scoring.models import Result

    candidate = get_own_candidate(user)
    try:
        result = Result.objects.select_related(
            "round", "entry__candidate", "entry__position", "entry__session"
        ).get(entry_id=entry_id, entry__candidate=candidate)
    except Result.DoesNotExist:
        raise Http404 from None
    if not results_released(result.round_id):
        raise Http404
    return result
