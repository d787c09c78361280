"""Load-with-permission helpers for attempts (the exam page, its socket, its HTTP endpoints).

A candidate reaches only their own attempt; for anyone else the attempt does not exist (404 /
socket 4403), so ids cannot be probed. Roster entries are loaded through delivery/access.py.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import Http404
from django.urls import get_script_prefix, reverse

from .models import Attempt, Response, ResponseEvent, RosterEntry


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
        .values("id", "uid", "entry_id", "status", "deadline", "form")
        .first()
    )
    if row is None:
        return None
    row["last_seq"] = last_seq(row["id"])
    return row


def entry_socket_state(user, entry_id, now) -> dict | None:
    """What the exam-room socket (ws/exam/<entry id>/) needs at connect: None unless it is this
    candidate's checked-in roster entry with an in-progress attempt, or with no attempt yet and
    the late-entry time not passed (the waiting room)."""
    if not _candidate_user(user):
        return None
    entry = (
        RosterEntry.objects.filter(pk=entry_id, candidate__user=user)
        .values("id", "checked_in_at", "session__opens_at", "session__late_entry_until")
        .first()
    )
    if entry is None or entry["checked_in_at"] is None:
        return None
    attempt = (
        Attempt.objects.filter(entry_id=entry_id).values("id", "uid", "status", "deadline", "form").first()
    )
    if attempt is not None:
        if attempt["status"] != Attempt.Status.IN_PROGRESS:
            return None
        attempt["last_seq"] = last_seq(attempt["id"])
    elif now > entry["session__late_entry_until"]:
        return None
    return {
        "entry_id": entry["id"],
        "opens_at": entry["session__opens_at"],
        "late_entry_until": entry["session__late_entry_until"],
        "attempt": attempt,
    }


def last_seq(attempt_id: int) -> int:
    """The highest sequence number stored for the attempt (the browser continues above it)."""
    return ResponseEvent.objects.filter(attempt_id=attempt_id).aggregate(m=Max("seq"))["m"] or 0


def candidate_form(form: dict) -> dict:
    """What the browser gets of a frozen form (Attempt.form): sections and items in this candidate's
    order with stems and choices, and nothing else — no seed, version ids or points (and the frozen
    form never holds a key or a correctness flag)."""
    sections = []
    for section in form["sections"]:
        items = []
        for item in section["items"]:
            shown = {
                "uid": item["uid"],
                "type": item["type"],
                "stem": item["stem"],
                "language": item.get("language") or "th",
                "choices": item["choices"],
            }
            if item.get("max_words"):
                shown["max_words"] = item["max_words"]
            items.append(shown)
        sections.append({"position": section["position"], "title": section["title"], "items": items})
    return {"sections": sections}


_URL_MARKER = "00000000-0000-4000-8000-000000000000"
_url_templates: dict[str, dict[str, str]] = {}


def attempt_urls(attempt_uid) -> dict[str, str]:
    """The attempt's endpoints for the exam page (its socket messages carry them too). Reversed once
    per script prefix with a marker uid, then filled in: the start sends thousands at once."""
    prefix = get_script_prefix()
    templates = _url_templates.get(prefix)
    if templates is None:
        templates = _url_templates[prefix] = {
            name: reverse(f"delivery:attempt_{name}", args=[_URL_MARKER])
            for name in ("page", "save", "state", "submit", "receipt")
        }
    uid = str(attempt_uid)
    return {name: url.replace(_URL_MARKER, uid) for name, url in templates.items()}


def attempt_responses(attempt_id: int) -> dict[str, dict]:
    """The attempt's stored answers: item uid → {"answer", "flagged", "seq"}."""
    return {
        item_uid: {"answer": answer, "flagged": flagged, "seq": seq}
        for item_uid, answer, flagged, seq in Response.objects.filter(attempt_id=attempt_id).values_list(
            "item_uid", "answer", "flagged", "seq"
        )
    }
