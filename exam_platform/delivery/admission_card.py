"""Admission cards (บัตรประจำตัวสอบ) as Thai PDFs, and the signed token their QR code carries.

The token is `django.core.signing` over {"e": roster entry id, "n": exam number} with its own salt:
staff check-in (services.checkin.check_in_by_token) accepts it only if the signature holds and the
exam number still matches the entry. It is also printed under the QR code so it can be typed or
pasted when no scanner is at hand. It proves which card this is, not who holds it: staff still look
at the national ID card.

A candidate who holds a usable activation code (a new candidate, or one an officer issued a new
code to) gets it printed on the card with the first-login address: the same code every time the
card is printed (recomputed, see accounts.ActivationCode). A candidate who has never logged in and
whose code expired is told to ask an officer for a new one.
"""

from collections.abc import Iterable

from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exam_platform.common.national_id import mask_national_id
from exam_platform.common.thai_dates import format_thai_date

CARD_TOKEN_SALT = "exam_platform.delivery.admission-card"  # noqa: S105 (a signing namespace, not a secret)

EXAM_RULES = (
    _("นำบัตรประจำตัวสอบนี้และบัตรประจำตัวประชาชนมาแสดงต่อกรรมการคุมสอบทุกครั้ง"),
    _("ยืนยันตัวตนออนไลน์ก่อนเวลาสอบ และเข้าสอบได้ไม่เกินเวลาที่กำหนด"),
    _("ห้ามนำโทรศัพท์มือถือ อุปกรณ์สื่อสาร หรือเอกสารใด ๆ เข้าห้องสอบ เว้นแต่ได้รับอนุญาต"),
    _("ห้ามช่วยเหลือหรือรับความช่วยเหลือจากผู้อื่น และห้ามเปิดโปรแกรมหรือเว็บไซต์อื่นระหว่างสอบ"),
    _("ระบบบันทึกคำตอบอัตโนมัติ และส่งคำตอบให้เมื่อหมดเวลาสอบ"),
    _("ผู้ที่ทุจริตหรือพยายามทุจริตจะถูกตัดสิทธิ์การสอบ"),
)


class BadCardToken(Exception):
    pass


def make_card_token(entry) -> str:
    return signing.Signer(salt=CARD_TOKEN_SALT).sign_object({"e": entry.pk, "n": entry.exam_number})


