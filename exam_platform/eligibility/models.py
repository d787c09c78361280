"""Eligibility lists (การขึ้นบัญชี), calls in rank order, use of a list by another unit, and online
reporting-in (รายงานตัว).

An EligibilityList is opened on a published RankList. The list in force is always the rank list's
current published version: a published correction changes who is called next, never a call already
made. The order of calling is the version's row order (rank, then the rank list's own order for
shared ranks); a Call freezes the row it came from (exam number, application number, rank, name,
version number) beside its RosterEntry, so a later correction cannot rewrite history.

Outcomes: pending → appointed (บรรจุแล้ว) | declined (candidate declined, online or to an officer) |
waived (สละสิทธิ์, recorded by an officer) | expired (no reply at all by respond_by) | no_show
(started reporting in, but did not confirm by respond_by; or an officer records that a candidate
who confirmed never came). Every outcome but appointed calls the next in rank for the same post.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exam_platform.common.private_storage import private_files
from exam_platform.delivery.models import RosterEntry
from exam_platform.publication.models import RankList, RankListVersion

DEFAULT_VALIDITY_DAYS = 730  # two years; settings.ELIGIBILITY_VALIDITY_DAYS overrides


def default_validity_days() -> int:
    return int(getattr(settings, "ELIGIBILITY_VALIDITY_DAYS", DEFAULT_VALIDITY_DAYS))


def private_storage():
    return private_files


class EligibilityList(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("บัญชีมีผลใช้")
        EXPIRED = "expired", _("บัญชีหมดอายุ")
        CANCELLED = "cancelled", _("ยกเลิกบัญชี")

    rank_list = models.OneToOneField(RankList, on_delete=models.PROTECT, related_name="eligibility_list")
    valid_from = models.DateTimeField(_("ขึ้นบัญชีตั้งแต่"))
    validity_days = models.PositiveIntegerField(_("ระยะเวลาของบัญชี (วัน)"), default=default_validity_days)
    valid_until = models.DateTimeField(_("บัญชีมีผลถึง"))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-valid_from", "-id"]
        verbose_name = _("บัญชีผู้สอบแข่งขันได้ (การขึ้นบัญชี)")
        verbose_name_plural = _("บัญชีผู้สอบแข่งขันได้ (การขึ้นบัญชี)")

    def __str__(self) -> str:
        return str(self.rank_list)

    def in_force(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.ACTIVE and self.valid_from <= now < self.valid_until

    def current_version(self) -> RankListVersion | None:
        """The list in force: the rank list's latest published version."""
        return (
            self.rank_list.versions.filter(status=RankListVersion.Status.PUBLISHED)
            .order_by("-number")
            .first()
        )


