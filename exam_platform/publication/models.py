"""Rank lists, their numbered versions and the files each published version was rendered into.

RankListVersion.payload (JSON), frozen when the version is prepared and never changed afterwards:
    {"format": 1,
     "list": {"id", "title", "announcement_number", "version", "previous_version" (number or null),
              "change_note",
              "round": {"code", "title", "announcement_number"},
              "position": {"code", "title"} | null},
     "scoring_run": {"id", "results_digest", "inputs_digest", "keys_digest", "policy_version"},
     "prepared_at": "<ISO 8601>",
     "rows": [{"rank": 1, "exam_number": "00042", "application_number": "A00042",
               "national_id": "x-xxxx-xxxxx-12-3" (masked: last four digits only),
               "name": "นายสมชาย ใจดี", "total": "142.00", "max_total": "200.00",
               "sections": [{"section": 1, "title": "ภาษาไทย", "score": "30", "max": "50"}],
               "passed": true, "rank_decided_by": "total"}]}   # rank order, then application number
payload_sha256 = SHA-256 of the canonical JSON (publication/canonical.py) of the payload.
signature = Ed25519 (base64) over the canonical JSON of
    {"type": "bma-exam-rank-list", "list": id, "version": n, "payload_sha256": ...,
     "published_at": "<ISO 8601>", "key_id": ...}   (publication/signing.py: version_message)
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from exam_platform.delivery.models import ExamRound, Position


class RankList(models.Model):
    """บัญชีผู้สอบแข่งขันได้ of a round (optionally of one position), published in versions."""

    round = models.ForeignKey(ExamRound, on_delete=models.PROTECT, related_name="rank_lists")
    position = models.ForeignKey(
        Position, null=True, blank=True, on_delete=models.PROTECT, related_name="rank_lists"
    )
    title = models.CharField(_("ชื่อประกาศ"), max_length=300)
    announcement_number = models.CharField(_("เลขที่ประกาศ"), max_length=60, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("บัญชีรายชื่อ")
        verbose_name_plural = _("บัญชีรายชื่อ")

    def __str__(self) -> str:
        return self.title


class RankListVersion(models.Model):
    """One numbered version of a rank list. Prepared by one exam officer, approved (and so published)
    by another; immutable once published, except that a later published version supersedes it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("ร่าง")
        PREPARED = "prepared", _("รออนุมัติ")
        APPROVED = "approved", _("อนุมัติแล้ว")
        PUBLISHED = "published", _("ประกาศแล้ว")
        SUPERSEDED = "superseded", _("ถูกแทนที่ด้วยฉบับแก้ไข")

    FROZEN_STATUSES = (Status.PUBLISHED, Status.SUPERSEDED)
    FROZEN_FIELDS = (
        "rank_list_id",
        "number",
        "payload",
        "payload_sha256",
        "signature",
        "key_id",
        "public_key",
        "published_at",
        "prepared_by_id",
        "approved_by_id",
        "approved_at",
        "previous_id",
        "change_note",
    )

    rank_list = models.ForeignKey(RankList, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("ฉบับที่"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_version"
    )
    change_note = models.TextField(_("เหตุผลการแก้ไข"), blank=True)
    payload = models.JSONField(default=dict)
    payload_sha256 = models.CharField(max_length=64, blank=True)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    prepared_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    signature = models.CharField(max_length=120, blank=True)
    key_id = models.CharField(max_length=40, blank=True)
    public_key = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["rank_list_id", "number"]
        verbose_name = _("ฉบับของบัญชีรายชื่อ")
        verbose_name_plural = _("ฉบับของบัญชีรายชื่อ")
        constraints = [
            models.UniqueConstraint(fields=["rank_list", "number"], name="rank_list_version_number_unique"),
            models.CheckConstraint(
                condition=models.Q(approved_by__isnull=True) | ~models.Q(approved_by=models.F("prepared_by")),
                name="rank_list_version_two_people",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rank_list} (ฉบับที่ {self.number})"

    def save(self, *args, **kwargs):
        """A published version never changes, except published → superseded."""
        if self.pk:
            stored = type(self).objects.filter(pk=self.pk).values(*self.FROZEN_FIELDS, "status").first()
            if stored and stored["status"] in self.FROZEN_STATUSES:
                changed = [name for name in self.FROZEN_FIELDS if getattr(self, name) != stored[name]]
                allowed_status = self.status == stored["status"] or (
                    stored["status"] == self.Status.PUBLISHED and self.status == self.Status.SUPERSEDED
                )
                if changed or not allowed_status:
                    raise ValidationError(
                        _("ประกาศที่เผยแพร่แล้วแก้ไขไม่ได้ (A published version cannot be changed).")
                    )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.status in self.FROZEN_STATUSES:
            raise ValidationError(_("ประกาศที่เผยแพร่แล้วลบไม่ได้ (A published version cannot be deleted)."))
        return super().delete(*args, **kwargs)

    @property
    def is_public(self) -> bool:
        return self.status in self.FROZEN_STATUSES

    @property
    def rows(self) -> list[dict]:
        return self.payload.get("rows", [])


class PublishedFile(models.Model):
    """A file a version was rendered into, byte for byte as published. Published lists are public, and
    the bytes live in the database beside their digest, so the two are written in one transaction."""

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel"
        HTML = "html", "HTML"

    CONTENT_TYPES = {
        Kind.PDF: "application/pdf",
        Kind.CSV: "text/csv; charset=utf-8",
        Kind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Kind.HTML: "text/html; charset=utf-8",
    }

    version = models.ForeignKey(RankListVersion, on_delete=models.PROTECT, related_name="files")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    filename = models.CharField(max_length=120)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["version_id", "kind"]
        constraints = [models.UniqueConstraint(fields=["version", "kind"], name="published_file_kind_unique")]

    def __str__(self) -> str:
        return self.filename

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValidationError(_("ไฟล์ที่เผยแพร่แล้วแก้ไขไม่ได้ (A published file cannot be changed)."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("ไฟล์ที่เผยแพร่แล้วลบไม่ได้ (A published file cannot be deleted)."))

    @property
    def content_type(self) -> str:
        return self.CONTENT_TYPES[self.kind]
