"""The auditor's pages: the log with filters, one entry's before/after, the chain check, CSV.

Here in common/ beside the chain itself (audit.py, verify_audit) rather than in an app of their own:
they own no model and no migration, and every app's entries are read the same way.
"""

import csv

from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .audit import compute_hash
from .audit_access import get_entry_for, require_audit_reader
from .audit_forms import AuditFilterForm
from .audit_queries import CSV_HEADER, csv_row, diff_rows, filtered_entries, object_types
from .audit_services import record_log_export, run_chain_verification

PAGE_SIZE = 50
LIST_FIELDS = ("seq", "created_at", "actor_repr", "action", "object_type", "object_id", "object_repr")


def _form(request) -> AuditFilterForm:
    params = {k: v for k, v in request.GET.items() if k != "page"}
    return AuditFilterForm(params or None)


def audit_log(request):
    require_audit_reader(request.user)
    form = _form(request)
    filters = form.filters()
    entries = filtered_entries(filters).only(*LIST_FIELDS)
    paginator = Paginator(entries, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "common/audit/log.html",
        {
            "form": form,
            "page": page,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "object_types": object_types(),
            "is_filtered": bool(filters.as_dict()),
            "query": request.GET.urlencode(),
        },
    )


def audit_entry(request, seq: int):
    entry = get_entry_for(request.user, seq)
    return render(
        request,
        "common/audit/entry.html",
        {
            "entry": entry,
            "rows": diff_rows(entry.before, entry.after),
            "hash_ok": compute_hash(entry) == entry.entry_hash,
            "back_query": request.GET.get("back", ""),
        },
    )


_REASONS = {
    "prev_hash": gettext_lazy("มีการลบหรือแทรกรายการก่อนรายการนี้ (ค่าแฮชของรายการก่อนหน้าไม่ตรงกัน)"),
    "content": gettext_lazy("เนื้อหาของรายการนี้ถูกแก้ไขหลังบันทึก (ค่าแฮชไม่ตรงกับเนื้อหา)"),
}


@require_POST
def audit_verify(request):
    require_audit_reader(request.user)
    report = run_chain_verification(actor=request.user, request=request)
    reason = ""
    if not report.ok:
        reason = str(_REASONS["prev_hash" if report.reason.startswith("prev_hash") else "content"])
    return render(request, "common/audit/verify.html", {"report": report, "reason": reason})


class _Echo:
    def write(self, value):
        return value


def audit_export(request):
    require_audit_reader(request.user)
    form = _form(request)
    filters = form.filters()
    record_log_export(filters, actor=request.user, request=request)
    writer = csv.writer(_Echo())

    def rows():
        yield "\ufeff"  # a BOM, so Excel reads the Thai text as UTF-8
        yield writer.writerow(CSV_HEADER)
        for entry in filtered_entries(filters).iterator(chunk_size=2000):
            yield writer.writerow(csv_row(entry))

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response
