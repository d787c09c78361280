"""Load-with-permission helpers for rounds, sessions, rooms and roster entries (DESIGN §2).

- Exam officers (and administrators) manage everything: rounds, sessions, rosters, seats, cards.
- Proctors see the pages of the rooms they are assigned to (`Room.proctors`, set by an exam officer
  on the room form) and check those rooms' candidates in; any other room is a 404 to them
  (`get_room_for_staff`). `proctor_rooms` lists their rooms for the "my rooms" page.
- A candidate reaches only their own roster entries; anyone else's id is a 404.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from exam_platform.accounts.access import get_own_candidate, require_staff_role
from exam_platform.accounts.roles import Role, has_role

from .models import ExamRound, ExamSession, Position, Room, RosterEntry

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
    """Exam officers and administrators: any room; proctors: only the rooms assigned to them."""
    require_staff_role(user, Role.EXAM_OFFICER, Role.PROCTOR)
    rooms = Room.objects.select_related("session__round")
    if not is_exam_officer(user):
        rooms = rooms.filter(proctors=user)
    return _get(rooms, room_id)


def proctor_rooms(user, *, now=None) -> list[Room]:
    """The rooms assigned to a proctor: sessions that have not closed first (soonest first), then
    past ones (latest first)."""
    require_staff_role(user, Role.PROCTOR)
    now = now or timezone.now()
    rooms = list(Room.objects.filter(proctors=user).select_related("session__round"))
    upcoming = sorted(
        (r for r in rooms if r.session.closes_at > now), key=lambda r: (r.session.opens_at, r.pk)
    )
    past = sorted((r for r in rooms if r.session.closes_at <= now), key=lambda r: (r.session.opens_at, r.pk))
    return upcoming + past[::-1]


def get_position_for_officer(user, position_id) -> Position:
    require_officer(user)
    return _get(Position.objects.select_related("round"), position_id)


def get_session_for_live_panel(user, session_id) -> tuple[ExamSession, list[Room], bool]:
    """A session's live status panel (views/live.py, officer_consumers.py): (session, the rooms the
    user may watch in room order, whether they see the whole session). Exam officers and
    administrators: every room, and the candidates without one. Proctors: only the rooms of that
    session assigned to them; a session with none of theirs is a 404. Other roles: 403."""
    require_staff_role(user, Role.EXAM_OFFICER, Role.PROCTOR)
    session = _get(ExamSession.objects.select_related("round", "paper"), session_id)
    rooms = session.rooms.order_by("position", "code")
    if is_exam_officer(user):
        return session, list(rooms), True
    mine = list(rooms.filter(proctors=user))
    if not mine:
        raise Http404
    return session, mine, False


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
