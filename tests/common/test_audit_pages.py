import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from exam_platform.common import audit
from exam_platform.common.audit import record_audit, verify_chain
from exam_platform.common.audit_forms import parse_day
from exam_platform.common.audit_queries import safe_cell
from exam_platform.common.models import AuditEntry
from tests.common.test_audit import _raw
from tests.factories import log_in, make_candidate, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor():
    return make_staff("auditor", username="auditor.one", display_name="ผู้ตรวจ หนึ่ง")


@pytest.fixture
def auditor_client(client, auditor):
    return log_in(client, auditor)


def _entries(response):
    return [e.seq for e in response.context["page"].object_list]


def _bulk_chain(n: int, *, start: dt.datetime | None = None) -> None:
    """`n` valid chained entries appended fast (bulk_create with the hashes record_audit would store)."""
    last = AuditEntry.objects.order_by("-seq").first()
    seq, prev = (last.seq, last.entry_hash) if last else (0, audit.GENESIS_HASH)
    start = start or timezone.now()
    rows = []
    for i in range(n):
        seq += 1
        entry = AuditEntry(
            seq=seq,
            created_at=start + dt.timedelta(seconds=i),
            actor_repr="bulk",
            action=f"bulk.step.{i % 7}",
            object_type="tests.thing",
            object_id=str(i),
            object_repr=f"thing {i}",
            before={"n": i},
            after={"n": i + 1},
            prev_hash=prev,
        )
        entry.entry_hash = audit.compute_hash(entry)
        prev = entry.entry_hash
        rows.append(entry)
    AuditEntry.objects.bulk_create(rows, batch_size=500)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            table = AuditEntry._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'seq'), %s)", [seq])


# --- access ---------------------------------------------------------------------------------


def test_audit_log_candidate_with_the_permission_still_refused(client):
    from django.contrib.auth.models import Permission

    user = make_candidate().user
    user.user_permissions.add(Permission.objects.get(codename="view_auditentry"))
    client.force_login(user)

    assert client.get(reverse("audit:log")).status_code == 403


@pytest.mark.parametrize("role", ["exam_officer", "examiner", "proctor"])
def test_audit_log_other_roles_refused(client, role):
    log_in(client, make_staff(role))

    assert client.get(reverse("audit:log")).status_code == 403
    assert client.post(reverse("audit:verify")).status_code == 403
    assert client.get(reverse("audit:export")).status_code == 403


def test_audit_log_candidate_refused(client):
    client.force_login(make_candidate().user)

    assert client.get(reverse("audit:log")).status_code == 403


def test_audit_log_administrator_allowed(client):
    log_in(client, make_staff("administrator"))

    assert client.get(reverse("audit:log")).status_code == 200


def test_audit_log_unverified_auditor_sent_to_two_factor(client, auditor):
    client.force_login(auditor)

    response = client.get(reverse("audit:log"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_setup"))


def test_audit_reader_helper_refuses_unverified_session(rf, auditor):
    from django.core.exceptions import PermissionDenied

    from exam_platform.common.audit_access import require_audit_reader

    auditor.is_verified = lambda: False
    with pytest.raises(PermissionDenied):
        require_audit_reader(auditor)


# --- filters --------------------------------------------------------------------------------


def test_audit_log_filters(auditor_client, auditor):
    officer = make_staff("exam_officer", username="officer.k", display_name="เจ้าหน้าที่ ก")
    a = record_audit(
        "delivery.session.created",
        actor=officer,
        object_type="delivery.examsession",
        object_id="7",
        object_repr="รอบเช้า",
    )
    b = record_audit(
        "delivery.session.closed",
        actor=officer,
        object_type="delivery.examsession",
        object_id="8",
        object_repr="รอบบ่าย",
    )
    c = record_audit(
        "delivery.sessions_moved",
        actor=auditor,
        object_type="delivery.room",
        object_id="7",
        object_repr="ห้อง 1",
    )

    def seqs(**params):
        response = auditor_client.get(reverse("audit:log"), params)
        assert response.status_code == 200
        return [s for s in _entries(response) if s in {a.seq, b.seq, c.seq}]

    assert seqs() == [c.seq, b.seq, a.seq]  # newest first
    assert seqs(action="delivery.session") == [c.seq, b.seq, a.seq]  # a plain prefix
    assert seqs(action="delivery.session.") == [b.seq, a.seq]
    assert seqs(actor="officer.k") == [b.seq, a.seq]
    assert seqs(actor="ผู้ตรวจ") == [c.seq]
    assert seqs(object_type="delivery.examsession", object_id="7") == [a.seq]
    assert seqs(q="บ่าย") == [b.seq]


def test_audit_log_date_range_in_buddhist_era(auditor_client):
    local = timezone.get_current_timezone()
    _bulk_chain(3, start=dt.datetime(2026, 11, 20, 23, 59, 57, tzinfo=local))  # the last second of 20 Nov
    _bulk_chain(2, start=dt.datetime(2026, 11, 21, 0, 0, 0, tzinfo=local))  # 21 Nov 2569 from midnight

    def count(**params):
        response = auditor_client.get(reverse("audit:log"), {"action": "bulk", **params})
        return len(_entries(response))

    assert count(date_from="20/11/2569", date_to="20/11/2569") == 3
    assert count(date_from="21/11/2569") == 2
    assert count(date_to="21/11/2569") == 5
    assert count(date_to="19/11/2569") == 0
    assert count(date_from="2026-11-21", date_to="21/11/2026") == 2


def test_audit_log_bad_date_shows_error(auditor_client):
    response = auditor_client.get(reverse("audit:log"), {"date_from": "31/02/2569"})

    assert response.status_code == 200
    assert "วันที่ไม่ถูกต้อง" in response.content.decode()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("21/11/2569", dt.date(2026, 11, 21)),
        ("๒๑/๑๑/๒๕๖๙", dt.date(2026, 11, 21)),
        ("21/11/2026", dt.date(2026, 11, 21)),
        ("2026-11-21", dt.date(2026, 11, 21)),
        ("1.2.2570", dt.date(2027, 2, 1)),
    ],
)
def test_parse_day_buddhist_and_common_era(text, expected):
    assert parse_day(text) == expected


