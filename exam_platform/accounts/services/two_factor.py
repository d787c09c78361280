"""Staff two-factor writes: TOTP enrolment, backup codes, verification.

Every function owns its transaction and writes its audit entry inside it. Verification results
come back as values, never as exceptions raised inside the transaction: a failed attempt must
still commit its throttle counter (django-otp's exponential back-off).

Session state (django_otp.login, the re-authentication timestamp) is the view's business.
"""

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from exam_platform.accounts.models import (
    BACKUP_CODE_ALPHABET,
    BACKUP_CODE_LENGTH,
    BackupCode,
    BackupCodeDevice,
)
from exam_platform.common.audit import record_audit

BACKUP_CODE_COUNT = 10
TOTP_DEVICE_NAME = "แอปยืนยันตัวตน (Authenticator)"
BACKUP_DEVICE_NAME = "รหัสสำรอง (Backup codes)"


@dataclass
class VerifyResult:
    """Outcome of checking a code.

    `device` is set when the code was accepted. `locked_until` is set when the attempt was refused
    without looking at the code because of earlier failures (django-otp's throttle).
    """

    device: Device | None = None
    locked_until: datetime | None = None
    backup_codes: list[str] = field(default_factory=list)  # set only by a confirmed enrolment

    @property
    def ok(self) -> bool:
        return self.device is not None


def _throttle_state(device: Device) -> datetime | None:
    allowed, info = device.verify_is_allowed()
    if allowed:
        return None
    return (info or {}).get("locked_until") or timezone.now()


def _new_backup_code() -> str:
    return "".join(secrets.choice(BACKUP_CODE_ALPHABET) for _i in range(BACKUP_CODE_LENGTH))


def format_backup_code(code: str) -> str:
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def confirmed_totp_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("-pk").first()


def backup_device(user) -> BackupCodeDevice | None:
    return BackupCodeDevice.objects.filter(user=user, confirmed=True).first()


def start_totp_enrolment(user, *, request=None) -> TOTPDevice:
    """A fresh unconfirmed TOTP device (new random key); earlier unconfirmed ones are deleted.

    Deleting the earlier ones means a secret shown in another session (someone else who knew
    the password, a page left open) can never be the one that ends up confirmed.
    """
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


def _generate_backup_codes(user, *, request, reason: str) -> list[str]:
    """Replace the user's backup codes with BACKUP_CODE_COUNT new ones. Caller holds the transaction."""
    device, _created = BackupCodeDevice.objects.select_for_update().get_or_create(
        user=user, defaults={"name": BACKUP_DEVICE_NAME, "confirmed": True}
    )
    previous_unused = device.codes.filter(used_at__isnull=True).count()
    device.codes.all().delete()
    codes = [_new_backup_code() for _i in range(BACKUP_CODE_COUNT)]
    rows = []
    for code in codes:
        salt = secrets.token_hex(16)
        rows.append(BackupCode(device=device, salt=salt, digest=BackupCode.hash_code(salt, code)))
    BackupCode.objects.bulk_create(rows)
    device.confirmed = True
    device.throttle_reset(commit=False)
    device.save()
    record_audit(
        "accounts.two_factor.backup_codes_generated",
        actor=user,
        request=request,
        obj=device,
        before={"unused_codes": previous_unused},
        after={"unused_codes": BACKUP_CODE_COUNT, "reason": reason},
    )
    return [format_backup_code(c) for c in codes]


def regenerate_backup_codes(user, *, request=None) -> list[str]:
    """New backup codes; every old one stops working. Returns the codes in clear (show them once)."""
    with transaction.atomic():
        return _generate_backup_codes(user, request=request, reason="regenerated")


def confirm_totp_enrolment(device: TOTPDevice, *, token: str, request=None) -> VerifyResult:
    """Confirm a pending TOTP device with a code from the app.

    On success the device is confirmed, the user's other TOTP devices are removed (this is how a
    lost phone is replaced) and, if the user has no unused backup codes, ten are generated and
    returned in the result. The caller marks the session verified.
    """
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(pk=device.pk, confirmed=False).first()
        if device is None:
            return VerifyResult()
        locked_until = _throttle_state(device)
        if locked_until is not None:
            return VerifyResult(locked_until=locked_until)
        if not device.verify_token(token):
            # verify_token has counted the failure; returning (not raising) commits the count.
            return VerifyResult()
        user = device.user
        replaced = list(
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).values_list("pk", flat=True)
        )
        TOTPDevice.objects.filter(pk__in=replaced).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record_audit(
            "accounts.two_factor.totp_enrolled",
            actor=user,
            request=request,
            obj=device,
            before={"replaced_device_ids": replaced},
            after={"device_id": device.pk, "confirmed": True},
        )
        codes = []
        existing = backup_device(user)
        if existing is None or not existing.unused_codes().exists():
            codes = _generate_backup_codes(user, request=request, reason="enrolment")
        return VerifyResult(device=device, backup_codes=codes)


def verify_second_factor(user, *, method: str, token: str, request=None) -> VerifyResult:
    """Check a TOTP code (method "totp") or a backup code (method "backup") for `user`.

    Goes through the device's own verify_token under a row lock, so django-otp's throttle applies
    and a code cannot be accepted twice. A used backup code is audited (it changes what remains).
    """
    model = BackupCodeDevice if method == "backup" else TOTPDevice
    with transaction.atomic():
        device = (
            model.objects.devices_for_user(user, confirmed=True).select_for_update().order_by("-pk").first()
        )
        if device is None:
            return VerifyResult()
        locked_until = _throttle_state(device)
        if locked_until is not None:
            return VerifyResult(locked_until=locked_until)
        if not device.verify_token(token):
            return VerifyResult()
        if isinstance(device, BackupCodeDevice):
            remaining = device.unused_codes().count()
            record_audit(
                "accounts.two_factor.backup_code_used",
                actor=user,
                request=request,
                obj=device,
                before={"unused_codes": remaining + 1},
                after={"unused_codes": remaining},
            )
        return VerifyResult(device=device)
