"""Per-room lists as Thai PDFs with CSV/HTML twins: the seat list (signature sheet, by seat) and the
check-in list (Thai name order, with check-in status)."""

from django.utils import timezone

from exam_platform.common.pdf.twins import table_to_csv, table_to_html
from exam_platform.common.thai_collation import sort_thai_names
from exam_platform.common.thai_dates import format_thai_date

from .admission_card import exam_time_range

SEAT_LIST_HEADERS = ("ที่นั่ง", "เลขประจำตัวสอบ", "ชื่อ–นามสกุล", "ลายมือชื่อ")
CHECKIN_LIST_HEADERS = ("ที่นั่ง", "เลขประจำตัวสอบ", "ชื่อ–นามสกุล", "สถานะ", "เวลา", "โดย")


def room_entries(room) -> list:
    return list(room.seats.select_related("candidate", "checked_in_by").order_by("seat_number"))


def room_title(room) -> str:
    session = room.session
    return (
        f"{session.title} · {room.name}{f' ({room.building})' if room.building else ''} · "
        f"{format_thai_date(session.opens_at, with_weekday=True)} {exam_time_range(session)}"
    )


def seat_list_rows(entries) -> list[tuple]:
    return [(e.seat_number, e.exam_number, e.candidate.full_name_th, "") for e in entries]


def checkin_status(entry) -> tuple[str, str, str]:
    """(status, time, by) of one roster entry, in Thai."""
    if entry.checked_in_at is None:
        return "ยังไม่เช็กอิน", "", ""
    by_self = entry.checked_in_by_id is not None and entry.checked_in_by_id == entry.candidate.user_id
    by = "ผู้เข้าสอบ (ออนไลน์)" if by_self else str(entry.checked_in_by or "เจ้าหน้าที่")
    return "เช็กอินแล้ว", f"{timezone.localtime(entry.checked_in_at):%H.%M} น.", by


def checkin_list_rows(entries) -> list[tuple]:
    ordered = sort_thai_names(entries, key=lambda e: (e.candidate.first_name_th, e.candidate.last_name_th))
    return [(e.seat_number, e.exam_number, e.candidate.full_name_th, *checkin_status(e)) for e in ordered]


def _pdf(room, title: str, headers, rows, col_widths, align, *, document_type: str) -> bytes:
    from exam_platform.common.pdf import ThaiParagraph, build_pdf, document_digits_for, thai_style, thai_table

    story = [
        ThaiParagraph(title, thai_style(18, bold=True, align="center"), markup=False),
        ThaiParagraph(room.session.round.title, thai_style(14, align="center"), markup=False),
        ThaiParagraph(room_title(room), thai_style(14, align="center", space_after=8), markup=False),
        thai_table(headers, rows, col_widths=col_widths, size=13, align=align),
    ]
    return build_pdf(
        story,
        title=f"{title} {room.name}",
        printed_on=timezone.localdate(),
        digits=document_digits_for(document_type),
    )


def seat_list_pdf(room) -> bytes:
    return _pdf(
        room,
        "บัญชีรายชื่อผู้เข้าสอบ (ลงลายมือชื่อ)",
        SEAT_LIST_HEADERS,
        seat_list_rows(room_entries(room)),
        [40, 70, None, 130],
        ["center", "center", "left", "left"],
        document_type="seat_list",
    )


def seat_list_csv(room) -> bytes:
    return table_to_csv(SEAT_LIST_HEADERS[:3], [row[:3] for row in seat_list_rows(room_entries(room))])


def checkin_list_pdf(room) -> bytes:
    return _pdf(
        room,
        "รายชื่อการเช็กอิน",
        CHECKIN_LIST_HEADERS,
        checkin_list_rows(room_entries(room)),
        [36, 62, None, 72, 42, 66],
        ["center", "center", "left", "left", "center", "left"],
        document_type="checkin_list",
    )


def checkin_list_csv(room) -> bytes:
    return table_to_csv(CHECKIN_LIST_HEADERS, checkin_list_rows(room_entries(room)))


def checkin_list_html(room) -> str:
    return table_to_html(
        f"รายชื่อการเช็กอิน {room.name}",
        CHECKIN_LIST_HEADERS,
        checkin_list_rows(room_entries(room)),
        note=room_title(room),
    )
