import csv
import datetime as dt
import io
import re
from xml.sax.saxutils import escape

import pytest
from django.core.management import call_command
from pypdf import PdfReader
from pythainlp.tokenize import word_tokenize
from reportlab.platypus import Paragraph

from exam_platform.common.pdf import (
    CONTENT_WIDTH,
    PageFurniture,
    ThaiParagraph,
    build_pdf,
    layout_lines,
    page_label,
    register_thai_fonts,
    table_to_csv,
    table_to_html,
    thai_style,
    thai_table,
)
from exam_platform.common.pdf.samples import render_sample_announcement, sample_roster
from exam_platform.common.thai_dates import format_thai_official_date

LONG_THAI = (
    "ตามที่กรุงเทพมหานครได้ประกาศรับสมัครสอบแข่งขันเพื่อบรรจุบุคคลเข้ารับราชการเป็นข้าราชการกรุงเทพมหานครสามัญ "
    "ตำแหน่งนักวิชาการคอมพิวเตอร์ปฏิบัติการ ลงวันที่ ๑ ตุลาคม พ.ศ. ๒๕๖๙ ผู้เข้าสอบต้องปฏิบัติตามคำสั่งของกรรมการคุมสอบ"
    "อย่างเคร่งครัด ห้ามนำเอกสารหรือเครื่องมือสื่อสารทุกชนิดเข้าห้องสอบ ยกเว้นน้ำดื่มบรรจุขวดใสที่ไม่มีฉลาก "
    "ผู้ที่ไม่ปฏิบัติตามระเบียบหรือทุจริตในการสอบจะไม่ได้รับการตรวจให้คะแนนและอาจถูกดำเนินคดีตามกฎหมาย"
)


def _pdf_text(reader: PdfReader, page: int) -> str:
    # The font draws ำ as nikhahit + sara aa; text extraction gives them back in that order.
    return reader.pages[page].extract_text().replace("\u0e4d\u0e49\u0e32", "\u0e49\u0e33").replace("ํา", "ำ")


def _reportlab_width(text: str, style, width: float) -> tuple[int, float]:
    """Lines and width of the first line when reportlab itself lays the text out (independent check)."""
    para = Paragraph(escape(text), style)
    para.wrap(width, 1e9)
    first = para.blPara.lines[0]
    extra = first.extraSpace if para.blPara.kind == 1 else first[0]
    return len(para.blPara.lines), width - extra


@pytest.fixture(scope="module")
def sample_pdf():
    return PdfReader(io.BytesIO(render_sample_announcement()))


def test_sample_announcement_renders_three_pages_with_embedded_sarabun(sample_pdf):
    assert len(sample_pdf.pages) == 3
    assert sample_pdf.metadata.title == "ประกาศรายชื่อผู้มีสิทธิ์สอบ ครั้งที่ ๑/๒๕๖๙"
    embedded = set()
    for page in sample_pdf.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is not None and "/FontFile2" in descriptor.get_object():
                embedded.add(font["/BaseFont"].split("+", 1)[1])
    assert embedded == {"Sarabun-Regular", "Sarabun-Bold"}


def test_sample_announcement_text_keeps_tone_marks(sample_pdf):
    first = _pdf_text(sample_pdf, 0)
    assert "ประกาศกรุงเทพมหานคร" in first
    assert "ที่ ๑๒๓/๒๕๖๙" in first
    assert "ประกาศ ณ วันที่ ๒๑ พฤศจิกายน พ.ศ. ๒๕๖๙" in first
    assert "ปฏิบัติตามคำสั่งของกรรมการคุมสอบ" in first
    assert "ยกเว้นน้ำดื่ม" in first
    assert "(นายสมชาย ตัวอย่างดี)" in first


def test_sample_announcement_footer_has_thai_page_x_of_y(sample_pdf):
    header = "ประกาศกรุงเทพมหานคร เรื่อง รายชื่อผู้มีสิทธิ์สอบ ครั้งที่ ๑/๒๕๖๙"
    texts = [_pdf_text(sample_pdf, i) for i in range(3)]
    assert [f"หน้า {n} จาก ๓" in text for n, text in zip("๑๒๓", texts, strict=True)] == [True] * 3
    assert [header in text for text in texts] == [False, True, True]


