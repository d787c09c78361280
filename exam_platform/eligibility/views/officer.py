"""Exam officer screens: open an eligibility list, its lifecycle page (validity, calls in order with
outcomes, call next N, use requests, extend validity), the Excel export. Thin: load through
access.py, call one service, report its error as a message."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import access
from ..export import calls_workbook
from ..forms import CallNextForm, CreateListForm, DecideForm, ExtendForm, OutcomeForm, UseRequestForm
from ..queries import calls_of, lists_overview, remaining_count
from ..services import (
    EligibilityError,
    call_next,
    create_eligibility_list,
    decide_use_request,
    extend_validity,
    record_call_outcome,
    request_list_use,
)


def _form_errors(request, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


@require_http_methods(["GET", "POST"])
def index(request):
    access.require_officer(request.user)
    form = CreateListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            elist = create_eligibility_list(
                form.cleaned_data["rank_list"],
                actor=request.user,
                validity_days=form.cleaned_data["validity_days"],
                request=request,
            )
        except EligibilityError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("ขึ้นบัญชีแล้ว (Eligibility list opened)."))
            return redirect("eligibility:officer_list", list_id=elist.pk)
    return render(request, "eligibility/officer/index.html", {"form": form, "lists": lists_overview()})


def list_detail(request, list_id: int):
    elist = access.get_list_for_officer(request.user, list_id)
    calls = list(calls_of(elist))
    return render(
        request,
        "eligibility/officer/list.html",
        {
            "elist": elist,
            "version": elist.current_version(),
            "in_force": elist.in_force(),
            "calls": calls,
            "remaining": remaining_count(elist),
            "use_requests": elist.use_requests.select_related("requested_by", "decided_by"),
            "call_form": CallNextForm(eligibility_list=elist),
            "use_form": UseRequestForm(),
            "extend_form": ExtendForm(),
            "outcome_form": OutcomeForm(),
        },
    )


def _back(list_id: int):
    return redirect("eligibility:officer_list", list_id=list_id)


@require_POST
def call_next_view(request, list_id: int):
    elist = access.get_list_for_officer(request.user, list_id)
    form = CallNextForm(request.POST, eligibility_list=elist)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(elist.pk)
    data = form.cleaned_data
    try:
        calls = call_next(
            elist,
            actor=request.user,
            count=data["count"],
            post=data["post"],
            unit=data["unit"],
            respond_days=data["respond_days"],
            use_request=data["use_request"],
            request=request,
        )
    except EligibilityError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("เรียกรายงานตัวแล้ว %(n)d คน (%(n)d called).") % {"n": len(calls)})
    return _back(elist.pk)


@require_POST
def call_outcome(request, call_id: int):
    call = access.get_call_for_officer(request.user, call_id)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(call.eligibility_list_id)
    try:
        record_call_outcome(
            call,
            form.cleaned_data["outcome"],
            actor=request.user,
            notes=form.cleaned_data["notes"],
            request=request,
        )
    except EligibilityError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("บันทึกผลแล้ว (Outcome recorded)."))
    return _back(call.eligibility_list_id)


@require_POST
def use_request_create(request, list_id: int):
    elist = access.get_list_for_officer(request.user, list_id)
    form = UseRequestForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(elist.pk)
    try:
        request_list_use(elist, actor=request.user, request=request, **form.cleaned_data)
    except EligibilityError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("บันทึกคำขอใช้บัญชีแล้ว (Use request recorded)."))
    return _back(elist.pk)


@require_POST
def use_request_decide(request, request_id: int):
    use_request = access.get_use_request_for_officer(request.user, request_id)
    form = DecideForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(use_request.eligibility_list_id)
    try:
        decide_use_request(
            use_request,
            form.cleaned_data["decision"] == "approve",
            actor=request.user,
            note=form.cleaned_data["note"],
            request=request,
        )
    except EligibilityError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("บันทึกผลการพิจารณาแล้ว (Decision recorded)."))
    return _back(use_request.eligibility_list_id)


@require_POST
def extend(request, list_id: int):
    elist = access.get_list_for_officer(request.user, list_id)
    form = ExtendForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(elist.pk)
    try:
        extend_validity(elist, actor=request.user, request=request, **form.cleaned_data)
    except EligibilityError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("ขยายอายุบัญชีแล้ว (Validity extended)."))
    return _back(elist.pk)


def export_calls(request, list_id: int):
    elist = access.get_list_for_officer(request.user, list_id)
    response = HttpResponse(
        calls_workbook(elist),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="eligibility-{elist.pk}-calls.xlsx"'
    return response
