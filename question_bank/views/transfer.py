"""Import (upload → result, or a worker job with a progress bar) and export pages of a bank.

Import: writers only (access.WRITERS). Export holds the keys: key readers only (access.KEY_READERS),
audited. A job's status is readable by the user who uploaded it and by the bank's owners.
"""

import uuid

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from exam_platform.common.jobs import enqueue_job
from exam_platform.common.models import Job

from .. import access
from ..jobs import IMPORT_JOB, import_upload_dir
from ..models import Category
from ..transfer import FORMAT_LABELS, FORMATS, blank_template, export_bank_items, import_items
from ..transfer.exporter import EXPORTABLE_TYPES

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
LARGE_BYTES = 1024 * 1024
LARGE_ITEMS = 500
_ITEM_MARKERS = {"gift": b"{", "aiken": b"ANSWER", "moodlexml": b"<question", "csv": b"\n", "qti": b"items/"}


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("ไฟล์ข้อสอบ"))
    format = forms.ChoiceField(label=gettext_lazy("รูปแบบไฟล์"), choices=list(FORMAT_LABELS.items()))
    default_category = forms.ModelChoiceField(
        label=gettext_lazy("หมวดเริ่มต้น (สำหรับข้อที่ไฟล์ไม่ระบุหมวด)"),
        queryset=Category.objects.none(),
        required=False,
    )
    create_categories = forms.BooleanField(label=gettext_lazy("สร้างวิชา/หัวข้อที่ยังไม่มีในคลัง"), required=False)
    fail_on_duplicates = forms.BooleanField(
        label=gettext_lazy("ถือว่าข้อซ้ำเป็นข้อผิดพลาด (ไม่นำเข้าทั้งไฟล์)"), required=False
    )
    dry_run = forms.BooleanField(label=gettext_lazy("ตรวจอย่างเดียว ยังไม่บันทึก"), required=False)

    def __init__(self, *args, bank, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_category"].queryset = Category.objects.filter(bank=bank).select_related("parent")
        self.fields["default_category"].label_from_instance = lambda c: (
            f"{c.parent.name} › {c.name}" if c.parent_id else c.name
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("ไฟล์ใหญ่เกิน 50 MB (The file is larger than 50 MB)."))
        return upload


def _is_large(data: bytes, fmt: str) -> bool:
    marker = _ITEM_MARKERS.get(fmt)
    return len(data) > LARGE_BYTES or bool(marker and data.count(marker) > LARGE_ITEMS)


@login_required
def import_page(request, bank_id: int):
    bank = access.get_bank_for(request.user, bank_id, access.WRITERS)
    form = ImportForm(request.POST or None, request.FILES or None, bank=bank)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        fmt = form.cleaned_data["format"]
        options = {
            "create_categories": form.cleaned_data["create_categories"],
            "fail_on_duplicates": form.cleaned_data["fail_on_duplicates"],
            "dry_run": form.cleaned_data["dry_run"],
        }
        default = form.cleaned_data["default_category"]
        if _is_large(data, fmt):
            job = _enqueue_import(request, bank, data, upload.name, fmt, default, options)
            return redirect("qb:import_job", job_id=job.pk)
        report = import_items(
            bank,
            data,
            fmt,
            actor=request.user,
            request=request,
            filename=upload.name,
            default_category=default,
            **options,
        )
        return render(
            request,
            "question_bank/transfer/result.html",
            {"bank": bank, "result": report.as_dict(), "job": None},
            status=200 if report.ok else 422,
        )
    return render(
        request,
        "question_bank/transfer/import.html",
        {"bank": bank, "form": form, "large_items": LARGE_ITEMS},
        status=400 if form.errors else 200,
    )


def _enqueue_import(request, bank, data: bytes, filename: str, fmt: str, default, options: dict) -> Job:
    folder = import_upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{uuid.uuid4().hex}.upload"
    (folder / stored).write_bytes(data)
    payload = {
        "file": stored,
        "bank_id": bank.pk,
        "user_id": request.user.pk,
        "format": fmt,
        "filename": filename[:200],
        "default_category_id": default.pk if default else None,
        **options,
    }
    return enqueue_job(IMPORT_JOB, payload, max_attempts=2)


def _job_for(user, job_id: int) -> tuple[Job, object]:
    """The import job if `user` uploaded it or owns its bank; 404 otherwise (ids are not probed)."""
    job = Job.objects.filter(pk=job_id, kind=IMPORT_JOB).first()
    if job is None:
        raise Http404
    bank = access.get_bank_for(user, job.payload.get("bank_id"))
    if job.payload.get("user_id") != user.pk and not access.can(user, bank.pk, access.OWNERS):
        raise Http404
    return job, bank


def _status(job: Job) -> dict:
    result = job.result or {}
    return {
        "status": job.status,
        "phase": result.get("phase", "queued" if job.status == Job.Status.PENDING else ""),
        "done": result.get("done", 0),
        "total": result.get("total", 0),
        "created": result.get("created"),
        "duplicates": len(result.get("duplicates", [])),
        "errors": len(result.get("errors", [])),
        "failed": job.status == Job.Status.FAILED,
    }


@login_required
def import_job(request, job_id: int):
    job, bank = _job_for(request.user, job_id)
    finished = job.status == Job.Status.DONE
    return render(
        request,
        "question_bank/transfer/result.html",
        {"bank": bank, "job": job, "result": job.result if finished else None, "status": _status(job)},
    )


@login_required
def import_status(request, job_id: int):
    job, _bank = _job_for(request.user, job_id)
    return JsonResponse(_status(job))


@login_required
def export_page(request, bank_id: int):
    bank = access.get_bank_for(request.user, bank_id, access.KEY_READERS)
    fmt = request.GET.get("format")
    if fmt in FORMATS:
        exported = export_bank_items(bank, fmt, actor=request.user, request=request)
        response = FileResponse(
            iter([exported.content]),
            as_attachment=True,
            filename=exported.filename,
            content_type=exported.content_type,
        )
        response["X-Items-Exported"] = str(exported.count)
        response["X-Items-Skipped"] = str(exported.skipped)
        return response
    formats = [
        {"code": code, "label": label, "only": EXPORTABLE_TYPES.get(code)}
        for code, label in FORMAT_LABELS.items()
    ]
    return render(request, "question_bank/transfer/export.html", {"bank": bank, "formats": formats})


@login_required
def excel_template(request, bank_id: int):
    access.get_bank_for(request.user, bank_id)
    return FileResponse(
        iter([blank_template()]),
        as_attachment=True,
        filename="qb-template.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
