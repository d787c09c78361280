"""The pass-policy and tie-break editor of a round, with a preview of who would change pass or rank
on the current scores; after a rank list has been prepared, changes are proposed and approved by a
second exam officer with a fresh two-factor code. Thin: load through access.py, call one service."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import access, queries
from .forms import FreshCodeForm
from .item_catalogue import round_catalogue
from .models import PolicyChange
from .policy_forms import PolicyForm
from .services.policies import (
    apply_policy_change,
    policy_values,
    preview_change,
    preview_policy,
    propose_policy_change,
    rank_list_prepared,
    set_pass_policy,
    withdraw_policy_change,
)
from .services.runs import ScoringError, round_rules


def round_sections(exam_round) -> list[tuple[int, str]]:
    """(position, title) of the round's paper sections, in order (from its first form)."""
    seen: dict[int, str] = {}
    for form in round_catalogue(exam_round).forms:
        for item in form.items:
            seen.setdefault(item.section, item.section_title)
    return sorted(seen.items())


@require_http_methods(["GET", "POST"])
def policy(request, code):
    exam_round = access.get_round_for_scoring(request.user, code)
    current = policy_values(exam_round)
    form = PolicyForm(request.POST or None, sections=round_sections(exam_round), current=current)
    needs_review = rank_list_prepared(exam_round)
    preview = None
    if request.method == "POST" and form.is_valid():
        try:
            if "preview" in request.POST:
                preview = preview_policy(exam_round, form.values())
            elif needs_review:
                propose_policy_change(
                    exam_round,
                    actor=request.user,
                    values=form.values(),
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
                messages.success(request, _("บันทึกข้อเสนอเปลี่ยนเกณฑ์แล้ว ให้เจ้าหน้าที่สอบอีกคนตรวจผลต่างและอนุมัติ"))
                return redirect(reverse("scoring:policy", args=[exam_round.code]) + "#pending-title")
            else:
                set_pass_policy(exam_round, actor=request.user, request=request, **form.values())
                messages.success(request, _("บันทึกเกณฑ์การผ่านแล้ว กดคิดคะแนนใหม่เพื่อใช้เกณฑ์นี้"))
                return redirect("scoring:policy", code=exam_round.code)
        except ScoringError as error:
            form.add_error(None, error.message)
    pending = (
        PolicyChange.objects.filter(round=exam_round, status=PolicyChange.Status.PROPOSED)
        .select_related("proposed_by")
        .first()
    )
    pending_preview = preview_change(pending) if pending else None
    return render(
        request,
        "scoring/policy.html",
        {
            "round": exam_round,
            "form": form,
            "version": round_rules(exam_round).version,
            "needs_review": needs_review,
            "preview": preview,
            "pending": pending,
            "pending_preview": pending_preview,
            "approve_form": FreshCodeForm(initial={"digest": pending_preview.inputs_digest})
            if pending_preview
            else None,
            "approve_url": reverse("scoring:policy_apply", args=[exam_round.code, pending.pk])
            if pending
            else "",
        },
    )


@require_POST
def policy_apply(request, code, change_id):
    exam_round = access.get_round_for_scoring(request.user, code)
    change = access.get_policy_change_for_scoring(request.user, exam_round, change_id)
    form = FreshCodeForm(request.POST)
    target = reverse("scoring:policy", args=[exam_round.code]) + "#pending-title"
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(target)
    try:
        apply_policy_change(
            change,
            actor=request.user,
            expected_digest=form.cleaned_data["digest"],
            code=form.cleaned_data["code"],
            request=request,
        )
    except ScoringError as error:
        messages.error(request, error.message)
        return redirect(target)
    messages.success(request, _("ใช้เกณฑ์ใหม่และคิดคะแนนใหม่แล้ว"))
    if queries.published_list_count(exam_round):
        messages.warning(
            request,
            _(
                "รอบนี้ประกาศผลแล้ว ประกาศที่เผยแพร่ไม่เปลี่ยน ระบบจัดเตรียมประกาศฉบับแก้ไขให้แล้วที่หน้าการประกาศผล "
                "ต้องให้เจ้าหน้าที่สอบอีกคนอนุมัติ"
            ),
        )
    return redirect("scoring:results", code=exam_round.code)


@require_POST
def policy_withdraw(request, code, change_id):
    exam_round = access.get_round_for_scoring(request.user, code)
    change = access.get_policy_change_for_scoring(request.user, exam_round, change_id)
    try:
        withdraw_policy_change(change, actor=request.user, request=request)
    except ScoringError as error:
        messages.error(request, error.message)
    return redirect("scoring:policy", code=exam_round.code)
