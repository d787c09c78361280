"""Officers' reporting-in page of one eligibility list: called candidates with search, filters and
pages, each candidate's uploaded documents (opened through the permission-checking document view),
marking documents checked one at a time or many after a confirmation page."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import access
from ..forms import ReportingFilterForm
from ..models import ReportingDocument
from ..queries import reporting_calls, unchecked_document_ids
from ..services import EligibilityError
from ..services.checking import check_reporting_document, check_reporting_documents, plan_document_checks

PAGE_SIZE = 25
SKIPPED_SHOWN = 200


def _calls_for(elist, query_string: str):
    form = ReportingFilterForm(QueryDict(query_string))
    return form, reporting_calls(elist, **form.values())


def _page_url(elist, query_string: str) -> str:
    url = reverse("eligibility:reporting_list", args=[elist.pk])
    return f"{url}?{query_string}" if query_string else url


def _ids(values) -> list[int]:
    return [int(part) for value in values for part in str(value).split(",") if part.strip().isdigit()]


@require_GET
def reporting_list(request, list_id: int):
    elist = access.get_list_for_officer(request.user, list_id)
    query = request.GET.copy()
    query.pop("page", None)
    form, calls = _calls_for(elist, query.urlencode())
    page = Paginator(calls, PAGE_SIZE).get_page(request.GET.get("page"))
    page_documents = []
    for call in page.object_list:
        call.document_list = list(call.reporting_in.documents.all()) if hasattr(call, "reporting_in") else []
        page_documents += [d.pk for d in call.document_list if not d.is_checked]
    return render(
        request,
        "eligibility/officer/reporting.html",
        {
            "elist": elist,
            "form": form,
            "page": page,
            "page_documents": page_documents,
            "filters_query": query.urlencode(),
            "matching_unchecked": len(unchecked_document_ids(calls)),
            "is_filtered": any(form.values().values()),
            "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        },
    )


def _confirmation(request, elist, plan, *, ids, query_string, status=200):
    candidates = {d.reporting_in.call_id for d in plan.ready}
    return render(
        request,
        "eligibility/officer/check_confirm.html",
        {
            "elist": elist,
            "plan": plan,
            "candidate_count": len(candidates),
            "ids": ",".join(str(i) for i in ids),
            "filters": query_string,
            "back_url": _page_url(elist, query_string),
            "skipped_rows": plan.skipped[:SKIPPED_SHOWN],
            "skipped_more": max(0, len(plan.skipped) - SKIPPED_SHOWN),
        },
        status=status,
    )


@require_POST
def check_documents(request, list_id: int):
    """One button per document (`document_one`: marked at once), or the bulk path: the ticked
    documents, the page's or every unchecked document matching the filters → confirmation → confirm."""
    elist = access.get_list_for_officer(request.user, list_id)
    query_string = request.POST.get("filters", "")
    back = _page_url(elist, query_string)

    if request.POST.get("document_one", "").isdigit():
        document = ReportingDocument.objects.filter(
            pk=int(request.POST["document_one"]), reporting_in__call__eligibility_list=elist
        ).first()
        if document is None:
            messages.error(request, _("ไม่พบเอกสารนี้ในบัญชีนี้ (ผู้สมัครอาจส่งไฟล์ใหม่แทนแล้ว)"))
            return redirect(back)
        try:
            check_reporting_document(document, actor=request.user, request=request)
        except EligibilityError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("บันทึกว่าตรวจ%(doc)sของ %(name)s แล้ว")
                % {"doc": document.get_doc_type_display(), "name": document.reporting_in.call.name},
            )
        return redirect(back)

    if request.POST.get("confirm"):
        ids = _ids([request.POST.get("ids", "")])
        try:
            plan = check_reporting_documents(
                elist, ids, actor=request.user, expected=request.POST.get("expected", ""), request=request
            )
        except EligibilityError as error:
            messages.error(request, error.message)
            plan = plan_document_checks(elist, ids, actor=request.user)
            return _confirmation(
                request,
                elist,
                plan,
                ids=ids,
                query_string=query_string,
                status=409 if error.code == "changed" else 400,
            )
        messages.success(
            request,
            _("บันทึกว่าตรวจเอกสารแล้ว %(n)s ฉบับ ของผู้ถูกเรียก %(c)s คน")
            % {"n": len(plan.ready), "c": len({d.reporting_in.call_id for d in plan.ready})},
        )
        return redirect(back)

    if request.POST.get("scope_matching"):
        _form, calls = _calls_for(elist, query_string)
        ids = unchecked_document_ids(calls)
    elif request.POST.get("scope_page"):
        ids = _ids(request.POST.getlist("page_documents"))
    else:
        ids = _ids(request.POST.getlist("document"))
    if not ids:
        messages.error(request, _("ยังไม่ได้เลือกเอกสาร กรุณาเลือกอย่างน้อยหนึ่งฉบับ"))
        return redirect(back)
    try:
        plan = plan_document_checks(elist, ids, actor=request.user)
    except EligibilityError as error:
        messages.error(request, error.message)
        return redirect(back)
    in_list = sorted([d.pk for d in plan.ready] + [s.document.pk for s in plan.skipped])
    return _confirmation(request, elist, plan, ids=in_list, query_string=query_string)
