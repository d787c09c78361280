"""Sanitised item HTML (question_bank.html's subset) as reportlab flowables.

Blocks: paragraphs, line breaks, lists, block quotes, preformatted text, rules, tables (a thai_table when
the first row is header cells, the same grid without the grey header otherwise) and bank images, read
from storage and scaled down to fit the width. Inline: bold, italic, underline, strike, sub/superscript.
Everything else keeps its text and loses its markup. Thai wraps at word boundaries (ThaiParagraph).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from io import BytesIO
from xml.sax.saxutils import escape

from exam_platform.common.pdf import ThaiParagraph, thai_style
from exam_platform.common.pdf.digits import AS_WRITTEN
from question_bank.html import MEDIA_UID

_VOID = {"br", "img", "hr"}
_INLINE = {
    "b": "b",
    "strong": "b",
    "i": "i",
    "em": "i",
    "u": "u",
    "s": "strike",
    "sub": "sub",
    "sup": "super",
}
_BLOCK = {"p", "div", "blockquote", "ul", "ol", "li", "table", "pre", "hr", "img", "caption"}
_MAX_IMAGE_HEIGHT = 260  # points (~9 cm): a picture never pushes its item off the page
_CELL_PADDING = 5


@dataclass
class _Node:
    tag: str
    attrs: dict = field(default_factory=dict)
    children: list = field(default_factory=list)  # _Node or str


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = _Node("root")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = _Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse_html(html: str) -> _Node:
    builder = _TreeBuilder()
    builder.feed(html or "")
    builder.close()
    return builder.root


def inline_markup(node: _Node) -> str:
    """The reportlab paragraph markup of a node's content (blocks inside become line breaks)."""
    parts = []
    for child in node.children:
        if isinstance(child, str):
            parts.append(escape(child))
        elif child.tag == "br":
            parts.append("<br/>")
        elif child.tag in _INLINE:
            tag = _INLINE[child.tag]
            parts.append(f"<{tag}>{inline_markup(child)}</{tag}>")
        elif child.tag in ("img", "hr"):
            continue
        elif child.tag in _BLOCK or child.tag in ("tr", "td", "th"):
            inner = inline_markup(child)
            if inner.strip():
                parts.append(f"<br/>{inner}<br/>")
        else:
            parts.append(inline_markup(child))
    return _trim_breaks("".join(parts))


def _trim_breaks(markup: str) -> str:
    markup = markup.strip()
    while markup.startswith("<br/>"):
        markup = markup[5:].lstrip()
    while markup.endswith("<br/>"):
        markup = markup[:-5].rstrip()
    while "<br/><br/><br/>" in markup:
        markup = markup.replace("<br/><br/><br/>", "<br/><br/>")
    return markup


