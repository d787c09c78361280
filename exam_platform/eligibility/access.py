"""Load-with-permission helpers for eligibility views: officers through the exam-officer guard, a
candidate only their own calls (404 for anyone else's, never confirming it exists)."""

from django.http import Http404

from exam_platform.accounts.access import get_own_candidate, require_staff_role
from exam_platform.accounts.roles import Role

from .models import Call, EligibilityList, ReportingDocument, UseRequest


def require_officer(user) -> None:
    require_staff_role(user, Role.EXAM_OFFICER)


def get_list_for_officer(user, list_id: int) -> EligibilityList:
    require_officer(user)
    try:
        return EligibilityList.objects.select_related("rank_list__round", "rank_list__position").get(
            pk=list_id
        )
    except EligibilityList.DoesNotExist:
        raise Http404 from None


def get_call_for_officer(user, call_id: int) -> Call:
    require_officer(user)
    try:
        return Call.objects.select_related("eligibility_list").get(pk=call_id)
    except Call.DoesNotExist:
        raise Http404 from None


def get_use_request_for_officer(user, request_id: int) -> UseRequest:
    require_officer(user)
    try:
        return UseRequest.objects.select_related("eligibility_list").get(pk=request_id)
    except UseRequest.DoesNotExist:
        raise Http404 from None


def own_calls(user):
    candidate = get_own_candidate(user)
    return Call.objects.filter(entry__candidate=candidate)


def get_own_call(user, call_uid) -> Call:
    try:
        return own_calls(user).select_related("eligibility_list__rank_list", "reporting_in").get(uid=call_uid)
    except Call.DoesNotExist:
        raise Http404 from None


def get_document_for(user, document_uid) -> ReportingDocument:
    """A document: its candidate, or an exam officer."""
    documents = ReportingDocument.objects.select_related("reporting_in__call")
    if user.is_authenticated and user.is_candidate:
        documents = documents.filter(reporting_in__call__entry__candidate=get_own_candidate(user))
    else:
        require_officer(user)
    try:
        return documents.get(uid=document_uid)
    except (ReportingDocument.DoesNotExist, ValueError):
        raise Http404 from None
