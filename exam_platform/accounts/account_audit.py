"""Role grants and revocations, activations and deactivations reach the audit chain whatever path
they take: the people pages (services/people.py), the Django admin, a shell, a data migration.

The receivers here are the only writers of these entries. They listen to m2m_changed on
User.groups.through (both directions: user.groups.add(...) and group.user_set.add(...)) and to
saves that flip User.is_active. Who did it comes from `acting_as(actor, request)`, a context the
people services and the admin's UserAdmin open around their writes; without it the entry has no
actor (a shell or a script). Code that writes its own, richer entry for the same change (creating
an account with its first roles) wraps the change in `audited_elsewhere()` so nothing is counted
twice.

Entries: "accounts.role_granted" / "accounts.role_revoked" (before/after: the user's sorted role
names) and "accounts.user_deactivated" / "accounts.user_reactivated" (before/after: is_active).
QuerySet.update() sends no signals; code that changes is_active in bulk must audit itself.
"""

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db.models.signals import m2m_changed, post_init, post_save, pre_save
from django.dispatch import receiver

from exam_platform.common.audit import record_audit

from .models import User


@dataclass(frozen=True)
class _Context:
    actor: object = None
    request: object = None
    suppressed: bool = False


_NO_CONTEXT = _Context()
_context: contextvars.ContextVar[_Context] = contextvars.ContextVar("account_audit", default=_NO_CONTEXT)
_LOADED_ACTIVE = "_account_audit_loaded_is_active"
_ACTIVE_FLIP = "_account_audit_active_flip"
_ROLES_BEFORE = "_account_audit_roles_before"


@contextmanager
def acting_as(actor, request=None):
    """Entries written inside this block name `actor` (and the request's IP)."""
    token = _context.set(_Context(actor=actor, request=request, suppressed=_context.get().suppressed))
    try:
        yield
    finally:
        _context.reset(token)


@contextmanager
def audited_elsewhere():
    """Changes inside this block are audited by the caller: the receivers write nothing."""
    current = _context.get()
    token = _context.set(_Context(actor=current.actor, request=current.request, suppressed=True))
    try:
        yield
    finally:
        _context.reset(token)


def roles_of(user_id: int) -> list[str]:
    return sorted(User.groups.through.objects.filter(user_id=user_id).values_list("group__name", flat=True))


def _record(action: str, user: User, before: dict, after: dict) -> None:
    context = _context.get()
    record_audit(
        action,
        actor=context.actor,
        request=context.request,
        obj=user,
        object_repr=f"{user} ({user.username})",
        before=before,
        after=after,
    )


# --- roles ------------------------------------------------------------------------------------


def _affected_user_ids(instance, reverse: bool, pk_set) -> list[int]:
    if not reverse:
        return [instance.pk]
    if pk_set is None:  # group.user_set.clear(): every current member
        return list(
            User.groups.through.objects.filter(group_id=instance.pk).values_list("user_id", flat=True)
        )
    return sorted(pk_set)


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="accounts.account_audit.groups")
def audit_group_change(sender, instance, action, reverse, pk_set, **kwargs):
    if _context.get().suppressed:
        return
    if action in ("pre_add", "pre_remove", "pre_clear"):
        user_ids = _affected_user_ids(instance, reverse, pk_set)
        instance.__dict__[_ROLES_BEFORE] = {user_id: roles_of(user_id) for user_id in user_ids}
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    before_by_user = instance.__dict__.pop(_ROLES_BEFORE, {})
    users = {instance.pk: instance} if not reverse else User.objects.in_bulk(list(before_by_user))
    for user_id, before in before_by_user.items():
        after = roles_of(user_id)
        user = users.get(user_id)
        if after == before or user is None:
            continue
        granted = action == "post_add"
        _record(
            "accounts.role_granted" if granted else "accounts.role_revoked",
            user,
            before={"roles": before},
            after={"roles": after},
        )


# --- activation -------------------------------------------------------------------------------


@receiver(post_init, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts.account_audit.init")
def remember_loaded_active(sender, instance, **kwargs):
    # __dict__: reading a deferred field would cost a query per instance.
    instance.__dict__[_LOADED_ACTIVE] = instance.__dict__.get("is_active")


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts.account_audit.pre_save")
def notice_active_flip(sender, instance, raw=False, update_fields=None, **kwargs):
    instance.__dict__[_ACTIVE_FLIP] = None
    if raw or instance.pk is None or _context.get().suppressed:
        return
    if update_fields is not None and "is_active" not in update_fields:
        return
    was_active = instance.__dict__.get(_LOADED_ACTIVE)
    if instance._state.adding or was_active is None:
        was_active = (
            sender._default_manager.filter(pk=instance.pk).values_list("is_active", flat=True).first()
        )
        if was_active is None:  # a new row saved with an explicit primary key
            return
    if bool(was_active) != bool(instance.is_active):
        instance.__dict__[_ACTIVE_FLIP] = bool(instance.is_active)


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts.account_audit.post_save")
def audit_active_flip(sender, instance, raw=False, update_fields=None, **kwargs):
    if update_fields is None or "is_active" in update_fields:
        instance.__dict__[_LOADED_ACTIVE] = instance.is_active
    now_active = instance.__dict__.pop(_ACTIVE_FLIP, None)
    if now_active is None:
        return
    _record(
        "accounts.user_reactivated" if now_active else "accounts.user_deactivated",
        instance,
        before={"is_active": not now_active},
        after={"is_active": now_active},
    )
