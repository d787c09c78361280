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


def _form_action(request, form, list_id: int, action, success):
    """The shape of every lifecycle POST: validate `form`, call `action(cleaned_data)` (one
    service call), report its EligibilityError or `success(result)` as a message, back to the list."""
    if form.is_valid():
        try:
            result = action(form.cleaned_data)
        except EligibilityError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, success(result))
    else:
        _form_errors(request, form)
    return _back(list_id)


@require_POST
def call_next_view(request, list_id: int):
    elist = access.get_list_for_officer(request.user, list_id)
    return _form_action(
        request,
        CallNextForm(request.POST, eligibility_list=elist),
        elist.pk,
        lambda data: call_next(elist, actor=request.user, request=request, **data),
        lambda calls: _("เรียกรายงานตัวแล้ว %(n)d คน (%(n)d called).") % {"n": len(calls)},
    )


@require_POST
def call_outcome(request, call_id: int):
    call = access.get_call_for_officer(request.user, call_id)
    return _form_action(
        request,
        OutcomeForm(request.POST),
        call.eligibility_list_id,
        lambda data: record_call_outcome(
            call, data["outcome"], actor=request.user, notes=data["notes"], request=request
        ),
        lambda _result: _("บันทึกผลแล้ว (Outcome recorded)."),
    )


@require_POST
def use_request_create(request, list_id: int):
    elist = access.get_list_for_officer(request.user, list_id)
    return _form_action(
        request,
        UseRequestForm(request.POST),
        elist.pk,
        lambda data: request_list_use(elist, actor=request.user, request=request, **data),
        lambda _result: _("บันทึกคำขอใช้บัญชีแล้ว (Use request recorded)."),
    )


@require_POST
def use_request_decide(request, request_id: int):
    use_request = access.get_use_request_for_officer(request.user, request_id)
    return _form_action(
        request,
        DecideForm(request.POST),
        use_request.eligibility_list_id,
        lambda data: decide_use_request(
            use_request, data["decision"] == "approve", actor=request.user, note=data["note"], request=request
        ),
        lambda _result: _("บันทึกผลการพิจารณาแล้ว (Decision recorded)."),
    )


@require_POST
def extend(request, list_id: int):
    elist = access.get_list_for_officer(request.user, list_id)
    return _form_action(
        request,
        ExtendForm(request.POST),
        elist.pk,
        lambda data: extend_validity(elist, actor=request.user, request=request, **data),
        lambda _result: _("ขยายอายุบัญชีแล้ว (Validity extended)."),
    )


def export_calls(request, list_id: int):
    elist = access.get_list_for_officer(request.user, list_id)
    response = HttpResponse(
        calls_workbook(elist),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="eligibility-{elist.pk}-calls.xlsx"'
    return response
