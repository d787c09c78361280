import datetime as dt
import decimal
import threading
import time
import uuid
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction
from django.db.models.deletion import ProtectedError
from django.test import RequestFactory

from exam_platform.common import audit
from exam_platform.common.audit import GENESIS_HASH, compute_hash, record_audit, verify_chain
from exam_platform.common.models import AuditEntry
from tests.factories import log_in as _verified_client
from tests.factories import make_staff

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has one writer at a time (IMMEDIATE transactions): there is no append race to show",
)


def _raw(sql: str, params: list) -> None:
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=table), params)


def _chain(n: int) -> list[AuditEntry]:
    return [
        record_audit(f"test.step{i}", object_type="test.thing", object_id=str(i)) for i in range(1, n + 1)
    ]


def test_record_audit_first_entry_links_to_genesis(db):
    entry = record_audit("test.created", object_type="test.thing", object_id="7", object_repr="สิ่งของ")

    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.prev_hash == GENESIS_HASH
    assert stored.entry_hash == compute_hash(stored) == entry.entry_hash
    assert (stored.object_type, stored.object_id, stored.object_repr) == ("test.thing", "7", "สิ่งของ")


def test_record_audit_links_each_entry_to_the_previous(db):
    first, second, third = _chain(3)

    assert second.prev_hash == first.entry_hash
    assert third.prev_hash == second.entry_hash
    assert [first.seq < second.seq < third.seq] == [True]


def test_record_audit_takes_actor_ip_and_object_from_request_and_obj(db):
    user = make_staff(username="officer1", display_name="นางสาวตรวจ สอบ")
    request = RequestFactory().post("/x", REMOTE_ADDR="10.1.2.3")
    request.user = user

    entry = record_audit("accounts.user_changed", request=request, obj=user)

    assert entry.actor_id == user.pk
    assert entry.actor_repr == "นางสาวตรวจ สอบ"
    assert entry.ip_address == "10.1.2.3"
    assert (entry.object_type, entry.object_id, entry.object_repr) == (
        "accounts.user",
        str(user.pk),
        str(user),
    )


def test_record_audit_ignores_forwarded_for_without_trusted_proxies(db, settings):
    settings.AXES_IPWARE_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="1.2.3.4")

    assert record_audit("test.ip", request=request).ip_address == "10.0.0.9"


def test_record_audit_uses_forwarded_for_hop_of_trusted_proxy(db, settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    # The client wrote "6.6.6.6" itself; the trusted proxy appended the address it really saw.
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")

    assert record_audit("test.ip", request=request).ip_address == "203.0.113.5"


def test_record_audit_anonymous_request_has_no_actor(db):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/", REMOTE_ADDR="::1")
    request.user = AnonymousUser()

    entry = record_audit("test.anon", request=request)

    assert (entry.actor_id, entry.actor_repr, entry.ip_address) == (None, "", "::1")


def test_record_audit_normalises_json_so_stored_hash_verifies(db):
    before = {"when": dt.date(2026, 11, 21), "score": decimal.Decimal("87.50"), "id": uuid.UUID(int=5)}

    numbers = [1, 2.5, None, 1e20, 1.5e-7, 0.1 + 0.2, 2.0, 10**30]

    entry = record_audit("test.json", before=before, after={"ชื่อ": "สมชาย", "n": numbers})

    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.before == {"when": "2026-11-21", "score": "87.50", "id": str(uuid.UUID(int=5))}
    assert stored.after["n"] == [1, 2.5, None, 10**20, 1.5e-7, 0.1 + 0.2, 2, 10**30]
    assert compute_hash(stored) == stored.entry_hash
    assert verify_chain().ok is True


def test_record_audit_rolls_back_with_the_callers_transaction(db):
    _chain(1)
    with pytest.raises(RuntimeError), transaction.atomic():
        record_audit("test.rolled_back")
        raise RuntimeError("the change failed")

    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["test.step1"]
    assert verify_chain().ok is True


def test_verify_chain_intact_chain_reports_count_and_head(db):
    entries = _chain(5)

    report = verify_chain(batch_size=2)

    assert report.ok is True
    assert report.checked == 5
    assert (report.last_seq, report.last_hash) == (entries[-1].seq, entries[-1].entry_hash)
    assert report.broken_seq is None


def test_verify_chain_empty_log_is_intact(db):
    assert verify_chain() == audit.ChainReport(ok=True, checked=0)


def test_verify_chain_edited_row_names_that_entry(db):
    entries = _chain(4)
    _raw("UPDATE {table} SET object_repr = %s WHERE seq = %s", ["แก้ไขแล้ว", entries[2].seq])

    report = verify_chain(batch_size=2)

    assert report.ok is False
    assert report.broken_seq == entries[2].seq
    assert report.checked == 2
    assert "changed" in report.reason


def test_verify_chain_edited_row_with_recomputed_hash_breaks_the_next_link(db):
    entries = _chain(3)
    forged = AuditEntry.objects.get(pk=entries[1].pk)
    forged.action = "test.forged"
    _raw(
        "UPDATE {table} SET action = %s, entry_hash = %s WHERE seq = %s",
        [forged.action, compute_hash(forged), forged.seq],
    )

    report = verify_chain()

    assert (report.ok, report.broken_seq) == (False, entries[2].seq)
    assert f"entry #{entries[1].seq}" in report.reason


def test_verify_chain_deleted_middle_row_names_the_entry_after_the_gap(db):
    entries = _chain(5)
    _raw("DELETE FROM {table} WHERE seq = %s", [entries[2].seq])

    report = verify_chain(batch_size=2)

    assert report.ok is False
    assert report.broken_seq == entries[3].seq
    assert report.reason.startswith(f"prev_hash does not match entry #{entries[1].seq}")


def test_verify_chain_deleted_first_row_names_the_new_first_entry(db):
    entries = _chain(3)
    _raw("DELETE FROM {table} WHERE seq = %s", [entries[0].seq])

    report = verify_chain()

    assert (report.ok, report.broken_seq) == (False, entries[1].seq)
    assert "the start of the chain" in report.reason


def test_verify_chain_forged_row_forking_the_chain_is_detected(db):
    entries = _chain(3)
    # A well-formed row, correctly hashed, that claims to follow entry 1 (written after entry 3).
    forged = AuditEntry(
        seq=entries[-1].seq + 10,
        created_at=entries[-1].created_at,
        action="test.forged",
        prev_hash=entries[0].entry_hash,
    )
    forged.entry_hash = compute_hash(forged)
    forged.save(force_insert=True)

    report = verify_chain()

    assert (report.ok, report.broken_seq, report.checked) == (False, forged.seq, 3)


def test_audit_entry_refuses_orm_changes(db):
    user = make_staff()
    entry = record_audit("test.locked", actor=user)

    entry.action = "test.changed"
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="test.changed")
    with pytest.raises(TypeError):
        AuditEntry.objects.all().delete()
    with pytest.raises(ProtectedError):
        user.delete()
    assert verify_chain().ok is True


