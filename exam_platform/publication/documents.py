"""The files a published rank-list version is rendered into: a PDF announcement in Thai government style,
and its CSV (UTF-8 with BOM), Excel and HTML twins with Thai headers. All are rendered from the frozen
payload only, so a version's files never depend on data that may change later.
"""

import io
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from exam_platform.common.thai_dates import format_thai_official_date

ISSUER = "ประกาศกรุงเทพมหานคร"


@dataclass(frozen=True)
class RenderedFile:
    kind: str
    filename: str
    content: bytes


def public_base_url() -> str:
    if settings.PUBLIC_BASE_URL:
        return settings.PUBLIC_BASE_URL.rstrip("/")
    hosts = [h for h in settings.ALLOWED_HOSTS if h and not h.startswith((".", "*"))]
    if settings.DEBUG or settings.TESTING or not hosts:
        return "http://localhost:8000"
    return f"https://{hosts[0]}"


def version_url(list_id: int, number: int) -> str:
    return public_base_url() + reverse("publication:public_version", args=[list_id, number])


def verify_url() -> str:
    return public_base_url() + reverse("publication:verify")


def _sections(rows) -> list[dict]:
    """Every section seen in the rows, by section number (the paper's sections, in order)."""
    seen: dict = {}
    for row in rows:
        for section in row.get("sections", []):
            seen.setdefault(section["section"], section)
    return [seen[key] for key in sorted(seen, key=lambda k: (k is None, k))]


def table(payload: dict) -> tuple[list[str], list[list]]:
    """(Thai headers, rows) of the full table: what the CSV, Excel and HTML files hold."""
    rows = payload.get("rows", [])
    sections = _sections(rows)
    headers = [
        "ลำดับที่",
        "เลขประจำตัวสอบ",
        "เลขที่ใบสมัคร",
        "เลขประจำตัวประชาชน (แสดง 4 หลักท้าย)",
        "ชื่อ – สกุล",
        *(f"{s['title'] or 'ตอนที่ ' + str(s['section'])} (เต็ม {s['max']})" for s in sections),
        "คะแนนรวม",
        "คะแนนเต็ม",
        "ผลการสอบ",
        "เกณฑ์ที่ตัดสินลำดับ",
    ]
    body = []
    for row in rows:
        by_section = {s["section"]: s["score"] for s in row.get("sections", [])}
        body.append(
            [
                row["rank"],
                row["exam_number"],
                row["application_number"],
                row["national_id"],
                row["name"],
                *(by_section.get(s["section"], "") for s in sections),
                row["total"],
                row["max_total"],
                "ผ่าน" if row["passed"] else "ไม่ผ่าน",
                row["rank_decided_by"],
            ]
        )
    return headers, body


def _base_name(version) -> str:
    return f"rank-list-{version.rank_list_id}-v{version.number}"


def _title(payload: dict) -> str:
    return payload["list"]["title"]


def render_csv(version) -> bytes:
    from exam_platform.common.pdf import table_to_csv

    headers, rows = table(version.payload)
    return table_to_csv(headers, rows)


def render_html(version) -> bytes:
    from exam_platform.common.pdf import table_to_html

    payload = version.payload
    headers, rows = table(payload)
    meta = payload["list"]
    note = (
        f"{ISSUER} ที่ {meta['announcement_number'] or '-'} · ฉบับที่ {version.number} · "
        f"ประกาศ ณ วันที่ {format_thai_official_date(version.published_at)} · "
        f"SHA-256 ของข้อมูลประกาศ {version.payload_sha256} · "
        f"ตรวจสอบได้ที่ {version_url(version.rank_list_id, version.number)}"
    )
    return table_to_html(_title(payload), headers, rows, note=note).encode("utf-8")


