"""A sample announcement that exercises everything: heading, long wrapping paragraphs, a two-page table,
Thai digits, date line and signature. ``manage.py render_sample_pdf OUT.pdf`` writes it."""

import datetime as dt

from exam_platform.common.thai_dates import format_thai_official_date, to_thai_digits

SAMPLE_DATE = dt.date(2026, 11, 21)
SAMPLE_TITLE = "ประกาศรายชื่อผู้มีสิทธิ์สอบ ครั้งที่ ๑/๒๕๖๙"
SAMPLE_HEADERS = ("ลำดับที่", "เลขประจำตัวสอบ", "ชื่อ – สกุล", "หมายเหตุ")

_FIRST_NAMES = (
    "นายสมศักดิ์", "นางสาวน้ำทิพย์", "นายณัฐวุฒิ", "นางสาวปิยะฉัตร", "นายธนพล", "นางศิริพร", "นายกิตติศักดิ์",
    "นางสาวสุทธิดา", "นายวีรยุทธ", "นางสาวกัญญ์ณัฏฐ์", "นายพงษ์ศักดิ์", "นางสาวเบญจมาศ", "นายชัยวัฒน์",
    "นางสาวอรุณี", "นายภูริณัฐ", "นางสาวฐิติรัตน์", "นายเอกชัย", "นางสาวพิมพ์ชนก", "นายศุภกิจ", "นางสาวรุ่งทิวา",
)  # fmt: skip
_LAST_NAMES = (
    "ใจดี", "รักษ์ไทย", "ศรีสุข", "ทองคำ", "บุญมี", "แก้วประเสริฐ", "พึ่งน้ำ", "สุวรรณภูมิ", "เรืองศรี", "ชื่นใจ",
    "วงศ์สวัสดิ์", "ผู้มีบุญ", "ตั้งมั่น", "นิ่มนวล", "ฤทธิ์เดช", "ศักดิ์สิทธิ์", "อยู่เย็น",
)  # fmt: skip
_REMARKS = {
    3: "ผู้พิการทางการเห็น (ขยายตัวอักษร)",
    11: "สอบที่ห้อง ๓๐๑ อาคารธานีนพรัตน์",
    27: "ขยายเวลาสอบ ๓๐ นาที ตามคำสั่งที่ ๑๒/๒๕๖๙",
}


def sample_roster(count: int = 40) -> tuple[tuple[str, ...], list[tuple[str, str, str, str]]]:
    """(headers, rows) of the sample list of eligible candidates, in Thai digits."""
    rows = []
    for i in range(count):
        name = f"{_FIRST_NAMES[i % len(_FIRST_NAMES)]} {_LAST_NAMES[(i * 7) % len(_LAST_NAMES)]}"
        rows.append((to_thai_digits(i + 1), to_thai_digits(f"6910{i + 1:04d}"), name, _REMARKS.get(i, "")))
    return SAMPLE_HEADERS, rows


