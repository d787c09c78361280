"""What the officer's live panel counts: every roster entry of a session in exactly one state, per
room and for the whole session, with ONE aggregate query (docs/performance.md, "The officer's live
panel").

The states, decided per entry in this order (`STATE_CASE`, in SQL):

=====================  ==========================================================================
state                  the entry
=====================  ==========================================================================
terminated             has an attempt whose status is "terminated" (ended by a proctor)
submitted_deadline     has a submitted attempt, submitted by the server at the deadline
submitted_proctor      has a submitted attempt, submitted by a proctor
submitted_candidate    has a submitted attempt, submitted by the candidate (or with no reason)
in_progress            has an attempt in progress (started, not yet submitted)
waiting                no attempt, checked in (checked_in_at set: identity confirmed and rules
                       accepted, or checked in by staff), and late entry still open (now ≤
                       late_entry_until): in the exam room, or on the way there
not_checked_in         no attempt, not checked in, and late entry still open
absent_checked_in      no attempt, checked in, and the late-entry cutoff has passed: never started
absent_no_show         no attempt, not checked in, and the late-entry cutoff has passed
=====================  ==========================================================================

From those, the counts shown (`counts_from_states`): `PARTS` partition the roster — not checked
in + waiting + in progress + submitted + terminated + absent = total — and two counts overlap
them: `checked_in` (every entry with checked_in_at, whatever happened next) and `absent_checked_in`
(the part of `absent` that had checked in). `submitted` is split by reason.

"Late entry open" is the same rule as the start's (services.attempts._start_refusal): an entry may
start while now ≤ late_entry_until. Candidates without a room are counted under ROOMLESS.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Case, CharField, Count, Q, Value, When
from django.utils import timezone

from .models import Attempt, RosterEntry

STATES = (
    "not_checked_in",
    "waiting",
    "in_progress",
    "submitted_candidate",
    "submitted_deadline",
    "submitted_proctor",
    "terminated",
    "absent_checked_in",
    "absent_no_show",
)
# The shown counts that partition the roster: they add up to `total`.
PARTS = ("not_checked_in", "waiting", "in_progress", "submitted", "terminated", "absent")
# Every key of a counts dict.
COUNT_KEYS = (
    "total",
    "checked_in",
    *PARTS,
    "submitted_candidate",
    "submitted_deadline",
    "submitted_proctor",
    "absent_checked_in",
)
ROOMLESS = "none"  # the key of the entries without a room

_CHECKED_IN = Q(checked_in_at__isnull=False)
_NO_ATTEMPT = Q(attempt__isnull=True)


def state_case(now: datetime) -> Case:
    """The per-entry state of the module docstring, as one SQL CASE (first match wins)."""
    late_open = Q(session__late_entry_until__gte=now)
    submitted = Q(attempt__status=Attempt.Status.SUBMITTED)
    return Case(
        When(attempt__status=Attempt.Status.TERMINATED, then=Value("terminated")),
        When(
            submitted & Q(attempt__submit_reason=Attempt.SubmitReason.DEADLINE),
            then=Value("submitted_deadline"),
        ),
        When(
            submitted & Q(attempt__submit_reason=Attempt.SubmitReason.PROCTOR),
            then=Value("submitted_proctor"),
        ),
        When(submitted, then=Value("submitted_candidate")),
        When(~_NO_ATTEMPT, then=Value("in_progress")),
        When(late_open & _CHECKED_IN, then=Value("waiting")),
        When(late_open, then=Value("not_checked_in")),
        When(_CHECKED_IN, then=Value("absent_checked_in")),
        default=Value("absent_no_show"),
        output_field=CharField(),
    )


def state_query(session_id: int, *, now: datetime):
    """(room id, state, number of entries) rows for one session: the one query.

    SELECT room_id, CASE … END AS state, COUNT(*) FROM roster LEFT JOIN attempt ON attempt.entry_id
    = roster.id JOIN session … WHERE roster.session_id = %s GROUP BY room_id, state — the roster's
    session_id index and the attempt's unique entry_id index (plan: bench/live_status.py)."""
    return (
        RosterEntry.objects.filter(session_id=session_id)
        .annotate(state=state_case(now))
        .values("room_id", "state")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("room_id", "state", "n")
    )


def state_rows(session_id: int, *, now: datetime | None = None) -> list[tuple[int | None, str, int]]:
    return list(state_query(session_id, now=now or timezone.now()))


def empty_counts() -> dict[str, int]:
    return dict.fromkeys(COUNT_KEYS, 0)


def counts_from_states(by_state: dict[str, int]) -> dict[str, int]:
    """The shown counts (COUNT_KEYS) from numbers of entries per state (STATES)."""
    n = {state: by_state.get(state, 0) for state in STATES}
    submitted = n["submitted_candidate"] + n["submitted_deadline"] + n["submitted_proctor"]
    absent = n["absent_checked_in"] + n["absent_no_show"]
    return {
        "total": sum(n.values()),
        "checked_in": n["waiting"] + n["in_progress"] + submitted + n["terminated"] + n["absent_checked_in"],
        "not_checked_in": n["not_checked_in"],
        "waiting": n["waiting"],
        "in_progress": n["in_progress"],
        "submitted": submitted,
        "terminated": n["terminated"],
        "absent": absent,
        "submitted_candidate": n["submitted_candidate"],
        "submitted_deadline": n["submitted_deadline"],
        "submitted_proctor": n["submitted_proctor"],
        "absent_checked_in": n["absent_checked_in"],
    }


def add_counts(counts: list[dict[str, int]]) -> dict[str, int]:
    total = empty_counts()
    for one in counts:
        for key in COUNT_KEYS:
            total[key] += one[key]
    return total


def room_key(room_id: int | None) -> str:
    return ROOMLESS if room_id is None else str(room_id)


def session_status_counts(session_id: int, *, now: datetime | None = None) -> dict:
    """{"session": counts, "rooms": {room key: counts}} for one session (one query; see the module
    docstring). Rooms with no roster entry are absent from "rooms": the caller knows its rooms."""
    by_room: dict[str, dict[str, int]] = {}
    for room_id, state, n in state_rows(session_id, now=now):
        by_room.setdefault(room_key(room_id), {})[state] = n
    rooms = {key: counts_from_states(states) for key, states in by_room.items()}
    return {"session": add_counts(list(rooms.values())), "rooms": rooms}


def restrict_to_rooms(counts: dict, room_keys: set[str] | None) -> dict:
    """The counts of `session_status_counts` seen by someone who may see only `room_keys` (None:
    every room): the other rooms are left out and the session total is theirs alone."""
    if room_keys is None:
        return counts
    rooms = {key: value for key, value in counts["rooms"].items() if key in room_keys}
    return {"session": add_counts(list(rooms.values())), "rooms": rooms}
