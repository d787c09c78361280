"""Build a Thai PDF document: A4, government margins, running header, "หน้า ๑ จาก ๓" footer.

    story = [ThaiParagraph("ประกาศ...", thai_style(18, bold=True, align="center")), ...]
    pdf_bytes = build_pdf(story, title="ประกาศรายชื่อผู้มีสิทธิ์สอบ", digits=document_digits_for("rank_list"))

``digits`` ("thai" or "arabic", see digits.py) is the one kind of digits of the whole document: body,
tables, dates, header, footer and page numbers.

Page X of Y needs the page count before any page is finished, so the canvas keeps every page's state and
draws the header and footer when the document is saved (the "NumberedCanvas" recipe).
"""

import datetime as dt
from dataclasses import dataclass
from io import BytesIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas

from exam_platform.common.thai_dates import format_thai_date, to_thai_digits

from .digits import check_kind, convert_digits, document_digits, effective_digits
from .fonts import REGULAR, register_thai_fonts

PAGE_SIZE = A4
# Margins used for Thai government documents (ระเบียบงานสารบรรณ practice): 3 cm binding side, 2 cm right.
MARGIN_LEFT = 3 * cm
MARGIN_RIGHT = 2 * cm
MARGIN_TOP = 2.5 * cm
MARGIN_BOTTOM = 2 * cm
CONTENT_WIDTH = PAGE_SIZE[0] - MARGIN_LEFT - MARGIN_RIGHT
CONTENT_HEIGHT = PAGE_SIZE[1] - MARGIN_TOP - MARGIN_BOTTOM

FURNITURE_SIZE = 12
FURNITURE_COLOR = (0.35, 0.35, 0.35)


def page_label(number: int, total: int, *, thai_digits: bool = True) -> str:
    """'หน้า ๑ จาก ๓' (or 'หน้า 1 จาก 3')."""
    text = f"หน้า {number} จาก {total}"
    return to_thai_digits(text) if thai_digits else text


@dataclass(frozen=True)
class PageFurniture:
    """What is drawn around the text of every page."""

    header: str = ""
    header_on_first_page: bool = True
    footer_note: str = ""
    printed_on: dt.date | None = None
    thai_digits: bool = False

    def texts(self, number: int, total: int) -> dict[str, str]:
        """The strings drawn on page ``number`` of ``total``: header, footer_left, footer_center (printed-on
        date), footer_right (page X of Y)."""
        show_header = self.header and (number > 1 or self.header_on_first_page)
        printed = ""
        if self.printed_on is not None:
            printed = "พิมพ์เมื่อ " + format_thai_date(self.printed_on)
        kind = effective_digits(None, thai_digits=self.thai_digits)
        texts = {
            "header": self.header if show_header else "",
            "footer_left": self.footer_note,
            "footer_center": printed,
            "footer_right": page_label(number, total, thai_digits=False),
        }
        return {key: convert_digits(text, kind) for key, text in texts.items()}

    def draw(self, canvas: Canvas, number: int, total: int) -> None:
        texts = self.texts(number, total)
        width, height = canvas._pagesize
        left, right = MARGIN_LEFT, width - MARGIN_RIGHT
        canvas.saveState()
        canvas.setFont(REGULAR, FURNITURE_SIZE)
        canvas.setFillColorRGB(*FURNITURE_COLOR)
        canvas.setStrokeColorRGB(*FURNITURE_COLOR)
        canvas.setLineWidth(0.4)
        if texts["header"]:
            y = height - MARGIN_TOP + 0.9 * cm
            canvas.drawCentredString((left + right) / 2, y, texts["header"], shaping=True)
            canvas.line(left, y - 0.2 * cm, right, y - 0.2 * cm)
        y = MARGIN_BOTTOM - 1.0 * cm
        canvas.line(left, y + 0.5 * cm, right, y + 0.5 * cm)
        if texts["footer_left"]:
            canvas.drawString(left, y, texts["footer_left"], shaping=True)
        if texts["footer_center"]:
            canvas.drawCentredString((left + right) / 2, y, texts["footer_center"], shaping=True)
        canvas.drawRightString(right, y, texts["footer_right"], shaping=True)
        canvas.restoreState()


class FurnishedCanvas(Canvas):
    """A canvas that draws PageFurniture on each page once it knows how many pages there are."""

    def __init__(self, *args, furniture: PageFurniture, **kwargs):
        super().__init__(*args, **kwargs)
        self._furniture = furniture
        self._page_states: list[dict] = []

    def showPage(self):
        self._page_states.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._page_states)
        for number, state in enumerate(self._page_states, start=1):
            self.__dict__.update(state)
            self._furniture.draw(self, number, total)
            super().showPage()
        super().save()


def build_pdf(
    story: list,
    *,
    title: str,
    header: str | None = None,
    header_on_first_page: bool = True,
    footer_note: str = "",
    printed_on: dt.date | None = None,
    thai_digits: bool = False,
    author: str = "กรุงเทพมหานคร",
    subject: str = "",
    digits: str | None = None,
) -> bytes:
    """Lay ``story`` (flowables) out on A4 pages and return the PDF.

    ``header`` is the running header (defaults to ``title``; "" for none). ``digits`` ("thai" or
    "arabic") is the document's one kind of digits, everywhere in it (digits.py); without it,
    ``thai_digits`` writes page numbers and the printed date in Thai digits and each flowable keeps its
    own choice. The output is byte-for-byte reproducible.
    """
    furniture = PageFurniture(
        header=title if header is None else header,
        header_on_first_page=header_on_first_page,
        footer_note=footer_note,
        printed_on=printed_on,
        thai_digits=thai_digits,
    )
    return render_pages(
        story, furniture=furniture, title=title, author=author, subject=subject, digits=digits
    )


def render_pages(
    story: list,
    *,
    furniture,
    title: str,
    author: str,
    subject: str = "",
    keywords: str = "",
    creator: str = "exam_platform",
    on_page=None,
    digits: str | None = None,
) -> bytes:
    """The shared A4 layout: margins, one body frame, ``furniture`` (header, footer, page X of Y)
    drawn over the page, ``on_page(canvas, doc)`` (e.g. a watermark) under the text, metadata.
    ``digits``: the document's kind of digits, in force while it is laid out and drawn (digits.py)."""
    from functools import partial

    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

    register_thai_fonts()
    buffer = BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=PAGE_SIZE,
        leftMargin=MARGIN_LEFT,
        rightMargin=MARGIN_RIGHT,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=title,
        author=author,
        subject=subject,
        keywords=keywords,
        creator=creator,
        lang="th",
        invariant=1,
        initialFontName=REGULAR,
        initialFontSize=16,
    )
    frame = Frame(
        MARGIN_LEFT,
        MARGIN_BOTTOM,
        CONTENT_WIDTH,
        CONTENT_HEIGHT,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    template = PageTemplate(id="page", frames=[frame], **({"onPage": on_page} if on_page else {}))
    doc.addPageTemplates([template])
    with document_digits(check_kind(digits)):
        doc.build(list(story), canvasmaker=partial(FurnishedCanvas, furniture=furniture))
    return buffer.getvalue()
