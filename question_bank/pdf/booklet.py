"""The printed booklet of one form: what the candidate reads, and nothing of the key.

Cover page (กรุงเทพมหานคร, title, code / version / form, time, number of items, the candidate's box,
instructions, the sections at a glance), then each section with its items numbered continuously. Choices
are labelled ก–จ in the version's positions; numeric, short-answer and essay items get answer lines. An
item is kept on one page when it fits.
"""

from __future__ import annotations

from decimal import Decimal

from reportlab.lib.units import cm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, PageBreak, Spacer, Table

from exam_platform.common.choice_labels import THAI_CHOICE_LABELS
from exam_platform.common.pdf import CONTENT_WIDTH, ThaiParagraph, thai_style, thai_table
from exam_platform.common.pdf.digits import document_digits_for, identifier
from question_bank.models import ItemVersion
from question_bank.text import html_to_text

from .forms import PrintedForm, PrintedItem, PrintedSection
from .markup import HtmlFlowables
from .page import CopyMarks, Downloader, PaperFurniture, build_document

ITEM_SIZE = 15
NUMBER_WIDTH = 1.1 * cm
LABEL_WIDTH = 0.85 * cm
BODY_WIDTH = CONTENT_WIDTH - NUMBER_WIDTH
ISSUER = "กรุงเทพมหานคร"
CLASSIFICATION = "ลับ"
Types = ItemVersion.ItemType


def _empty_cell():  # an empty table cell that adds no height (a "" cell is one line of 10-point text)
    return Spacer(0, 0)


DEFAULT_INSTRUCTIONS = (
    "เขียนชื่อ – สกุล เลขประจำตัวสอบ และเลขที่นั่งสอบ ในช่องข้างบนให้ครบถ้วนก่อนลงมือทำข้อสอบ",
    "ข้อสอบแบบเลือกตอบ ให้เลือกคำตอบที่ถูกต้องที่สุดเพียงคำตอบเดียว เว้นแต่ข้อที่ระบุว่าเลือกได้มากกว่าหนึ่งคำตอบ "
    "แล้วระบายหรือกากบาทลงในกระดาษคำตอบ",
    "ข้อที่ต้องเขียนคำตอบ ให้เขียนลงในบรรทัดที่เว้นไว้ให้ด้วยลายมือที่อ่านง่าย",
    "ห้ามนำข้อสอบ กระดาษคำตอบ หรือส่วนหนึ่งส่วนใดออกจากห้องสอบ และห้ามจดหรือคัดลอกข้อสอบ",
)


