"""The live status panel of an exam session (/exam/officer/sessions/<id>/live/): exam officers and
administrators see the whole session, proctors their assigned rooms (access.get_session_for_live_panel).

The page is rendered with the counts of the moment (one query), so it is useful without JavaScript;
delivery/static/delivery/session_live.js then keeps it live over ws/officer/sessions/<id>/live/
(officer_consumers.py): the big numbers, the per-room table, the chart of the last HISTORY minutes
and a polite announcement of what changed."""

from django.conf import settings
from django.shortcuts import render
from django.utils.html import json_script
from django.utils.translation import gettext as _

from .. import access
from ..live_feed import HISTORY
from ..live_status import COUNT_KEYS, PARTS, ROOMLESS, empty_counts, restrict_to_rooms, session_status_counts
from ..models import Attempt

ANNOUNCE_SECONDS = 5  # the aria-live region speaks at most this often
# The big numbers, in this order.
BIG_KEYS = ("total", "checked_in", *PARTS)
# The columns of the room table, after the room and its building (session_live.js: the same).
TABLE_KEYS = ("total", "checked_in", *PARTS)


def count_labels() -> dict[str, str]:
    """Label of every count key (COUNT_KEYS), the page's and the script's."""
    return {
        "total": _("ผู้เข้าสอบทั้งหมด"),
        "checked_in": _("เช็กอินแล้ว"),
        "not_checked_in": _("ยังไม่เช็กอิน"),
        "waiting": _("รอเริ่มสอบ"),
        "in_progress": _("กำลังสอบ"),
        "submitted": _("ส่งแล้ว"),
        "terminated": _("ถูกยุติการสอบ"),
        "absent": _("ขาดสอบ"),
        "submitted_candidate": Attempt.SubmitReason.CANDIDATE.label,
        "submitted_deadline": Attempt.SubmitReason.DEADLINE.label,
        "submitted_proctor": Attempt.SubmitReason.PROCTOR.label,
        "absent_checked_in": _("เช็กอินแล้วแต่ไม่ได้เริ่มสอบ"),
    }


def count_definitions() -> list[tuple[str, str, str]]:
    """(key, label, what exactly is counted) for the page's definitions; the same rules as
    live_status (its module docstring)."""
    labels = count_labels()
    definitions = {
        "checked_in": _(
            "ยืนยันตัวตนและยอมรับระเบียบการสอบแล้ว หรือเจ้าหน้าที่เช็กอินให้ นับทุกคนที่เช็กอิน ไม่ว่าต่อมาจะเริ่มสอบหรือไม่"
        ),
        "not_checked_in": _("ยังไม่เช็กอิน และยังอยู่ในเวลาที่เข้าสอบได้"),
        "waiting": _("เช็กอินแล้ว ยังไม่ได้เริ่มทำข้อสอบ และยังอยู่ในเวลาที่เข้าสอบได้"),
        "in_progress": _("เริ่มทำข้อสอบแล้ว ยังไม่ส่ง"),
        "submitted": _("ส่งคำตอบแล้ว แยกตามผู้ส่ง: ผู้เข้าสอบส่งเอง ระบบส่งเมื่อหมดเวลา หรือกรรมการคุมสอบ"),
        "terminated": _("กรรมการคุมสอบยุติการสอบ"),
        "absent": _("ไม่ได้เริ่มทำข้อสอบ และเลยเวลาเข้าสอบได้ไม่เกินแล้ว ทั้งผู้ที่ไม่ได้เช็กอินและผู้ที่เช็กอินแล้วแต่ไม่ได้เริ่มสอบ"),
    }
    return [(key, labels[key], text) for key, text in definitions.items()]


def script_texts() -> dict[str, str]:
    """Texts the script shows; {placeholders} are filled in by the script."""
    return {
        "labels": count_labels(),
        "roomless": _("ยังไม่ได้จัดห้อง"),
        "session_scope": _("ทั้งรอบสอบ"),
        "connecting": _("กำลังเชื่อมต่อ…"),
        "live": _("เชื่อมต่ออยู่ ตัวเลขอัปเดตทันทีที่มีการเปลี่ยนแปลง"),
        "disconnected": _("ขาดการเชื่อมต่อ ตัวเลขที่เห็นอาจไม่เป็นปัจจุบัน กำลังเชื่อมต่อใหม่ใน {seconds} วินาที…"),
        "forbidden": _("ไม่มีสิทธิ์ดูรอบสอบนี้ หรือยังไม่ได้ยืนยันตัวตนสองขั้นตอน โปรดโหลดหน้านี้ใหม่"),
        "logged_out": _("ออกจากระบบแล้ว โปรดเข้าสู่ระบบใหม่"),
        "updated_at": _("ข้อมูล ณ เวลา {time} น."),
        "announce": _("อัปเดตสถานะการสอบ: {changes}"),
        "chart_summary": _("ตั้งแต่ {from} ถึง {to} น.: {changes}"),
        "chart_change": _("{label} จาก {a} เป็น {b}"),
        "chart_empty": _("ยังไม่มีข้อมูลสำหรับกราฟ"),
    }


def session_live(request, session_id):
    session, rooms, whole_session = access.get_session_for_live_panel(request.user, session_id)
    room_keys = None if whole_session else {str(room.pk) for room in rooms}
    counts = restrict_to_rooms(session_status_counts(session.pk), room_keys)
    rows = [(str(room.pk), room.name, room.building) for room in rooms]
    if whole_session:
        rows.append((ROOMLESS, _("ยังไม่ได้จัดห้อง"), ""))
    room_rows = []
    for key, name, building in rows:
        room = counts["rooms"].get(key, empty_counts())
        if key == ROOMLESS and not room["total"]:
            continue  # the "no room" row only when someone is in it
        cells = [room[k] for k in TABLE_KEYS]
        room_rows.append({"key": key, "name": name, "building": building, "cells": cells})
    config = {
        "socket": f"/ws/officer/sessions/{session.pk}/live/",
        "history_minutes": int(HISTORY.total_seconds() // 60),
        "announce_seconds": ANNOUNCE_SECONDS,
        "time_zone": settings.TIME_ZONE,
        "count_keys": list(COUNT_KEYS),
        "table_keys": list(TABLE_KEYS),
        "texts": script_texts(),
    }
    labels = count_labels()
    return render(
        request,
        "delivery/officer/session_live.html",
        {
            "session": session,
            "whole_session": whole_session,
            "counts": counts["session"],
            "labels": labels,
            "big_counts": [(key, labels[key], counts["session"][key]) for key in BIG_KEYS],
            "table_labels": [labels[key] for key in TABLE_KEYS],
            "room_rows": room_rows,
            "definitions": count_definitions(),
            "history_minutes": config["history_minutes"],
            "config_script": json_script(config, "live-config"),
        },
    )