def render_xlsx(version) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from exam_platform.common.spreadsheet import append_row

    payload = version.payload
    headers, rows = table(payload)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "บัญชีรายชื่อ"
    append_row(sheet, headers)
    for row in rows:
        append_row(sheet, [_excel_value(value) for value in row])
    bold = Font(name="TH Sarabun New", bold=True, size=14)
    for cell in sheet[1]:
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="E6E6E6")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for index, header in enumerate(headers, start=1):
        width = max([len(str(header))] + [len(str(r[index - 1])) for r in rows[:200]])
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 10), 40)
    sheet.freeze_panes = "A2"
    info = workbook.create_sheet("ข้อมูลประกาศ")
    for label, value in _metadata_rows(version):
        if label == "ประกาศ ณ วันที่":
            value = version.published_at  # an Excel date-time here, Thai text in the PDF and HTML
        append_row(info, [label, value])
    info.column_dimensions["A"].width = 28
    info.column_dimensions["B"].width = 90
    workbook.properties.title = _title(payload)
    workbook.properties.creator = "exam_platform"
    workbook.properties.created = workbook.properties.modified = version.published_at.replace(tzinfo=None)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _excel_value(value):
    """Scores as numbers (sortable in Excel); exam and application numbers stay text (leading zeros)."""
    if isinstance(value, str):
        try:
            if "." in value and value.replace(".", "", 1).lstrip("-").isdigit():
                return float(value)
        except ValueError:
            pass
    return value


def _metadata_rows(version) -> list[tuple[str, str]]:
    meta = version.payload["list"]
    return [
        ("ประกาศ", ISSUER),
        ("เรื่อง", meta["title"]),
        ("เลขที่ประกาศ", meta["announcement_number"] or "-"),
        ("การสอบ", meta["round"]["title"]),
        ("ฉบับที่", str(version.number)),
        ("ประกาศ ณ วันที่", format_thai_official_date(version.published_at)),
        ("เหตุผลการแก้ไข", meta.get("change_note") or "-"),
        ("SHA-256 ของข้อมูลประกาศ", version.payload_sha256),
        ("ลายมือชื่อดิจิทัล (Ed25519)", version.signature),
        ("รหัสกุญแจ", version.key_id),
        ("ตรวจสอบได้ที่", version_url(version.rank_list_id, version.number)),
    ]


