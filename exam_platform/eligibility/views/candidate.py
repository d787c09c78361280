"""The called candidate's screens: their calls, the รายงานตัว page (post, unit, deadline, documents,
confirm or decline), and their own documents. Another candidate's call is a 404."""

import re

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import access
from ..forms import DeclineForm, UploadForm
from ..services import EligibilityError, confirm_reporting_in, decline_call, upload_reporting_document


def my_calls(request):
    calls = access.own_calls(request.user).select_related("eligibility_list__rank_list", "reporting_in")
    return render(request, "eligibility/candidate/calls.html", {"calls": calls.order_by("-called_at")})


@require_http_methods(["GET", "POST"])
def reporting_in(request, call_uid):
    call = access.get_own_call(request.user, call_uid)
    reporting = call.reporting_in
    form = UploadForm(request.POST or None, request.FILES or None, reporting_in=reporting)
    if request.method == "POST" and form.is_valid():
        try:
            upload_reporting_document(
                call,
                user=request.user,
                doc_type=form.cleaned_data["doc_type"],
                uploaded=form.cleaned_data["file"],
                request=request,
            )
        except EligibilityError as error:
            form.add_error("file", error.message)
        else:
            messages.success(request, _("อัปโหลดเอกสารแล้ว (Document uploaded)."))
            return redirect("eligibility:reporting_in", call_uid=call.uid)
    documents = {d.doc_type: d for d in reporting.documents.all()}
    required = [(code, label, documents.get(code)) for code, label in reporting.required_labels()]
    is_open = call.is_pending and reporting.confirmed_at is None and timezone.now() <= call.respond_by
    return render(
        request,
        "eligibility/candidate/reporting_in.html",
        {
            "call": call,
            "reporting": reporting,
            "required": required,
            "missing": [label for _code, label, doc in required if doc is None],
            "form": form,
            "decline_form": DeclineForm(),
            "is_open": is_open,
            "can_decline": call.is_pending and timezone.now() <= call.respond_by,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def confirm(request, call_uid):
    call = access.get_own_call(request.user, call_uid)
    try:
        confirm_reporting_in(call, user=request.user, request=request)
    except EligibilityError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("ยืนยันการรายงานตัวแล้ว (Reporting-in confirmed)."))
    return redirect("eligibility:reporting_in", call_uid=call.uid)


@require_POST
def decline(request, call_uid):
    call = access.get_own_call(request.user, call_uid)
    form = DeclineForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        decline_call(call, user=request.user, reason=reason, request=request)
    except EligibilityError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("บันทึกการไม่ประสงค์รับการบรรจุแล้ว (Your decision was recorded)."))
    return redirect("eligibility:reporting_in", call_uid=call.uid)


def document(request, document_uid):
    """A reporting-in document, to its candidate or an exam officer: always an attachment, with the
    type found in its content and nosniff, so a browser never renders it as a page."""
    doc = access.get_document_for(request.user, document_uid)
    response = FileResponse(
        doc.file.open("rb"),
        as_attachment=True,
        filename=f"{_safe_name(doc.reporting_in.call.exam_number)}-{doc.doc_type}{doc.extension}",
        content_type=doc.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _safe_name(text: str) -> str:
    """Only ASCII letters, digits and - _ in a file name: nothing a header or a path can misread."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_")[:40] or "document"
