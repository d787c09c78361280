"""Exam officer screens of scoring: status per round, key corrections (with the diff), results,
Excel export. Thin: load through access.py, call one service, render."""

import time

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Max
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from exam_platform.common.jobs import enqueue_job
from exam_platform.delivery.models import ExamRound

from . import access, queries
from .export import results_workbook
from .forms import ProposeAdjustmentForm
from .services.adjustments import apply_adjustments, propose_adjustment, withdraw_adjustment
from .services.runs import ScoringError, preview_rescore
from .services.triggers import SCORE_ROUND_JOB

RESULTS_PER_PAGE = 50


def rounds(request):
    access.require_scoring_officer(request.user)
    rows = ExamRound.objects.annotate(last_scored=Max("scoring_runs__finished_at")).order_by("-created_at")
    return render(request, "scoring/rounds.html", {"rounds": rows})


def status(request, code):
    exam_round = access.get_round_for_scoring(request.user, code)
    return render(
        request,
        "scoring/status.html",
        {
            "round": exam_round,
            "counts": queries.status_counts(exam_round),
            "last_run": queries.last_run(exam_round),
        },
    )


@require_POST
def score_now(request, code):
    exam_round = access.get_round_for_scoring(request.user, code)
    with transaction.atomic():
        enqueue_job(
            SCORE_ROUND_JOB,
            {"round": exam_round.pk, "reason": "officer", "by": request.user.pk},
            dedupe_key=f"scoring:{exam_round.pk}:now:{int(time.time() // 10)}",
        )
    messages.success(request, _("ส่งงานคิดคะแนนเข้าคิวแล้ว ระบบจะคิดคะแนนภายในไม่กี่วินาที"))
    return redirect("scoring:status", code=exam_round.code)


def adjustments(request, code):
    exam_round = access.get_round_for_scoring(request.user, code)
    form = ProposeAdjustmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            propose_adjustment(
                exam_round,
                actor=request.user,
                request=request,
                item_uid=str(form.cleaned_data["item_uid"]),
                action=form.cleaned_data["action"],
                new_key=form.new_key(),
                reason=form.cleaned_data["reason"],
            )
        except ScoringError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("บันทึกข้อเสนอการแก้ไขเฉลยแล้ว ตรวจผลต่างก่อนใช้"))
            return redirect("scoring:adjustments", code=exam_round.code)
    listed = list(queries.adjustments_of(exam_round))
    has_proposed = any(a.status == a.Status.PROPOSED for a in listed)
    preview = preview_rescore(exam_round) if has_proposed else None
    return render(
        request,
        "scoring/adjustments.html",
        {"round": exam_round, "adjustments": listed, "form": form, "preview": preview},
    )


@require_POST
def adjustment_withdraw(request, code, adjustment_id):
    exam_round = access.get_round_for_scoring(request.user, code)
    adjustment = access.get_adjustment_for_scoring(request.user, exam_round, adjustment_id)
    try:
        withdraw_adjustment(adjustment, actor=request.user, request=request)
    except ScoringError as error:
        messages.error(request, error.message)
    return redirect("scoring:adjustments", code=exam_round.code)


@require_POST
def adjustments_apply(request, code):
    exam_round = access.get_round_for_scoring(request.user, code)
    try:
        apply_adjustments(
            exam_round, actor=request.user, request=request, expected_digest=request.POST.get("digest", "")
        )
    except ScoringError as error:
        messages.error(request, error.message)
        return redirect("scoring:adjustments", code=exam_round.code)
    messages.success(request, _("ใช้การแก้ไขเฉลยและคิดคะแนนใหม่แล้ว"))
    return redirect("scoring:results", code=exam_round.code)


def results(request, code):
    exam_round = access.get_round_for_scoring(request.user, code)
    page = Paginator(queries.results_in_order(exam_round), RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "scoring/results.html", {"round": exam_round, "page": page})


def results_export(request, code):
    exam_round = access.get_round_for_scoring(request.user, code)
    response = HttpResponse(
        results_workbook(exam_round),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="results-{exam_round.code}.xlsx"'
    response["Cache-Control"] = "private, no-store"
    return response
