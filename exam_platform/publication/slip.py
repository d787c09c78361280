"""Score slips (ใบแจ้งผลคะแนน): a PDF for the candidate, and the signed token its QR code carries.

Token = base64url(canonical JSON of the fields) "." base64url(Ed25519 signature), no padding, where
the signature covers b"bma-exam-slip\\n" + the JSON bytes (so no other signed thing can pass for a
slip). Fields: {"r": round code, "e": exam number, "n": masked name, "t": total, "m": max total,
"p": passed, "k": rank or null, "l": "<list id>/v<number>" or ""}. The QR code opens
/verify/slip/<token>/, which shows the fields and whether the signature holds; changing any field
or any character of the signature makes it fail.
"""

import base64
import binascii
import json
from dataclasses import dataclass

from django.urls import reverse

from .canonical import canonical_json
from .documents import public_base_url
from .signing import platform_key, verify_signature
from .snapshot import mask_name

DOMAIN = b"bma-exam-slip\n"
FIELDS = ("r", "e", "n", "t", "m", "p", "k", "l")


@dataclass(frozen=True)
class SlipCheck:
    valid: bool
    fields: dict | None
    reason: str = ""  # "malformed" | "signature" when not valid


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def slip_fields(result, *, rank=None, list_ref: str = "") -> dict:
    entry, candidate = result.entry, result.entry.candidate
    return {
        "r": result.round.code,
        "e": entry.exam_number,
        "n": mask_name(candidate.title, candidate.first_name_th, candidate.last_name_th),
        "t": None if result.total is None else f"{result.total:.2f}",
        "m": None if result.max_total is None else f"{result.max_total:.2f}",
        "p": result.passed,
        "k": rank,
        "l": list_ref,
    }


def make_slip_token(fields: dict) -> str:
    body = canonical_json(fields)
    signature = base64.b64decode(platform_key().sign(DOMAIN + body))
    return f"{_b64(body)}.{_b64(signature)}"


def read_slip_token(token: str) -> SlipCheck:
    token = (token or "").strip()
    try:
        body_part, signature_part = token.split(".")
        body = _unb64(body_part)
        signature = _unb64(signature_part)
        fields = json.loads(body.decode("utf-8"))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return SlipCheck(False, None, "malformed")
    if not isinstance(fields, dict) or set(fields) != set(FIELDS):
        return SlipCheck(False, None, "malformed")
    key = platform_key()
    if canonical_json(fields) != body or not verify_signature(
        DOMAIN + body, base64.b64encode(signature).decode("ascii"), key.public_b64
    ):
        return SlipCheck(False, fields, "signature")
    return SlipCheck(True, fields)


def slip_url(token: str) -> str:
    return public_base_url() + reverse("publication:verify_slip", args=[token])


def slip_pdf(result, *, rank=None, list_ref: str = "", list_title: str = "") -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.units import cm
    from reportlab.platypus import Spacer, Table, TableStyle

    from exam_platform.common.pdf import (
        ThaiParagraph,
        build_pdf,
        document_digits_for,
        identifier,
        qr_code,
        thai_style,
        thai_table,
    )

    entry, candidate = result.entry, result.entry.candidate
    token = make_slip_token(slip_fields(result, rank=rank, list_ref=list_ref))
    url = slip_url(token)
    label, value = thai_style(13, bold=True), thai_style(14)
    facts = [
        ("การสอบ", result.round.title),
        ("ชื่อ – สกุล", candidate.full_name_th),
        ("เลขประจำตัวสอบ", entry.exam_number or "-"),
        ("เลขที่ใบสมัคร", entry.application_number),
        ("ตำแหน่ง", entry.position.title if entry.position else "-"),
        ("คะแนนรวม", f"{result.total} / {result.max_total}" if result.total is not None else "-"),
        ("ผลการสอบ", {True: "ผ่าน", False: "ไม่ผ่าน"}.get(result.passed, "-")),
        ("ลำดับที่", str(rank) if rank else "-"),
        ("ประกาศ", list_title or "-"),
    ]
    facts_table = Table(
        [[ThaiParagraph(a, label, markup=False), ThaiParagraph(b, value, markup=False)] for a, b in facts],
        colWidths=[4.0 * cm, 8.0 * cm],
    )
    facts_table.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 2)])
    )
    qr = [
        qr_code(url, 4.2 * cm),
        ThaiParagraph("สแกนเพื่อตรวจสอบ", thai_style(11, align="center"), markup=False),
        ThaiParagraph("scan to verify", thai_style(11, align="center"), markup=False),
    ]
    top = Table([[facts_table, qr]], colWidths=[12.2 * cm, 4.6 * cm])
    top.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (1, 0), (1, 0), "CENTER")]))
    sections = [
        (s.get("title") or f"ตอนที่ {s.get('section')}", s.get("score", ""), s.get("max", ""))
        for s in result.section_scores or []
    ]
    story = [
        ThaiParagraph("ใบแจ้งผลคะแนนสอบ", thai_style(22, bold=True, align="center"), markup=False),
        ThaiParagraph("กรุงเทพมหานคร", thai_style(15, align="center", space_after=10), markup=False),
        top,
        Spacer(0, 0.4 * cm),
        ThaiParagraph("คะแนนรายตอน", thai_style(15, bold=True, space_after=4), markup=False),
    ]
    if sections:
        story.append(
            thai_table(
                ("ตอน", "คะแนนที่ได้", "คะแนนเต็ม"),
                sections,
                col_widths=[None, 3.5 * cm, 3.5 * cm],
                align=["left", "right", "right"],
                size=14,
            )
        )
    story += [
        Spacer(0, 0.3 * cm),
        ThaiParagraph("คำอธิบายผล", thai_style(15, bold=True), markup=False),
        ThaiParagraph(result.explanation or "-", thai_style(14), markup=False),
        Spacer(0, 0.5 * cm),
    ]
    proof = Table(
        [
            [
                ThaiParagraph(
                    "ตรวจสอบใบแจ้งผลนี้ได้โดยสแกน QR code หรือวางรหัสด้านล่างที่ "
                    + identifier(f"{public_base_url()}/verify/"),
                    thai_style(11, bold=True),
                    markup=False,
                )
            ],
            # the token and the URL are machine identifiers: their digits never change
            # (qr_code gets the plain URL)
            [ThaiParagraph(f"รหัสตรวจสอบ (slip code): {identifier(token)}", thai_style(8), markup=False)],
        ],
        colWidths=[16.8 * cm],
    )
    proof.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.5, colors.grey)]))
    story.append(proof)
    return build_pdf(
        story,
        title="ใบแจ้งผลคะแนนสอบ",
        header="",
        footer_note="กรุงเทพมหานคร · ใบแจ้งผลคะแนนสอบ · ลงนามด้วยลายมือชื่อดิจิทัลของระบบ",
        digits=document_digits_for("score_slip"),
    )