class HtmlFlowables:
    """Turns item HTML into flowables `width` points wide, with `style` (a thai_style) for text."""

    def __init__(self, *, width: float, style, media: dict | None = None, table_size: float | None = None):
        self.width = width
        self.style = style
        self.media = media or {}
        self.table_size = table_size or max(style.fontSize - 2, 10)

    def __call__(self, html: str) -> list:
        out: list = []
        self._blocks(parse_html(html), out, indent=0)
        return out or [ThaiParagraph("", self.style)]

    # -- blocks ----------------------------------------------------------------------------------------

    def _blocks(self, node: _Node, out: list, *, indent: float) -> None:
        buffer: list = []  # inline content waiting for its paragraph

        def flush():
            if buffer:
                self._paragraph(inline_markup(_Node("span", children=list(buffer))), out, indent=indent)
                buffer.clear()

        for child in node.children:
            if isinstance(child, str) or child.tag not in _BLOCK:
                buffer.append(child)
                continue
            flush()
            if child.tag in ("p", "div", "caption"):
                self._blocks(child, out, indent=indent)
            elif child.tag == "blockquote":
                self._blocks(child, out, indent=indent + 18)
            elif child.tag == "pre":
                text = "".join(_text_of(child)).strip("\n")
                self._paragraph(escape(text).replace("\n", "<br/>"), out, indent=indent)
            elif child.tag in ("ul", "ol"):
                self._list(child, out, indent=indent)
            elif child.tag == "li":
                self._blocks(child, out, indent=indent)
            elif child.tag == "table":
                table = self._table(child, self.width - indent)
                if table is not None:
                    from reportlab.platypus import Spacer

                    out += [Spacer(0, 3), _indented(table, indent), Spacer(0, 4)]
            elif child.tag == "img":
                out.append(_indented(self.image(child.attrs.get("src", ""), self.width - indent), indent))
            elif child.tag == "hr":
                from reportlab.platypus import HRFlowable

                out.append(
                    HRFlowable(width="100%", thickness=0.5, color="#808080", spaceBefore=3, spaceAfter=3)
                )
        flush()

    def _paragraph(self, markup: str, out: list, *, indent: float, bullet: str = "") -> None:
        markup = _trim_breaks(markup)
        if not markup and not bullet:
            return
        style = self.style
        if indent or bullet:
            from reportlab.lib.styles import ParagraphStyle

            hang = 16 if bullet else 0
            style = ParagraphStyle(
                f"{style.name}-indented",
                parent=style,
                leftIndent=style.leftIndent + indent + hang,
                firstLineIndent=-hang,
            )
        text = f"{escape(bullet)} {markup}" if bullet else markup
        # An examiner's text keeps its digits whatever the document's kind (a question may be about numerals).
        out.append(ThaiParagraph(text, style, digits=AS_WRITTEN))

    def _list(self, node: _Node, out: list, *, indent: float) -> None:
        ordered = node.tag == "ol"
        number = int(node.attrs.get("start") or 1) if ordered else 0
        for child in node.children:
            if isinstance(child, str) or child.tag != "li":
                continue
            inline = _Node(
                "li", children=[c for c in child.children if isinstance(c, str) or c.tag not in _BLOCK]
            )
            nested = [c for c in child.children if not isinstance(c, str) and c.tag in _BLOCK]
            self._paragraph(
                inline_markup(inline), out, indent=indent, bullet=f"{number}." if ordered else "•"
            )
            for block in nested:
                holder = _Node("div", children=[block])
                self._blocks(holder, out, indent=indent + 16)
            number += 1

    # -- tables ----------------------------------------------------------------------------------------

    def _table(self, node: _Node, width: float):
        rows = [row for row in _descendants(node, "tr")]
        grid = [[c for c in row.children if not isinstance(c, str) and c.tag in ("td", "th")] for row in rows]
        grid = [row for row in grid if row]
        if not grid:
            return None
        columns = max(len(row) for row in grid)
        header = all(cell.tag == "th" for cell in grid[0])
        texts = [[inline_markup(cell) for cell in row] + [""] * (columns - len(row)) for row in grid]
        widths = self._column_widths(texts, width, header=header)
        from exam_platform.common.pdf import thai_table

        aligns = [
            "right" if _numeric_column(texts[1 if header else 0 :], i) else "left" for i in range(columns)
        ]
        if header:
            table = thai_table(
                texts[0],
                texts[1:],
                col_widths=widths,
                size=self.table_size,
                align=aligns,
                markup=True,
                repeat_header=True,
                digits=AS_WRITTEN,
            )
            table.hAlign = "LEFT"
            return table
        return _plain_grid(texts, widths, size=self.table_size, aligns=aligns)

    def _column_widths(self, texts, width: float, *, header: bool) -> list[float]:
        """Each column as wide as its widest cell (plus padding), shrunk in proportion if too wide."""
        from reportlab.pdfbase.pdfmetrics import stringWidth

        from exam_platform.common.pdf.fonts import BOLD, REGULAR
        from question_bank.text import html_to_text

        columns = len(texts[0])
        natural = [0.0] * columns
        for r, row in enumerate(texts):
            font = BOLD if header and r == 0 else REGULAR
            for c, markup in enumerate(row):
                lines = html_to_text(markup.replace("<br/>", "\n")).split("\n") if markup else [""]
                for line in lines:
                    natural[c] = max(natural[c], stringWidth(line, font, self.table_size) * 1.06)
        natural = [max(w + 2 * _CELL_PADDING + 4, 36) for w in natural]
        total = sum(natural)
        if total <= width:
            return natural
        return [w * width / total for w in natural]

    # -- images ----------------------------------------------------------------------------------------

    def image(self, src: str, width: float):
        """A bank image scaled down (never up) to fit `width` and a moderate height."""
        match = MEDIA_UID.search(src or "")
        media = self.media.get(match.group(1)) if match else None
        data = _read_media(media) if media is not None else None
        if data is None:
            return ThaiParagraph("[ไม่พบรูปภาพ]", self.style, markup=False)
        from reportlab.lib.utils import ImageReader
        from reportlab.platypus import Image

        try:
            reader = ImageReader(BytesIO(data))
            pixel_w, pixel_h = reader.getSize()
        except Exception:  # a damaged file must not stop the booklet; show where it was
            return ThaiParagraph("[รูปภาพเสียหาย]", self.style, markup=False)
        draw_w, draw_h = pixel_w * 0.75, pixel_h * 0.75  # 96 dpi pixels → points
        scale = min(1.0, width / draw_w, _MAX_IMAGE_HEIGHT / draw_h)
        image = Image(BytesIO(data), width=draw_w * scale, height=draw_h * scale)
        image.hAlign = "LEFT"
        return image


def _read_media(media) -> bytes | None:
    try:
        with media.file.open("rb") as handle:
            return handle.read()
    except (OSError, ValueError):
        return None


def _text_of(node: _Node):
    for child in node.children:
        if isinstance(child, str):
            yield child
        elif child.tag == "br":
            yield "\n"
        else:
            yield from _text_of(child)


def _descendants(node: _Node, tag: str):
    for child in node.children:
        if isinstance(child, str):
            continue
        if child.tag == tag:
            yield child
        elif child.tag != "table":  # a nested table's rows are its own
            yield from _descendants(child, tag)


def _numeric_column(rows, index: int) -> bool:
    values = [row[index].strip() for row in rows if row[index].strip()]
    return bool(values) and all(v.replace(",", "").replace(".", "", 1).lstrip("-").isdigit() for v in values)


def _plain_grid(texts, widths, *, size: float, aligns):
    """A table without a header row, drawn like thai_table's body."""
    from reportlab.lib import colors
    from reportlab.platypus import Table

    from exam_platform.common.pdf.table import GRID_COLOR

    styles = [thai_style(size, align=a) for a in aligns]
    data = [
        [ThaiParagraph(text, styles[i], digits=AS_WRITTEN) for i, text in enumerate(row)] for row in texts
    ]
    table = Table(data, colWidths=widths, hAlign="LEFT")
    table.setStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor(GRID_COLOR)),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), _CELL_PADDING),
            ("RIGHTPADDING", (0, 0), (-1, -1), _CELL_PADDING),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]
    )
    return table


def _indented(flowable, indent: float):
    if not indent:
        return flowable
    from reportlab.platypus import Spacer, Table

    holder = Table([[Spacer(0, 0), flowable]], colWidths=[indent, None], hAlign="LEFT")
    holder.setStyle(
        [
            (side, (0, 0), (-1, -1), 0)
            for side in ("LEFTPADDING", "RIGHTPADDING", "TOPPADDING", "BOTTOMPADDING")
        ]
    )
    return holder
