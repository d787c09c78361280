"""Load-with-permission helpers for attempts (the exam page, its socket, its HTTP endpoints).

A candidate reaches only their own attempt; for anyone else the attempt does not exist (404 /
socket 4403), so ids cannot be probed. Roster entries are loaded through delivery/access.py.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import Http404

from .models import Attempt, ResponseEvent


def _candidate_user(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and getattr(user, "is_candidate", False))


def get_own_attempt(user, attempt_uid) -> Attempt:
    """The logged-in candidate's attempt `attempt_uid` (any status), else Http404/PermissionDenied."""
    if not user.is_authenticated:
        raise PermissionDenied
    if not _candidate_user(user):
        raise Http404
    attempt = (
        Attempt.objects.select_related("entry__session__round", "entry__candidate")
        .filter(uid=attempt_uid, entry__candidate__user=user)
        .first()
    )
    if attempt is None:
        raise Http404
    return attempt


def attempt_socket_state(user, attempt_uid) -> dict | None:
    """What the socket needs, loaded once at connect: None unless it is this candidate's attempt."""
    if not _candidate_user(user):
        return None
    row = (
        Attempt.objects.filter(uid=attempt_uid, entry__candidate__user=user)
        .values("id", "uid", "status", "deadline", "form")
        .first()
    )
    if row is None:
        return None
    row["last_seq"] = last_seq(row["id"])
    return row


def last_seq(attempt_id: int) -> int:
    """The highest sequence number stored for the attempt (the browser continues above it)."""
    return ResponseEvent.objects.filter(attempt_id=attempt_id).aggregate(m=Max("seq"))["m"] or 0
