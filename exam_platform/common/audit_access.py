"""Who may read the audit log: staff holding the `common.view_auditentry` permission (the auditor
and administrator roles, see accounts/roles.py; superusers hold every permission), with a
two-factor-verified session. Candidates never, whatever their permissions.

A permission rather than a role name, so that common/ imports no domain app. The staff middleware
already sends unverified staff to two-factor; the check is repeated here so the audit pages stay
closed if a path is ever opened in the middleware by mistake.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import AuditEntry

AUDIT_READ_PERMISSION = "common.view_auditentry"


def require_audit_reader(user) -> None:
    if not getattr(user, "is_authenticated", False) or getattr(user, "is_candidate", True):
        raise PermissionDenied
    if not user.has_perm(AUDIT_READ_PERMISSION):
        raise PermissionDenied
    verified = getattr(user, "is_verified", None)
    if verified is None or not verified():
        raise PermissionDenied


def get_entry_for(user, seq: int) -> AuditEntry:
    require_audit_reader(user)
    try:
        return AuditEntry.objects.get(seq=seq)
    except AuditEntry.DoesNotExist:
        raise Http404 from None
