"""Exam officer screens of scoring: status per round, key corrections (with the diff), results,
Excel export. Thin: load through access.py, call one service, render."""

import time

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Max
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from exam_platform.common.jobs import enqueue_job
from exam_platform.delivery.models import ExamRound

from . import access, queries
from .export import results_workbook
from .forms import FreshCodeForm, ItemPickForm, ProposeAdjustmentForm
from .item_catalogue import round_catalogue
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
    """The round's corrections, its items as numbered in the booklet, and the diff of what is proposed
    with the second officer's approval form."""
    exam_round = access.get_round_for_scoring(request.user, code)
    catalogue = round_catalogue(exam_round)
    listed = list(queries.adjustments_of(exam_round))
    for adjustment in listed:
        adjustment.key_text = catalogue.key_text(adjustment.item_uid, adjustment.new_key)
        adjustment.item_label = adjustment.item_label or catalogue.label_of(adjustment.item_uid)
    proposed = [a for a in listed if a.status == a.Status.PROPOSED]
    preview = preview_rescore(exam_round) if proposed else None
    approve_form = FreshCodeForm(initial={"digest": preview.inputs_digest}) if preview else None
    return render(
        request,
        "scoring/adjustments.html",
        {
            "round": exam_round,
            "adjustments": listed,
            "catalogue": catalogue,
            "pick_form": ItemPickForm(catalogue=catalogue),
            "preview": preview,
            "approve_form": approve_form,
            "approve_url": reverse("scoring:adjustments_apply", args=[exam_round.code]),
            "is_proposer": any(a.proposed_by_id == request.user.pk for a in proposed),
            "published_lists": queries.published_list_count(exam_round),
        },
    )


def adjustment_pick(request, code):
    """The picker's GET target: ?form=1&number=7 → that item's page."""
    exam_round = access.get_round_for_scoring(request.user, code)
    catalogue = round_catalogue(exam_round)
    form = ItemPickForm(request.GET, catalogue=catalogue)
    if form.is_valid() and catalogue.find(form.cleaned_data["form"], form.cleaned_data["number"]):
        return redirect(
            "scoring:adjustment_item",
            code=exam_round.code,
            form_key=form.cleaned_data["form"],
            number=form.cleaned_data["number"],
        )
    messages.error(request, _("ไม่พบข้อสอบหมายเลขนี้ในแบบทดสอบของรอบนี้"))
    return redirect("scoring:adjustments", code=exam_round.code)


def adjustment_item(request, code, form_key, number):
    """One item by its number: stem, choices ก ข ค ง with the current key, and the proposal form."""
    exam_round = access.get_round_for_scoring(request.user, code)
    item = round_catalogue(exam_round).find(form_key, number)
    if item is None:
        raise Http404
    form = ProposeAdjustmentForm(request.POST or None, item=item)
    if request.method == "POST" and form.is_valid():
        try:
            propose_adjustment(
                exam_round,
                actor=request.user,
                request=request,
                item_uid=item.uid,
                item_label=item.label,
                action=form.cleaned_data["action"],
                new_key=form.new_key(),
                reason=form.cleaned_data["reason"],
            )
        except ScoringError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("บันทึกข้อเสนอการแก้ไขเฉลยแล้ว ตรวจผลต่างและให้เจ้าหน้าที่สอบอีกคนอนุมัติ"))
            return redirect(reverse("scoring:adjustments", args=[exam_round.code]) + "#diff-title")
    pending = [a for a in queries.adjustments_of(exam_round) if a.item_uid == item.uid]
    return render(
        request,
        "scoring/adjustment_item.html",
        {
            "round": exam_round,
            "item": item,
            "item_type_label": queries.item_type_label(item.type),
            "form": form,
            "history": pending,
        },
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
    form = FreshCodeForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(reverse("scoring:adjustments", args=[exam_round.code]) + "#diff-title")
    try:
        apply_adjustments(
            exam_round,
            actor=request.user,
            request=request,
            expected_digest=form.cleaned_data["digest"],
            code=form.cleaned_data["code"],
        )
    except ScoringError as error:
        messages.error(request, error.message)
        return redirect(reverse("scoring:adjustments", args=[exam_round.code]) + "#diff-title")
    messages.success(request, _("ใช้การแก้ไขเฉลยและคิดคะแนนใหม่แล้ว"))
    if queries.published_list_count(exam_round):
        messages.warning(
            request,
            _(
                "รอบนี้ประกาศผลแล้ว ประกาศที่เผยแพร่ไม่เปลี่ยน ระบบจัดเตรียมประกาศฉบับแก้ไขให้แล้วที่หน้าการประกาศผล "
                "ต้องให้เจ้าหน้าที่สอบอีกคนอนุมัติ"
            ),
        )
    return redirect("scoring:results", code=exam_round.code)


def results(request, code):
    exam_round = access.get_round_for_scoring(request.user, code)
    text = request.GET.get("q", "")[:100]
    outcome = request.GET.get("outcome", "")
    outcome = outcome if outcome in queries.RESULT_FILTERS else ""
    positions = list(exam_round.positions.order_by("code"))
    position = next((p for p in positions if str(p.pk) == request.GET.get("position", "")), None)
    found = queries.search_results(
        exam_round, text=text, outcome=outcome, position_id=position and position.pk
    )
    page = Paginator(found, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    keep = request.GET.copy()
    keep.pop("page", None)
    return render(
        request,
        "scoring/results.html",
        {
            "round": exam_round,
            "page": page,
            "q": text,
            "outcome": outcome,
            "positions": positions,
            "position": position,
            "filtered": bool(text or outcome or position),
            "keep": keep.urlencode(),
        },
    )


def results_export(request, code):
    exam_round = access.get_round_for_scoring(request.user, code)
    response = HttpResponse(
        results_workbook(exam_round),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="results-{exam_round.code}.xlsx"'
    response["Cache-Control"] = "private, no-store"
    return response
