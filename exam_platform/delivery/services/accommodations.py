"""Per-candidate accommodations (การอำนวยความสะดวก): parsing roster text, validating, editing (audited).

Stored in RosterEntry.accommodations (see its docstring). Extra time changes a candidate's deadline, so
every edit is audited with before/after.
"""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from exam_platform.common.audit import record_audit

from ..models import RosterEntry

FLAGS = ("beyond_window", "large_text", "high_contrast", "screen_reader", "breaks")
MAX_EXTRA_PERCENT = 200
MAX_EXTRA_MINUTES = 600

_EXTRA = r"(?:เวลาเพิ่ม|เพิ่มเวลา|ขยายเวลา|extra\s*time|extra)"
_PERCENT = re.compile(_EXTRA + r"\s*(\d+)\s*(?:%|เปอร์เซ็นต์|percent)$", re.IGNORECASE)
_MINUTES = re.compile(_EXTRA + r"\s*(\d+)\s*(?:นาที|min|mins|minutes)$", re.IGNORECASE)
_FLAG_WORDS = {
    "large_text": ("ตัวอักษรใหญ่", "ตัวอักษรขนาดใหญ่", "อักษรใหญ่", "large text", "large print"),
    "high_contrast": ("ความคมชัดสูง", "สีตัดกันสูง", "คอนทราสต์สูง", "high contrast"),
    "screen_reader": ("โปรแกรมอ่านหน้าจอ", "อ่านหน้าจอ", "screen reader"),
    "breaks": ("พักระหว่างสอบ", "พักได้", "breaks", "rest breaks"),
    "beyond_window": ("สอบเกินเวลาปิด", "เกินเวลาปิดสอบ", "beyond window"),
}
_SEPARATORS = re.compile(r"[;,\n/]+")
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def parse_accommodations(text: str) -> dict:
    """ "เวลาเพิ่ม 50%; ตัวอักษรใหญ่" -> {"extra_time_percent": 50, "large_text": True}.

    Raises ValidationError naming the part it does not understand.
    """
    result: dict = {}
    for raw_part in _SEPARATORS.split(text or ""):
        part = " ".join(raw_part.split())
        if not part or part in ("-", "ไม่มี", "none"):
            continue
        part = part.translate(_THAI_DIGITS)
        if match := _PERCENT.match(part):
            result["extra_time_percent"] = int(match.group(1))
            continue
        if match := _MINUTES.match(part):
            result["extra_minutes"] = int(match.group(1))
            continue
        flag = next((key for key, words in _FLAG_WORDS.items() if part.lower() in words), None)
        if flag is None:
            raise ValidationError(
                _("ไม่รู้จักการอำนวยความสะดวก “%(part)s” (Unknown accommodation “%(part)s”).") % {"part": part}
            )
        result[flag] = True
    return clean_accommodations(result)


def clean_accommodations(data: dict) -> dict:
    """Validated, canonical accommodations: only known keys, zero/false values dropped."""
    cleaned: dict = {}
    for key, limit in (("extra_time_percent", MAX_EXTRA_PERCENT), ("extra_minutes", MAX_EXTRA_MINUTES)):
        value = data.get(key) or 0
        try:
            value = int(str(value).strip().translate(_THAI_DIGITS))
        except ValueError:
            raise ValidationError(_("เวลาเพิ่มต้องเป็นตัวเลข (Extra time must be a number).")) from None
        if not 0 <= value <= limit:
            raise ValidationError(
                _("เวลาเพิ่มต้องอยู่ระหว่าง 0 ถึง %(limit)d (Extra time must be between 0 and %(limit)d).")
                % {"limit": limit}
            )
        if value:
            cleaned[key] = value
    for flag in FLAGS:
        if data.get(flag):
            cleaned[flag] = True
    return cleaned


def extra_minutes_for(accommodations: dict, duration_minutes: int) -> int:
    """The extra minutes an accommodation gives on a paper of `duration_minutes` (percent rounded up)."""
    percent = int(accommodations.get("extra_time_percent") or 0)
    return -(-duration_minutes * percent // 100) + int(accommodations.get("extra_minutes") or 0)


def update_accommodations(entry: RosterEntry, *, actor, accommodations: dict, request=None) -> RosterEntry:
    """Replace a candidate's accommodations (audited: it changes their deadline)."""
    cleaned = clean_accommodations(accommodations)
    with transaction.atomic():
        entry = RosterEntry.objects.select_for_update().get(pk=entry.pk)
        before = dict(entry.accommodations or {})
        if before == cleaned:
            return entry
        entry.accommodations = cleaned
        entry.save(update_fields=["accommodations"])
        record_audit(
            "delivery.roster.accommodations",
            actor=actor,
            request=request,
            obj=entry,
            before={"accommodations": before},
            after={"accommodations": cleaned},
        )
    return entry
