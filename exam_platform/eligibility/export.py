"""The calls of an eligibility list as an Excel workbook with Thai headers (openpyxl, write-only)."""

import io

from django.utils.translation import gettext as _

from exam_platform.common.thai_dates import format_thai_date

from .queries import calls_of


def calls_workbook(elist) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_("การเรียกรายงานตัว"))
    sheet.append([str(elist.rank_list)])
    sheet.append(
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
        ]
    )
    for n, call in enumerate(calls_of(elist), start=1):
        reporting = getattr(call, "reporting_in", None)
        sheet.append(
            [
                n,
                call.rank,
                call.exam_number,
                call.application_number,
                call.name,
                call.post,
                call.unit,
                format_thai_date(call.called_at, with_time=True),
                format_thai_date(call.respond_by, with_time=True),
                format_thai_date(reporting.confirmed_at, with_time=True)
                if reporting and reporting.confirmed_at
                else "",
                call.get_outcome_display(),
                format_thai_date(call.responded_at, with_time=True) if call.responded_at else "",
                call.replaces.exam_number if call.replaces_id else "",
                call.notes,
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
