"""Question banks: banks, a subject → topic category tree, items and their immutable versions.

An Item is the long-lived identity of a question; every edit creates a new ItemVersion and
papers reference exact versions. Choices carry a stable `uid` that survives new versions of
the item: grading is by that id, never by position.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Bank(models.Model):
    code = models.SlugField(_("รหัสคลัง"), max_length=50, unique=True)
    name = models.CharField(_("ชื่อคลังข้อสอบ"), max_length=200, unique=True)
    description = models.TextField(_("คำอธิบาย"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("คลังข้อสอบ")
        verbose_name_plural = _("คลังข้อสอบ")

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """Subject (parent is None) or topic (parent is a subject)."""

    bank = models.ForeignKey(Bank, on_delete=models.CASCADE, related_name="categories")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    code = models.SlugField(_("รหัส"), max_length=50)
    name = models.CharField(_("ชื่อหมวด"), max_length=200)

    class Meta:
        verbose_name = _("หมวดข้อสอบ")
        verbose_name_plural = _("หมวดข้อสอบ")
        constraints = [models.UniqueConstraint(fields=["bank", "code"], name="category_code_unique_in_bank")]

    def __str__(self) -> str:
        return self.name


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
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ข้อสอบ")
        verbose_name_plural = _("ข้อสอบ")
        indexes = [models.Index(fields=["bank", "status"])]

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

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    item_type = models.CharField(_("ชนิดข้อสอบ"), max_length=16, choices=ItemType.choices)
    stem = models.TextField(_("โจทย์"))
    default_points = models.DecimalField(_("คะแนน"), max_digits=6, decimal_places=2, default=1)
    difficulty = models.CharField(_("ความยาก"), max_length=8, choices=Difficulty.choices, default=Difficulty.MEDIUM)
    explanation = models.TextField(_("คำอธิบายเฉลย"), blank=True)
    language = models.CharField(_("ภาษา"), max_length=8, default="th")
    # Type-specific answer data that is not a choice: numeric {"value", "tolerance"},
    # short answer {"accepted": [...]}, multiple response {"partial_credit": "..."}.
    answer_spec = models.JSONField(default=dict, blank=True)
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


class Choice(models.Model):
    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="choices")
    uid = models.UUIDField(default=uuid.uuid4, editable=False)
    position = models.PositiveSmallIntegerField()
    text = models.TextField(_("ตัวเลือก"))
    is_correct = models.BooleanField(default=False)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "uid"], name="choice_uid_unique_in_version"),
            models.UniqueConstraint(fields=["version", "position"], name="choice_position_unique_in_version"),
        ]

    def __str__(self) -> str:
        return self.text[:50]
