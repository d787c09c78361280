"""The results table as an Excel workbook with Thai headers (openpyxl, write-only: streams rows)."""

import io

from django.utils.translation import gettext as _

from exam_platform.common.spreadsheet import append_row

from .queries import results_in_order


def results_workbook(exam_round) -> bytes:
    from openpyxl import Workbook

    results = list(results_in_order(exam_round))
    sections: dict[int, str] = {}
    for result in results:
        for section in result.section_scores:
            sections.setdefault(section["section"], section["title"])
    positions = sorted(sections)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_("ผลคะแนน"))
    append_row(sheet, [exam_round.title])
    append_row(
        sheet,
        [
            _("ลำดับที่"),
            _("เลขที่ใบสมัคร"),
            _("เลขประจำตัวสอบ"),
            _("ชื่อ-นามสกุล"),
            _("ตำแหน่ง"),
            _("สถานะ"),
            *[f"{_('ตอนที่')} {p} {sections[p]}".strip() for p in positions],
            _("คะแนนรวม"),
            _("คะแนนเต็ม"),
            _("ผลการสอบ"),
            _("คำอธิบาย"),
            _("ตัดสินลำดับโดย"),
        ],
    )
    for result in results:
        entry = result.entry
        by_section = {s["section"]: s["score"] for s in result.section_scores}
        verdict = {True: _("ผ่าน"), False: _("ไม่ผ่าน"), None: "-"}[result.passed]
        append_row(
            sheet,
            [
                result.rank,
                entry.application_number,
                entry.exam_number,
                f"{entry.candidate.first_name_th} {entry.candidate.last_name_th}",
                entry.position.title if entry.position else "",
                result.get_status_display(),
                *[float(by_section[p]) if p in by_section else None for p in positions],
                float(result.total) if result.total is not None else None,
                float(result.max_total) if result.max_total is not None else None,
                verdict,
                result.explanation,
                result.rank_decided_by,
            ],
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
