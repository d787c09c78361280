"""Items and their immutable versions.

An Item is the long-lived identity of a question; every edit creates a new ItemVersion (never an
update), and papers reference exact versions. Choices carry a stable `uid` that survives new
versions of the item: grading is by that id, never by position.

Answer data per item type (ItemVersion.answer_spec; choices carry is_correct):
- single       one correct choice among 2–5 (labels ก–จ)
- multiple     one or more correct choices;
               {"partial_credit": "all_or_nothing" | "per_choice" | "proportional"}
               per_choice: (right picks − wrong picks) / correct count, floor 0;
               proportional: right picks / correct count if no wrong pick, else 0
- true_false   two choices ถูก / ผิด, one correct
- numeric      {"value": "3.5", "tolerance": "0.05"} (decimal strings; |answer − value| ≤ tolerance)
- short        {"accepted": ["..."], "case_sensitive": false}; answers compared after normalisation
               (NFC, ำ unified, whitespace collapsed and stripped, case-folded unless case_sensitive)
- essay        {"max_words": 300, "rubric": "..."}; marked by hand
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .bank import Bank, Category, MediaFile, Tag


class Item(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("ฉบับร่าง")
        IN_REVIEW = "in_review", _("รอพิจารณา")
        APPROVED = "approved", _("อนุมัติแล้ว")
        RETIRED = "retired", _("เลิกใช้")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    bank = models.ForeignKey(Bank, on_delete=models.PROTECT, related_name="items")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="items")
    status = models.CharField(_("สถานะ"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    current_version = models.ForeignKey(
        "ItemVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="items")
    # Denormalised from the current version for fast lists and duplicate checks.
    stem_key = models.CharField(max_length=64, db_index=True, blank=True)
    search_text = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ข้อสอบ")
        verbose_name_plural = _("ข้อสอบ")
        indexes = [
            models.Index(fields=["bank", "status"]),
            models.Index(fields=["bank", "stem_key"], name="item_bank_stem_key_idx"),
            models.Index(fields=["bank", "-updated_at", "-id"], name="item_bank_recent_idx"),
        ]

    def __str__(self) -> str:
        return str(self.uid)


class ItemVersion(models.Model):
    """One immutable version of an item. Never updated after creation."""

    class ItemType(models.TextChoices):
        SINGLE_CHOICE = "single", _("ปรนัยเลือกตอบข้อเดียว")
        MULTIPLE_RESPONSE = "multiple", _("เลือกได้หลายคำตอบ")
        TRUE_FALSE = "true_false", _("ถูก/ผิด")
        NUMERIC = "numeric", _("ตอบเป็นตัวเลข")
        SHORT_ANSWER = "short", _("เติมคำตอบสั้น")
        ESSAY = "essay", _("อัตนัย")

    class Difficulty(models.TextChoices):
        EASY = "easy", _("ง่าย")
        MEDIUM = "medium", _("ปานกลาง")
        HARD = "hard", _("ยาก")

    CHOICE_TYPES = (ItemType.SINGLE_CHOICE, ItemType.MULTIPLE_RESPONSE, ItemType.TRUE_FALSE)

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    item_type = models.CharField(_("ชนิดข้อสอบ"), max_length=16, choices=ItemType.choices)
    stem = models.TextField(_("โจทย์"))  # sanitised HTML (question_bank.services.html)
    default_points = models.DecimalField(_("คะแนน"), max_digits=6, decimal_places=2, default=1)
    difficulty = models.CharField(
        _("ความยาก"), max_length=8, choices=Difficulty.choices, default=Difficulty.MEDIUM
    )
    explanation = models.TextField(_("คำอธิบายเฉลย"), blank=True)
    language = models.CharField(_("ภาษา"), max_length=8, default="th")
    answer_spec = models.JSONField(default=dict, blank=True)
    tags = models.JSONField(default=list, blank=True)  # the tag names of this version, a snapshot
    media = models.ManyToManyField(MediaFile, blank=True, related_name="versions")
    change_note = models.CharField(_("บันทึกการแก้ไข"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("รุ่นของข้อสอบ")
        verbose_name_plural = _("รุ่นของข้อสอบ")
        constraints = [models.UniqueConstraint(fields=["item", "number"], name="item_version_number_unique")]

    def __str__(self) -> str:
        return f"{self.item_id} v{self.number}"

    @property
    def has_choices(self) -> bool:
        return self.item_type in self.CHOICE_TYPES


class Choice(models.Model):
    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="choices")
    uid = models.UUIDField(default=uuid.uuid4, editable=False)
    position = models.PositiveSmallIntegerField()
    text = models.TextField(_("ตัวเลือก"))  # sanitised HTML
    is_correct = models.BooleanField(default=False)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "uid"], name="choice_uid_unique_in_version"),
            models.UniqueConstraint(fields=["version", "position"], name="choice_position_unique_in_version"),
        ]

    def __str__(self) -> str:
        return self.text[:50]


class ItemComment(models.Model):
    """A review comment, or the record of a workflow transition (from_status → to_status)."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="comments")
    version = models.ForeignKey(
        ItemVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("ความเห็น"), blank=True)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.from_status}→{self.to_status}"
