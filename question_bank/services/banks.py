"""Banks and their members: create a bank (any examiner; they become its owner), add a member,
change a role, remove a member (owners only). Every change audited.

A bank always keeps at least one owner: the last owner can be neither removed nor demoted. The
owner check runs under a lock on the bank's memberships, so two owners demoting each other at the
same moment cannot leave the bank without one.
"""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from exam_platform.common.audit import record_audit

from .. import access
from ..models import Bank, BankMembership


class MembershipError(ValueError):
    """A membership change that is not allowed; the message is Thai + English."""


def create_bank(*, code: str, name: str, description: str = "", actor, request=None) -> Bank:
    """A new bank with `actor` as its first owner."""
    access.require_examiner(actor)
    code, name, description = code.strip().lower(), name.strip(), description.strip()
    with transaction.atomic():
        if Bank.objects.filter(code=code).exists():
            raise MembershipError(_("รหัสคลังนี้มีอยู่แล้ว กรุณาใช้รหัสอื่น"))
        if Bank.objects.filter(name__iexact=name).exists():
            raise MembershipError(_("ชื่อคลังนี้มีอยู่แล้ว กรุณาใช้ชื่ออื่น"))
        try:
            with transaction.atomic():
                bank = Bank.objects.create(code=code, name=name, description=description)
        except IntegrityError:  # created by someone else since the checks above
            raise MembershipError(_("รหัสหรือชื่อคลังนี้มีอยู่แล้ว")) from None
        owner = BankMembership.objects.create(bank=bank, user=actor, role=BankMembership.Role.OWNER)
        record_audit(
            "question_bank.bank_created",
            actor=actor,
            request=request,
            obj=bank,
            after={
                "code": bank.code,
                "name": bank.name,
                "description": bank.description,
                **_member_state(owner),
            },
        )
    _forget_cached_role(bank, actor)
    return bank


def _require_owner(bank: Bank, actor) -> None:
    if not access.can(actor, bank.pk, access.OWNERS):
        raise PermissionDenied


def _lock_memberships(bank: Bank) -> list[BankMembership]:
    return list(BankMembership.objects.select_for_update().filter(bank=bank).order_by("pk"))


def _member_state(membership: BankMembership) -> dict:
    return {"user": membership.user.username, "role": membership.role}


def add_member(bank: Bank, *, user, role: str, actor, request=None) -> BankMembership:
    _require_owner(bank, actor)
    if role not in BankMembership.Role.values:
        raise MembershipError(_("บทบาทไม่ถูกต้อง (Unknown role)."))
    if not access.is_examiner(user):
        raise MembershipError(
            _("เพิ่มได้เฉพาะเจ้าหน้าที่ที่มีบทบาทผู้ออกข้อสอบ (Only staff with the examiner role can be added).")
        )
    with transaction.atomic():
        memberships = _lock_memberships(bank)
        if any(m.user_id == user.pk for m in memberships):
            raise MembershipError(_("ผู้ใช้นี้เป็นสมาชิกของคลังอยู่แล้ว (This user is already a member)."))
        membership = BankMembership.objects.create(bank=bank, user=user, role=role)
        record_audit(
            "question_bank.member_added",
            actor=actor,
            request=request,
            obj=bank,
            after=_member_state(membership),
        )
    _forget_cached_role(bank, user, actor)
    return membership


def change_member_role(membership: BankMembership, *, role: str, actor, request=None) -> BankMembership:
    bank = membership.bank
    _require_owner(bank, actor)
    if role not in BankMembership.Role.values:
        raise MembershipError(_("บทบาทไม่ถูกต้อง (Unknown role)."))
    with transaction.atomic():
        memberships = {m.pk: m for m in _lock_memberships(bank)}
        current = memberships.get(membership.pk)
        if current is None:
            raise MembershipError(_("ไม่พบสมาชิกนี้ในคลัง (This member is no longer in the bank)."))
        if current.role == role:
            return current
        _keep_an_owner(memberships.values(), leaving=current)
        before = _member_state(current)
        current.role = role
        current.save(update_fields=["role"])
        record_audit(
            "question_bank.member_role_changed",
            actor=actor,
            request=request,
            obj=bank,
            before=before,
            after=_member_state(current),
        )
    _forget_cached_role(bank, current.user, actor)
    return current


def remove_member(membership: BankMembership, *, actor, request=None) -> None:
    bank = membership.bank
    _require_owner(bank, actor)
    with transaction.atomic():
        memberships = {m.pk: m for m in _lock_memberships(bank)}
        current = memberships.get(membership.pk)
        if current is None:
            return
        _keep_an_owner(memberships.values(), leaving=current)
        before = _member_state(current)
        current.delete()
        record_audit("question_bank.member_removed", actor=actor, request=request, obj=bank, before=before)
    _forget_cached_role(bank, current.user, actor)


def _keep_an_owner(memberships, *, leaving: BankMembership) -> None:
    if leaving.role != BankMembership.Role.OWNER:
        return
    others = [m for m in memberships if m.role == BankMembership.Role.OWNER and m.pk != leaving.pk]
    if not others:
        raise MembershipError(_("คลังต้องมีเจ้าของอย่างน้อยหนึ่งคน (A bank must keep at least one owner)."))


def _forget_cached_role(bank: Bank, *users) -> None:
    """access.membership_role caches roles on user objects; drop the stale entries."""
    for user in users:
        user.__dict__.get("_bank_roles", {}).pop(bank.pk, None)