def sample_story() -> list:
    from reportlab.lib.units import cm
    from reportlab.platypus import PageBreak

    from .announcement import announcement_heading, body_paragraph, date_line, signature_block
    from .paragraph import ThaiParagraph
    from .styles import thai_style
    from .table import thai_table

    headers, rows = sample_roster()
    story = announcement_heading(
        "ประกาศกรุงเทพมหานคร",
        "รายชื่อผู้มีสิทธิ์สอบแข่งขันเพื่อบรรจุบุคคลเข้ารับราชการเป็นข้าราชการกรุงเทพมหานครสามัญ ครั้งที่ ๑/๒๕๖๙",
        number="๑๒๓/๒๕๖๙",
    )
    story += [
        body_paragraph(
            "ตามที่กรุงเทพมหานครได้ประกาศรับสมัครสอบแข่งขันเพื่อบรรจุบุคคลเข้ารับราชการเป็นข้าราชการกรุงเทพมหานครสามัญ "
            "ตำแหน่ง<b>นักวิชาการคอมพิวเตอร์ปฏิบัติการ</b> ลงวันที่ ๑ ตุลาคม พ.ศ. ๒๕๖๙ "
            "และได้ดำเนินการรับสมัครสอบระหว่างวันที่ ๑ – ๒๑ ตุลาคม พ.ศ. ๒๕๖๙ ไปแล้ว นั้น"
        ),
        body_paragraph(
            "บัดนี้ การรับสมัครสอบได้สิ้นสุดลงแล้ว อาศัยอำนาจตามความในมาตรา ๔๙ แห่งพระราชบัญญัติระเบียบข้าราชการ"
            "กรุงเทพมหานครและบุคลากรกรุงเทพมหานคร พ.ศ. ๒๕๕๔ จึงประกาศรายชื่อผู้มีสิทธิ์สอบภาคความรู้ความสามารถทั่วไป "
            "(ภาค ก) ตามบัญชีรายชื่อแนบท้ายประกาศนี้ โดยให้ผู้มีสิทธิ์สอบเข้าสอบผ่านระบบสอบออนไลน์ "
            "ในวันเสาร์ที่ ๑๒ ธันวาคม พ.ศ. ๒๕๖๙ เวลา ๐๙.๐๐ – ๑๒.๐๐ น. และเข้าสู่ระบบด้วยเลขประจำตัวประชาชน"
            "และเลขประจำตัวสอบก่อนเวลาสอบไม่น้อยกว่า ๓๐ นาที"
        ),
        body_paragraph(
            "ผู้เข้าสอบต้องปฏิบัติตามคำสั่งของกรรมการคุมสอบอย่างเคร่งครัด ห้ามนำเอกสาร ตำรา หรือเครื่องมือสื่อสาร"
            "ทุกชนิดเข้าห้องสอบ ยกเว้นน้ำดื่มบรรจุขวดใสที่ไม่มีฉลาก ผู้ที่ไม่ปฏิบัติตามระเบียบหรือทุจริตในการสอบ "
            "จะไม่ได้รับการตรวจให้คะแนนและอาจถูกดำเนินคดีตามกฎหมาย ทั้งนี้ สามารถตรวจสอบความถูกต้องของประกาศนี้ได้ที่ "
            "https://exam.bangkok.go.th/verify?code=BMA-2569-0123"
        ),
        body_paragraph("จึงประกาศมาเพื่อทราบโดยทั่วกัน"),
        date_line(SAMPLE_DATE),
        signature_block(
            "นายสมชาย ตัวอย่างดี",
            ["ปลัดกรุงเทพมหานคร", "ปฏิบัติราชการแทนผู้ว่าราชการกรุงเทพมหานคร"],
        ),
        PageBreak(),
        ThaiParagraph(
            "บัญชีรายชื่อผู้มีสิทธิ์สอบภาคความรู้ความสามารถทั่วไป (ภาค ก)<br/>"
            "แนบท้ายประกาศกรุงเทพมหานคร ลงวันที่ "
            + format_thai_official_date(SAMPLE_DATE, thai_digits=True)
            + f"<br/>รวมทั้งสิ้น {to_thai_digits(len(rows))} คน",
            thai_style(16, bold=True, align="center", space_after=8),
        ),
        thai_table(
            headers,
            rows,
            col_widths=[2.2 * cm, 3.6 * cm, 6.4 * cm, None],
            align=["center", "center", "left", "left"],
        ),
    ]
    return story


def render_sample_announcement() -> bytes:
    from .digits import document_digits_for
    from .document import build_pdf

    return build_pdf(
        sample_story(),
        title=SAMPLE_TITLE,
        header="ประกาศกรุงเทพมหานคร เรื่อง รายชื่อผู้มีสิทธิ์สอบ ครั้งที่ ๑/๒๕๖๙",
        header_on_first_page=False,
        footer_note="ระบบสอบออนไลน์ กรุงเทพมหานคร",
        digits=document_digits_for("sample_announcement"),
    )
