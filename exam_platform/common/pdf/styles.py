"""Paragraph styles for Thai documents: Sarabun, shaping on, government sizes.

Sarabun 16 pt is the standard for the body of Thai government documents (ระเบียบงานสารบรรณ); headings are
bold, often a size or two larger.
"""

from .fonts import font_name, register_thai_fonts

BODY_SIZE = 16
LEADING_RATIO = 1.3  # Sarabun's ascent + descent is 1.3 em: room for stacked tone marks and ุ ู

ALIGNMENTS = {"left": 0, "center": 1, "right": 2, "justify": 4}


def thai_style(
    size: float = BODY_SIZE,
    *,
    bold: bool = False,
    italic: bool = False,
    align: str = "left",
    leading: float | None = None,
    first_line_indent: float = 0,
    left_indent: float = 0,
    right_indent: float = 0,
    space_before: float = 0,
    space_after: float = 0,
    color=None,
    keep_with_next: bool = False,
    name: str | None = None,
):
    """A ParagraphStyle in Sarabun with HarfBuzz shaping on.

    ``align`` is left, center or right ("justify" is accepted and laid out as left: reportlab justifies
    by widening spaces, which Thai lines mostly lack).
    """
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle

    if align not in ALIGNMENTS:
        raise ValueError(f"align must be one of {sorted(ALIGNMENTS)}, not {align!r}")
    register_thai_fonts()
    return ParagraphStyle(
        name=name or f"thai-{size}{'-b' if bold else ''}{'-i' if italic else ''}-{align}",
        fontName=font_name(bold=bold, italic=italic),
        fontSize=size,
        leading=leading or round(size * LEADING_RATIO, 2),
        alignment=ALIGNMENTS[align],
        firstLineIndent=first_line_indent,
        leftIndent=left_indent,
        rightIndent=right_indent,
        spaceBefore=space_before,
        spaceAfter=space_after,
        textColor=color or colors.black,
        keepWithNext=int(keep_with_next),
        shaping=1,
    )
