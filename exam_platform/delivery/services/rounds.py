"""Exam rounds, their positions, sessions and rooms: created and edited by exam officers, every write
audited (updates record the changed fields only, before and after).

Edits that would break a sitting are refused (`update_session`): the paper and the duration are fixed
once any attempt has started (attempts froze them), the opening and the late-entry cutoff once the
session has opened, and everything but the title once it has closed.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from exam_platform.accounts.models import User
from exam_platform.accounts.roles import Role
from exam_platform.common.audit import record_audit

from ..models import Attempt, ExamRound, ExamSession, Position, Room, RosterEntry

ROUND_FIELDS = ("code", "title", "exam_type", "announcement_number")
POSITION_FIELDS = ("title", "vacancies")
SESSION_FIELDS = (
    "code",
    "title",
    "paper",
    "opens_at",
    "late_entry_until",
    "closes_at",
    "duration_minutes",
    "checkin_opens_at",
)
ROOM_FIELDS = ("code", "name", "building", "capacity", "position")


def _snapshot(obj, fields) -> dict:
    return {field: getattr(obj, field) for field in fields}


def _audit_value(value):
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return value.astimezone(dt.UTC)
    return value.pk if hasattr(value, "pk") else value


def _diff(before: dict, after: dict) -> tuple[dict, dict]:
    """The fields that changed, as (before, after) dicts with model instances given as their ids."""
    changed = [field for field in after if before[field] != after[field]]
    return (
        {field: _audit_value(before[field]) for field in changed},
        {field: _audit_value(after[field]) for field in changed},
    )


def _apply(obj, fields, changes: dict) -> None:
    unknown = set(changes) - set(fields)
    if unknown:
        raise TypeError(f"cannot change {sorted(unknown)} of {obj._meta.label}")
    for field, value in changes.items():
        setattr(obj, field, value)


def create_round(
    *,
    actor,
    code: str,
    title: str,
    exam_type: str,
    announcement_number: str = "",
    eligibility: dict | None = None,
    request=None,
) -> ExamRound:
    if exam_type not in ExamRound.ExamType.values:
        raise ValidationError(_("ประเภทการสอบไม่ถูกต้อง (Unknown exam type)."))
    with transaction.atomic():
        exam_round = ExamRound(
            code=code,
            title=title,
            exam_type=exam_type,
            announcement_number=announcement_number,
            eligibility=eligibility or {},
        )
        exam_round.full_clean()
        exam_round.save()
        record_audit(
            "delivery.round.create",
            actor=actor,
            request=request,
            obj=exam_round,
            after={
                "code": code,
                "title": title,
                "exam_type": exam_type,
                "eligibility": exam_round.eligibility,
            },
        )
    return exam_round


def update_round(exam_round: ExamRound, *, actor, request=None, **changes) -> ExamRound:
    """Change any of code, title, exam_type, announcement_number; nothing to change, no audit entry."""
    if "exam_type" in changes and changes["exam_type"] not in ExamRound.ExamType.values:
        raise ValidationError(_("ประเภทการสอบไม่ถูกต้อง"))
    with transaction.atomic():
        exam_round = ExamRound.objects.select_for_update().get(pk=exam_round.pk)
        before = _snapshot(exam_round, ROUND_FIELDS)
        _apply(exam_round, ROUND_FIELDS, changes)
        old, new = _diff(before, _snapshot(exam_round, ROUND_FIELDS))
        if not new:
            return exam_round
        exam_round.full_clean()
        exam_round.save()
        record_audit(
            "delivery.round.update", actor=actor, request=request, obj=exam_round, before=old, after=new
        )
    return exam_round


def add_position(exam_round: ExamRound, *, actor, code: str, title: str, vacancies: int = 1, request=None):
    with transaction.atomic():
        position = Position(round=exam_round, code=code, title=title, vacancies=vacancies)
        position.full_clean()
        position.save()
        record_audit(
            "delivery.position.add",
            actor=actor,
            request=request,
            obj=position,
            after={"round": exam_round.pk, "code": code, "title": title, "vacancies": vacancies},
        )
    return position


def update_position(position: Position, *, actor, request=None, **changes) -> Position:
    """Change a position's title or vacancies (its code is what rosters are imported against)."""
    with transaction.atomic():
        position = Position.objects.select_for_update().get(pk=position.pk)
        before = _snapshot(position, POSITION_FIELDS)
        _apply(position, POSITION_FIELDS, changes)
        old, new = _diff(before, _snapshot(position, POSITION_FIELDS))
        if not new:
            return position
        position.full_clean()
        position.save()
        record_audit(
            "delivery.position.update", actor=actor, request=request, obj=position, before=old, after=new
        )
    return position


