"""Calling candidates from an eligibility list in rank order, recording outcomes, and calling the
next in rank when a post stays vacant (declined, waived, missed deadline, no-show).

Order: the rows of the list's current published version, as published (rank, then the rank list's
own order for shared ranks). A candidate is called at most once per list (a database constraint);
call_next locks the list row so two officers calling at once never pick the same person.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from exam_platform.common.audit import record_audit
from exam_platform.delivery.models import RosterEntry

from ..models import DEFAULT_REQUIRED_DOCUMENTS, Call, DocumentType, EligibilityList, ReportingIn, UseRequest
from .errors import EligibilityError

DEFAULT_RESPOND_DAYS = 7
MAX_RESPOND_DAYS = 90
MAX_CALLS_AT_ONCE = 100
OFFICER_OUTCOMES = (Call.Outcome.APPOINTED, Call.Outcome.DECLINED, Call.Outcome.WAIVED, Call.Outcome.NO_SHOW)


def call_summary(call: Call) -> dict:
    return {
        "list": call.eligibility_list_id,
        "exam_number": call.exam_number,
        "application_number": call.application_number,
        "rank": call.rank,
        "list_order": call.list_order,
        "version": call.version_number,
        "post": call.post,
        "unit": call.unit,
        "respond_by": call.respond_by,
        "outcome": call.outcome,
    }


def respond_deadline(now, days: int):
    """The end (23:59:59 local time) of the day `days` days after `now`: "ภายในวันที่ ..."."""
    local = timezone.localtime(now) + dt.timedelta(days=days)
    return local.replace(hour=23, minute=59, second=59, microsecond=0)


def _required_documents(codes) -> list[str]:
    codes = list(DEFAULT_REQUIRED_DOCUMENTS if codes is None else codes)
    valid = set(DocumentType.values)
    if any(code not in valid for code in codes):
        raise EligibilityError("documents", _("ประเภทเอกสารไม่ถูกต้อง (Unknown document type)."))
    return [str(code) for code in dict.fromkeys(codes)]


def _uncalled_rows(elist: EligibilityList):
    """(list_order, row, entry) of the current version's rows not yet called, in list order."""
    version = elist.current_version()
    if version is None:
        return None, []
    rows = [(i, row) for i, row in enumerate(version.rows) if row.get("passed", True)]
    entries = RosterEntry.objects.filter(
        session__round_id=elist.rank_list.round_id,
        application_number__in=[row["application_number"] for _i, row in rows],
    )
    by_key = {(e.application_number, e.exam_number): e for e in entries}
    called = set(elist.calls.values_list("entry_id", flat=True))
    out = []
    for i, row in rows:
        entry = by_key.get((row["application_number"], row["exam_number"]))
        if entry is not None and entry.pk not in called:
            out.append((i, row, entry))
    return version, out


def call_next(
    elist: EligibilityList,
    *,
    actor,
    count: int = 1,
    post: str,
    unit: str = "",
    respond_days: int = DEFAULT_RESPOND_DAYS,
    use_request: UseRequest | None = None,
    required_documents=None,
    request=None,
    replaces: Call | None = None,
    reason: str = "",
) -> list[Call]:
    """Call the next `count` candidates in rank order who have not been called, for `post` of
    `unit`. Refused once the list is no longer in force. With fewer candidates left than `count`,
    calls those there are; with none, refuses."""
    post, unit = (post or "").strip(), (unit or "").strip()
    if use_request is not None:
        unit = unit or use_request.unit
    if not post:
        raise EligibilityError("post", _("กรุณาระบุตำแหน่ง/หน่วยงาน (The post is required)."))
    if not 1 <= int(count) <= MAX_CALLS_AT_ONCE:
        raise EligibilityError("count", _("เรียกได้ครั้งละ 1 ถึง 100 คน (Call 1 to 100 people at a time)."))
    if not 1 <= int(respond_days) <= MAX_RESPOND_DAYS:
        raise EligibilityError(
            "respond_days", _("ระยะเวลาตอบรับต้องอยู่ระหว่าง 1 ถึง 90 วัน (Allow 1 to 90 days to respond).")
        )
    documents = _required_documents(required_documents)
    with transaction.atomic():
        locked = (
            EligibilityList.objects.select_for_update(of=("self",))
            .select_related("rank_list")
            .get(pk=elist.pk)
        )
        now = timezone.now()
        if not locked.in_force(now):
            raise EligibilityError(
                "not_in_force",
                _("บัญชีนี้หมดอายุหรือถูกยกเลิกแล้ว เรียกเพิ่มไม่ได้ (The list is no longer in force: no more calls)."),
            )
        if use_request is not None:
            use_request = UseRequest.objects.select_for_update().get(pk=use_request.pk)
            if (
                use_request.eligibility_list_id != locked.pk
                or use_request.status != UseRequest.Status.APPROVED
            ):
                raise EligibilityError(
                    "use_request", _("คำขอใช้บัญชียังไม่ได้รับอนุมัติ (The use request is not approved).")
                )
        version, rows = _uncalled_rows(locked)
        if not rows:
            raise EligibilityError(
                "exhausted", _("ไม่มีผู้สอบได้ลำดับถัดไปเหลือในบัญชี (No one is left on the list to call).")
            )
        calls = []
        for list_order, row, entry in rows[: int(count)]:
            call = Call.objects.create(
                eligibility_list=locked,
                entry=entry,
                version_number=version.number,
                list_order=list_order,
                rank=row["rank"],
                exam_number=row["exam_number"],
                application_number=row["application_number"],
                name=row.get("name", ""),
                post=post,
                unit=unit,
                use_request=use_request,
                replaces=replaces,
                called_by=None if replaces is not None else actor,
                called_at=now,
                respond_days=int(respond_days),
                respond_by=respond_deadline(now, int(respond_days)),
            )
            ReportingIn.objects.create(call=call, required_documents=documents)
            record_audit(
                "eligibility.call",
                actor=actor,
                request=request,
                obj=call,
                after={
                    **call_summary(call),
                    "automatic": replaces is not None,
                    "replaces": replaces.pk if replaces is not None else None,
                    "reason": reason,
                    "required_documents": documents,
                },
            )
            calls.append(call)
    return calls