def test_sample_twins_hold_the_rows_printed_in_the_pdf(sample_pdf):
    headers, rows = sample_roster()
    table_text = _pdf_text(sample_pdf, 1) + _pdf_text(sample_pdf, 2)
    assert len(rows) == 40
    for _number, exam_id, name, _remark in rows:
        assert exam_id in table_text
        assert name in table_text
    # the table spans both attachment pages
    assert rows[0][1] in _pdf_text(sample_pdf, 1) and rows[-1][1] in _pdf_text(sample_pdf, 2)

    parsed = list(csv.reader(io.StringIO(table_to_csv(headers, rows).decode("utf-8-sig"))))
    assert parsed == [list(headers), *[list(row) for row in rows]]
    html = table_to_html("บัญชีรายชื่อ", headers, rows)
    cells = re.findall(r"<td>(.*?)</td>", html)
    assert cells == [value for row in rows for value in row]


def test_page_furniture_texts_number_pages_in_thai_digits():
    furniture = PageFurniture(
        header="หัวกระดาษ", header_on_first_page=False, printed_on=dt.date(2026, 11, 21), thai_digits=True
    )
    assert furniture.texts(1, 3) == {
        "header": "",
        "footer_left": "",
        "footer_center": "พิมพ์เมื่อ ๒๑ พฤศจิกายน ๒๕๖๙",
        "footer_right": "หน้า ๑ จาก ๓",
    }
    assert furniture.texts(2, 3)["header"] == "หัวกระดาษ"
    assert page_label(12, 40, thai_digits=False) == "หน้า 12 จาก 40"


@pytest.mark.parametrize("width", [CONTENT_WIDTH, 250, 120])
def test_thai_paragraph_lines_fit_the_width(width):
    style = thai_style(16, first_line_indent=40)
    para = ThaiParagraph(LONG_THAI, style)
    lines = para.line_texts(width)
    assert len(lines) > 3
    for index, line in enumerate(lines):
        limit = width - (40 if index == 0 else 0)
        count, drawn = _reportlab_width(line, thai_style(16), limit)
        assert count == 1, line
        assert drawn <= limit + 1e-6, line
    assert max(para.line_widths()) <= width


def test_thai_paragraph_breaks_lines_only_at_pythainlp_word_boundaries():
    text = re.sub(r"\s+", " ", LONG_THAI)
    boundaries, pos = {0}, 0
    for token in word_tokenize(text, engine="newmm", keep_whitespace=True):
        pos += len(token)
        boundaries.add(pos)
    lines = layout_lines(LONG_THAI, 200)
    assert len(lines) > 8
    pos = 0
    for line in lines:
        if text[pos] == " ":
            pos += 1  # a line may only drop the space it was broken at
        assert text[pos : pos + len(line)] == line
        assert pos in boundaries and pos + len(line) in boundaries, line
        pos += len(line)
    assert pos == len(text)


def test_thai_paragraph_keeps_mai_yamok_and_units_with_their_word():
    text = " ".join(["เด็ก ๆ เล่นน้ำ ๓๐ นาที พ.ศ. ๒๕๖๙"] * 12)
    for width in (90, 140, 200):
        lines = layout_lines(text, width)
        assert not any(line.startswith(("ๆ", "นาที", "๒๕๖๙")) for line in lines), lines


def test_thai_paragraph_cuts_an_overlong_url_between_characters_only():
    url = "https://exam.bangkok.go.th/verify?code=" + "ABCDEFGHIJ" * 8
    para = ThaiParagraph(f"ตรวจสอบได้ที่ {url} ครับ", thai_style(14))
    lines = para.line_texts(150)
    assert "".join(lines).replace(" ", "") == f"ตรวจสอบได้ที่{url}ครับ"
    assert len(lines) >= 5
    assert max(para.line_widths()) <= 150


def test_thai_paragraph_keeps_bold_markup_and_hard_breaks():
    para = ThaiParagraph("<b>ตัวหนา</b>ตัวธรรมดา<br/>บรรทัดใหม่ <i>เอียง</i> &amp; อื่น ๆ", thai_style())
    assert para.line_texts(CONTENT_WIDTH) == ["ตัวหนาตัวธรรมดา", "บรรทัดใหม่ เอียง & อื่น ๆ"]
    assert para.line_runs() == [
        [("Sarabun-Bold", "ตัวหนา"), ("Sarabun", "ตัวธรรมดา")],
        [
            ("Sarabun", "บรรทัดใหม่ "),
            ("Sarabun-Italic", "เอียง"),
            ("Sarabun", " "),
            ("Sarabun", "&"),
            ("Sarabun", " อื่น ๆ"),
        ],
    ]