def render_pdf(version, *, signer_name: str = "") -> bytes:
    from reportlab.lib.units import cm
    from reportlab.platypus import KeepTogether, PageBreak, Spacer

    from exam_platform.common.pdf import (
        ThaiParagraph,
        announcement_heading,
        body_paragraph,
        build_pdf,
        date_line,
        document_digits_for,
        identifier,
        signature_block,
        thai_style,
        thai_table,
    )

    payload = version.payload
    meta = payload["list"]
    rows = payload["rows"]
    published = version.published_at
    url = version_url(version.rank_list_id, version.number)
    position = meta.get("position")
    round_title = meta["round"]["title"]
    # "ได้ดำเนินการสอบแข่งขัน...", never "ได้ดำเนินการการสอบแข่งขัน..."
    what = ("ได้ดำเนิน" if round_title.startswith("การ") else "ได้ดำเนินการ") + round_title
    what += f" ตำแหน่ง{position['title']}" if position else ""

    story = announcement_heading(ISSUER, meta["title"], number=meta["announcement_number"])
    story.append(
        body_paragraph(
            f"ตามที่กรุงเทพมหานคร{what} และได้ดำเนินการสอบ ตรวจให้คะแนน และจัดลำดับผู้สอบตามเกณฑ์ที่ประกาศไว้เรียบร้อยแล้ว นั้น",
            markup=False,
        )
    )
    story.append(
        body_paragraph(
            "บัดนี้ จึงประกาศรายชื่อผู้สอบแข่งขันได้ เรียงตามลำดับที่จากผู้ได้คะแนนรวมสูงสุดลงมา "
            f"จำนวนทั้งสิ้น {len(rows)} คน ตามบัญชีรายชื่อแนบท้ายประกาศนี้ ผู้ที่ได้คะแนนเท่ากันทุกเกณฑ์"
            "ได้ลำดับที่ร่วมกัน และลำดับที่ถัดไปเว้นตามจำนวนผู้ที่ได้ลำดับร่วม",
            markup=False,
        )
    )
    if version.number > 1:
        story.append(
            body_paragraph(
                f"ประกาศนี้เป็นฉบับที่ {version.number} แก้ไขประกาศฉบับที่ {version.number - 1} "
                f"เนื่องจาก{meta.get('change_note') or '-'} ประกาศฉบับก่อนยังคงตรวจสอบได้ที่หน้าเดียวกัน",
                markup=False,
            )
        )
    story.append(
        body_paragraph(
            f"ทั้งนี้ สามารถตรวจสอบความถูกต้องของประกาศนี้และไฟล์ที่ดาวน์โหลดได้ที่ {identifier(url)}",
            markup=False,
        )
    )
    story.append(body_paragraph("จึงประกาศมาเพื่อทราบโดยทั่วกัน", markup=False))
    story.append(date_line(published))
    story.append(
        signature_block(
            signer_name or "เจ้าหน้าที่ผู้อนุมัติประกาศ",
            ["ผู้อนุมัติการประกาศผล", "ลงนามด้วยลายมือชื่อดิจิทัล"],
        )
    )
    story.append(PageBreak())
    story.append(
        ThaiParagraph(
            f"บัญชีรายชื่อผู้สอบแข่งขันได้ แนบท้าย{ISSUER} ที่ {meta['announcement_number'] or '-'}<br/>"
            f"ลงวันที่ {format_thai_official_date(published)}"
            f"<br/>รวมทั้งสิ้น {len(rows)} คน",
            thai_style(16, bold=True, align="center", space_after=8),
        )
    )
    table_rows = [(row["rank"], row["exam_number"], row["name"], row["total"]) for row in rows]
    if table_rows:
        story.append(
            thai_table(
                ("ลำดับที่", "เลขประจำตัวสอบ", "ชื่อ – สกุล", "คะแนนรวม"),
                table_rows,
                col_widths=[2.2 * cm, 4.4 * cm, None, 3.0 * cm],
                align=["center", "center", "left", "right"],
                size=15,
            )
        )
    small = thai_style(11, leading=15)
    story.append(Spacer(0, 0.6 * cm))
    story.append(
        KeepTogether(
            [
                ThaiParagraph("การตรวจสอบความถูกต้อง (verification)", thai_style(13, bold=True), markup=False),
                # Machine identifiers (the digest, the key id, the URL) keep their digits in any document.
                ThaiParagraph(
                    f"{identifier('SHA-256')} ของข้อมูลประกาศ: {identifier(version.payload_sha256)}",
                    small,
                    markup=False,
                ),
                ThaiParagraph(f"รหัสกุญแจของระบบ: {identifier(version.key_id)}", small, markup=False),
                ThaiParagraph(f"ตรวจสอบได้ที่: {identifier(url)}", small, markup=False),
            ]
        )
    )
    return build_pdf(
        story,
        title=f"{meta['title']} (ฉบับที่ {version.number})",
        header=f"{ISSUER} ที่ {meta['announcement_number'] or '-'} ฉบับที่ {version.number}",
        header_on_first_page=False,
        footer_note=identifier(f"SHA-256 {version.payload_sha256[:16]}… · {verify_url()}"),
        digits=document_digits_for("rank_list"),
    )


def render_files(version, *, signer_name: str = "") -> list[RenderedFile]:
    base = _base_name(version)
    return [
        RenderedFile("pdf", f"{base}.pdf", render_pdf(version, signer_name=signer_name)),
        RenderedFile("csv", f"{base}.csv", render_csv(version)),
        RenderedFile("xlsx", f"{base}.xlsx", render_xlsx(version)),
        RenderedFile("html", f"{base}.html", render_html(version)),
    ]
