import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from exam_platform.common.private_storage import private_files


class Bank(models.Model):
    """A confidential, long-lived collection of items. Only members see it (question_bank.access)."""

    code = models.SlugField(_("รหัสคลัง"), max_length=50, unique=True)
    name = models.CharField(_("ชื่อคลังข้อสอบ"), max_length=200, unique=True)
    description = models.TextField(_("คำอธิบาย"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("คลังข้อสอบ")
        verbose_name_plural = _("คลังข้อสอบ")

    def __str__(self) -> str:
        return self.name


class BankMembership(models.Model):
    """A user's role in one bank. Authors write items, reviewers approve them, owners manage the
    bank, its members, its papers and may read keys."""

    class Role(models.TextChoices):
        AUTHOR = "author", _("ผู้เขียนข้อสอบ")
        REVIEWER = "reviewer", _("ผู้พิจารณาข้อสอบ")
        OWNER = "owner", _("เจ้าของคลัง")

    bank = models.ForeignKey(Bank, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bank_memberships"
    )
    role = models.CharField(_("บทบาทในคลัง"), max_length=16, choices=Role.choices)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("สมาชิกคลังข้อสอบ")
        verbose_name_plural = _("สมาชิกคลังข้อสอบ")
        constraints = [models.UniqueConstraint(fields=["bank", "user"], name="bank_member_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.bank} ({self.role})"


class Category(models.Model):
    """Subject (parent is None) or topic (parent is a subject)."""

    bank = models.ForeignKey(Bank, on_delete=models.CASCADE, related_name="categories")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    code = models.SlugField(_("รหัส"), max_length=50)
    name = models.CharField(_("ชื่อหมวด"), max_length=200)

    class Meta:
        verbose_name = _("หมวดข้อสอบ")
        verbose_name_plural = _("หมวดข้อสอบ")
        constraints = [models.UniqueConstraint(fields=["bank", "code"], name="category_code_unique_in_bank")]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    bank = models.ForeignKey(Bank, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(_("ป้ายกำกับ"), max_length=64)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["bank", "name"], name="tag_name_unique_in_bank")]

    def __str__(self) -> str:
        return self.name


def private_storage():
    return private_files


def _media_path(instance: "MediaFile", filename: str) -> str:
    return f"question_media/{instance.bank_id}/{instance.uid}{instance.extension}"


class MediaFile(models.Model):
    """An uploaded image used in stems or choices. Served only through a permission-checking view
    (never from MEDIA_URL directly): bank media is as confidential as the items."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    bank = models.ForeignKey(Bank, on_delete=models.PROTECT, related_name="media")
    file = models.FileField(upload_to=_media_path, storage=private_storage)
    original_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp"}

    def __str__(self) -> str:
        return self.original_name or str(self.uid)

    @property
    def extension(self) -> str:
        return self.EXTENSIONS.get(self.content_type, "")
