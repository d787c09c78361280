"""Opening an eligibility list on a published rank list, its validity (extend, cancel, expire) and
requests by other units to use it. Every write is audited in its own transaction."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from exam_platform.common.audit import record_audit
from exam_platform.publication.models import RankListVersion

from ..models import EligibilityList, UseRequest, default_validity_days
from .errors import EligibilityError

MAX_VALIDITY_DAYS = 3650


def _validity(days) -> int:
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_VALIDITY_DAYS:
        raise EligibilityError(
            "validity", _("ระยะเวลาของบัญชีต้องอยู่ระหว่าง 1 ถึง 3650 วัน (Validity must be 1 to 3650 days).")
        )
    return days


def list_summary(elist: EligibilityList) -> dict:
    return {
        "rank_list": elist.rank_list_id,
        "status": elist.status,
        "valid_from": elist.valid_from,
        "validity_days": elist.validity_days,
        "valid_until": elist.valid_until,
    }


def create_eligibility_list(rank_list, *, actor, validity_days=None, request=None) -> EligibilityList:
    """Open the list on a published rank list. It is valid from the first publication for
    `validity_days` (default settings.ELIGIBILITY_VALIDITY_DAYS, two years)."""
    days = _validity(default_validity_days() if validity_days is None else validity_days)
    with transaction.atomic():
        first = (
            RankListVersion.objects.filter(rank_list=rank_list, status__in=RankListVersion.FROZEN_STATUSES)
            .order_by("number")
            .first()
        )
        if first is None:
            raise EligibilityError(
                "not_published", _("บัญชีนี้ยังไม่ได้ประกาศ (This rank list has not been published yet).")
            )
        if EligibilityList.objects.filter(rank_list=rank_list).exists():
            raise EligibilityError("exists", _("ขึ้นบัญชีนี้แล้ว (An eligibility list already exists)."))
        elist = EligibilityList.objects.create(
            rank_list=rank_list,
            valid_from=first.published_at,
            validity_days=days,
            valid_until=first.published_at + dt.timedelta(days=days),
            created_by=actor,
        )
        record_audit(
            "eligibility.create_list", actor=actor, request=request, obj=elist, after=list_summary(elist)
        )
    return elist


def extend_validity(elist: EligibilityList, *, actor, days, reason: str, request=None) -> EligibilityList:
    """Extend the list by `days` (e.g. an announcement extending the list's life). An expired list
    can be revived this way only while the new end lies in the future; a cancelled one cannot."""
    days = _validity(days)
    reason = (reason or "").strip()
    if not reason:
        raise EligibilityError("reason", _("กรุณาระบุเหตุผล (A reason is required)."))
    with transaction.atomic():
        locked = EligibilityList.objects.select_for_update().get(pk=elist.pk)
        if locked.status == EligibilityList.Status.CANCELLED:
            raise EligibilityError("cancelled", _("บัญชีนี้ถูกยกเลิกแล้ว (This list has been cancelled)."))
        before = list_summary(locked)
        locked.validity_days += days
        locked.valid_until = locked.valid_from + dt.timedelta(days=locked.validity_days)
        if locked.valid_until > timezone.now():
            locked.status = EligibilityList.Status.ACTIVE
        locked.save(update_fields=["validity_days", "valid_until", "status"])
        record_audit(
            "eligibility.extend_validity",
            actor=actor,
            request=request,
            obj=locked,
            before=before,
            after={**list_summary(locked), "added_days": days, "reason": reason},
        )
    return locked


def cancel_eligibility_list(elist: EligibilityList, *, actor, reason: str, request=None) -> EligibilityList:
    reason = (reason or "").strip()
    if not reason:
        raise EligibilityError("reason", _("กรุณาระบุเหตุผล (A reason is required)."))
    with transaction.atomic():
        locked = EligibilityList.objects.select_for_update().get(pk=elist.pk)
        before = list_summary(locked)
        locked.status = EligibilityList.Status.CANCELLED
        locked.save(update_fields=["status"])
        record_audit(
            "eligibility.cancel_list",
            actor=actor,
            request=request,
            obj=locked,
            before=before,
            after={**list_summary(locked), "reason": reason},
        )
    return locked


def expire_lists(now=None) -> int:
    """Mark active lists past their end as expired (periodic job); returns how many."""
    now = now or timezone.now()
    expired = 0
    for pk in EligibilityList.objects.filter(
        status=EligibilityList.Status.ACTIVE, valid_until__lte=now
    ).values_list("pk", flat=True):
        with transaction.atomic():
            locked = EligibilityList.objects.select_for_update().get(pk=pk)
            if locked.status != EligibilityList.Status.ACTIVE or locked.valid_until > now:
                continue
            before = list_summary(locked)
            locked.status = EligibilityList.Status.EXPIRED
            locked.save(update_fields=["status"])
            record_audit("eligibility.expire_list", obj=locked, before=before, after=list_summary(locked))
            expired += 1
    return expired


def request_list_use(
    elist: EligibilityList, *, unit: str, positions_count, reason: str, actor, post: str = "", request=None
) -> UseRequest:
    """Another unit asks to appoint `positions_count` people from this list."""
    unit, reason, post = (unit or "").strip(), (reason or "").strip(), (post or "").strip()
    if not unit or not reason:
        raise EligibilityError(
            "required", _("กรุณาระบุหน่วยงานและเหตุผล (The unit and the reason are required).")
        )
    try:
        positions_count = int(positions_count)
    except (TypeError, ValueError):
        positions_count = 0
    if positions_count < 1:
        raise EligibilityError("count", _("จำนวนอัตราต้องมากกว่า 0 (The number of posts must be at least 1)."))
    with transaction.atomic():
        locked = EligibilityList.objects.select_for_update().get(pk=elist.pk)
        if not locked.in_force():
            raise EligibilityError("not_in_force", _("บัญชีนี้ไม่มีผลใช้แล้ว (This list is no longer in force)."))
        use_request = UseRequest.objects.create(
            eligibility_list=locked,
            unit=unit,
            post=post,
            positions_count=positions_count,
            reason=reason,
            requested_by=actor,
        )
        record_audit(
            "eligibility.request_use",
            actor=actor,
            request=request,
            obj=use_request,
            after={
                "list": locked.pk,
                "unit": unit,
                "post": post,
                "positions_count": positions_count,
                "reason": reason,
            },
        )
    return use_request


def decide_use_request(
    use_request: UseRequest, approve: bool, *, actor, note: str = "", request=None
) -> UseRequest:
    with transaction.atomic():
        locked = (
            UseRequest.objects.select_for_update(of=("self",))
            .select_related("eligibility_list")
            .get(pk=use_request.pk)
        )
        if locked.status != UseRequest.Status.REQUESTED:
            raise EligibilityError("decided", _("คำขอนี้พิจารณาไปแล้ว (This request has already been decided)."))
        if approve and not locked.eligibility_list.in_force():
            raise EligibilityError("not_in_force", _("บัญชีนี้ไม่มีผลใช้แล้ว (This list is no longer in force)."))
        locked.status = UseRequest.Status.APPROVED if approve else UseRequest.Status.REJECTED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.decision_note = (note or "").strip()
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        record_audit(
            "eligibility.decide_use",
            actor=actor,
            request=request,
            obj=locked,
            before={"status": UseRequest.Status.REQUESTED},
            after={
                "status": locked.status,
                "list": locked.eligibility_list_id,
                "unit": locked.unit,
                "positions_count": locked.positions_count,
                "note": locked.decision_note,
            },
        )
    return locked
