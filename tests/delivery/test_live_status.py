"""The live panel's counts (delivery.live_status): every roster entry in exactly one state, per room
and for the session, the parts adding up to the roster, in one query."""

import datetime as dt

import pytest
from django.utils import timezone

from exam_platform.delivery.live_status import (
    COUNT_KEYS,
    PARTS,
    ROOMLESS,
    restrict_to_rooms,
    session_status_counts,
)
from exam_platform.delivery.models import Attempt, Room
from tests.delivery.exam_setup import make_entry, make_session

pytestmark = pytest.mark.django_db


def make_room(session, code: str) -> Room:
    return Room.objects.create(session=session, code=code, name=f"ห้อง {code}", capacity=40)


def make_attempt(entry, status=Attempt.Status.IN_PROGRESS, reason=""):
    now = timezone.now()
    return Attempt.objects.create(
        entry=entry,
        seed=1,
        form={},
        started_at=now,
        deadline=now + dt.timedelta(minutes=60),
        status=status,
        submit_reason=reason,
        submitted_at=now if status != Attempt.Status.IN_PROGRESS else None,
    )


def seat(session, room, *, checked_in=True):
    entry = make_entry(session, checked_in=checked_in)
    entry.room = room
    entry.save(update_fields=["room"])
    return entry


def arrange():
    """Room A: one not checked in, one waiting, one in progress, one submitted by the candidate,
    one by the deadline. Room B: one submitted by a proctor, one terminated, one waiting, one
    submitted with no reason recorded. No room: one not checked in. Another session: one waiting."""
    session = make_session()
    a, b = make_room(session, "a"), make_room(session, "b")
    seat(session, a, checked_in=False)
    seat(session, a)
    make_attempt(seat(session, a))
    make_attempt(seat(session, a), Attempt.Status.SUBMITTED, Attempt.SubmitReason.CANDIDATE)
    make_attempt(seat(session, a), Attempt.Status.SUBMITTED, Attempt.SubmitReason.DEADLINE)
    make_attempt(seat(session, b), Attempt.Status.SUBMITTED, Attempt.SubmitReason.PROCTOR)
    make_attempt(seat(session, b), Attempt.Status.TERMINATED, Attempt.SubmitReason.PROCTOR)
    seat(session, b)
    make_attempt(seat(session, b), Attempt.Status.SUBMITTED, "")
    seat(session, None, checked_in=False)
    make_entry(make_session())
    return session, a, b


def expected(**nonzero) -> dict:
    return {key: nonzero.get(key, 0) for key in COUNT_KEYS}


def test_live_counts_every_state_once_per_room_while_late_entry_is_open(django_assert_num_queries):
    session, a, b = arrange()

    with django_assert_num_queries(1):
        counts = session_status_counts(session.pk)

    assert counts["rooms"][str(a.pk)] == expected(
        total=5,
        checked_in=4,
        not_checked_in=1,
        waiting=1,
        in_progress=1,
        submitted=2,
        submitted_candidate=1,
        submitted_deadline=1,
    )
    assert counts["rooms"][str(b.pk)] == expected(
        total=4,
        checked_in=4,
        waiting=1,
        submitted=2,
        submitted_candidate=1,
        submitted_proctor=1,
        terminated=1,
    )
    assert counts["rooms"][ROOMLESS] == expected(total=1, not_checked_in=1)
    assert counts["session"] == expected(
        total=10,
        checked_in=8,
        not_checked_in=2,
        waiting=2,
        in_progress=1,
        submitted=4,
        submitted_candidate=2,
        submitted_deadline=1,
        submitted_proctor=1,
        terminated=1,
    )


def test_live_counts_after_the_cutoff_the_waiting_and_the_unchecked_are_absent():
    session, a, _b = arrange()
    after_cutoff = session.late_entry_until + dt.timedelta(seconds=1)

    counts = session_status_counts(session.pk, now=after_cutoff)

    assert counts["session"] == expected(
        total=10,
        checked_in=8,
        in_progress=1,
        submitted=4,
        submitted_candidate=2,
        submitted_deadline=1,
        submitted_proctor=1,
        terminated=1,
        absent=4,
        absent_checked_in=2,
    )
    assert counts["rooms"][str(a.pk)]["absent"] == 2  # one never checked in, one never started
    assert counts["rooms"][str(a.pk)]["absent_checked_in"] == 1
    at_cutoff = session_status_counts(session.pk, now=session.late_entry_until)
    assert at_cutoff["session"]["absent"] == 0  # the cutoff itself still lets them in


@pytest.mark.parametrize("minutes", [-30, 0, 60])
def test_live_counts_parts_add_up_to_the_roster_in_every_room(minutes):
    session, _a, _b = arrange()
    now = session.late_entry_until + dt.timedelta(minutes=minutes)

    counts = session_status_counts(session.pk, now=now)

    for one in [counts["session"], *counts["rooms"].values()]:
        assert sum(one[part] for part in PARTS) == one["total"]
        assert (
            one["submitted"]
            == one["submitted_candidate"] + one["submitted_deadline"] + one["submitted_proctor"]
        )
    assert counts["session"]["total"] == session.roster.count()
    assert sum(room["total"] for room in counts["rooms"].values()) == session.roster.count()


def test_live_counts_of_an_empty_session_are_zero():
    session = make_session()

    assert session_status_counts(session.pk) == {"session": expected(), "rooms": {}}


def test_live_counts_restricted_to_rooms_total_only_those_rooms():
    session, _a, b = arrange()
    counts = session_status_counts(session.pk)

    mine = restrict_to_rooms(counts, {str(b.pk)})

    assert list(mine["rooms"]) == [str(b.pk)]
    assert mine["session"] == counts["rooms"][str(b.pk)]
    assert restrict_to_rooms(counts, None) is counts
