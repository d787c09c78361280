"""Tables whose cells are ThaiParagraphs, so Thai cell text wraps at word boundaries."""

import functools
from collections.abc import Sequence

from .digits import AS_WRITTEN, convert_digits, effective_digits
from .paragraph import ThaiParagraph
from .styles import thai_style

GRID_COLOR = "#000000"
HEADER_BACKGROUND = "#e6e6e6"


def thai_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    col_widths: Sequence[float | None] | None = None,
    width: float | None = None,
    size: float = 16,
    align: Sequence[str] | None = None,
    thai_digits: bool = False,
    repeat_header: bool = True,
    markup: bool = False,
    digits: str | None = None,
):
    """A table flowable: bold centred header row (repeated on every page), grid lines, wrapping Thai cells.

    ``col_widths`` in points; columns given as None (or all, without ``col_widths``) share what is left of
    ``width`` (default: the page's text width).
    ``align`` gives each column's alignment (left/center/right). Cell values are plain text unless
    ``markup=True``; ``None`` is an empty cell. Digits follow the document (digits.py); ``digits=AS_WRITTEN``
    keeps every cell's digits as written, ``identifier(value)`` one cell's.
    """
    from .document import CONTENT_WIDTH

    columns = len(headers)
    if any(len(row) != columns for row in rows):
        raise ValueError("every row must have as many cells as there are headers")
    col_widths = list(col_widths or [None] * columns)
    if len(col_widths) != columns:
        raise ValueError("col_widths must give one width (or None) per column")
    free = [i for i, w in enumerate(col_widths) if w is None]
    if free:
        share = ((width or CONTENT_WIDTH) - sum(w for w in col_widths if w is not None)) / len(free)
        for i in free:
            col_widths[i] = share
    align = list(align or ["left"] * columns)
    header_style = thai_style(size, bold=True, align="center")
    cell_styles = [thai_style(size, align=a) for a in align]

    def cell(value, style):
        text = "" if value is None else str(value)
        if not markup and _needs_no_shaping(text):
            return PlainCell(text, style, digits=digits, thai_digits=thai_digits)
        return ThaiParagraph(text, style, markup=markup, digits=digits, thai_digits=thai_digits)

    header = [cell(h, header_style) for h in headers]
    body = [[cell(value, cell_styles[i]) for i, value in enumerate(row)] for row in rows]
    return PagedTable(header, body, col_widths, repeat_header=repeat_header)


PADDING = {"left": 5, "right": 5, "top": 3, "bottom": 2}
_THAI_DIGITS = frozenset("๐๑๒๓๔๕๖๗๘๙")


def _needs_no_shaping(text: str) -> bool:
    """Numbers, codes and Latin text: one glyph per character, nothing for HarfBuzz to do."""
    return all(ch.isascii() or ch in _THAI_DIGITS or ch in "\ue000\ue001" for ch in text) and "\n" not in text


def PlainCell(text: str, style, *, digits: str | None = None, thai_digits: bool = False):
    return _plain_cell_class()(text, style, digits=digits, thai_digits=thai_digits)


@functools.cache
def _plain_cell_class():
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import Flowable

    class _PlainCell(Flowable):
        """A one-line cell of text that needs no shaping (most cells of a rank list: ranks, exam
        numbers, scores), drawn directly; falls back to a ThaiParagraph when it does not fit."""

        def __init__(self, text, style, *, digits=None, thai_digits=False):
            super().__init__()
            self._raw, self.style = text, style
            self._digits, self._thai_digits = digits, thai_digits
            self._text = None
            self._fallback = None

        @property
        def text(self):
            """Converted to the document's digits on first layout (see digits.py)."""
            if self._text is None:
                kind = effective_digits(self._digits, thai_digits=self._thai_digits)
                self._text = convert_digits(self._raw, kind)
            return self._text

        def wrap(self, availWidth, availHeight):
            text_width = stringWidth(self.text, self.style.fontName, self.style.fontSize)
            if text_width > availWidth:
                self._fallback = self._fallback or ThaiParagraph(
                    self.text, self.style, markup=False, digits=AS_WRITTEN
                )
                return self._fallback.wrap(availWidth, availHeight)
            self._fallback = None
            self.width, self.height = availWidth, self.style.leading
            return self.width, self.height

        def draw(self):
            if self._fallback is not None:
                self._fallback.drawOn(self.canv, 0, 0)
                return
            canv, style = self.canv, self.style
            canv.setFont(style.fontName, style.fontSize)
            canv.setFillColor(style.textColor)
            # the baseline where reportlab's Paragraph puts a single line of this leading
            y = self.height - style.fontSize - (style.leading - style.fontSize) / 2 + style.fontSize * 0.2
            if style.alignment == 1:
                canv.drawCentredString(self.width / 2, y, self.text)
            elif style.alignment == 2:
                canv.drawRightString(self.width, y, self.text)
            else:
                canv.drawString(0, y, self.text)

        def line_texts(self):
            return [self.text]

    return _PlainCell


