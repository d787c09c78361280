"""What every page of a booklet or answer key carries, so that a leaked copy names who downloaded it.

- a diagonal light-grey watermark under the text: "<code> v<version> ชุดที่ N — <downloader> — <date time>"
- the security classification (ลับ / ลับที่สุด) at the top and bottom centre, as official documents do
- a running header (the paper's title) after the first page
- the footer: paper code, version and form on the left, "หน้า ๑ จาก ๙" on the right, and under it a small
  line "ดาวน์โหลดโดย ... เมื่อ ..."
- the downloader and time in the PDF metadata (author, subject, keywords) too
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.utils import timezone
from reportlab.lib.units import cm

from exam_platform.common.pdf.digits import convert_digits, current_digits, identifier
from exam_platform.common.pdf.document import (
    FURNITURE_COLOR,
    FURNITURE_SIZE,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    page_label,
)
from exam_platform.common.thai_dates import format_thai_date

WATERMARK_SIZE = 17
WATERMARK_GREY = 0.80  # light enough to read black text over it, dark enough to survive a photocopy
WATERMARK_ANGLE = 52  # degrees: close to the A4 diagonal
WATERMARK_SPACING = 250  # points between the parallel watermark lines
CLASSIFICATION_COLOR = (0.75, 0.0, 0.0)


@dataclass(frozen=True)
class Downloader:
    """Who downloaded a copy, and when (an aware datetime; shown in local time, Buddhist era)."""

    name: str
    username: str
    at: dt.datetime

    @classmethod
    def of(cls, user, at: dt.datetime | None = None) -> Downloader:
        name = (getattr(user, "display_name", "") or user.get_full_name() or "").strip()
        return cls(name=name, username=user.get_username(), at=at or timezone.now())

    @property
    def label(self) -> str:
        """'สมชาย ใจดี (somchai.staff)', or just the username when there is no name."""
        if self.name and self.name != self.username:
            return f"{self.name} ({self.username})"
        return self.username

    @property
    def when(self) -> str:
        """'21 พ.ย. 2569 เวลา 14.05 น.' in local time."""
        return format_thai_date(self.at, style="short", with_time=True)


@dataclass(frozen=True)
class CopyMarks:
    """The identifying marks of one downloaded copy of one form."""

    paper_code: str
    paper_version: int
    form_number: int
    downloader: Downloader

    # The marked_* texts are drawn on the page: the paper code and the downloader's name/username
    # are identifiers (their digits never change), the rest follows the document's digits.
    @property
    def marked_paper_label(self) -> str:
        return f"{identifier(self.paper_code)} v{self.paper_version} ชุดที่ {self.form_number}"

    @property
    def marked_download_line(self) -> str:
        return f"ดาวน์โหลดโดย {identifier(self.downloader.label)} เมื่อ {self.downloader.when}"

    @property
    def marked_watermark(self) -> str:
        return f"{self.marked_paper_label} — {identifier(self.downloader.label)} — {self.downloader.when}"

    @property
    def paper_label(self) -> str:
        return convert_digits(self.marked_paper_label, None)

    @property
    def watermark(self) -> str:
        return convert_digits(self.marked_watermark, None)

    @property
    def download_line(self) -> str:
        return convert_digits(self.marked_download_line, None)

    @property
    def keywords(self) -> list[str]:
        return [
            self.paper_code,
            f"v{self.paper_version}",
            f"form {self.form_number}",
            f"downloaded-by {self.downloader.username}",
            f"downloaded-at {self.downloader.at.isoformat()}",
        ]


@dataclass(frozen=True)
class PaperFurniture:
    """Header, classification and footer, drawn once the page count is known (FurnishedCanvas)."""

    header: str
    classification: str
    marks: CopyMarks

    def draw(self, canvas, number: int, total: int) -> None:
        from exam_platform.common.pdf.fonts import BOLD, REGULAR

        kind = current_digits() or "thai"  # page numbers were Thai before documents chose their digits

        def text(value: str) -> str:
            return convert_digits(value, kind)

        width, height = canvas._pagesize
        left, right = MARGIN_LEFT, width - MARGIN_RIGHT
        centre = (left + right) / 2
        canvas.saveState()
        if self.classification:
            canvas.setFont(BOLD, 16)
            canvas.setFillColorRGB(*CLASSIFICATION_COLOR)
            canvas.drawCentredString(centre, height - 1.1 * cm, self.classification, shaping=True)
            canvas.drawCentredString(centre, 0.35 * cm, self.classification, shaping=True)
        canvas.setFont(REGULAR, FURNITURE_SIZE)
        canvas.setFillColorRGB(*FURNITURE_COLOR)
        canvas.setStrokeColorRGB(*FURNITURE_COLOR)
        canvas.setLineWidth(0.4)
        if self.header and number > 1:
            y = height - MARGIN_TOP + 0.55 * cm
            canvas.drawString(left, y, text(self.header), shaping=True)
            canvas.drawRightString(right, y, text(f"ชุดที่ {self.marks.form_number}"), shaping=True)
            canvas.line(left, y - 0.2 * cm, right, y - 0.2 * cm)
        y = MARGIN_BOTTOM - 0.85 * cm
        canvas.line(left, y + 0.5 * cm, right, y + 0.5 * cm)
        canvas.drawString(left, y, text(self.marks.marked_paper_label), shaping=True)
        canvas.drawRightString(right, y, text(page_label(number, total, thai_digits=False)), shaping=True)
        canvas.setFont(REGULAR, 9)
        canvas.drawCentredString(centre, y - 0.45 * cm, text(self.marks.marked_download_line), shaping=True)
        canvas.restoreState()


def draw_watermark(canvas, text: str) -> None:
    """Parallel diagonal lines of `text` across the page, under everything else drawn on it."""
    from exam_platform.common.pdf.fonts import REGULAR

    width, height = canvas._pagesize
    canvas.saveState()
    canvas.setFont(REGULAR, WATERMARK_SIZE)
    canvas.setFillGray(WATERMARK_GREY)
    canvas.translate(width / 2, height / 2)
    canvas.rotate(WATERMARK_ANGLE)
    reach = math.hypot(width, height) / 2
    lines = int(reach // WATERMARK_SPACING)
    for i in range(-lines, lines + 1):
        canvas.drawCentredString(0, i * WATERMARK_SPACING - WATERMARK_SIZE / 3, text, shaping=True)
    canvas.restoreState()


def build_document(
    story: list, *, title: str, furniture: PaperFurniture, subject: str = "", digits: str | None = None
) -> bytes:
    """The shared A4 layout (common.pdf.render_pages) with the watermark under the text, the
    furniture over it, and the downloader in the metadata; ``digits``: the document's kind."""
    from exam_platform.common.pdf.document import render_pages

    marks = furniture.marks
    return render_pages(
        story,
        furniture=furniture,
        title=title,
        author=marks.downloader.label,
        subject=" — ".join(part for part in (subject, marks.download_line) if part),
        keywords=marks.keywords,
        creator="exam_platform question bank",
        on_page=lambda canvas, _doc: draw_watermark(
            canvas, convert_digits(marks.marked_watermark, current_digits())
        ),
        digits=digits,
    )