def remove_position(position: Position, *, actor, request=None) -> None:
    """Delete a position no roster entry (and no rank list) uses; refused with the count otherwise."""
    with transaction.atomic():
        position = Position.objects.select_for_update().get(pk=position.pk)
        in_use = RosterEntry.objects.filter(position=position).count()
        if in_use:
            raise ValidationError(
                _("ลบตำแหน่ง %(title)s ไม่ได้: มีผู้เข้าสอบในรายชื่อ %(count)d คนที่สมัครตำแหน่งนี้")
                % {"title": position.title, "count": in_use}
            )
        record_audit(
            "delivery.position.remove",
            actor=actor,
            request=request,
            obj=position,
            before={
                "round": position.round_id,
                "code": position.code,
                "title": position.title,
                "vacancies": position.vacancies,
            },
        )
        try:
            with transaction.atomic():
                position.delete()
        except ProtectedError:
            raise ValidationError(
                _("ลบตำแหน่ง %(title)s ไม่ได้: มีบัญชีรายชื่อผลสอบที่อ้างถึงตำแหน่งนี้") % {"title": position.title}
            ) from None


def check_session_window(
    *, opens_at: dt.datetime, late_entry_until: dt.datetime, closes_at: dt.datetime, duration_minutes: int
) -> None:
    """opens < late entry ≤ closes, and a candidate who starts at the opening gets the whole duration.

    Late-comers get what is left of the window (the deadline is bounded by closes_at); only a
    candidate's accommodation (beyond_window) may run past closes_at.
    """
    errors = []
    if not opens_at < late_entry_until:
        errors.append(
            _("เวลาเข้าสอบได้ไม่เกินต้องหลังเวลาเริ่มเปิดสอบ (Late entry cutoff must be after the opening time).")
        )
    if not late_entry_until <= closes_at:
        errors.append(
            _("เวลาเข้าสอบได้ไม่เกินต้องไม่หลังเวลาปิดการสอบ (Late entry cutoff must not be after the closing time).")
        )
    if duration_minutes <= 0:
        errors.append(_("เวลาสอบต้องมากกว่า 0 นาที (Duration must be more than 0 minutes)."))
    elif opens_at + dt.timedelta(minutes=duration_minutes) > closes_at:
        errors.append(
            _(
                "ช่วงเวลาสอบสั้นกว่าเวลาสอบ %(minutes)d นาที "
                "(The window is shorter than the %(minutes)d-minute duration)."
            )
            % {"minutes": duration_minutes}
        )
    if errors:
        raise ValidationError(errors)


def create_session(
    exam_round: ExamRound,
    *,
    actor,
    code: str,
    title: str,
    paper,
    opens_at: dt.datetime,
    late_entry_until: dt.datetime,
    closes_at: dt.datetime,
    duration_minutes: int | None = None,
    checkin_opens_at: dt.datetime | None = None,
    request=None,
) -> ExamSession:
    """A sitting of a LOCKED paper; duration defaults to the paper's."""
    if not paper.is_locked:
        raise ValidationError(_("ต้องใช้แบบทดสอบที่ล็อกแล้วเท่านั้น (Only a locked paper can be used in a session)."))
    duration = duration_minutes or paper.duration_minutes
    check_session_window(
        opens_at=opens_at, late_entry_until=late_entry_until, closes_at=closes_at, duration_minutes=duration
    )
    if checkin_opens_at is not None and checkin_opens_at > late_entry_until:
        raise ValidationError(
            _("เวลาเริ่มยืนยันตัวตนต้องก่อนเวลาเข้าสอบได้ไม่เกิน (Check-in must open before the late entry cutoff).")
        )
    with transaction.atomic():
        session = ExamSession(
            round=exam_round,
            code=code,
            title=title,
            paper=paper,
            opens_at=opens_at,
            late_entry_until=late_entry_until,
            closes_at=closes_at,
            duration_minutes=duration,
            checkin_opens_at=checkin_opens_at,
        )
        session.full_clean()
        session.save()
        record_audit(
            "delivery.session.create",
            actor=actor,
            request=request,
            obj=session,
            after={
                "round": exam_round.pk,
                "code": code,
                "paper": paper.pk,
                "paper_digest": paper.content_digest,
                "opens_at": opens_at,
                "late_entry_until": late_entry_until,
                "closes_at": closes_at,
                "duration_minutes": duration,
                "checkin_opens_at": checkin_opens_at,
            },
        )
    return session


def eligible_proctors():
    """Active staff accounts holding the proctor role: who may be assigned to a room."""
    return (
        User.objects.filter(is_active=True, kind=User.Kind.STAFF, groups__name=Role.PROCTOR)
        .distinct()
        .order_by("display_name", "username")
    )


def _check_proctors(proctors) -> list:
    proctors = list(proctors or [])
    allowed = set(eligible_proctors().filter(pk__in=[p.pk for p in proctors]).values_list("pk", flat=True))
    refused = [p for p in proctors if p.pk not in allowed]
    if refused:
        raise ValidationError(
            _("%(names)s ไม่ใช่กรรมการคุมสอบที่ใช้งานอยู่") % {"names": ", ".join(str(p) for p in refused)}
        )
    return proctors


def _proctor_ids(proctors) -> list[int]:
    return sorted(p.pk for p in proctors)


