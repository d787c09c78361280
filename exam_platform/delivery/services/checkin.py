"""Check-in: the candidate confirms identity and accepts the rules online, or staff check them in by
hand (button or the QR token of the admission card). Allowed from check-in opening (checkin_opens_at,
or one day before opens_at) until the late-entry cutoff. Every check-in is audited.

Failed identity confirmations are throttled per roster entry (CHECKIN_MAX_FAILURES within
CHECKIN_LOCK_SECONDS) in the cache; a locked-out candidate can still be checked in by staff.
"""

import datetime as dt

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from exam_platform.common.audit import record_audit
from exam_platform.common.national_id import normalise as normalise_national_id
from exam_platform.common.thai_dates import format_thai_date

from ..admission_card import BadCardToken, read_card_token
from ..models import ExamSession, Room, RosterEntry

CHECKIN_MAX_FAILURES = 5
CHECKIN_LOCK_SECONDS = 15 * 60
DEFAULT_CHECKIN_LEAD = dt.timedelta(days=1)


class CheckInError(Exception):
    """A refused check-in; str() is the Thai + English message for the user."""


def checkin_window(session: ExamSession) -> tuple[dt.datetime, dt.datetime]:
    start = session.checkin_opens_at or session.opens_at - DEFAULT_CHECKIN_LEAD
    return start, session.late_entry_until


def checkin_is_open(session: ExamSession, now: dt.datetime | None = None) -> bool:
    start, end = checkin_window(session)
    return start <= (now or timezone.now()) <= end


def _require_window(session: ExamSession, now: dt.datetime) -> None:
    start, end = checkin_window(session)
    if now < start:
        when = format_thai_date(start, with_time=True)
        raise CheckInError(
            _("ยังไม่ถึงเวลายืนยันตัวตน เริ่มได้ %(when)s (Check-in has not opened yet: it opens %(iso)s).")
            % {"when": when, "iso": timezone.localtime(start).strftime("%Y-%m-%d %H:%M")}
        )
    if now > end:
        raise CheckInError(_("หมดเวลาเข้าสอบแล้ว (The late entry cutoff has passed: check-in is closed)."))


def _failure_key(entry: RosterEntry) -> str:
    return f"delivery:checkin-failures:{entry.pk}"


def failed_attempts(entry: RosterEntry) -> int:
    return int(cache.get(_failure_key(entry)) or 0)


def _count_failure(entry: RosterEntry) -> int:
    key = _failure_key(entry)
    cache.add(key, 0, CHECKIN_LOCK_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, CHECKIN_LOCK_SECONDS)
        return 1


def check_in_candidate(
    entry: RosterEntry,
    *,
    user,
    national_id: str,
    date_of_birth: dt.date | None,
    application_number: str,
    rules_accepted: bool,
    request=None,
) -> RosterEntry:
    """The candidate's own check-in: the three identity facts must match this entry, and the rules be
    accepted. Raises CheckInError (message for the user)."""
    if entry.checked_in_at is not None:
        return entry
    now = timezone.now()
    _require_window(entry.session, now)
    if failed_attempts(entry) >= CHECKIN_MAX_FAILURES:
        raise CheckInError(
            _(
                "ยืนยันตัวตนผิดหลายครั้งเกินไป โปรดรอ %(minutes)d นาที หรือติดต่อเจ้าหน้าที่สนามสอบ "
                "(Too many failed attempts: wait %(minutes)d minutes or ask the exam staff)."
            )
            % {"minutes": CHECKIN_LOCK_SECONDS // 60}
        )
    candidate = entry.candidate
    matches = (
        normalise_national_id(national_id) == candidate.national_id
        and date_of_birth == candidate.date_of_birth
        and application_number.strip().casefold() == entry.application_number.strip().casefold()
    )
    if not matches:
        _count_failure(entry)
        raise CheckInError(
            _(
                "ข้อมูลไม่ตรงกับทะเบียนผู้เข้าสอบ โปรดตรวจสอบเลขประจำตัวประชาชน วันเกิด และเลขที่ใบสมัคร "
                "(The details do not match the roster: "
                "check your national ID, date of birth and application number)."
            )
        )
    if not rules_accepted:
        raise CheckInError(_("โปรดยอมรับระเบียบการสอบ (Please accept the exam rules)."))
    with transaction.atomic():
        entry = (
            RosterEntry.objects.select_for_update().select_related("session", "candidate").get(pk=entry.pk)
        )
        if entry.checked_in_at is None:
            entry.identity_confirmed_at = entry.rules_accepted_at = entry.checked_in_at = now
            entry.checked_in_by = user
            entry.save(
                update_fields=["identity_confirmed_at", "rules_accepted_at", "checked_in_at", "checked_in_by"]
            )
            record_audit(
                "delivery.checkin.self", actor=user, request=request, obj=entry, after={"checked_in_at": now}
            )
    cache.delete(_failure_key(entry))
    return entry


def check_in_by_staff(
    entry: RosterEntry, *, actor, via: str = "button", request=None
) -> tuple[RosterEntry, bool]:
    """Staff check a candidate in after seeing them (and their ID card). Returns (entry, newly checked in)."""
    now = timezone.now()
    _require_window(entry.session, now)
    with transaction.atomic():
        entry = (
            RosterEntry.objects.select_for_update().select_related("session", "candidate").get(pk=entry.pk)
        )
        if entry.checked_in_at is not None:
            return entry, False
        entry.checked_in_at = now
        entry.checked_in_by = actor
        entry.identity_confirmed_at = entry.identity_confirmed_at or now
        entry.save(update_fields=["checked_in_at", "checked_in_by", "identity_confirmed_at"])
        record_audit(
            "delivery.checkin.staff",
            actor=actor,
            request=request,
            obj=entry,
            after={"checked_in_at": now, "via": via},
        )
    return entry, True


def check_in_by_token(room: Room, token: str, *, actor, request=None) -> tuple[RosterEntry, bool]:
    """Staff scan or paste the QR token of an admission card: it must be genuine and for this room."""
    try:
        entry_id, exam_number = read_card_token(token)
    except BadCardToken:
        raise CheckInError(
            _("รหัสบนบัตรไม่ถูกต้องหรือถูกแก้ไข (The admission card code is invalid or was altered).")
        ) from None
    entry = (
        RosterEntry.objects.select_related("session", "candidate", "room")
        .filter(pk=entry_id, session_id=room.session_id)
        .first()
    )
    if entry is None or entry.exam_number != exam_number:
        raise CheckInError(_("บัตรนี้ไม่ใช่ของรอบสอบนี้ (This admission card is not for this session)."))
    if entry.room_id != room.pk:
        where = f"{entry.room.name} / {entry.seat_number}" if entry.room else "-"
        raise CheckInError(
            _("ผู้เข้าสอบคนนี้ไม่ได้อยู่ห้องนี้ (ห้อง/ที่นั่ง %(where)s) (This candidate is seated elsewhere).")
            % {"where": where}
        )
    return check_in_by_staff(entry, actor=actor, via="qr", request=request)
