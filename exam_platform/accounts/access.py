"""Load-with-permission helpers. Every view and consumer loads objects through these.

Each helper takes the acting user first and either returns the object or raises Http404
(for objects the user may not even know exist) / PermissionDenied (for pages the role may not
use). A candidate can never reach another candidate's data by changing an id in a URL.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Candidate
from .roles import Role, has_role


def require_staff_role(user, *roles: str) -> None:
    """Staff page guard: the user holds one of `roles` (administrators pass every guard)."""
    if not user.is_authenticated or user.is_candidate:
        raise PermissionDenied
    if not has_role(user, *roles, Role.ADMINISTRATOR):
        raise PermissionDenied


def get_own_candidate(user) -> Candidate:
    """The candidate record of the logged-in candidate."""
    if not user.is_authenticated or not user.is_candidate:
        raise PermissionDenied
    try:
        return user.candidate
    except Candidate.DoesNotExist:
        raise Http404 from None


def get_candidate_for(user, candidate_id: int) -> Candidate:
    """A candidate's record: the candidate themself, or staff allowed to view candidates."""
    if not user.is_authenticated:
        raise PermissionDenied
    if user.is_candidate:
        own = get_own_candidate(user)
        if own.pk != candidate_id:
            raise Http404  # do not confirm that another candidate's id exists
        return own
    if not user.has_perm("accounts.view_candidate"):
        raise PermissionDenied
    try:
        return Candidate.objects.select_related("user").get(pk=candidate_id)
    except Candidate.DoesNotExist:
        raise Http404 from None


def require_administrator(user) -> None:
    """The people pages: administrators (and superusers) only."""
    require_staff_role(user, Role.ADMINISTRATOR)


def get_staff_person_for(user, person_id: int):
    """A staff account on the people pages. Candidates are not staff: their ids answer 404 here."""
    from .models import User

    require_administrator(user)
    try:
        return User.objects.prefetch_related("groups").get(pk=person_id, kind=User.Kind.STAFF)
    except User.DoesNotExist:
        raise Http404 from None
