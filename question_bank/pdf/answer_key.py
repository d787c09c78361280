"""เฉลยข้อสอบ — ลับที่สุด: the key of one form, for the bank's owners only.

One table per section: item number, key (ก–จ in the version's positions; value ± tolerance; accepted
answers; essays marked by the committee), points, the item's short uid and version, and the explanation.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from xml.sax.saxutils import escape

from reportlab.lib.units import cm
from reportlab.platypus import CondPageBreak, Spacer

from exam_platform.common.choice_labels import THAI_CHOICE_LABELS
from exam_platform.common.pdf import CONTENT_WIDTH, ThaiParagraph, thai_style, thai_table
from exam_platform.common.pdf.digits import document_digits_for, identifier
from question_bank.models import ItemVersion
from question_bank.text import html_to_text

from .booklet import ISSUER, _points
from .forms import PrintedForm, PrintedItem
from .page import CopyMarks, Downloader, PaperFurniture, build_document

TITLE = "เฉลยข้อสอบ — ลับที่สุด"
CLASSIFICATION = "ลับที่สุด"
ESSAY_KEY = "ตรวจโดยกรรมการ"
PARTIAL_CREDIT = {
    "all_or_nothing": "ต้องถูกครบทุกตัวเลือก",
    "per_choice": "คิดคะแนนรายตัวเลือก (ถูก − ผิด)",
    "proportional": "คิดคะแนนตามสัดส่วน ถ้าไม่เลือกผิด",
}
Types = ItemVersion.ItemType
TABLE_SIZE = 14


def _decimal_text(value) -> str:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return _points(number)


def key_text(version: ItemVersion) -> str:
    """The key as printed: 'ค'; 'ก, ค'; 'ก (ถูก)'; '3.5 ± 0.05'; 'ห้า / 5'; 'ตรวจโดยกรรมการ'."""
    spec = version.answer_spec or {}
    if version.has_choices:
        correct = [(i, c) for i, c in enumerate(version.choices.all()) if c.is_correct]
        if version.item_type == Types.TRUE_FALSE:
            return ", ".join(f"{THAI_CHOICE_LABELS[i]} ({html_to_text(c.text)})" for i, c in correct)
        return ", ".join(THAI_CHOICE_LABELS[i] for i, _c in correct)
    if version.item_type == Types.NUMERIC:
        value = _decimal_text(spec.get("value", ""))
        tolerance = spec.get("tolerance")
        if tolerance in (None, "") or Decimal(str(tolerance)) == 0:
            return value
        return f"{value} ± {_decimal_text(tolerance)}"
    if version.item_type == Types.SHORT_ANSWER:
        text = " / ".join(str(answer) for answer in spec.get("accepted", []))
        return f"{text} (ตรงตามตัวพิมพ์)" if spec.get("case_sensitive") else text
    return ESSAY_KEY


def note_text(version: ItemVersion) -> str:
    """The explanation, with the partial-credit rule of multiple-response items and an essay's rubric."""
    spec = version.answer_spec or {}
    parts = []
    if version.item_type == Types.MULTIPLE_RESPONSE:
        rule = PARTIAL_CREDIT.get(
            spec.get("partial_credit", "all_or_nothing"), spec.get("partial_credit", "")
        )
        parts.append(f"เลือกได้หลายคำตอบ: {rule}")
    if version.item_type == Types.ESSAY and spec.get("rubric"):
        parts.append(f"เกณฑ์: {html_to_text(spec['rubric'])}")
    if version.explanation:
        parts.append(html_to_text(version.explanation))
    return "\n".join(parts)


def key_row(item: PrintedItem) -> tuple:
    """One table row, as paragraph markup (user text escaped)."""
    version = item.version
    return (
        str(item.number),
        f"<b>{escape(key_text(version))}</b>",
        _points(item.points),
        f"{identifier(str(version.item.uid)[:8])} v{version.number}",  # the item's id keeps its digits
        # the examiner's explanation is printed as written, like the question itself in the booklet
        identifier(escape(note_text(version)).replace("\n", "<br/>")),
    )


def answer_key_story(form: PrintedForm) -> list:
    paper = form.paper
    story = [
        ThaiParagraph(ISSUER, thai_style(18, bold=True, align="center"), markup=False),
        ThaiParagraph(TITLE, thai_style(20, bold=True, align="center"), markup=False),
        ThaiParagraph(paper.title, thai_style(16, bold=True, align="center"), markup=False),
        ThaiParagraph(
            f"รหัส {identifier(paper.code)}  ฉบับที่ {paper.version}  ชุดที่ {form.number}",
            thai_style(15, bold=True, align="center"),
            markup=False,
        ),
        ThaiParagraph(
            f"จำนวน {len(form.items)} ข้อ  คะแนนเต็ม {_points(form.total_points)} คะแนน",
            thai_style(15, align="center", space_after=4),
            markup=False,
        ),
        ThaiParagraph(
            "ตัวอักษรตัวเลือกเป็นไปตามลำดับที่พิมพ์ในแบบทดสอบชุดนี้ ห้ามเผยแพร่ ทำสำเนา หรือนำออกนอกสถานที่โดยไม่ได้รับอนุญาต",
            thai_style(13, align="center", color="#444444", space_after=8),
            markup=False,
        ),
    ]
    for section in form.sections:
        # Not keep-with-next: that would glue the heading to the whole table and push both to a new page.
        story.append(CondPageBreak(4 * cm))
        story.append(
            ThaiParagraph(
                f"ตอนที่ {section.position} {section.title}",
                thai_style(16, bold=True, space_before=6, space_after=3),
                markup=False,
            )
        )
        story.append(
            thai_table(
                ("ข้อ", "เฉลย", "คะแนน", "รหัสข้อ / รุ่น", "คำอธิบาย"),
                [key_row(item) for item in section.items],
                col_widths=[1.0 * cm, 2.8 * cm, 2.0 * cm, 2.9 * cm, None],
                align=["center", "center", "center", "left", "left"],
                size=TABLE_SIZE,
                width=CONTENT_WIDTH,
                markup=True,
            )
        )
        story.append(Spacer(0, 0.3 * cm))
    return story


def render_answer_key(form: PrintedForm, downloader: Downloader) -> bytes:
    marks = CopyMarks(form.paper.code, form.paper.version, form.number, downloader)
    furniture = PaperFurniture(
        header=f"{TITLE} · {form.paper.title}", classification=CLASSIFICATION, marks=marks
    )
    return build_document(
        answer_key_story(form),
        title=f"{TITLE} {form.paper.title} ({marks.paper_label})",
        furniture=furniture,
        subject="เฉลยข้อสอบ",
        digits=document_digits_for("answer_key"),
    )
