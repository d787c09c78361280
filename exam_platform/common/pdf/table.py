"""Tables whose cells are ThaiParagraphs, so Thai cell text wraps at word boundaries."""

from collections.abc import Sequence

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
):
    """A reportlab Table: bold centred header row (repeated on every page), grid lines, wrapping Thai cells.

    ``col_widths`` in points; columns given as None (or all, without ``col_widths``) share what is left of
    ``width`` (default: the page's text width).
    ``align`` gives each column's alignment (left/center/right). Cell values are plain text unless
    ``markup=True``; ``None`` is an empty cell.
    """
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

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
        return ThaiParagraph(text, style, thai_digits=thai_digits, markup=markup)

    data = [[cell(h, header_style) for h in headers]]
    data += [[cell(value, cell_styles[i]) for i, value in enumerate(row)] for row in rows]
    table = Table(data, colWidths=col_widths, repeatRows=1 if repeat_header else 0)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor(GRID_COLOR)),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(HEADER_BACKGROUND)),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 5),
                ("RIGHTPADDING", (0, 0), (-1, -1), 5),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table
