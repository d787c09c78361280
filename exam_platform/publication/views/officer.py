"""Exam officer pages: prepare a list, review and approve another officer's version, the life of a list
(versions, statuses, files and digests), corrections. Thin: load through access.py, call one service."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import access
from ..forms import ApproveForm, CorrectionForm, PrepareRankListForm
from ..models import RankList, RankListVersion
from ..readiness import round_readiness
from ..services import (
    PublicationError,
    approve_and_publish,
    prepare_rank_list,
    publish_correction,
    withdraw_version,
)
from ..snapshot import diff_payloads
from ..verification import check_version

READINESS_ROUNDS = 10  # the newest rounds, each checked in a constant number of queries


@require_http_methods(["GET", "POST"])
def index(request):
    access.require_officer(request.user)
    form = PrepareRankListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            version = prepare_rank_list(
                data["round"],
                actor=request.user,
                position=data["position"],
                title=data["title"],
                announcement_number=data["announcement_number"],
                request=request,
            )
        except PublicationError as error:
            for message in (
                [error.message] if not error.reasons else [_("ผลการสอบยังไม่เป็นที่สิ้นสุด"), *error.reasons]
            ):
                form.add_error(None, message)
        else:
            messages.success(request, _("จัดเตรียมบัญชีแล้ว รอเจ้าหน้าที่อีกคนอนุมัติ (Prepared: awaiting approval)."))
            return redirect("publication:officer_version", version_id=version.pk)
    pending = (
        RankListVersion.objects.filter(status=RankListVersion.Status.PREPARED)
        .select_related("rank_list__round", "prepared_by")
        .defer("payload")
        .order_by("prepared_at")
    )
    lists = RankList.objects.select_related("round", "position").prefetch_related("versions")
    rounds = list(form.fields["round"].queryset[:READINESS_ROUNDS])
    readiness = [(exam_round, round_readiness(exam_round)) for exam_round in rounds]
    return render(
        request,
        "publication/officer/index.html",
        {"form": form, "pending": pending, "lists": lists, "readiness": readiness},
    )


@require_http_methods(["GET", "POST"])
def list_detail(request, list_id: int):
    rank_list = access.get_list_for_officer(request.user, list_id)
    form = CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = publish_correction(
                rank_list, actor=request.user, change_note=form.cleaned_data["change_note"], request=request
            )
        except PublicationError as error:
            for message in (
                [error.message] if not error.reasons else [_("ผลการสอบยังไม่เป็นที่สิ้นสุด"), *error.reasons]
            ):
                form.add_error(None, message)
        else:
            messages.success(request, _("จัดเตรียมฉบับแก้ไขแล้ว รออนุมัติ (Correction prepared: awaiting approval)."))
            return redirect("publication:officer_version", version_id=version.pk)
    versions = rank_list.versions.select_related("prepared_by", "approved_by").prefetch_related("files")
    can_correct = any(v.status == RankListVersion.Status.PUBLISHED for v in versions) and not any(
        v.status == RankListVersion.Status.PREPARED for v in versions
    )
    return render(
        request,
        "publication/officer/list.html",
        {"rank_list": rank_list, "versions": versions, "form": form, "can_correct": can_correct},
    )


def version_detail(request, version_id: int):
    version = access.get_version_for_officer(request.user, version_id)
    previous = version.previous
    return render(
        request,
        "publication/officer/version.html",
        {
            "version": version,
            "rank_list": version.rank_list,
            "rows": version.rows[:500],
            "row_count": len(version.rows),
            "previous": previous,
            "diff": diff_payloads(previous.payload, version.payload) if previous else None,
            "may_approve": version.status == RankListVersion.Status.PREPARED
            and version.prepared_by_id != request.user.pk,
            "is_preparer": version.prepared_by_id == request.user.pk,
            "check": check_version(version) if version.is_public else None,
            "approve_form": ApproveForm(),
            "files": version.files.defer("content"),
        },
    )


@require_POST
def version_approve(request, version_id: int):
    version = access.get_version_for_officer(request.user, version_id)
    form = ApproveForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("publication:officer_version", version_id=version.pk)
    try:
        approve_and_publish(version, actor=request.user, code=form.cleaned_data["code"], request=request)
    except PublicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("อนุมัติและประกาศแล้ว (Approved and published)."))
    return redirect("publication:officer_version", version_id=version.pk)


@require_POST
def version_withdraw(request, version_id: int):
    version = access.get_version_for_officer(request.user, version_id)
    list_id = version.rank_list_id
    try:
        withdraw_version(version, actor=request.user, request=request)
    except PublicationError as error:
        messages.error(request, error.message)
        return redirect("publication:officer_version", version_id=version.pk)
    messages.success(request, _("ถอนฉบับที่รออนุมัติแล้ว (Withdrawn)."))
    if RankList.objects.filter(pk=list_id).exists():
        return redirect("publication:officer_list", list_id=list_id)
    return redirect("publication:officer_index")