def read_card_token(token: str) -> tuple[int, str]:
    """(roster entry id, exam number) of a genuine token; BadCardToken otherwise."""
    try:
        data = signing.Signer(salt=CARD_TOKEN_SALT).unsign_object((token or "").strip())
        return int(data["e"]), str(data["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise BadCardToken from None


def exam_time_range(session) -> str:
    opens, closes = timezone.localtime(session.opens_at), timezone.localtime(session.closes_at)
    return f"{opens:%H.%M}–{closes:%H.%M} น."


def card_facts(entry) -> list[tuple[str, str]]:
    """The (label, value) lines printed on a card (and shown on the candidate's page)."""
    session, candidate, room = entry.session, entry.candidate, entry.room
    late = timezone.localtime(session.late_entry_until)
    return [
        ("ชื่อ–นามสกุล", candidate.full_name_th),
        ("เลขบัตรประชาชน", mask_national_id(candidate.national_id)),
        ("เลขประจำตัวสอบ", entry.exam_number or "-"),
        ("เลขที่ใบสมัคร", entry.application_number),
        ("ตำแหน่ง", entry.position.title if entry.position else "-"),
        ("รอบสอบ", session.title),
        ("วันสอบ", format_thai_date(session.opens_at, with_weekday=True)),
        ("เวลาสอบ", exam_time_range(session)),
        ("เข้าสอบได้ไม่เกิน", f"{late:%H.%M} น."),
        ("ห้องสอบ", room.name if room else "ยังไม่จัดห้อง"),
        ("อาคาร", (room.building or "-") if room else "-"),
        ("เลขที่นั่ง", str(entry.seat_number) if entry.seat_number else "-"),
    ]


FIRST_LOGIN_TITLE = "เปิดใช้งานบัญชีครั้งแรก"


def activation_lines(entries) -> dict[int, tuple[str, str] | None]:
    """entry id -> (code as ABCD-EFGH-JK, valid-until date) for candidates holding a usable code,
    None for a candidate who cannot log in and holds none; entries of activated candidates are absent."""
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX

    from exam_platform.accounts.activation_codes import format_code
    from exam_platform.accounts.models import User
    from exam_platform.accounts.services.activation import usable_codes

    user_ids = {entry.pk: entry.candidate.user_id for entry in entries}
    codes = usable_codes(user_ids.values())
    locked_out = set(
        User.objects.filter(
            pk__in=user_ids.values(), password__startswith=UNUSABLE_PASSWORD_PREFIX
        ).values_list("pk", flat=True)
    )
    lines: dict[int, tuple[str, str] | None] = {}
    for entry_id, user_id in user_ids.items():
        if user_id in codes:
            issued = codes[user_id]
            lines[entry_id] = (format_code(issued.code), format_thai_date(issued.expires_at))
        elif user_id in locked_out:
            lines[entry_id] = None
    return lines


def _activation_box(line: tuple[str, str] | None, url: str):
    from reportlab.lib import colors
    from reportlab.lib.units import cm
    from reportlab.platypus import Table, TableStyle

    from exam_platform.common.pdf import ThaiParagraph, identifier, thai_style

    if line is None:
        rows = [
            [ThaiParagraph(FIRST_LOGIN_TITLE, thai_style(14, bold=True), markup=False)],
            [
                ThaiParagraph(
                    "รหัสเปิดใช้งานของท่านหมดอายุแล้ว โปรดติดต่อเจ้าหน้าที่สอบเพื่อขอรหัสใหม่",
                    thai_style(13),
                    markup=False,
                )
            ],
        ]
    else:
        code, until = line
        rows = [
            [ThaiParagraph(FIRST_LOGIN_TITLE, thai_style(14, bold=True), markup=False)],
            # the code is typed in and the URL visited: identifiers keep their digits in any document
            [ThaiParagraph(f"รหัสเปิดใช้งาน: {identifier(code)}", thai_style(18, bold=True), markup=False)],
            [ThaiParagraph(f"ที่ {identifier(url)}", thai_style(12), markup=False)],
            [
                ThaiParagraph(
                    "กรอกเลขประจำตัวประชาชนและรหัสนี้ แล้วตั้งรหัสผ่านของท่านเอง "
                    f"รหัสใช้ได้ครั้งเดียว ถึงวันที่ {until} อย่าเปิดเผยรหัสแก่ผู้อื่น",
                    thai_style(12),
                    markup=False,
                )
            ],
        ]
    box = Table(rows, colWidths=[15.4 * cm])
    box.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.8, colors.black),
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f2f2f2")),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return box


def _card_story(entry, activation=False, activation_line=None, url="") -> list:
    from reportlab.lib import colors
    from reportlab.lib.units import cm
    from reportlab.platypus import Spacer, Table, TableStyle

    from exam_platform.common.pdf import ThaiParagraph, identifier, qr_code, thai_style

    title = thai_style(22, bold=True, align="center")
    subtitle = thai_style(14, align="center")
    label_style = thai_style(13, bold=True)
    value_style = thai_style(14)
    small = thai_style(10, align="center")
    token = make_card_token(entry)

    facts = Table(
        [
            [ThaiParagraph(label, label_style, markup=False), ThaiParagraph(value, value_style, markup=False)]
            for label, value in card_facts(entry)
        ],
        colWidths=[3.9 * cm, 4.9 * cm],
    )
    facts.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    photo = Table(
        [
            [
                [
                    ThaiParagraph("ติดรูปถ่าย", thai_style(12, align="center"), markup=False),
                    ThaiParagraph("ขนาด 1 นิ้ว", thai_style(12, align="center"), markup=False),
                ]
            ]
        ],
        colWidths=[2.6 * cm],
        rowHeights=[3.4 * cm],
    )
    photo.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.8, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    qr_column = [
        qr_code(token, 3.4 * cm),
        ThaiParagraph("สแกนเพื่อเช็กอิน", small, markup=False),
        ThaiParagraph("scan to check in", small, markup=False),
    ]
    body = Table([[photo, facts, qr_column]], colWidths=[2.8 * cm, 9.0 * cm, 3.6 * cm])
    body.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (2, 0), (2, 0), "CENTER"),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    rules = [ThaiParagraph("ระเบียบการสอบ", thai_style(15, bold=True, space_before=6), markup=False)]
    rules += [
        ThaiParagraph(
            f"{number}. {rule}", thai_style(13, left_indent=12, first_line_indent=-12), markup=False
        )
        for number, rule in enumerate(EXAM_RULES, start=1)
    ]
    signature = thai_style(12, align="center")
    signatures = Table(
        [
            [
                ThaiParagraph("ลงชื่อ ...................... ผู้เข้าสอบ", signature, markup=False),
                ThaiParagraph("ลงชื่อ ...................... กรรมการคุมสอบ", signature, markup=False),
            ]
        ],
        colWidths=[7.7 * cm, 7.7 * cm],
    )
    card = Table(
        [
            [ThaiParagraph("บัตรประจำตัวสอบ", title, markup=False)],
            [ThaiParagraph(f"{entry.session.round.title}", subtitle, markup=False)],
            [body],
            *([[_activation_box(activation_line, url)]] if activation else []),
            [rules],
            [
                ThaiParagraph(
                    f"รหัสเช็กอิน (check-in code): {identifier(token)}",
                    thai_style(8, align="center"),
                    markup=False,
                )
            ],
            [Spacer(0, 0.6 * cm)],
            [signatures],
        ],
        colWidths=[16 * cm],
    )
    card.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.2, colors.black),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("LINEBELOW", (0, 1), (0, 1), 0.5, colors.grey),
            ]
        )
    )
    return [card]


def admission_cards_pdf(entries: Iterable, *, title: str = "บัตรประจำตัวสอบ") -> bytes:
    """One card per page, in the order given (select_related session__round, candidate, room, position)."""
    from reportlab.platypus import PageBreak

    from exam_platform.accounts.activation_codes import first_login_url
    from exam_platform.common.pdf import build_pdf, document_digits_for

    entries = list(entries)
    lines = activation_lines(entries)
    url = first_login_url()
    story: list = []
    for entry in entries:
        if story:
            story.append(PageBreak())
        story += _card_story(entry, entry.pk in lines, lines.get(entry.pk), url)
    if not story:
        from exam_platform.common.pdf import ThaiParagraph, thai_style

        story = [ThaiParagraph("ไม่มีผู้เข้าสอบ (no candidates)", thai_style(16), markup=False)]
    return build_pdf(
        story,
        title=title,
        header="",
        footer_note="กรุงเทพมหานคร · บัตรประจำตัวสอบ",
        digits=document_digits_for("admission_card"),
    )
