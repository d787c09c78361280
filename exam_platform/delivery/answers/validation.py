"""What a save may contain: parsed and checked against the attempt's frozen form.

A save message (DESIGN §3; the full protocol is in delivery/consumers.py):
    {"type": "save", "seq": n, "item": "<item uid>", "answer": {...} | null, "flagged": bool,
     "client_time": "<ISO 8601>"}
Answers by item type (the Response.answer formats):
    single, true_false   {"choice": "<choice uid of that item>"}
    multiple             {"choices": ["<choice uid>", ...]}      (distinct, at least one)
    numeric              {"value": "-12.5"}                      (a decimal string)
    short                {"text": "..."}                         (≤ SHORT_TEXT_MAX characters)
    essay                {"text": "..."}                         (≤ ESSAY_TEXT_MAX characters)
null clears the answer. Each save carries the item's whole state (answer and flag).
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime

from django.utils.translation import gettext as _

SHORT_TEXT_MAX = 500
ESSAY_TEXT_MAX = 20_000
MAX_SEQ = 2**53  # JavaScript's safe integers
DECIMAL_RE = re.compile(r"^[+-]?(\d{1,15}(\.\d{0,10})?|\.\d{1,10})$")
CHOICE_TYPES = {"single", "true_false"}

# Refusal codes: the browser drops a refused save from its outbox and shows the message.
DEADLINE = "deadline"
INVALID = "invalid"
SUBMITTED = "submitted"


def refusal_text(code: str) -> str:
    return {
        DEADLINE: _("หมดเวลาสอบแล้ว คำตอบนี้ไม่ถูกบันทึก (Time is up: this answer was not saved)."),
        SUBMITTED: _("ส่งคำตอบแล้ว แก้ไขไม่ได้อีก (The exam was already submitted: no more changes)."),
        INVALID: _("คำตอบไม่ถูกต้องตามรูปแบบของข้อนี้ (The answer does not fit this question)."),
    }[code]


def ack_message(seq) -> dict:
    return {"type": "ack", "seq": seq}


def nack_message(seq, code: str) -> dict:
    return {"type": "nack", "seq": seq, "code": code, "message": refusal_text(code)}


@dataclass(frozen=True, slots=True)
class Save:
    attempt_id: int
    seq: int
    item_uid: str
    answer: dict | None
    flagged: bool
    client_time: datetime | None
    channel: str  # "ws" | "http"
    ip_address: str | None


@dataclass(frozen=True, slots=True)
class Refusal:
    seq: int | None
    code: str


class FormIndex:
    """item uid → (type, allowed choice uids), built from Attempt.form (order does not matter).

    FormIndex.of(form) shares one index between every attempt of the same numbered form of the
    same locked paper (paper digest + form number > 0: the same items, only shuffled), so thousands
    of sockets of a process hold one index, not thousands (fewer objects for the garbage collector
    to walk). Per-candidate forms (number 0) each get their own."""

    __slots__ = ("__weakref__", "items")
    _shared: weakref.WeakValueDictionary = weakref.WeakValueDictionary()

    def __init__(self, form: dict):
        self.items: dict[str, tuple[str, frozenset[str]]] = {
            item["uid"]: (item["type"], frozenset(c["uid"] for c in item.get("choices", ())))
            for section in form.get("sections", ())
            for item in section.get("items", ())
        }

    @classmethod
    def of(cls, form: dict) -> FormIndex:
        paper = form.get("paper") or {}
        key = (paper.get("digest"), paper.get("code"), paper.get("version"), form.get("form"))
        if not key[0] or not form.get("form"):
            return cls(form)
        index = cls._shared.get(key)
        if index is None:
            index = cls._shared[key] = cls(form)
        return index

    def answer_fits(self, item_uid: str, answer) -> bool:
        kind, choices = self.items[item_uid]
        if answer is None:
            return True
        if not isinstance(answer, dict) or len(answer) != 1:
            return False
        if kind in CHOICE_TYPES:
            value = answer.get("choice")
            return isinstance(value, str) and value in choices
        if kind == "multiple":
            value = answer.get("choices")
            return (
                isinstance(value, list)
                and 0 < len(value) <= len(choices)
                and all(isinstance(v, str) and v in choices for v in value)
                and len(set(value)) == len(value)
            )
        if kind == "numeric":
            value = answer.get("value")
            return isinstance(value, str) and bool(DECIMAL_RE.match(value))
        if kind in ("short", "essay"):
            value = answer.get("text")
            limit = SHORT_TEXT_MAX if kind == "short" else ESSAY_TEXT_MAX
            return isinstance(value, str) and len(value) <= limit and _storable(value)
        return False


def _storable(text: str) -> bool:
    """PostgreSQL's jsonb refuses NUL (\\u0000) and UTF-8 cannot carry a lone surrogate: such a
    text would fail its whole batch, every socket's saves in it, again at each resend."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_save(
    index: FormIndex, message, *, attempt_id: int, channel: str, ip_address: str | None
) -> Save | Refusal:
    """A Save ready for the writer, or a Refusal("invalid") for anything that does not fit."""
    if not isinstance(message, dict):
        return Refusal(None, INVALID)
    seq = message.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or not 0 < seq < MAX_SEQ:
        return Refusal(None, INVALID)
    item_uid = message.get("item")
    flagged = message.get("flagged", False)
    answer = message.get("answer")
    if (
        not isinstance(item_uid, str)
        or item_uid not in index.items
        or not isinstance(flagged, bool)
        or not index.answer_fits(item_uid, answer)
    ):
        return Refusal(seq, INVALID)
    if isinstance(answer, dict) and "choices" in answer:
        answer = {"choices": sorted(answer["choices"])}  # a set: one spelling for digests
    return Save(
        attempt_id=attempt_id,
        seq=seq,
        item_uid=item_uid,
        answer=answer,
        flagged=flagged,
        client_time=_parse_time(message.get("client_time")),
        channel=channel,
        ip_address=ip_address,
    )


def _parse_time(value) -> datetime | None:
    """The browser's clock as it claims it (kept for the record only), in UTC: PostgreSQL refuses
    offsets beyond ±15:59 that Python accepts, which would fail the whole batch."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed.astimezone(UTC) if parsed.tzinfo is not None else None
    except (ValueError, OverflowError):
        return None
