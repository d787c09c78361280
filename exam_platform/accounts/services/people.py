"""Staff accounts and their roles, written by administrators on the people pages.

Each function owns its transaction and its audit entry. Role grants/revocations and
(de)activations are audited by accounts.account_audit's receivers, the same writer the Django admin
goes through; these functions open `acting_as(actor, request)` so the entry names the
administrator. Creating an account writes one entry of its own (with the first roles) and keeps the
receivers quiet for it.

Rules: only staff hold staff roles (a candidate account never gets one); an administrator cannot
take away their own administrator role or deactivate themselves (someone else must); resetting
two-factor deletes the person's devices, so the middleware sends them to enrol at their next page.
"""

import secrets
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from exam_platform.common.audit import record_audit

from ..account_audit import acting_as, audited_elsewhere, roles_of
from ..models import BackupCodeDevice, User
from ..roles import ROLE_LABELS, STAFF_ROLES, Role, has_role
from ..sockets import close_user_sockets

# 16 characters from 55 unambiguous symbols ≈ 92 bits; grouped by four when shown.
INITIAL_PASSWORD_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"  # noqa: S105
INITIAL_PASSWORD_LENGTH = 16


class PeopleError(ValueError):
    """A change that is not allowed; the message is shown to the administrator as is."""


@dataclass(frozen=True)
class NewStaffAccount:
    user: User
    initial_password: str  # shown once, never stored in clear


def _require_administrator(actor) -> None:
    if (
        not getattr(actor, "is_authenticated", False)
        or actor.is_candidate
        or not has_role(actor, Role.ADMINISTRATOR)
    ):
        raise PermissionDenied


def _lock_user(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


def _forget_roles(user: User) -> None:
    user.__dict__.pop("_role_cache", None)


def generate_initial_password() -> str:
    return "".join(secrets.choice(INITIAL_PASSWORD_ALPHABET) for _i in range(INITIAL_PASSWORD_LENGTH))


def _check_roles(roles) -> list[str]:
    unknown = [r for r in roles if r not in STAFF_ROLES]
    if unknown:
        raise PeopleError(_("บทบาทไม่ถูกต้อง: %(roles)s") % {"roles": ", ".join(unknown)})
    return sorted(set(roles))


def _account_state(user: User, roles: list[str]) -> dict:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "kind": user.kind,
        "is_active": user.is_active,
        "roles": roles,
    }


def create_staff_account(
    *, username: str, display_name: str, email: str, roles, actor, request=None
) -> NewStaffAccount:
    """A new staff account with a random initial password (returned once) and no two-factor device:
    the middleware makes them enrol at their first login."""
    _require_administrator(actor)
    roles = _check_roles(roles)
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise PeopleError(_("ชื่อผู้ใช้นี้มีอยู่แล้ว"))
    password = generate_initial_password()
    with transaction.atomic():
        user = User(
            username=username, display_name=display_name.strip(), email=email.strip(), kind=User.Kind.STAFF
        )
        validate_password(password, user)
        user.set_password(password)
        user.save()
        with audited_elsewhere():
            user.groups.set(Group.objects.filter(name__in=roles))
        record_audit(
            "accounts.staff_created",
            actor=actor,
            request=request,
            obj=user,
            object_repr=f"{user} ({user.username})",
            after=_account_state(user, roles),
        )
    return NewStaffAccount(user=user, initial_password=password)


def grant_role(user: User, *, role: str, actor, request=None) -> bool:
    """Give `user` the staff role; False when they already held it (nothing written)."""
    _require_administrator(actor)
    _check_roles([role])
    with transaction.atomic():
        locked = _lock_user(user)
        if locked.is_candidate:
            raise PeopleError(_("บัญชีผู้สมัครสอบรับบทบาทเจ้าหน้าที่ไม่ได้"))
        if role in roles_of(locked.pk):
            return False
        with acting_as(actor, request):
            locked.groups.add(Group.objects.get(name=role))
    _forget_roles(user)
    return True


def revoke_role(user: User, *, role: str, actor, request=None) -> bool:
    """Take the role away; False when they did not hold it. Not one's own administrator role."""
    _require_administrator(actor)
    _check_roles([role])
    if role == Role.ADMINISTRATOR and user.pk == actor.pk:
        raise PeopleError(_("คุณถอนบทบาทผู้ดูแลระบบของตัวเองไม่ได้ ให้ผู้ดูแลระบบคนอื่นเป็นผู้ดำเนินการ"))
    with transaction.atomic():
        locked = _lock_user(user)
        if role not in roles_of(locked.pk):
            return False
        with acting_as(actor, request):
            locked.groups.remove(Group.objects.get(name=role))
    _forget_roles(user)
    return True


def deactivate_user(user: User, *, actor, request=None) -> bool:
    """Suspend the account: no more logins, and every open socket of theirs is closed (sockets.py)."""
    _require_administrator(actor)
    if user.pk == actor.pk:
        raise PeopleError(_("คุณระงับบัญชีของตัวเองไม่ได้ ให้ผู้ดูแลระบบคนอื่นเป็นผู้ดำเนินการ"))
    return _set_active(user, False, actor=actor, request=request)


def reactivate_user(user: User, *, actor, request=None) -> bool:
    _require_administrator(actor)
    return _set_active(user, True, actor=actor, request=request)


def _set_active(user: User, active: bool, *, actor, request) -> bool:
    with transaction.atomic():
        locked = _lock_user(user)
        if locked.is_active == active:
            return False
        locked.is_active = active
        with acting_as(actor, request):
            # The receivers audit the flip; sockets.py closes the sockets after commit.
            locked.save(update_fields=["is_active"])
    user.is_active = active
    return True


def reset_two_factor(user: User, *, actor, request=None) -> int:
    """Delete the person's authenticators and backup codes; they enrol again at their next page.

    Their open sockets are closed (they were admitted with the old device). Returns how many
    devices were removed.
    """
    _require_administrator(actor)
    if not user.requires_two_factor:
        raise PeopleError(_("บัญชีนี้ไม่ใช้การยืนยันตัวตนสองขั้นตอน"))
    with transaction.atomic():
        _lock_user(user)
        totp = list(TOTPDevice.objects.filter(user=user).order_by("pk"))
        backup = list(BackupCodeDevice.objects.filter(user=user))
        removed: list[Device] = [*totp, *backup]
        before = {
            "totp_devices": [d.pk for d in totp],
            "backup_code_sets": [d.pk for d in backup],
        }
        for device in removed:
            device.delete()
        record_audit(
            "accounts.two_factor_reset",
            actor=actor,
            request=request,
            obj=user,
            object_repr=f"{user} ({user.username})",
            before=before,
            after={"totp_devices": [], "backup_code_sets": []},
        )
        close_user_sockets(user.pk, reason="two_factor_reset")
    return len(removed)


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))
