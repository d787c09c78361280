"""The called candidate's side: upload documents, confirm reporting-in before the deadline, or decline
(which calls the next in rank). Each function checks that the call is the user's own, even though
views already load it through access.py."""

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from exam_platform.common.audit import record_audit

from ..documents import DocumentError, check_document
from ..models import Call, DocumentType, ReportingDocument, ReportingIn
from .calls import call_successor, call_summary
from .errors import EligibilityError


def _lock_own_call(call: Call, user) -> Call:
    locked = (
        Call.objects.select_for_update(of=("self",))
        .select_related("eligibility_list", "use_request", "entry__candidate", "reporting_in")
        .get(pk=call.pk)
    )
    if user is None or locked.entry.candidate.user_id != user.pk:
        raise EligibilityError("not_yours", _("ไม่พบการเรียกรายงานตัวนี้ (Call not found)."))
    return locked


def _check_open(call: Call, now) -> None:
    if not call.is_pending:
        raise EligibilityError("closed", _("การเรียกรายงานตัวนี้สิ้นสุดแล้ว (This call is already closed)."))
    if now > call.respond_by:
        raise EligibilityError("deadline", _("พ้นกำหนดรายงานตัวแล้ว (The deadline to report in has passed)."))


def _store_document(reporting: ReportingIn, doc_type: str, uploaded, *, user, request) -> ReportingDocument:
    if doc_type not in reporting.required_documents:
        raise EligibilityError("doc_type", _("ไม่ได้ขอเอกสารประเภทนี้ (This document type was not requested)."))
    try:
        checked = check_document(uploaded)
    except DocumentError as error:
        raise EligibilityError("document", f"{DocumentType(doc_type).label}: {error.message}") from None
    old = reporting.documents.filter(doc_type=doc_type).first()
    if old is not None:
        old_name, storage = old.file.name, old.file.storage
        old.delete()
        transaction.on_commit(lambda: storage.delete(old_name))
    document = ReportingDocument(
        reporting_in=reporting,
        doc_type=doc_type,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=user,
    )
    document.file.save("upload", ContentFile(checked.content), save=False)
    document.save()
    record_audit(
        "eligibility.upload_document",
        actor=user,
        request=request,
        obj=document,
        object_repr=f"{reporting.call.exam_number}: {doc_type}",
        after={
            "call": reporting.call_id,
            "doc_type": doc_type,
            "content_type": checked.content_type,
            "size": checked.size,
            "sha256": checked.sha256,
            "replaced": old is not None,
        },
    )
    return document


def upload_reporting_document(
    call: Call, *, user, doc_type: str, uploaded, request=None
) -> ReportingDocument:
    with transaction.atomic():
        locked = _lock_own_call(call, user)
        _check_open(locked, timezone.now())
        if locked.reporting_in.confirmed_at is not None:
            raise EligibilityError("confirmed", _("ยืนยันการรายงานตัวแล้ว (Reporting-in is already confirmed)."))
        return _store_document(locked.reporting_in, doc_type, uploaded, user=user, request=request)


def confirm_reporting_in(call: Call, *, user, documents: dict | None = None, request=None) -> ReportingIn:
    """Confirm before respond_by, with every requested document uploaded (now, in `documents`
    {doc_type: uploaded file}, or earlier). The call stays pending until an officer records the
    appointment."""
    with transaction.atomic():
        locked = _lock_own_call(call, user)
        now = timezone.now()
        _check_open(locked, now)
        reporting = locked.reporting_in
        if reporting.confirmed_at is not None:
            raise EligibilityError("confirmed", _("ยืนยันการรายงานตัวแล้ว (Reporting-in is already confirmed)."))
        for doc_type, uploaded in (documents or {}).items():
            _store_document(reporting, doc_type, uploaded, user=user, request=request)
        missing = reporting.missing_documents()
        if missing:
            labels = ", ".join(str(DocumentType(code).label) for code in missing)
            raise EligibilityError(
                "missing",
                _("ยังขาดเอกสาร: %(labels)s (Documents still missing).") % {"labels": labels},
            )
        reporting.confirmed_at = now
        reporting.completed = True
        reporting.save(update_fields=["confirmed_at", "completed"])
        locked.responded_at = now
        locked.save(update_fields=["responded_at"])
        record_audit(
            "eligibility.confirm_reporting_in",
            actor=user,
            request=request,
            obj=locked,
            after={
                **call_summary(locked),
                "confirmed_at": now,
                "documents": sorted(reporting.documents.values_list("doc_type", flat=True)),
            },
        )
    return reporting


def decline_call(call: Call, *, user, reason: str = "", request=None) -> Call:
    """The candidate declines the post; the next in rank is called for it."""
    with transaction.atomic():
        locked = _lock_own_call(call, user)
        now = timezone.now()
        _check_open(locked, now)
        before = call_summary(locked)
        reason = (reason or "").strip()
        reporting = locked.reporting_in
        reporting.declined_at = now
        reporting.decline_reason = reason
        reporting.save(update_fields=["declined_at", "decline_reason"])
        locked.outcome = Call.Outcome.DECLINED
        locked.responded_at = now
        locked.notes = reason
        locked.save(update_fields=["outcome", "responded_at", "notes"])
        record_audit(
            "eligibility.decline",
            actor=user,
            request=request,
            obj=locked,
            before=before,
            after={**call_summary(locked), "reason": reason, "by": "candidate"},
        )
        call_successor(
            locked,
            actor=user,
            reason=f"{locked.exam_number}: {locked.get_outcome_display()}",
            request=request,
        )
    return locked