def _points(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f").rstrip("0")


class AnswerLines(Flowable):
    """Dotted writing lines, the first one after an optional prompt ("ตอบ")."""

    def __init__(self, count: int, *, prompt: str = "", gap: float = 0.95 * cm):
        super().__init__()
        self.count, self.prompt, self.gap = count, prompt, gap

    def wrap(self, availWidth, availHeight):
        self.width, self.height = availWidth, self.count * self.gap + 4
        return self.width, self.height

    def draw(self):
        from exam_platform.common.pdf.fonts import REGULAR

        canvas = self.canv
        canvas.saveState()
        canvas.setFont(REGULAR, ITEM_SIZE)
        canvas.setStrokeGray(0.45)
        canvas.setLineWidth(0.6)
        canvas.setDash(1, 2.5)
        for i in range(self.count):
            y = self.height - (i + 1) * self.gap
            start = 0.0
            if i == 0 and self.prompt:
                canvas.drawString(0, y + 2, self.prompt, shaping=True)
                start = canvas.stringWidth(self.prompt, REGULAR, ITEM_SIZE) + 6
            canvas.line(start, y, self.width, y)
        canvas.restoreState()


class BookletBuilder:
    def __init__(self, form: PrintedForm):
        self.form = form
        self.paper = form.paper
        self.text = thai_style(ITEM_SIZE)
        self.note = thai_style(ITEM_SIZE - 2, italic=True, color="#444444")
        self.number = thai_style(ITEM_SIZE, bold=True)
        self.stem_html = HtmlFlowables(width=BODY_WIDTH, style=self.text, media=form.media)

    # -- cover -----------------------------------------------------------------------------------------

    def cover(self) -> list:
        paper, form = self.paper, self.form
        centred = thai_style(16, align="center")
        items = form.items
        story = [
            ThaiParagraph(ISSUER, thai_style(22, bold=True, align="center"), markup=False),
            ThaiParagraph("แบบทดสอบ", thai_style(18, align="center", space_before=6), markup=False),
            ThaiParagraph(
                paper.title, thai_style(20, bold=True, align="center", space_after=4), markup=False
            ),
            ThaiParagraph(
                f"รหัส {identifier(paper.code)}  ฉบับที่ {paper.version}  ชุดที่ {form.number}",
                thai_style(16, bold=True, align="center"),
                markup=False,
            ),
            ThaiParagraph(
                f"จำนวน {len(items)} ข้อ  คะแนนเต็ม {_points(form.total_points)} คะแนน"
                f"  เวลา {paper.duration_minutes} นาที",
                centred,
                markup=False,
            ),
            Spacer(0, 0.5 * cm),
            self.candidate_box(),
            Spacer(0, 0.5 * cm),
            ThaiParagraph("คำชี้แจง", thai_style(17, bold=True, space_after=2), markup=False),
        ]
        lines = [line.strip() for line in (paper.instructions or "").splitlines() if line.strip()]
        lines += list(DEFAULT_INSTRUCTIONS)
        numbered = thai_style(16, left_indent=0.9 * cm, first_line_indent=-0.6 * cm)
        for n, line in enumerate(lines, start=1):
            story.append(ThaiParagraph(f"{n}. {line}", numbered, markup=False))
        story += [Spacer(0, 0.35 * cm), self.section_overview(), PageBreak()]
        return story

    def candidate_box(self):
        from reportlab.lib import colors

        label = thai_style(15, bold=True)
        rows = [
            ["ชื่อ – สกุล", ""],
            ["เลขประจำตัวสอบ", ""],
            ["เลขที่นั่งสอบ", ""],
            ["ห้องสอบ", ""],
        ]
        data = [[ThaiParagraph(a, label, markup=False), b] for a, b in rows]
        table = Table(data, colWidths=[4.6 * cm, CONTENT_WIDTH - 4.6 * cm], rowHeights=[1.1 * cm] * len(rows))
        table.setStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.2, colors.black),
                ("LINEBELOW", (0, 0), (-1, -2), 0.4, colors.HexColor("#808080")),
                ("LINEAFTER", (0, 0), (0, -1), 0.4, colors.HexColor("#808080")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
            ]
        )
        return table

    def section_overview(self):
        rows = []
        for section in self.form.sections:
            points = sum((item.points for item in section.items), Decimal(0))
            time = f"{section.time_limit_minutes} นาที" if section.time_limit_minutes else "–"
            rows.append((section.position, section.title, len(section.items), _points(points), time))
        rows.append(
            (
                "",
                "รวม",
                len(self.form.items),
                _points(self.form.total_points),
                f"{self.paper.duration_minutes} นาที",
            )
        )
        table = thai_table(
            ("ตอนที่", "เรื่อง", "จำนวนข้อ", "คะแนน", "เวลา"),
            rows,
            col_widths=[1.6 * cm, None, 2.2 * cm, 1.9 * cm, 2.4 * cm],
            align=["center", "left", "center", "center", "center"],
            size=15,
        )
        return table

    # -- items -----------------------------------------------------------------------------------------

    def section(self, section: PrintedSection) -> list:
        details = [f"จำนวน {len(section.items)} ข้อ"]
        if section.time_limit_minutes:
            details.append(f"เวลา {section.time_limit_minutes} นาที")
        heading = [
            ThaiParagraph(
                f"ตอนที่ {section.position} {section.title}",
                thai_style(17, bold=True, space_before=6),
                markup=False,
            ),
            ThaiParagraph(
                "  ".join(details),
                thai_style(15, color="#333333", space_after=6),
                markup=False,
            ),
        ]
        items = [self.item(item) for item in section.items]
        if not items:
            return [CondPageBreak(4 * cm), *heading]
        # The heading travels with the first item: never alone at the foot of a page.
        return [
            CondPageBreak(4 * cm),
            KeepTogether(heading + items[0]),
            *(KeepTogether(i) for i in items[1:]),
        ]

    def item(self, item: PrintedItem) -> list:
        """The item as one table (number | stem, choices or answer lines) and the space after it."""
        version = item.version
        rows = [[flowable] for flowable in self.stem_html(version.stem)]
        if version.item_type == Types.MULTIPLE_RESPONSE:
            rows.append([ThaiParagraph("(เลือกได้มากกว่าหนึ่งคำตอบ)", self.note, markup=False)])
        if version.has_choices:
            rows.append([self.choices(item)])
        elif version.item_type in (Types.NUMERIC, Types.SHORT_ANSWER):
            rows.append([AnswerLines(1, prompt="ตอบ")])
        elif version.item_type == Types.ESSAY:
            max_words = int((version.answer_spec or {}).get("max_words") or 200)
            rows.append([AnswerLines(max(6, min(18, max_words // 20)))])
        data = [
            [ThaiParagraph(f"{item.number}.", self.number, markup=False) if r == 0 else _empty_cell(), *row]
            for r, row in enumerate(rows)
        ]
        table = Table(data, colWidths=[NUMBER_WIDTH, BODY_WIDTH], hAlign="LEFT")
        table.setStyle(_tight([("TOPPADDING", (1, 1), (1, -1), 2)]))
        return [table, Spacer(0, 0.3 * cm)]

    def choices(self, item: PrintedItem):
        choices = item.choices
        labels = THAI_CHOICE_LABELS
        two_columns = all(self._fits_half(choice.text) for choice in choices)
        text_width = (BODY_WIDTH / 2 if two_columns else BODY_WIDTH) - LABEL_WIDTH
        html = HtmlFlowables(width=text_width, style=self.text, media=self.form.media)
        cells = [
            (ThaiParagraph(f"{labels[i]}.", self.text, markup=False), html(c.text))
            for i, c in enumerate(choices)
        ]
        if two_columns:
            data = [
                [*cells[i], *(cells[i + 1] if i + 1 < len(cells) else (_empty_cell(), _empty_cell()))]
                for i in range(0, len(cells), 2)
            ]
            widths = [LABEL_WIDTH, text_width] * 2
        else:
            data = [list(cell) for cell in cells]
            widths = [LABEL_WIDTH, text_width]
        table = Table(data, colWidths=widths, hAlign="LEFT")
        table.setStyle(_tight([]))
        return table

    def _fits_half(self, html: str) -> bool:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        if "<" in html and any(tag in html for tag in ("<img", "<table", "<br", "<p", "<li")):
            return False
        text = html_to_text(html)
        return stringWidth(text, self.text.fontName, ITEM_SIZE) * 1.05 <= BODY_WIDTH / 2 - LABEL_WIDTH - 8

    def story(self) -> list:
        story = self.cover()
        for section in self.form.sections:
            story += self.section(section)
        story.append(Spacer(0, 0.4 * cm))
        story.append(ThaiParagraph("— หมดข้อสอบ —", thai_style(16, bold=True, align="center"), markup=False))
        return story


def _tight(extra: list):
    return [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        *extra,
    ]


def render_booklet(form: PrintedForm, downloader: Downloader) -> bytes:
    marks = CopyMarks(form.paper.code, form.paper.version, form.number, downloader)
    furniture = PaperFurniture(header=form.paper.title, classification=CLASSIFICATION, marks=marks)
    return build_document(
        BookletBuilder(form).story(),
        title=f"{form.paper.title} ({marks.paper_label})",
        furniture=furniture,
        subject="แบบทดสอบ",
        digits=document_digits_for("booklet"),
    )