def test_thai_paragraph_plain_text_is_escaped_and_digits_converted():
    para = ThaiParagraph("คะแนน <b>80</b> จาก 100", thai_style(), markup=False, thai_digits=True)
    assert para.line_texts(CONTENT_WIDTH) == ["คะแนน <b>๘๐</b> จาก ๑๐๐"]


def test_thai_paragraph_splits_between_lines():
    style = thai_style(16)
    para = ThaiParagraph(LONG_THAI, style)
    whole = para.line_texts(200)
    head, tail = para.split(200, style.leading * 3 + 1)
    assert head.line_texts(200) == whole[:3]
    assert tail.line_texts(200) == whole[3:]
    assert para.split(200, style.leading - 1) == []


def test_build_pdf_flows_a_long_paragraph_onto_a_second_page():
    para = ThaiParagraph(" ".join([LONG_THAI] * 8), thai_style())
    lines = para.line_texts(CONTENT_WIDTH)
    pdf = build_pdf([para], title="ทดสอบ", thai_digits=True)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2
    assert "หน้า ๒ จาก ๒" in reader.pages[1].extract_text()
    # every laid-out line is drawn once, in order, across the two pages (then header and footer)
    drawn = [line.strip() for page in (0, 1) for line in _pdf_text(reader, page).splitlines()[:-2]]
    assert drawn == lines


def test_thai_table_wraps_cells_inside_column_widths():
    table = thai_table(
        ["ชื่อ", "หมายเหตุ"], [["นายสมชาย ใจดี", LONG_THAI]], col_widths=[150, 120], align=["left", "right"]
    )
    table.wrap(CONTENT_WIDTH, 1e9)
    remark = table.body[0][1]
    assert len(remark.line_texts()) > 5
    assert max(remark.line_widths()) <= 120 - 10
    with pytest.raises(ValueError):
        thai_table(["ก", "ข"], [["หนึ่ง"]])


def test_thai_table_of_many_rows_paginates_every_row_once_in_order_with_the_header_on_each_page():
    from exam_platform.common.pdf import build_pdf

    rows = [[str(i), f"นางสาวน้ำทิพย์ ใจดี {i}"] for i in range(1, 301)]
    pdf = build_pdf([thai_table(["ลำดับ", "ชื่อ – สกุล"], rows, col_widths=[80, None])], title="ทดสอบ")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) > 5
    seen = []
    for page in range(len(reader.pages)):
        text = _pdf_text(reader, page)
        assert "ชื่อ – สกุล" in text  # the header row repeats on every page
        seen += [
            int(line.split()[0]) for line in text.splitlines() if line.split() and line.split()[0].isdigit()
        ]
    assert seen == list(range(1, 301))


def test_table_to_csv_starts_with_bom_and_neutralises_formulas():
    data = table_to_csv(["ชื่อ", "คะแนน"], [["=HYPERLINK(1)", -1.5], ["น้ำทิพย์, ใจดี", None]])
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig") == 'ชื่อ,คะแนน\r\n\'=HYPERLINK(1),-1.5\r\n"น้ำทิพย์, ใจดี",\r\n'


def test_table_to_html_escapes_every_value():
    html = table_to_html("<ประกาศ>", ["ชื่อ"], [["<script>alert(1)</script>"]])
    assert "<script>" not in html
    assert "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>" in html
    assert "<title>&lt;ประกาศ&gt;</title>" in html
    assert html.startswith('<!DOCTYPE html>\n<html lang="th">')


def test_register_thai_fonts_is_idempotent():
    from reportlab.pdfbase import pdfmetrics

    assert register_thai_fonts() == "Sarabun"
    font = pdfmetrics.getFont("Sarabun")
    assert register_thai_fonts() == "Sarabun"
    assert pdfmetrics.getFont("Sarabun") is font
    assert font.shapable


def test_render_sample_pdf_command_writes_the_sample(tmp_path):
    out = tmp_path / "sample.pdf"
    call_command("render_sample_pdf", str(out), stdout=io.StringIO())
    assert out.read_bytes() == render_sample_announcement()


def test_format_thai_official_date_writes_the_era():
    assert format_thai_official_date(dt.date(2026, 11, 21), thai_digits=True) == "๒๑ พฤศจิกายน พ.ศ. ๒๕๖๙"
    assert format_thai_official_date(dt.date(2026, 1, 2)) == "2 มกราคม พ.ศ. 2569"
