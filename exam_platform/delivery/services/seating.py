"""Seat assignment: the roster, in Thai name order or application-number order, fills the rooms in
their order, each up to its capacity, seats numbered 1..n per room.

Re-runnable until the session opens (every run reseats everyone); audited.
"""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from exam_platform.common.audit import record_audit
from exam_platform.common.thai_collation import sort_thai_names

from ..models import ExamSession, RosterEntry

ORDERS = ("name", "application_number")
_DIGIT_RUNS = re.compile(r"(\d+)")


def _natural_key(text: str) -> tuple:
    """ "A-10" after "A-9": digit runs compare as numbers."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part) for part in _DIGIT_RUNS.split(text) if part
    )


def seating_order(entries: list[RosterEntry], order: str) -> list[RosterEntry]:
    if order == "name":
        return sort_thai_names(
            entries,
            key=lambda e: (e.candidate.first_name_th, e.candidate.last_name_th, e.application_number),
        )
    if order == "application_number":
        return sorted(entries, key=lambda e: _natural_key(e.application_number))
    raise ValueError(f"order must be one of {ORDERS}, not {order!r}")


def assign_seats(session: ExamSession, *, actor, order: str = "name", request=None) -> dict[int, int]:
    """Seat the whole roster; returns {room id: candidates seated}. Refuses once the session has opened
    or when the rooms hold fewer seats than there are candidates (saying how many are missing)."""
    if order not in ORDERS:
        raise ValidationError(_("ลำดับการจัดที่นั่งไม่ถูกต้อง (Unknown seating order)."))
    with transaction.atomic():
        session = ExamSession.objects.select_for_update().get(pk=session.pk)
        if timezone.now() >= session.opens_at:
            raise ValidationError(
                _("รอบสอบเปิดแล้ว จัดที่นั่งใหม่ไม่ได้ (The session has opened: seats can no longer be changed).")
            )
        rooms = list(session.rooms.order_by("position", "code"))
        entries = list(session.roster.select_related("candidate"))
        capacity = sum(room.capacity for room in rooms)
        if capacity < len(entries):
            short = len(entries) - capacity
            raise ValidationError(
                _(
                    "ที่นั่งไม่พอ: ผู้เข้าสอบ %(count)d คน ที่นั่ง %(capacity)d ที่ ขาดอีก %(short)d ที่นั่ง "
                    "(Not enough seats: %(count)d candidates, %(capacity)d seats, %(short)d seats short)."
                )
                % {"count": len(entries), "capacity": capacity, "short": short}
            )
        ordered = seating_order(entries, order)
        # Clear first: the (room, seat) unique constraint must hold after every statement.
        session.roster.update(room=None, seat_number=None)
        seated: dict[int, int] = {}
        position = 0
        for room in rooms:
            chunk = ordered[position : position + room.capacity]
            for seat, entry in enumerate(chunk, start=1):
                entry.room, entry.seat_number = room, seat
            seated[room.pk] = len(chunk)
            position += len(chunk)
        RosterEntry.objects.bulk_update(ordered, ["room", "seat_number"], batch_size=500)
        record_audit(
            "delivery.seats.assign",
            actor=actor,
            request=request,
            obj=session,
            after={
                "order": order,
                "candidates": len(entries),
                "rooms": {str(k): v for k, v in seated.items()},
            },
        )
    return seated


def assign_seat(entry: RosterEntry, *, actor, room, seat_number: int, request=None) -> RosterEntry:
    """Seat one candidate by hand (a late addition, or a move): `room` of the entry's session, a seat
    number from 1 to its capacity that nobody else holds. Allowed until the session closes (late
    additions arrive after the automatic seating); audited with the old and the new seat."""
    with transaction.atomic():
        session = ExamSession.objects.select_for_update().get(pk=entry.session_id)
        entry = RosterEntry.objects.select_for_update().select_related("candidate").get(pk=entry.pk)
        if room.session_id != session.pk:
            raise ValidationError(_("ห้องสอบนี้ไม่ได้อยู่ในรอบสอบของผู้เข้าสอบ"))
        if timezone.now() >= session.closes_at:
            raise ValidationError(_("รอบสอบปิดแล้ว เปลี่ยนที่นั่งไม่ได้"))
        if not 1 <= seat_number <= room.capacity:
            raise ValidationError(
                _("%(room)s มีที่นั่งเลขที่ 1 ถึง %(capacity)d เท่านั้น")
                % {"room": room.name, "capacity": room.capacity}
            )
        holder = (
            RosterEntry.objects.filter(room=room, seat_number=seat_number)
            .exclude(pk=entry.pk)
            .select_related("candidate")
            .first()
        )
        if holder is not None:
            raise ValidationError(
                _("%(room)s ที่นั่งเลขที่ %(seat)d มีผู้เข้าสอบแล้ว (%(exam_number)s)")
                % {
                    "seat": seat_number,
                    "room": room.name,
                    "exam_number": holder.exam_number or holder.application_number,
                }
            )
        before = {"room": entry.room_id, "seat_number": entry.seat_number}
        if before == {"room": room.pk, "seat_number": seat_number}:
            return entry
        entry.room, entry.seat_number = room, seat_number
        entry.save(update_fields=["room", "seat_number"])
        record_audit(
            "delivery.seat.assign",
            actor=actor,
            request=request,
            obj=entry,
            before=before,
            after={"room": room.pk, "seat_number": seat_number},
        )
    return entry


def first_free_seat(room) -> int | None:
    """The lowest seat number of `room` nobody holds, or None when the room is full."""
    taken = set(room.seats.exclude(seat_number=None).values_list("seat_number", flat=True))
    return next((n for n in range(1, room.capacity + 1) if n not in taken), None)
