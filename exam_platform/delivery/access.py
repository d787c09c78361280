"""Load-with-permission helpers for rounds, sessions, rooms and roster entries (DESIGN §2).

- Exam officers (and administrators) manage everything: rounds, sessions, rosters, seats, cards.
- Proctors see room pages and check candidates in. For now every proctor may open every room:
  there is no per-room proctor assignment yet (a RoomProctor model would narrow `get_room_for_staff`).
- A candidate reaches only their own roster entries; anyone else's id is a 404.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from exam_platform.accounts.access import get_own_candidate, require_staff_role
from exam_platform.accounts.roles import Role, has_role

from .models import ExamRound, ExamSession, Room, RosterEntry

ENTRY_RELATED = ("session__round", "candidate__user", "room", "position")


def is_exam_officer(user) -> bool:
    return (
        user.is_authenticated
        and not user.is_candidate
        and has_role(user, Role.EXAM_OFFICER, Role.ADMINISTRATOR)
    )


def require_officer(user) -> None:
    require_staff_role(user, Role.EXAM_OFFICER)


def _get(queryset, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_round_for_officer(user, round_id) -> ExamRound:
    require_officer(user)
    return _get(ExamRound.objects.all(), round_id)


def get_session_for_officer(user, session_id) -> ExamSession:
    require_officer(user)
    return _get(ExamSession.objects.select_related("round", "paper"), session_id)


def get_room_for_officer(user, room_id) -> Room:
    require_officer(user)
    return _get(Room.objects.select_related("session__round"), room_id)


def get_room_for_staff(user, room_id) -> Room:
    """Exam officers and proctors (any room, see the module docstring)."""
    require_staff_role(user, Role.EXAM_OFFICER, Role.PROCTOR)
    return _get(Room.objects.select_related("session__round"), room_id)


def get_entry_for_officer(user, entry_id) -> RosterEntry:
    require_officer(user)
    return _get(RosterEntry.objects.select_related(*ENTRY_RELATED), entry_id)


def own_entries(user):
    """The logged-in candidate's roster entries, soonest session first."""
    candidate = get_own_candidate(user)
    return (
        RosterEntry.objects.filter(candidate=candidate)
        .select_related(*ENTRY_RELATED, "attempt")
        .order_by("session__opens_at", "pk")
    )


def get_own_entry(user, entry_id) -> RosterEntry:
    """One of the candidate's own roster entries; another candidate's id is a 404."""
    if not user.is_authenticated or not user.is_candidate:
        raise PermissionDenied
    return _get(own_entries(user), entry_id)