class UseRequest(models.Model):
    """Another unit asks to appoint from this list (ขอใช้บัญชี)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("รอพิจารณา")
        APPROVED = "approved", _("อนุมัติ")
        REJECTED = "rejected", _("ไม่อนุมัติ")

    eligibility_list = models.ForeignKey(
        EligibilityList, on_delete=models.PROTECT, related_name="use_requests"
    )
    unit = models.CharField(_("หน่วยงานที่ขอใช้บัญชี"), max_length=300)
    post = models.CharField(_("ตำแหน่งที่จะบรรจุ"), max_length=300, blank=True)
    positions_count = models.PositiveIntegerField(_("จำนวนอัตรา"))
    reason = models.TextField(_("เหตุผล"))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("หมายเหตุการพิจารณา"), blank=True)

    class Meta:
        ordering = ["requested_at", "id"]

    def __str__(self) -> str:
        return f"{self.unit} ({self.positions_count})"


class Call(models.Model):
    """One candidate called from the list for one post."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("รอการตอบรับ")
        APPOINTED = "appointed", _("บรรจุแล้ว")
        DECLINED = "declined", _("ไม่ประสงค์รับการบรรจุ")
        WAIVED = "waived", _("สละสิทธิ์")
        EXPIRED = "expired", _("ไม่ตอบรับภายในกำหนด")
        NO_SHOW = "no_show", _("ไม่มารายงานตัว")

    # Outcomes after which the post is still vacant: the next in rank is called for it.
    VACATING = (Outcome.DECLINED, Outcome.WAIVED, Outcome.EXPIRED, Outcome.NO_SHOW)

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    eligibility_list = models.ForeignKey(EligibilityList, on_delete=models.PROTECT, related_name="calls")
    entry = models.ForeignKey(RosterEntry, on_delete=models.PROTECT, related_name="eligibility_calls")
    # the rank-list row, frozen when called
    version_number = models.PositiveIntegerField()
    list_order = models.PositiveIntegerField()  # index of the row in that version (0 = first)
    rank = models.PositiveIntegerField(_("ลำดับที่สอบได้"))
    exam_number = models.CharField(_("เลขประจำตัวสอบ"), max_length=40)
    application_number = models.CharField(_("เลขที่ใบสมัคร"), max_length=40)
    name = models.CharField(_("ชื่อ-นามสกุล"), max_length=300)
    # what the candidate is called for
    post = models.CharField(_("ตำแหน่ง/หน่วยงาน"), max_length=300)
    unit = models.CharField(_("หน่วยงานที่ขอเรียก"), max_length=300)
    use_request = models.ForeignKey(
        UseRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="calls"
    )
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # null: called automatically after a decline or a missed deadline
    called_at = models.DateTimeField(_("วันที่เรียก"))
    respond_days = models.PositiveSmallIntegerField(_("ระยะเวลาตอบรับ (วัน)"))
    respond_by = models.DateTimeField(_("กำหนดรายงานตัวภายใน"), db_index=True)
    outcome = models.CharField(_("ผล"), max_length=12, choices=Outcome.choices, default=Outcome.PENDING)
    responded_at = models.DateTimeField(_("วันที่ตอบ/บันทึกผล"), null=True, blank=True)
    notes = models.TextField(_("หมายเหตุ"), blank=True)

    class Meta:
        ordering = ["called_at", "list_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["eligibility_list", "entry"], name="eligibility_call_once_per_list"
            ),
        ]
        indexes = [models.Index(fields=["outcome", "respond_by"], name="eligibility_call_due_idx")]

    def __str__(self) -> str:
        return f"{self.exam_number} {self.name} → {self.post}"

    @property
    def is_pending(self) -> bool:
        return self.outcome == self.Outcome.PENDING


class DocumentType(models.TextChoices):
    ID_CARD = "id_card", _("สำเนาบัตรประจำตัวประชาชน")
    EDUCATION = "education", _("สำเนาวุฒิการศึกษา")
    MEDICAL = "medical", _("ใบรับรองแพทย์")
    HOUSE_REGISTRATION = "house_registration", _("สำเนาทะเบียนบ้าน")
    PHOTO = "photo", _("รูปถ่าย")


DEFAULT_REQUIRED_DOCUMENTS = [DocumentType.ID_CARD, DocumentType.EDUCATION, DocumentType.MEDICAL]


class ReportingIn(models.Model):
    """The called candidate's online reporting-in: documents, then confirm (or decline) before
    the call's respond_by."""

    call = models.OneToOneField(Call, on_delete=models.PROTECT, related_name="reporting_in")
    required_documents = models.JSONField(default=list)  # DocumentType values
    confirmed_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    completed = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"reporting-in of call {self.call_id}"

    def required_labels(self) -> list[tuple[str, str]]:
        return [(code, DocumentType(code).label) for code in self.required_documents]

    def missing_documents(self) -> list[str]:
        have = set(self.documents.values_list("doc_type", flat=True))
        return [code for code in self.required_documents if code not in have]


def _document_path(instance: "ReportingDocument", filename: str) -> str:
    return f"reporting_in/{instance.reporting_in.call.uid}/{instance.uid}{instance.extension}"


class ReportingDocument(models.Model):
    """An uploaded personal document, in private storage only (never under MEDIA_URL): served by a
    permission-checking view as an attachment with the sniffed content type."""

    EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reporting_in = models.ForeignKey(ReportingIn, on_delete=models.PROTECT, related_name="documents")
    doc_type = models.CharField(_("ประเภทเอกสาร"), max_length=24, choices=DocumentType.choices)
    file = models.FileField(upload_to=_document_path, storage=private_storage, max_length=200)
    original_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=40)  # from the content, never from the browser
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # An officer opened it and found it in order (services/checking.py). A replaced document is a
    # new row, so a new upload is never "checked" by the check of the one it replaced.
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(_("ตรวจเอกสารเมื่อ"), null=True, blank=True)

    class Meta:
        ordering = ["doc_type", "uploaded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["reporting_in", "doc_type"], name="reporting_document_one_per_type"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()}: {self.original_name}"

    @property
    def extension(self) -> str:
        return self.EXTENSIONS.get(self.content_type, "")

    @property
    def is_checked(self) -> bool:
        return self.checked_at is not None