def call_successor(call: Call, *, actor, reason: str, request=None) -> Call | None:
    """The post of `call` is still vacant: call the next in rank for it (inside the caller's
    transaction). When no one can be called, the reason is audited instead."""
    try:
        documents = call.reporting_in.required_documents
    except ReportingIn.DoesNotExist:
        documents = None
    try:
        with transaction.atomic():
            (successor,) = call_next(
                call.eligibility_list,
                actor=actor,
                count=1,
                post=call.post,
                unit=call.unit,
                respond_days=call.respond_days,
                use_request=call.use_request,
                required_documents=documents,
                request=request,
                replaces=call,
                reason=reason,
            )
    except EligibilityError as error:
        record_audit(
            "eligibility.no_successor",
            actor=actor,
            request=request,
            obj=call,
            after={**call_summary(call), "reason": reason, "why_none": error.code},
        )
        return None
    return successor


def record_call_outcome(call: Call, outcome: str, *, actor, notes: str = "", request=None) -> Call:
    """An officer records what became of a call: appointed, declined, waived (สละสิทธิ์) or no-show.
    Any outcome but appointed calls the next in rank for the same post."""
    if outcome not in OFFICER_OUTCOMES:
        raise EligibilityError("outcome", _("ผลการเรียกไม่ถูกต้อง (Invalid outcome)."))
    with transaction.atomic():
        locked = (
            Call.objects.select_for_update(of=("self",))
            .select_related("eligibility_list", "use_request")
            .get(pk=call.pk)
        )
        if not locked.is_pending:
            raise EligibilityError(
                "recorded", _("บันทึกผลการเรียกรายนี้ไปแล้ว (This call's outcome is already recorded).")
            )
        before = call_summary(locked)
        locked.outcome = outcome
        locked.responded_at = timezone.now()
        locked.notes = (notes or "").strip()
        locked.save(update_fields=["outcome", "responded_at", "notes"])
        record_audit(
            "eligibility.outcome",
            actor=actor,
            request=request,
            obj=locked,
            before=before,
            after={**call_summary(locked), "notes": locked.notes},
        )
        if outcome in Call.VACATING:
            call_successor(
                locked,
                actor=actor,
                reason=f"{locked.exam_number}: {locked.get_outcome_display()}",
                request=request,
            )
    return locked


def expire_overdue_calls(now=None) -> int:
    """Pending calls past respond_by without a confirmed reporting-in: expired (no reply at all) or
    no_show (documents started, never confirmed); the next in rank is called for each. Idempotent:
    each call is re-checked under its lock, so two workers never expire one call twice."""
    now = now or timezone.now()
    due = Call.objects.filter(
        outcome=Call.Outcome.PENDING, respond_by__lt=now, reporting_in__confirmed_at__isnull=True
    ).values_list("pk", flat=True)
    expired = 0
    for pk in list(due):
        with transaction.atomic():
            locked = (
                Call.objects.select_for_update(of=("self",))
                .select_related("eligibility_list", "use_request", "reporting_in")
                .get(pk=pk)
            )
            reporting = locked.reporting_in
            if not locked.is_pending or locked.respond_by >= now or reporting.confirmed_at is not None:
                continue
            before = call_summary(locked)
            started = reporting.documents.exists()
            locked.outcome = Call.Outcome.NO_SHOW if started else Call.Outcome.EXPIRED
            locked.responded_at = now
            locked.save(update_fields=["outcome", "responded_at"])
            record_audit(
                "eligibility.expire_call",
                obj=locked,
                before=before,
                after={**call_summary(locked), "documents_started": started},
            )
            call_successor(locked, actor=None, reason=f"{locked.exam_number}: {locked.get_outcome_display()}")
            expired += 1
    return expired