def update_session(session: ExamSession, *, actor, request=None, now=None, **changes) -> ExamSession:
    """Change any of SESSION_FIELDS, refusing what would break a sitting (the module docstring).

    Checked against the stored session, under its row lock, at `now` (default: the current time)."""
    now = now or timezone.now()
    with transaction.atomic():
        session = ExamSession.objects.select_for_update().select_related("paper").get(pk=session.pk)
        before = _snapshot(session, SESSION_FIELDS)
        _apply(session, SESSION_FIELDS, changes)
        after = _snapshot(session, SESSION_FIELDS)
        changed = {field for field in SESSION_FIELDS if before[field] != after[field]}
        if not changed:
            return session
        errors = []
        if now >= before["closes_at"] and changed - {"title"}:
            errors.append(_("รอบสอบปิดแล้ว แก้ไขได้เฉพาะชื่อรอบสอบ"))
        else:
            if now >= before["opens_at"] and changed & {"opens_at", "late_entry_until"}:
                errors.append(_("รอบสอบเปิดแล้ว แก้ไขเวลาเริ่มเปิดให้เข้าสอบและเวลาเข้าสอบได้ไม่เกินไม่ได้"))
            if changed & {"paper", "duration_minutes"}:
                started = Attempt.objects.filter(entry__session=session).count()
                if started:
                    errors.append(
                        _("มีผู้เริ่มทำข้อสอบแล้ว %(count)d คน เปลี่ยนแบบทดสอบหรือเวลาสอบไม่ได้") % {"count": started}
                    )
        if errors:
            raise ValidationError(errors)
        if "paper" in changed and not session.paper.is_locked:
            raise ValidationError(_("ต้องใช้แบบทดสอบที่ล็อกแล้วเท่านั้น"))
        check_session_window(
            opens_at=session.opens_at,
            late_entry_until=session.late_entry_until,
            closes_at=session.closes_at,
            duration_minutes=session.duration_minutes,
        )
        if session.checkin_opens_at is not None and session.checkin_opens_at > session.late_entry_until:
            raise ValidationError(_("เวลาเริ่มยืนยันตัวตนต้องก่อนเวลาเข้าสอบได้ไม่เกิน"))
        session.full_clean()
        session.save()
        old, new = _diff(before, after)
        if "paper" in changed:
            new["paper_digest"] = session.paper.content_digest
        record_audit(
            "delivery.session.update", actor=actor, request=request, obj=session, before=old, after=new
        )
    return session


def add_room(
    session: ExamSession,
    *,
    actor,
    code: str,
    name: str,
    capacity: int,
    building: str = "",
    position: int | None = None,
    proctors=(),
    request=None,
) -> Room:
    if capacity < 1:
        raise ValidationError(_("จำนวนที่นั่งต้องมากกว่า 0 (Capacity must be at least 1)."))
    proctors = _check_proctors(proctors)
    with transaction.atomic():
        if position is None:
            position = session.rooms.count() + 1
        room = Room(
            session=session, code=code, name=name, building=building, capacity=capacity, position=position
        )
        room.full_clean()
        room.save()
        room.proctors.set(proctors)
        record_audit(
            "delivery.room.add",
            actor=actor,
            request=request,
            obj=room,
            after={
                "session": session.pk,
                "code": code,
                "name": name,
                "building": building,
                "capacity": capacity,
                "proctors": _proctor_ids(proctors),
            },
        )
    return room


def update_room(room: Room, *, actor, request=None, proctors=None, **changes) -> Room:
    """Change code, name, building, capacity or position, and (`proctors` given) who proctors it.

    The capacity cannot go below the seats already taken: neither the number of seated candidates
    nor the highest seat number in use (seats keep their numbers)."""
    with transaction.atomic():
        room = Room.objects.select_for_update().select_related("session").get(pk=room.pk)
        before = _snapshot(room, ROOM_FIELDS)
        _apply(room, ROOM_FIELDS, changes)
        if room.capacity != before["capacity"]:
            if room.capacity < 1:
                raise ValidationError(_("จำนวนที่นั่งต้องมากกว่า 0"))
            seats = room.seats.aggregate(count=Count("pk"), highest=Max("seat_number"))
            minimum = max(seats["count"] or 0, seats["highest"] or 0)
            if room.capacity < minimum:
                raise ValidationError(
                    _(
                        "ลดจำนวนที่นั่งเหลือ %(capacity)d ไม่ได้: ห้องนี้จัดที่นั่งแล้ว %(count)d คน "
                        "เลขที่นั่งสูงสุด %(highest)d ต้องมีอย่างน้อย %(minimum)d ที่นั่ง"
                    )
                    % {
                        "capacity": room.capacity,
                        "count": seats["count"] or 0,
                        "highest": seats["highest"] or 0,
                        "minimum": minimum,
                    }
                )
        old, new = _diff(before, _snapshot(room, ROOM_FIELDS))
        if proctors is not None:
            proctors = _check_proctors(proctors)
            current = _proctor_ids(room.proctors.all())
            wanted = _proctor_ids(proctors)
            if current != wanted:
                old["proctors"], new["proctors"] = current, wanted
                room.proctors.set(proctors)
        if not new:
            return room
        room.full_clean()
        room.save()
        record_audit("delivery.room.update", actor=actor, request=request, obj=room, before=old, after=new)
    return room
