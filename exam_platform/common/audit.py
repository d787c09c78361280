"""The append-only, hash-chained audit log.

Every entry stores the SHA-256 of its own content (`entry_hash`) and the hash of the entry
before it (`prev_hash`; 64 zeros for the first). Changing, deleting or inserting a row in the
database breaks the chain at that point, and `verify_chain()` / `manage.py verify_audit` names
the first broken entry.

Writers call `record_audit()` inside the transaction that makes the change, so the entry commits
or rolls back with it. Appends are serialised: on PostgreSQL by a transaction-scoped advisory
lock taken before the last entry is read (held until the caller's transaction ends), on SQLite
by the IMMEDIATE transaction mode the settings configure (one writer at a time).

What a plain hash chain cannot show: someone with write access who removes entries from the end
or rewrites the whole tail with freshly computed hashes. The periodic "audit.verify_chain" job
stores the head (last seq and hash) in its result; compare heads over time to catch that.
"""

import datetime as dt
import hashlib
import ipaddress
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from .models import AuditEntry

GENESIS_HASH = "0" * 64
# Key of the PostgreSQL advisory lock that serialises appends: the bytes of b"auditlog".
AUDIT_CHAIN_LOCK_ID = 0x61756469746C6F67
VERIFY_BATCH_SIZE = 1000


def record_audit(
    action: str,
    *,
    actor=None,
    request=None,
    obj=None,
    before: dict | None = None,
    after: dict | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEntry:
    """Append one entry to the chain, inside the caller's transaction (or a new one).

    `actor` defaults to request.user; `object_type`/`object_id`/`object_repr` default to
    "app_label.model", pk and str(obj). `before`/`after` must be JSON-serialisable after
    DjangoJSONEncoder (dates, Decimals, UUIDs become strings): what is hashed is what is stored.
    """
    entry = audit_entry(
        action,
        actor=actor,
        request=request,
        obj=obj,
        before=before,
        after=after,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
    )
    append_audit_entries([entry])
    return entry


def audit_entry(
    action: str,
    *,
    actor=None,
    request=None,
    obj=None,
    before: dict | None = None,
    after: dict | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEntry:
    """An entry not yet in the chain (record_audit's arguments): for append_audit_entries()."""
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    return AuditEntry(
        actor=actor,
        actor_repr=str(actor)[:200] if actor is not None else "",
        ip_address=client_ip(request) if request is not None else None,
        action=action[:100],
        object_type=object_type[:100],
        object_id=str(object_id)[:64],
        object_repr=str(object_repr)[:300],
        before=_json_normalised(before),
        after=_json_normalised(after),
    )


def append_audit_entries(entries: list[AuditEntry]) -> list[AuditEntry]:
    """Append entries (from audit_entry()) to the chain in their order, inside the caller's
    transaction: one lock, one read of the head and one INSERT for the lot, so a bulk action's
    entry per object costs no round trips of its own. The chain is the same as with one
    record_audit() per entry."""
    if not entries:
        return entries
    with transaction.atomic():
        _lock_chain()
        last = AuditEntry.objects.order_by("-seq").only("seq", "entry_hash").first()
        prev_hash = last.entry_hash if last else GENESIS_HASH
        now = timezone.now()
        for entry, seq in zip(entries, _next_seqs(last, len(entries)), strict=True):
            entry.seq, entry.prev_hash, entry.created_at = seq, prev_hash, now
            entry.entry_hash = prev_hash = compute_hash(entry)
        AuditEntry.objects.bulk_create(entries)
    return entries


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or X-Forwarded-For when trusted proxies are configured.

    With N trusted proxies, the N-th address from the right of X-Forwarded-For is the one the
    outermost trusted proxy saw; anything left of it was written by the client and is not trusted.
    """
    raw = request.META.get("REMOTE_ADDR", "")
    proxy_count = getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0) or 0
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxy_count > 0 and forwarded:
        hops = [part.strip() for part in forwarded.split(",") if part.strip()]
        if hops:
            raw = hops[-proxy_count] if len(hops) >= proxy_count else hops[0]
    return _normalised_ip(raw)


def _normalised_ip(raw: str) -> str | None:
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return None
    # The same normalisation the model field applies on save, so the hashed value is the stored one.
    return AuditEntry._meta.get_field("ip_address").get_prep_value(str(address))


def _json_normalised(value):
    """JSON as the database will give it back. Whole-number floats become ints because PostgreSQL's
    jsonb returns 1e+20 as 100000000000000000000, which would otherwise hash differently."""
    if value is None:
        return None
    text = json.dumps(value, cls=DjangoJSONEncoder, allow_nan=False)
    return json.loads(text, parse_float=_parse_float)


def _parse_float(text: str) -> float | int:
    number = float(text)
    return int(number) if number.is_integer() else number


def _lock_chain() -> None:
    """Serialise appends until the surrounding transaction ends (PostgreSQL); SQLite's IMMEDIATE
    transactions already allow one writer only."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_CHAIN_LOCK_ID])


def _next_seqs(last: AuditEntry | None, count: int) -> list[int]:
    """`count` new sequence numbers, increasing (PostgreSQL: from the column's sequence, which the
    advisory lock serialises)."""
    if connection.vendor == "postgresql":
        table = AuditEntry._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'seq')) FROM generate_series(1, %s)",
                [table, count],
            )
            return sorted(row[0] for row in cursor.fetchall())
    first = last.seq + 1 if last else 1
    return list(range(first, first + count))


def entry_content(entry: AuditEntry) -> dict:
    """The fields covered by the hash, in the form they are hashed."""
    created = entry.created_at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return {
        "seq": entry.seq,
        "created_at": created,
        "actor_id": str(entry.actor_id) if entry.actor_id is not None else None,
        "actor_repr": entry.actor_repr,
        "ip": entry.ip_address,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "before": entry.before,
        "after": entry.after,
        "prev_hash": entry.prev_hash,
    }


def compute_hash(entry: AuditEntry) -> str:
    canonical = json.dumps(
        entry_content(entry), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    last_seq: int | None = None
    last_hash: str = GENESIS_HASH
    broken_seq: int | None = None
    reason: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def verify_chain(batch_size: int = VERIFY_BATCH_SIZE) -> ChainReport:
    """Walk the whole chain in seq order and report the first entry that does not hold."""
    checked, prev_seq, prev_hash = 0, None, GENESIS_HASH
    for entry in _entries_in_order(batch_size):
        problem = _check_entry(entry, prev_seq, prev_hash)
        if problem:
            return ChainReport(False, checked, prev_seq, prev_hash, broken_seq=entry.seq, reason=problem)
        checked, prev_seq, prev_hash = checked + 1, entry.seq, entry.entry_hash
    return ChainReport(True, checked, prev_seq, prev_hash)


def _entries_in_order(batch_size: int) -> Iterator[AuditEntry]:
    """Keyset pagination: constant memory, no long-lived server-side cursor."""
    after_seq = 0
    while True:
        batch = list(AuditEntry.objects.filter(seq__gt=after_seq).order_by("seq")[:batch_size])
        yield from batch
        if len(batch) < batch_size:
            return
        after_seq = batch[-1].seq


def _check_entry(entry: AuditEntry, prev_seq: int | None, prev_hash: str) -> str:
    if entry.prev_hash != prev_hash:
        previous = f"entry #{prev_seq}" if prev_seq is not None else "the start of the chain"
        return f"prev_hash does not match {previous}: an entry was deleted or inserted before this one"
    if compute_hash(entry) != entry.entry_hash:
        return "content does not match entry_hash: the entry was changed"
    return ""
