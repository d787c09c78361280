"""Blind essay marking screens: the assigned marker's queue and mark form, and the exam officer's
overview with marker assignment. A marker's pages carry the anonymous code, the item's stem and the
candidate's text, nothing that names the candidate, and never another marker's points.
Thin: load through access.py, read through essay_queue.py, write through one service call."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from exam_platform.delivery.models import Attempt

from . import access
from .essay_forms import AssignMarkerForm, MarkEssayForm
from .essay_queue import (
    AWAITING_THIRD,
    COMPLETE,
    essay_by_code,
    essay_overview,
    essay_text,
    marker_queue,
    rounds_for_marker,
)
from .services.essay_markers import assign_essay_marker, unassign_essay_marker
from .services.essays import mark_essay
from .services.runs import ScoringError


def marking_rounds(request):
    access.require_essay_marker(request.user)
    return render(request, "scoring/essays/rounds.html", {"rounds": rounds_for_marker(request.user)})


def queue(request, code):
    exam_round = access.get_round_for_marking(request.user, code)
    return render(
        request,
        "scoring/essays/queue.html",
        {
            "round": exam_round,
            "queue": marker_queue(exam_round, request.user),
            "awaiting_third": AWAITING_THIRD,
        },
    )


def mark(request, code, essay_code):
    exam_round = access.get_round_for_marking(request.user, code)
    essay = essay_by_code(exam_round, essay_code)
    if essay is None:
        raise Http404
    form = MarkEssayForm(request.POST or None, max_points=essay.item.points)
    open_to_marker = essay.open_to(request.user.pk)
    if request.method == "POST" and open_to_marker and form.is_valid():
        try:
            mark_essay(
                Attempt.objects.select_related("entry__session__round").get(pk=essay.attempt_id),
                essay.item.uid,
                marker=request.user,
                points=form.cleaned_data["points"],
                comment=form.cleaned_data["comment"],
                request=request,
            )
        except ScoringError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("บันทึกคะแนนของ %(code)s แล้ว") % {"code": essay.code})
            waiting = marker_queue(exam_round, request.user).essays
            if waiting:
                return redirect("scoring:essay_mark", code=exam_round.code, essay_code=waiting[0].code)
            return redirect("scoring:essay_queue", code=exam_round.code)
    return render(
        request,
        "scoring/essays/mark.html",
        {
            "round": exam_round,
            "essay": essay,
            "text": essay_text(essay),
            "form": form,
            "open_to_marker": open_to_marker,
            "marked_by_you": request.user.pk in essay.markers,
            "complete": essay.state == COMPLETE,
            "third_mark": essay.state == AWAITING_THIRD,
        },
    )


def overview(request, code):
    exam_round = access.get_round_for_scoring(request.user, code)
    form = AssignMarkerForm(request.POST or None, exam_round=exam_round)
    if request.method == "POST" and form.is_valid():
        marker = form.cleaned_data["marker"]
        try:
            assign_essay_marker(exam_round, marker=marker, actor=request.user, request=request)
        except ScoringError as error:
            form.add_error("marker", error.message)
        else:
            messages.success(request, _("เพิ่ม %(name)s เป็นผู้ตรวจอัตนัยแล้ว") % {"name": marker})
            return redirect("scoring:essay_overview", code=exam_round.code)
    return render(
        request,
        "scoring/essays/overview.html",
        {"round": exam_round, "overview": essay_overview(exam_round), "form": form},
    )


@require_POST
def marker_remove(request, code, assignment_id):
    exam_round = access.get_round_for_scoring(request.user, code)
    assignment = access.get_marker_assignment_for_scoring(request.user, exam_round, assignment_id)
    unassign_essay_marker(assignment, actor=request.user, request=request)
    messages.success(request, _("นำ %(name)s ออกจากผู้ตรวจอัตนัยแล้ว") % {"name": assignment.marker})
    return redirect("scoring:essay_overview", code=exam_round.code)
