"""Exam rounds, their positions, sessions and rooms: created by exam officers, every write audited."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from exam_platform.common.audit import record_audit

from ..models import ExamRound, ExamSession, Position, Room


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


def add_room(
    session: ExamSession,
    *,
    actor,
    code: str,
    name: str,
    capacity: int,
    building: str = "",
    position: int | None = None,
    request=None,
) -> Room:
    if capacity < 1:
        raise ValidationError(_("จำนวนที่นั่งต้องมากกว่า 0 (Capacity must be at least 1)."))
    with transaction.atomic():
        if position is None:
            position = session.rooms.count() + 1
        room = Room(
            session=session, code=code, name=name, building=building, capacity=capacity, position=position
        )
        room.full_clean()
        room.save()
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
            },
        )
    return room
