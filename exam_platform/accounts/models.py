from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from exam_platform.common.national_id import format_national_id, validate_national_id


class User(AbstractUser):
    """Everyone who logs in. Candidates log in with their national ID as username.

    `kind` separates candidates from staff: staff must pass two-factor verification on every
    page and socket; candidates never hold a staff role.
    """

    class Kind(models.TextChoices):
        CANDIDATE = "candidate", _("ผู้สมัครสอบ")
        STAFF = "staff", _("เจ้าหน้าที่")

    kind = models.CharField(_("ประเภทผู้ใช้"), max_length=16, choices=Kind.choices, default=Kind.STAFF)
    display_name = models.CharField(_("ชื่อที่แสดง"), max_length=200, blank=True)

    @property
    def is_candidate(self) -> bool:
        return self.kind == self.Kind.CANDIDATE

    @property
    def requires_two_factor(self) -> bool:
        return self.kind == self.Kind.STAFF

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username


class Candidate(models.Model):
    """A person who applies for exams: the registry of candidates (ผู้สมัครสอบ)."""

    class Title(models.TextChoices):
        MR = "นาย", _("นาย")
        MRS = "นาง", _("นาง")
        MISS = "นางสาว", _("นางสาว")
        ACTING_SUB_LT = "ว่าที่ร้อยตรี", _("ว่าที่ร้อยตรี")
        ACTING_SUB_LT_F = "ว่าที่ร้อยตรีหญิง", _("ว่าที่ร้อยตรีหญิง")
        DR = "ดร.", _("ดร.")
        OTHER = "อื่น ๆ", _("อื่น ๆ")

    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="candidate")
    national_id = models.CharField(
        _("เลขประจำตัวประชาชน"), max_length=13, unique=True, validators=[validate_national_id]
    )
    title = models.CharField(_("คำนำหน้า"), max_length=32, choices=Title.choices)
    first_name_th = models.CharField(_("ชื่อ (ไทย)"), max_length=100)
    last_name_th = models.CharField(_("นามสกุล (ไทย)"), max_length=100)
    first_name_en = models.CharField(_("ชื่อ (อังกฤษ)"), max_length=100, blank=True)
    last_name_en = models.CharField(_("นามสกุล (อังกฤษ)"), max_length=100, blank=True)
    date_of_birth = models.DateField(_("วันเกิด"))
    phone = models.CharField(_("โทรศัพท์"), max_length=32, blank=True)
    email = models.EmailField(_("อีเมล"), blank=True)
    address = models.TextField(_("ที่อยู่"), blank=True)
    has_disability = models.BooleanField(_("เป็นผู้พิการ"), default=False)
    disability_details = models.TextField(_("รายละเอียดความพิการ"), blank=True)
    accommodation_needs = models.JSONField(
        _("ความต้องการช่วยเหลือในการสอบ"),
        default=dict,
        blank=True,
        help_text=_(
            'เช่น {"extra_time_percent": 50, "large_text": true, "high_contrast": true, '
            '"screen_reader": true, "breaks": true}'
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ผู้สมัครสอบ")
        verbose_name_plural = _("ผู้สมัครสอบ")

    @property
    def full_name_th(self) -> str:
        return f"{self.title}{self.first_name_th} {self.last_name_th}"

    @property
    def full_name_en(self) -> str:
        return f"{self.first_name_en} {self.last_name_en}".strip()

    @property
    def national_id_display(self) -> str:
        return format_national_id(self.national_id)

    def __str__(self) -> str:
        return self.full_name_th
