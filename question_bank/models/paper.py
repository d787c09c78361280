"""Papers: a blueprint of sections and rules, locked into frozen forms.

A Paper is built from sections; each section has rules ("25 items from subject English, 40 % easy /
40 % medium / 20 % hard"). Form modes:
- fixed          one form drawn from the blueprint at lock time; every candidate gets it
- parallel       `form_count` forms drawn at lock time; each candidate gets one of them
- per_candidate  a form drawn from the blueprint for each candidate when the attempt starts
                 (from the attempt's seed), so the locked paper freezes the item pool instead

Locking freezes everything: the paper and its sections become immutable, PaperForm rows hold the
exact item versions, and `content_digest` (SHA-256 over the canonical JSON of all forms) identifies
the paper forever. Editing a locked paper means cloning it to a new version.

PaperForm.content, the frozen form (JSON):
    {"paper": {"code": "part-a-1-2569", "version": 1}, "form": 1,
     "sections": [{"position": 1, "title": "...", "time_limit_minutes": null,
                   "shuffle_items": true, "shuffle_choices": true,
                   "items": [{"item": "<item uid>", "version": <ItemVersion id>, "points": "1.00"}]}]}
Choice order and, where shuffle_items is set, item order are applied per candidate from the
attempt's seed; grading is by choice uid.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .bank import Bank, Category, Tag
from .item import Item


class Paper(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("ฉบับร่าง")
        LOCKED = "locked", _("ล็อกแล้ว")

    class FormMode(models.TextChoices):
        FIXED = "fixed", _("ชุดเดียวทุกคน")
        PARALLEL = "parallel", _("หลายชุดคู่ขนาน")
        PER_CANDIDATE = "per_candidate", _("สุ่มรายบุคคล")

    bank = models.ForeignKey(Bank, on_delete=models.PROTECT, related_name="papers")
    code = models.SlugField(_("รหัสแบบทดสอบ"), max_length=60)
    version = models.PositiveIntegerField(default=1)
    title = models.CharField(_("ชื่อแบบทดสอบ"), max_length=300)
    instructions = models.TextField(_("คำชี้แจง"), blank=True)
    duration_minutes = models.PositiveIntegerField(_("เวลาสอบ (นาที)"), default=120)
    form_mode = models.CharField(
        _("รูปแบบชุดข้อสอบ"), max_length=16, choices=FormMode.choices, default=FormMode.FIXED
    )
    form_count = models.PositiveSmallIntegerField(_("จำนวนชุด"), default=1)
    seed = models.BigIntegerField(default=0)  # the draw seed used at lock (recorded for reproducibility)
    status = models.CharField(_("สถานะ"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    cloned_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="clones"
    )
    content_digest = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    locked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("แบบทดสอบ")
        verbose_name_plural = _("แบบทดสอบ")
        constraints = [
            models.UniqueConstraint(fields=["bank", "code", "version"], name="paper_code_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.LOCKED


class PaperSection(models.Model):
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(_("ชื่อตอน"), max_length=200)
    time_limit_minutes = models.PositiveIntegerField(_("เวลาของตอน (นาที)"), null=True, blank=True)
    points_per_item = models.DecimalField(
        _("คะแนนต่อข้อ"), max_digits=6, decimal_places=2, null=True, blank=True,
        help_text=_("เว้นว่างเพื่อใช้คะแนนของแต่ละข้อ"),
    )  # fmt: skip
    shuffle_items = models.BooleanField(_("สลับลำดับข้อ"), default=True)
    shuffle_choices = models.BooleanField(_("สลับลำดับตัวเลือก"), default=True)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["paper", "position"], name="section_position_unique")]

    def __str__(self) -> str:
        return self.title


class SectionRule(models.Model):
    """Draw `count` approved items from `category` (a subject includes its topics), optionally only
    those tagged `tag`, split by difficulty percentages (which sum to 100)."""

    section = models.ForeignKey(PaperSection, on_delete=models.CASCADE, related_name="rules")
    position = models.PositiveSmallIntegerField()
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    tag = models.ForeignKey(Tag, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    count = models.PositiveIntegerField(_("จำนวนข้อ"))
    easy_percent = models.PositiveSmallIntegerField(_("ง่าย (%)"), default=40)
    medium_percent = models.PositiveSmallIntegerField(_("ปานกลาง (%)"), default=40)
    hard_percent = models.PositiveSmallIntegerField(_("ยาก (%)"), default=20)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.count} × {self.category}"


class EnemyGroup(models.Model):
    """Items that must never appear on the same form (they cue or answer each other)."""

    bank = models.ForeignKey(Bank, on_delete=models.CASCADE, related_name="enemy_groups")
    name = models.CharField(_("ชื่อกลุ่ม"), max_length=200)
    items = models.ManyToManyField(Item, related_name="enemy_groups")

    def __str__(self) -> str:
        return self.name


class PaperForm(models.Model):
    """One frozen form of a locked paper (format in the module docstring)."""

    paper = models.ForeignKey(Paper, on_delete=models.PROTECT, related_name="forms")
    number = models.PositiveSmallIntegerField()
    content = models.JSONField()
    digest = models.CharField(max_length=64)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["paper", "number"], name="paper_form_number_unique")]

    def __str__(self) -> str:
        return f"{self.paper} form {self.number}"