def _table_style():
    from reportlab.lib import colors
    from reportlab.platypus import TableStyle

    return TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor(GRID_COLOR)),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(HEADER_BACKGROUND)),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), PADDING["left"]),
            ("RIGHTPADDING", (0, 0), (-1, -1), PADDING["right"]),
            ("TOPPADDING", (0, 0), (-1, -1), PADDING["top"]),
            ("BOTTOMPADDING", (0, 0), (-1, -1), PADDING["bottom"]),
        ]
    )


@functools.cache
def _paged_table_class():
    """Built on first use so that importing this module does not import reportlab."""
    from reportlab.platypus import Flowable, Table

    class _PagedTable(Flowable):
        """A table that paginates itself from row heights measured once.

        reportlab's Table re-measures every remaining row each time it splits, so a table of n rows
        over p pages costs n × p cell layouts (a 10,000-row rank list took minutes). Here each row
        is measured once; a split cuts after the last row that fits and draws that page as a small
        reportlab Table, with the header repeated when asked.
        """

        def __init__(self, header, body, col_widths, *, repeat_header=True, heights=None):
            super().__init__()
            self.header = header  # None: no header row on this part
            self.body = body
            self.col_widths = list(col_widths)
            self.repeat_header = repeat_header
            self.hAlign = "CENTER"  # as reportlab's Table; callers may change it
            self._heights = heights  # (header height, [row heights]) once measured

        def _row_height(self, row) -> float:
            tallest = 0.0
            for cell_flowable, width in zip(row, self.col_widths, strict=True):
                inner = width - PADDING["left"] - PADDING["right"]
                tallest = max(tallest, cell_flowable.wrap(inner, 1e9)[1])
            return tallest + PADDING["top"] + PADDING["bottom"]

        def _measure(self):
            if self._heights is None:
                header_height = self._row_height(self.header) if self.header is not None else 0.0
                self._heights = (header_height, [self._row_height(row) for row in self.body])
            return self._heights

        def _table(self, rows, header):
            data = [header, *rows] if header is not None else list(rows)
            table = Table(data, colWidths=self.col_widths, repeatRows=1 if header is not None else 0)
            table.setStyle(_table_style())
            table.hAlign = self.hAlign
            return table

        def wrap(self, availWidth, availHeight):
            header_height, heights = self._measure()
            self.width = sum(self.col_widths)
            self.height = header_height + sum(heights)
            return self.width, self.height

        def split(self, availWidth, availHeight):
            header_height, heights = self._measure()
            room = availHeight - header_height - 1  # 1 pt for rounding and grid lines
            fit, used = 0, 0.0
            while fit < len(heights) and used + heights[fit] <= room:
                used += heights[fit]
                fit += 1
            if fit == 0:
                return []
            first = self._table(self.body[:fit], self.header)
            if fit == len(heights):
                return [first]
            next_header = self.header if self.repeat_header else None
            rest = _PagedTable(
                next_header,
                self.body[fit:],
                self.col_widths,
                repeat_header=self.repeat_header,
                heights=(header_height if next_header is not None else 0.0, heights[fit:]),
            )
            rest.hAlign = self.hAlign
            return [first, rest]

        def draw(self):
            table = self._table(self.body, self.header)
            table.wrapOn(self.canv, self.width, self.height)
            table.drawOn(self.canv, 0, 0)

    return _PagedTable


def PagedTable(header, body, col_widths, *, repeat_header=True):
    return _paged_table_class()(header, body, col_widths, repeat_header=repeat_header)
