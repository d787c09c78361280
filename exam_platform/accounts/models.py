import hashlib
import hmac

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin

from exam_platform.common.national_id import format_national_id, normalise, validate_national_id


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
        # A candidate's username is their national ID: never show it in a header on a shared screen.
        fallback = str(_("ผู้สมัครสอบ")) if self.is_candidate else self.username
        return self.display_name or self.get_full_name() or fallback


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

    def __str__(self) -> str:
        return self.full_name_th

    @property
    def full_name_th(self) -> str:
        return f"{self.title}{self.first_name_th} {self.last_name_th}"

    @property
    def full_name_en(self) -> str:
        return f"{self.first_name_en} {self.last_name_en}".strip()

    @property
    def national_id_display(self) -> str:
        return format_national_id(self.national_id)


BACKUP_CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/o, 1/l/i: read aloud and typed by hand
BACKUP_CODE_LENGTH = 10  # 31^10 ≈ 2^49.5


def normalise_backup_code(raw: str) -> str:
    """Lower-case, drop spaces and dashes, Thai digits to ASCII: 'ABCDE-FGHJK' == 'abcdefghjk'."""
    return normalise(raw).lower()


class BackupCodeDevice(TimestampMixin, ThrottlingMixin, Device):
    """A staff member's set of single-use backup codes (รหัสสำรอง), one device per user.

    A django-otp device like any other: `django_otp.devices_for_user` finds it, `verify_token`
    accepts an unused code once, and failures are throttled like TOTP (OTP_BACKUP_THROTTLE_FACTOR,
    default 1: 1, 2, 4, 8 ... seconds). Only hashes are stored (see BackupCode); the codes in clear
    exist once, in the response that shows them. Written by services.two_factor.
    """

    class Meta(Device.Meta):
        verbose_name = _("ชุดรหัสสำรอง")
        verbose_name_plural = _("ชุดรหัสสำรอง")
        constraints = [models.UniqueConstraint(fields=["user"], name="backup_device_one_per_user")]

    def get_throttle_factor(self) -> int:
        return getattr(settings, "OTP_BACKUP_THROTTLE_FACTOR", 1)

    def unused_codes(self):
        return self.codes.filter(used_at__isnull=True)

    def verify_token(self, token) -> bool:
        allowed, _info = self.verify_is_allowed()
        if not allowed:
            return False
        code = normalise_backup_code(str(token))
        match = self.match_unused_code(code) if code else None
        verified = match is not None and match.consume()
        if verified:
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
        else:
            self.throttle_increment(commit=True)
        return verified

    def match_unused_code(self, code: str) -> "BackupCode | None":
        """The unused code row whose hash matches `code` (not yet consumed: see BackupCode.consume)."""
        found = None
        for row in self.unused_codes():
            # Compare every row (no early exit) so timing does not tell which position matched.
            if row.matches(code):
                found = row
        return found


class BackupCode(models.Model):
    """One backup code: HMAC-SHA256(salt, code) with a random per-code salt; never the code itself.

    A fast keyed hash is enough because a code carries ~49 bits of randomness (nothing to
    dictionary-attack) and guessing online is throttled by the device.
    """

    device = models.ForeignKey(BackupCodeDevice, on_delete=models.CASCADE, related_name="codes")
    salt = models.CharField(max_length=32)
    digest = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("รหัสสำรอง")
        verbose_name_plural = _("รหัสสำรอง")

    def __str__(self) -> str:
        return f"{self.device_id}:{self.pk}"

    @staticmethod
    def hash_code(salt: str, code: str) -> str:
        return hmac.new(salt.encode(), code.encode(), hashlib.sha256).hexdigest()

    def matches(self, code: str) -> bool:
        return hmac.compare_digest(self.digest, self.hash_code(self.salt, code))

    def consume(self) -> bool:
        """Mark the code used; True only for the one caller whose conditional update changed the row.

        Two requests that both matched the same unused code race here; the database lets exactly
        one UPDATE ... WHERE used_at IS NULL touch the row.
        """
        now = timezone.now()
        updated = BackupCode.objects.filter(pk=self.pk, used_at__isnull=True).update(used_at=now)
        if updated == 1:
            self.used_at = now
        return updated == 1


class ActivationCodeQuerySet(models.QuerySet):
    def open(self):
        """Not used and not superseded (possibly expired)."""
        return self.filter(used_at__isnull=True, superseded_at__isnull=True)

    def usable(self, now=None):
        """Open and not expired: the one code (at most) that can activate its user's account."""
        return self.open().filter(expires_at__gt=now or timezone.now())


class ActivationCode(models.Model):
    """A candidate's one-time activation code (รหัสเปิดใช้งาน): first login, or a new password after
    an officer issues a fresh one (a candidate's "forgot password").

    The code is 10 characters from an unambiguous alphabet (accounts/activation_codes.py), printed
    as ABCD-EFGH-JK. It is random: HMAC-SHA256 of `nonce` (secrets.token_hex) under a key derived
    from settings.ACTIVATION_CODE_KEY (or SECRET_KEY when that is empty). `digest` is a second keyed
    HMAC of the code itself and is what a login looks up; no personal data enters either.

    Why a nonce rather than only a hash: the admission card must be printable more than once
    (a room's cards, then one lost card), and the card and the e-mail must show the SAME code. The
    code is recomputed from the nonce whenever a card is printed or an e-mail sent, instead of being
    re-issued (which would silently break a code already printed or mailed). The database alone
    reveals no code: without the key a nonce and a digest are random numbers. Whoever holds the key
    and the database can compute open codes, which is no more than the key already grants (it signs
    sessions). Rotating the key invalidates every open code: officers then re-issue.

    Single use: `used_at` is set by one conditional UPDATE (WHERE used_at IS NULL). Superseded: a
    newly issued code closes the user's open one (`superseded_at`); the database allows one open
    code per user. Expiry: `expires_at` (settings.ACTIVATION_CODE_DAYS after issue).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="activation_codes")
    nonce = models.CharField(max_length=64)
    digest = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = ActivationCodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("รหัสเปิดใช้งาน")
        verbose_name_plural = _("รหัสเปิดใช้งาน")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(used_at__isnull=True, superseded_at__isnull=True),
                name="activation_code_one_open_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.pk}"

    @property
    def is_usable(self) -> bool:
        return self.used_at is None and self.superseded_at is None and self.expires_at > timezone.now()

    def consume(self) -> bool:
        """Mark used; True only for the one caller whose conditional update changed the row."""
        now = timezone.now()
        updated = ActivationCode.objects.usable(now).filter(pk=self.pk).update(used_at=now)
        if updated == 1:
            self.used_at = now
        return updated == 1
