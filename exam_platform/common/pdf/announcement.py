"""The parts of a Thai government announcement (ประกาศ): heading, body paragraphs, date line, signature."""

import datetime as dt
from collections.abc import Sequence

from reportlab.lib.units import cm
from reportlab.platypus import HRFlowable, KeepTogether, Spacer

from exam_platform.common.thai_dates import format_thai_official_date, to_thai_digits

from .document import CONTENT_WIDTH
from .paragraph import ThaiParagraph
from .styles import BODY_SIZE, thai_style

PARAGRAPH_INDENT = 2.5 * cm  # first-line indent of body paragraphs
SIGNATURE_LEFT = CONTENT_WIDTH * 0.3  # the signature block is centred over the right part of the page


def announcement_heading(issuer: str, subject: str, number: str = "", *, thai_digits: bool = True) -> list:
    """'ประกาศกรุงเทพมหานคร' / 'ที่ ๑๒๓/๒๕๖๙' / 'เรื่อง ...' centred, then the short rule under it."""
    title = thai_style(BODY_SIZE + 2, bold=True, align="center")
    centred = thai_style(BODY_SIZE, bold=True, align="center")
    flowables = [ThaiParagraph(issuer, title, markup=False)]
    if number:
        flowables.append(ThaiParagraph(f"ที่ {number}", centred, thai_digits=thai_digits, markup=False))
    flowables.append(ThaiParagraph(f"เรื่อง {subject}", centred, thai_digits=thai_digits, markup=False))
    flowables.append(Spacer(0, 4))
    flowables.append(HRFlowable(width="28%", thickness=0.6, color="#000000", hAlign="CENTER"))
    flowables.append(Spacer(0, 10))
    return flowables


def body_paragraph(text: str, *, markup: bool = True, thai_digits: bool = False, space_after: float = 6):
    """A body paragraph: Sarabun 16, first line indented 2.5 cm."""
    style = thai_style(BODY_SIZE, first_line_indent=PARAGRAPH_INDENT, space_after=space_after)
    return ThaiParagraph(text, style, markup=markup, thai_digits=thai_digits)


def date_line(value: dt.date, *, prefix: str = "ประกาศ ณ วันที่", thai_digits: bool = True):
    """'ประกาศ ณ วันที่ ๒๑ พฤศจิกายน พ.ศ. ๒๕๖๙', indented like a paragraph."""
    text = f"{prefix} {format_thai_official_date(value, thai_digits=thai_digits)}"
    style = thai_style(BODY_SIZE, left_indent=PARAGRAPH_INDENT * 1.6, space_before=12)
    return ThaiParagraph(text, style, markup=False)


def signature_block(name: str, positions: Sequence[str], *, thai_digits: bool = True, signed: str = ""):
    """Room to sign, '(ชื่อ)', then each position line, centred over the right part of the page.

    ``signed`` (e.g. a scanned-signature caption or "ลงชื่อ") goes on the signature line itself.
    """
    style = thai_style(BODY_SIZE, align="center", left_indent=SIGNATURE_LEFT)

    def line(text):
        return ThaiParagraph(to_thai_digits(text) if thai_digits else text, style, markup=False)

    return KeepTogether(
        [Spacer(0, 40), line(signed), line(f"({name})"), *(line(position) for position in positions)]
    )