def test_verify_audit_command_intact_prints_count(db, capsys):
    entries = _chain(3)

    call_command("verify_audit")

    out = capsys.readouterr().out
    assert out.startswith(f"audit chain intact: 3 entries, last entry #{entries[-1].seq} ")


def test_verify_audit_command_broken_raises_naming_entry(db):
    entries = _chain(3)
    _raw("UPDATE {table} SET action = %s WHERE seq = %s", ["test.tampered", entries[1].seq])

    with pytest.raises(CommandError, match=rf"broken at entry #{entries[1].seq}: content does not match"):
        call_command("verify_audit")


def _record_concurrently(threads: int, per_thread: int) -> list[BaseException]:
    """Each thread appends in its own transaction; a slow read widens the window for a race."""
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                record_audit("test.concurrent", object_id=f"{n}-{i}")
        except BaseException as exc:  # collected and asserted by the test
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    return errors


@pytest.fixture
def slow_append(monkeypatch):
    """Sleep between reading the last entry and writing the new one."""
    real_next_seqs = audit._next_seqs

    def slow_next_seqs(last, count):
        time.sleep(0.01)
        return real_next_seqs(last, count)

    monkeypatch.setattr(audit, "_next_seqs", slow_next_seqs)


@postgres_only
def test_record_audit_concurrent_appends_keep_one_chain(transactional_db, slow_append):
    errors = _record_concurrently(threads=6, per_thread=8)

    assert errors == []
    assert AuditEntry.objects.count() == 48
    report = verify_chain()
    assert (report.ok, report.checked) == (True, 48)


@postgres_only
def test_record_audit_without_the_lock_forks_the_chain(transactional_db, slow_append, monkeypatch):
    # Control: prove the test above can fail. Without the advisory lock, writers read the same
    # last entry and both link to it.
    monkeypatch.setattr(audit, "_lock_chain", lambda: None)

    errors = _record_concurrently(threads=6, per_thread=8)

    assert errors == []
    links = Counter(AuditEntry.objects.values_list("prev_hash", flat=True))
    assert max(links.values()) > 1
    assert verify_chain().ok is False


def test_audit_admin_is_read_only_for_auditors(db, client):
    entry = record_audit("test.visible", object_type="test.thing", object_id="42")
    auditor = make_staff("auditor", is_staff=True)
    client = _verified_client(client, auditor)

    changelist = client.get("/admin/common/auditentry/?action=test.visible")
    detail = client.get(f"/admin/common/auditentry/{entry.pk}/change/")
    add = client.get("/admin/common/auditentry/add/")
    delete = client.post(f"/admin/common/auditentry/{entry.pk}/delete/", {"post": "yes"})

    assert changelist.status_code == 200
    assert "test.visible" in changelist.content.decode()
    assert detail.status_code == 200
    assert entry.entry_hash in detail.content.decode()
    assert b'name="_save"' not in detail.content
    assert (add.status_code, delete.status_code) == (403, 403)
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_audit_admin_hidden_without_view_permission(db, client):
    proctor = make_staff("proctor", is_staff=True)
    client = _verified_client(client, proctor)

    assert client.get("/admin/common/auditentry/").status_code == 403


def test_append_audit_entries_links_a_batch_into_the_chain_like_single_appends(db):
    from django.test.utils import CaptureQueriesContext

    from exam_platform.common.audit import append_audit_entries, audit_entry

    def batch(ids):
        return [audit_entry("test.bulk", object_type="test.thing", object_id=str(n)) for n in ids]

    first = record_audit("test.before", object_type="test.thing", object_id="0")
    with CaptureQueriesContext(connection) as three:
        append_audit_entries(batch(range(1, 4)))
    with CaptureQueriesContext(connection) as thirty:
        append_audit_entries(batch(range(4, 34)))
    last = record_audit("test.after", object_type="test.thing", object_id="34")

    assert len(thirty) == len(three) <= 6  # one lock, one head read, one INSERT, whatever the size
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.object_id for e in entries] == [str(n) for n in range(35)]
    assert [e.prev_hash for e in entries[1:]] == [e.entry_hash for e in entries[:-1]]
    assert entries[0].pk == first.pk and entries[-1].pk == last.pk
    report = verify_chain()
    assert (report.ok, report.checked) == (True, 35)