def test_audit_log_5000_entries_constant_queries(auditor_client, django_assert_max_num_queries):
    _bulk_chain(10)
    with django_assert_max_num_queries(20) as small:
        auditor_client.get(reverse("audit:log"))
    _bulk_chain(4990)

    with django_assert_max_num_queries(len(small.captured_queries)):
        response = auditor_client.get(reverse("audit:log"), {"page": 3})

    assert response.status_code == 200
    assert response.context["page"].paginator.count >= 5000
    assert len(response.context["page"].object_list) == 50


# --- detail ---------------------------------------------------------------------------------


def test_audit_entry_shows_before_after_with_changed_keys(auditor_client):
    entry = record_audit(
        "tests.changed",
        object_type="tests.thing",
        object_id="1",
        before={"status": "draft", "title": "ก", "gone": 1},
        after={"status": "approved", "title": "ก", "new": [1, 2]},
    )

    response = auditor_client.get(reverse("audit:entry", args=[entry.seq]))

    assert response.status_code == 200
    rows = {r.key: r for r in response.context["rows"]}
    assert {k: r.changed for k, r in rows.items()} == {
        "gone": True,
        "new": True,
        "status": True,
        "title": False,
    }
    assert rows["new"].after == "[\n  1,\n  2\n]"
    assert response.context["hash_ok"] is True
    assert response.content.decode().count('class="changed"') == 3


def test_audit_entry_unknown_is_404(auditor_client):
    assert auditor_client.get(reverse("audit:entry", args=[999999])).status_code == 404


# --- verification ---------------------------------------------------------------------------


def test_audit_verify_ok_shows_count_and_head_and_is_audited(auditor_client, auditor):
    record_audit("tests.one")
    record_audit("tests.two")
    before = verify_chain()

    response = auditor_client.post(reverse("audit:verify"))

    assert response.status_code == 200
    report = response.context["report"]
    assert (report.ok, report.checked, report.last_hash) == (True, before.checked, before.last_hash)
    body = response.content.decode()
    assert before.last_hash in body and f"ตรวจแล้ว {before.checked} รายการ" in body
    run = AuditEntry.objects.order_by("-seq").first()
    assert (run.action, run.actor_id, run.after["ok"], run.after["checked"]) == (
        "audit.chain_verified",
        auditor.pk,
        True,
        before.checked,
    )


def test_audit_verify_broken_names_first_broken_entry(auditor_client):
    record_audit("tests.one")
    target = record_audit("tests.two", after={"score": 1})
    record_audit("tests.three")
    _raw("UPDATE {table} SET action = %s WHERE seq = %s", ["tests.forged", target.seq])  # behind the ORM

    response = auditor_client.post(reverse("audit:verify"))

    report = response.context["report"]
    assert (report.ok, report.broken_seq) == (False, target.seq)
    body = response.content.decode()
    assert f"ห่วงโซ่ขาดที่รายการ #{target.seq}" in body
    assert "ถูกแก้ไขหลังบันทึก" in body
    assert AuditEntry.objects.order_by("-seq").first().after["broken_seq"] == target.seq


def test_audit_verify_get_not_allowed(auditor_client):
    assert auditor_client.get(reverse("audit:verify")).status_code == 405


# --- CSV ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("สมชาย", "สมชาย"),
        ("a=b", "a=b"),
        (None, ""),
    ],
)
def test_safe_cell_quotes_formula_starters(value, expected):
    assert safe_cell(value) == expected


def test_audit_export_filtered_csv_is_excel_safe_and_audited(auditor_client, auditor):
    record_audit("tests.csv", object_type="tests.thing", object_id="1", object_repr="=cmd|' /C calc'!A0")
    record_audit("other.csv", object_type="tests.thing", object_id="2", object_repr="ไม่อยู่ในผล")

    response = auditor_client.get(reverse("audit:export"), {"action": "tests.csv"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["seq", "created_at", "actor"]
    assert len(rows) == 2
    assert rows[1][5] == "tests.csv"
    assert rows[1][8] == "'=cmd|' /C calc'!A0"
    export = AuditEntry.objects.get(action="audit.log_exported")
    assert (export.actor_id, export.after) == (auditor.pk, {"filters": {"action": "tests.csv"}})
