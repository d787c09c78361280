"""Who may read the audit log: auditors and administrators, with a two-factor-verified session.

The staff middleware already sends unverified staff to two-factor; the check is repeated here so
the audit pages stay closed if a path is ever opened in the middleware by mistake.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from exam_platform.accounts.access import require_staff_role
from exam_platform.accounts.roles import Role

from .models import AuditEntry


def require_audit_reader(user) -> None:
    require_staff_role(user, Role.AUDITOR)  # administrators pass every staff guard
    if not user.is_verified():
        raise PermissionDenied


def get_entry_for(user, seq: int) -> AuditEntry:
    require_audit_reader(user)
    try:
        return AuditEntry.objects.get(seq=seq)
    except AuditEntry.DoesNotExist:
        raise Http404 from None
