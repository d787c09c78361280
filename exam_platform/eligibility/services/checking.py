"""Officers mark reporting-in documents checked: one at a time, or many after a confirmation.

The bulk path has the same two steps as the question bank's bulk actions: `plan_document_checks`
sorts the chosen documents into those to mark and those skipped (already checked, by whom), and
`check_reporting_documents` runs that plan again under row locks and marks every ready document in
one transaction, or none if the plan differs from the confirmed one (a candidate replaced a file,
another officer checked one meanwhile). One audit entry per document, as a single check writes.
"""

import hashlib
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from exam_platform.common.audit import record_audit

from .. import access
from ..models import EligibilityList, ReportingDocument
from .errors import EligibilityError

MAX_DOCUMENTS = 5_000


@dataclass
class SkippedDocument:
    document: ReportingDocument
    reason: str


@dataclass
class CheckPlan:
    selected: int
    ready: list[ReportingDocument] = field(default_factory=list)
    skipped: list[SkippedDocument] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        ids = ",".join(str(d.pk) for d in self.ready)
        return hashlib.sha256(f"check:{ids}".encode()).hexdigest()[:32]


def _documents(elist: EligibilityList):
    return ReportingDocument.objects.filter(reporting_in__call__eligibility_list=elist).select_related(
        "reporting_in__call", "checked_by"
    )


def plan_document_checks(elist: EligibilityList, document_ids, *, actor, lock: bool = False) -> CheckPlan:
    """The list's documents among `document_ids` (others ignored), sorted into ready and skipped."""
    access.require_officer(actor)
    ids = sorted({int(i) for i in document_ids})
    if len(ids) > MAX_DOCUMENTS:
        raise EligibilityError(
            "too_many", _("เลือกได้ครั้งละไม่เกิน %(max)s ฉบับ กรุณากรองให้แคบลง") % {"max": f"{MAX_DOCUMENTS:,}"}
        )
    documents = _documents(elist).order_by("reporting_in__call__list_order", "doc_type", "pk")
    if lock:
        documents = documents.select_for_update(of=("self",))
    plan = CheckPlan(selected=0)
    for start in range(0, len(ids), 900):  # SQLite: at most 999 parameters in one IN list
        for document in documents.filter(pk__in=ids[start : start + 900]):
            plan.selected += 1
            if document.is_checked:
                plan.skipped.append(
                    SkippedDocument(
                        document,
                        _("ตรวจแล้วโดย %(who)s") % {"who": document.checked_by or "-"},
                    )
                )
            else:
                plan.ready.append(document)
    return plan


def _mark(document: ReportingDocument, *, actor, now, request) -> None:
    document.checked_by = actor
    document.checked_at = now
    document.save(update_fields=["checked_by", "checked_at"])
    call = document.reporting_in.call
    record_audit(
        "eligibility.check_document",
        actor=actor,
        request=request,
        obj=document,
        object_repr=f"{call.exam_number}: {document.doc_type}",
        before={"checked": False},
        after={
            "checked": True,
            "call": call.pk,
            "doc_type": document.doc_type,
            "sha256": document.sha256,
            "checked_at": now,
        },
    )


def check_reporting_document(document: ReportingDocument, *, actor, request=None) -> ReportingDocument:
    """Mark one document checked (refused if it already is)."""
    access.require_officer(actor)
    with transaction.atomic():
        locked = (
            ReportingDocument.objects.select_for_update(of=("self",))
            .select_related("reporting_in__call", "checked_by")
            .get(pk=document.pk)
        )
        if locked.is_checked:
            raise EligibilityError(
                "checked", _("เอกสารนี้ตรวจแล้วโดย %(who)s") % {"who": locked.checked_by or "-"}
            )
        _mark(locked, actor=actor, now=timezone.now(), request=request)
    return locked


def check_reporting_documents(
    elist: EligibilityList, document_ids, *, actor, expected: str, request=None
) -> CheckPlan:
    """Mark every document of the confirmed plan checked, or none. Returns the plan applied."""
    with transaction.atomic():
        plan = plan_document_checks(elist, document_ids, actor=actor, lock=True)
        if plan.fingerprint != expected:
            raise EligibilityError(
                "changed",
                _(
                    "เอกสารที่เลือกเปลี่ยนไปหลังจากที่คุณตรวจดู (ผู้สมัครส่งไฟล์ใหม่หรือมีผู้อื่นตรวจแล้ว) "
                    "ยังไม่ได้บันทึกสิ่งใด กรุณาตรวจอีกครั้ง"
                ),
            )
        if not plan.ready:
            raise EligibilityError("nothing", _("ไม่มีเอกสารที่ยังไม่ได้ตรวจในรายการที่เลือก"))
        now = timezone.now()
        for document in plan.ready:
            _mark(document, actor=actor, now=now, request=request)
    return plan
