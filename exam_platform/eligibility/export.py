"""The calls of an eligibility list as an Excel workbook with Thai headers (openpyxl, write-only)."""

import io

from django.utils.translation import gettext as _

from exam_platform.common.spreadsheet import append_row

from .queries import calls_of


def calls_workbook(elist) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_("การเรียกรายงานตัว"))
    append_row(sheet, [str(elist.rank_list)])
    append_row(
        sheet,
        [
            _("ครั้งที่เรียก"),
            _("ลำดับที่สอบได้"),
            _("เลขประจำตัวสอบ"),
            _("เลขที่ใบสมัคร"),
            _("ชื่อ-นามสกุล"),
            _("ตำแหน่ง/หน่วยงาน"),
            _("หน่วยงานที่ขอเรียก"),
            _("วันที่เรียก"),
            _("กำหนดรายงานตัวภายใน"),
            _("ยืนยันรายงานตัวเมื่อ"),
            _("ผล"),
            _("วันที่ตอบ/บันทึกผล"),
            _("เรียกแทน (เลขประจำตัวสอบ)"),
            _("หมายเหตุ"),
        ],
    )
    for n, call in enumerate(calls_of(elist), start=1):
        reporting = getattr(call, "reporting_in", None)
        # dates as Excel date-times (local time, dd/mm/yyyy hh:mm), not Thai text
        append_row(
            sheet,
            [
                n,
                call.rank,
                call.exam_number,
                call.application_number,
                call.name,
                call.post,
                call.unit,
                call.called_at,
                call.respond_by,
                reporting.confirmed_at if reporting and reporting.confirmed_at else None,
                call.get_outcome_display(),
                call.responded_at,
                call.replaces.exam_number if call.replaces_id else "",
                call.notes,
            ],
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
