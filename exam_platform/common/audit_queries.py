"""Reads of the audit log pages: filters, the before/after comparison, CSV rows safe for Excel."""

import datetime as dt
import json
from dataclasses import asdict, dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import AuditEntry

# A spreadsheet treats a cell starting with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_HEADER = [
    "seq",
    "created_at",
    "actor",
    "actor_id",
    "ip_address",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
    "prev_hash",
    "entry_hash",
]


@dataclass(frozen=True)
class AuditFilters:
    actor: str = ""
    object_type: str = ""
    object_id: str = ""
    q: str = ""  # searched in the object's description
    action: str = ""  # a prefix: "delivery.session" finds delivery.session.*
    date_from: dt.date | None = None
    date_to: dt.date | None = None  # inclusive

    def as_dict(self) -> dict:
        return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in asdict(self).items() if v}


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def filtered_entries(filters: AuditFilters) -> QuerySet[AuditEntry]:
    """Matching entries, newest first."""
    entries = AuditEntry.objects.all()
    if filters.actor:
        entries = entries.filter(
            Q(actor__username__iexact=filters.actor) | Q(actor_repr__icontains=filters.actor)
        )
    if filters.object_type:
        entries = entries.filter(object_type=filters.object_type)
    if filters.object_id:
        entries = entries.filter(object_id=filters.object_id)
    if filters.q:
        entries = entries.filter(object_repr__icontains=filters.q)
    if filters.action:
        entries = entries.filter(action__startswith=filters.action)
    if filters.date_from:
        entries = entries.filter(created_at__gte=_local_midnight(filters.date_from))
    if filters.date_to:
        entries = entries.filter(created_at__lt=_local_midnight(filters.date_to + dt.timedelta(days=1)))
    return entries.order_by("-seq")


def object_types() -> list[str]:
    return list(AuditEntry.objects.order_by("object_type").values_list("object_type", flat=True).distinct())


def pretty_json(value) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True)
class DiffRow:
    key: str
    before: str
    after: str
    changed: bool


def diff_rows(before, after) -> list[DiffRow]:
    """One row per top-level key of before/after (a non-object value is one row named "")."""
    if not isinstance(before, dict | type(None)) or not isinstance(after, dict | type(None)):
        return [DiffRow("", _shown(before), _shown(after), before != after)]
    before, after = before or {}, after or {}
    missing = object()
    rows = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key, missing), after.get(key, missing)
        rows.append(
            DiffRow(
                key,
                "" if old is missing else pretty_json(old),
                "" if new is missing else pretty_json(new),
                old != new,
            )
        )
    return rows


def _shown(value) -> str:
    return "" if value is None else pretty_json(value)


def safe_cell(value) -> str:
    """Text for a CSV cell that a spreadsheet shows as text: formula starters get a leading quote."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def csv_row(entry: AuditEntry) -> list[str]:
    created = timezone.localtime(entry.created_at).isoformat(timespec="seconds")
    values = [
        entry.seq,
        created,
        entry.actor_repr,
        entry.actor_id,
        entry.ip_address,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.object_repr,
        "" if entry.before is None else json.dumps(entry.before, ensure_ascii=False, sort_keys=True),
        "" if entry.after is None else json.dumps(entry.after, ensure_ascii=False, sort_keys=True),
        entry.prev_hash,
        entry.entry_hash,
    ]
    return [safe_cell(v) for v in values]
