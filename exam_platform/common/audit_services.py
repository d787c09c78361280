"""Writes of the audit log pages: a chain verification run and a CSV export are themselves audited."""

from django.db import transaction

from .audit import ChainReport, record_audit, verify_chain
from .audit_queries import AuditFilters


def run_chain_verification(*, actor, request=None) -> ChainReport:
    """Recompute the whole chain (as manage.py verify_audit does) and append the result to it.

    The entry is written after the walk, so it is not part of what it reports on; the next run
    covers it.
    """
    report = verify_chain()
    with transaction.atomic():
        record_audit(
            "audit.chain_verified",
            actor=actor,
            request=request,
            object_type="common.auditentry",
            object_repr="audit chain",
            after=report.as_dict(),
        )
    return report


def record_log_export(filters: AuditFilters, *, actor, request=None) -> None:
    with transaction.atomic():
        record_audit(
            "audit.log_exported",
            actor=actor,
            request=request,
            object_type="common.auditentry",
            object_repr="audit log CSV",
            after={"filters": filters.as_dict()},
        )
