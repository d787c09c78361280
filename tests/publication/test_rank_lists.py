import base64
import hashlib

import pytest
from django.core.exceptions import ValidationError

from exam_platform.common.audit import AuditEntry
from exam_platform.publication.canonical import payload_digest
from exam_platform.publication.models import PublishedFile, RankList, RankListVersion
from exam_platform.publication.services import (
    PublicationError,
    approve_and_publish,
    prepare_rank_list,
    publish_correction,
    withdraw_version,
)
from exam_platform.publication.signing import platform_key, verify_signature
from exam_platform.publication.verification import check_version
from tests.publication.list_setup import fresh_code, published_list, standard_round, two_officers

pytestmark = pytest.mark.django_db

TITLE = "ประกาศรายชื่อผู้สอบแข่งขันได้"


def test_prepare_rank_list_snapshots_passed_rows_in_rank_then_application_order():
    scored, entries = standard_round()
    preparer, _approver = two_officers()

    version = prepare_rank_list(scored.round, actor=preparer, title=TITLE, announcement_number="1/2569")

    assert version.status == RankListVersion.Status.PREPARED
    assert version.number == 1
    rows = version.payload["rows"]
    assert [(r["rank"], r["application_number"]) for r in rows] == [
        (1, entries["first"].application_number),
        (2, "A9"),
        (2, "A10"),
    ]
    first = entries["first"]
    assert rows[0] == {
        "rank": 1,
        "exam_number": first.exam_number,
        "application_number": first.application_number,
        "national_id": "x-xxxx-xxxx"
        + first.candidate.national_id[9]
        + "-"
        + first.candidate.national_id[10:12]
        + "-"
        + first.candidate.national_id[12],
        "name": "นายกมล เกศินี",
        "total": "85.00",
        "max_total": "100.00",
        "sections": [
            {"section": 1, "title": "ภาษาไทย", "score": "45", "max": "50"},
            {"section": 2, "title": "ภาษาอังกฤษ", "score": "40", "max": "50"},
        ],
        "passed": True,
        "rank_decided_by": "คะแนนรวม",
    }
    assert version.payload["scoring_run"]["id"] == scored.run.pk
    assert version.payload["list"]["round"]["code"] == scored.round.code
    assert version.payload_sha256 == payload_digest(version.payload)
    assert not version.files.exists()


def test_approve_and_publish_by_the_preparer_is_refused_and_nothing_is_published():
    scored, _entries = standard_round()
    preparer, _approver = two_officers()
    version = prepare_rank_list(scored.round, actor=preparer, title=TITLE)

    with pytest.raises(PublicationError) as refused:
        approve_and_publish(version, actor=preparer, code=fresh_code(preparer))

    assert refused.value.code == "same_person"
    version.refresh_from_db()
    assert version.status == RankListVersion.Status.PREPARED
    assert version.approved_by_id is None
    assert version.signature == ""
    assert PublishedFile.objects.count() == 0
    assert not AuditEntry.objects.filter(action="publication.publish").exists()


def test_version_two_people_constraint_holds_in_the_database():
    scored, _entries = standard_round()
    preparer, _approver = two_officers()
    version = prepare_rank_list(scored.round, actor=preparer, title=TITLE)

    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        RankListVersion.objects.filter(pk=version.pk).update(approved_by=preparer)


def test_approve_and_publish_produces_four_files_whose_digests_match_their_bytes():
    version, _preparer, approver = published_list()

    assert version.status == RankListVersion.Status.PUBLISHED
    assert version.approved_by == approver
    files = {f.kind: f for f in version.files.all()}
    assert sorted(files) == ["csv", "html", "pdf", "xlsx"]
    for published in files.values():
        content = bytes(published.content)
        assert published.sha256 == hashlib.sha256(content).hexdigest()
        assert published.size == len(content)
    assert bytes(files["pdf"].content).startswith(b"%PDF-")
    assert bytes(files["xlsx"].content).startswith(b"PK")
    csv_text = bytes(files["csv"].content)
    assert csv_text.startswith("\ufeffลำดับที่,เลขประจำตัวสอบ,เลขที่ใบสมัคร".encode())
    assert "นายกมล เกศินี".encode() in csv_text
    html = bytes(files["html"].content).decode()
    assert version.payload_sha256 in html


def test_published_xlsx_has_thai_headers_and_numeric_scores():
    from io import BytesIO

    from openpyxl import load_workbook

    version, _preparer, _approver = published_list()
    sheet = load_workbook(BytesIO(bytes(version.files.get(kind="xlsx").content))).active

    header = [c.value for c in sheet[1]]
    assert header[:5] == [
        "ลำดับที่",
        "เลขประจำตัวสอบ",
        "เลขที่ใบสมัคร",
        "เลขประจำตัวประชาชน (แสดง 4 หลักท้าย)",
        "ชื่อ – สกุล",
    ]
    assert header[5:7] == ["ภาษาไทย (เต็ม 50)", "ภาษาอังกฤษ (เต็ม 50)"]
    assert [c.value for c in sheet[2]][7] == 85.0
    assert sheet.max_row == 4


def test_published_pdf_prints_the_payload_digest_and_verification_url(tmp_path):
    import shutil
    import subprocess

    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext not installed")
    version, _preparer, _approver = published_list()
    pdf = tmp_path / "list.pdf"
    pdf.write_bytes(bytes(version.files.get(kind="pdf").content))

    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout.decode()

    assert version.payload_sha256 in text
    assert f"https://exam.example.go.th/lists/{version.rank_list_id}/v1/" in text


def test_published_signature_verifies_with_the_public_key_and_fails_if_the_payload_changes():
    version, _preparer, _approver = published_list()
    key = platform_key()

    assert version.public_key == key.public_b64
    assert version.key_id == key.key_id
    assert check_version(version).valid
    assert len(base64.b64decode(version.signature)) == 64

    version.payload["rows"][0]["total"] = "99.00"
    tampered = check_version(version)
    assert not tampered.payload_intact
    assert not tampered.signature_valid
    assert not tampered.valid


def test_published_signature_fails_for_another_key():
    version, _preparer, _approver = published_list()
    other = base64.b64encode(bytes(32)).decode()

    from exam_platform.publication.signing import version_message
    from exam_platform.publication.snapshot import iso_utc

    message = version_message(
        list_id=version.rank_list_id,
        number=version.number,
        payload_sha256=version.payload_sha256,
        published_at=iso_utc(version.published_at),
        key_id=version.key_id,
    )
    assert verify_signature(message, version.signature, version.public_key)
    assert not verify_signature(message, version.signature, other)


def test_published_version_is_immutable():
    version, _preparer, _approver = published_list()

    version.payload = {**version.payload, "rows": []}
    with pytest.raises(ValidationError):
        version.save()
    version.refresh_from_db()
    version.status = RankListVersion.Status.PREPARED
    with pytest.raises(ValidationError):
        version.save()
    version.refresh_from_db()
    with pytest.raises(ValidationError):
        version.delete()
    published = version.files.first()
    with pytest.raises(ValidationError):
        published.save()
    with pytest.raises(ValidationError):
        published.delete()
    assert len(RankListVersion.objects.get(pk=version.pk).rows) == 3


def test_publish_correction_creates_v2_with_a_diff_and_v1_still_verifies_superseded():
    scored, entries = standard_round()
    v1, preparer, approver = published_list(scored)
    # a key correction: the failed candidate now passes with rank 3, the tie is broken
    scored.new_run()
    scored.set_result(entries["failed"], passed=True, rank=4, total="60.00", rank_decided_by="คะแนนรวม")
    scored.set_result(entries["tie_b"], rank=3, total="69.00")

    v2 = publish_correction(v1.rank_list, actor=approver, change_note="แก้ไขเฉลยข้อ 12")
    assert v2.number == 2
    assert v2.previous == v1
    assert v2.status == RankListVersion.Status.PREPARED
    v1.refresh_from_db()
    assert v1.status == RankListVersion.Status.PUBLISHED  # still current until the correction is approved

    with pytest.raises(PublicationError):
        approve_and_publish(
            v2, actor=approver, code=fresh_code(approver)
        )  # approver prepared v2: the other officer must approve
    v2 = approve_and_publish(v2, actor=preparer, code=fresh_code(preparer))

    v1.refresh_from_db()
    assert v1.status == RankListVersion.Status.SUPERSEDED
    assert check_version(v1).valid
    assert check_version(v2).valid
    assert v1.files.count() == 4

    from exam_platform.publication.snapshot import diff_payloads

    diff = {(c.kind, c.application_number): c for c in diff_payloads(v1.payload, v2.payload)}
    assert set(diff) == {("changed", "A10"), ("added", entries["failed"].application_number)}
    assert diff[("changed", "A10")].fields == ("rank", "total")
    assert diff[("changed", "A10")].old["rank"] == 2
    assert diff[("changed", "A10")].new["rank"] == 3


def test_publish_correction_needs_a_reason_and_a_published_version():
    scored, _entries = standard_round()
    preparer, approver = two_officers()
    version = prepare_rank_list(scored.round, actor=preparer, title=TITLE)

    with pytest.raises(PublicationError) as no_reason:
        publish_correction(version.rank_list, actor=approver, change_note="  ")
    with pytest.raises(PublicationError) as unpublished:
        publish_correction(version.rank_list, actor=approver, change_note="แก้ไข")

    assert no_reason.value.code == "change_note"
    assert unpublished.value.code == "pending"


def test_approve_refused_when_results_were_rescored_after_preparing():
    scored, _entries = standard_round()
    preparer, approver = two_officers()
    version = prepare_rank_list(scored.round, actor=preparer, title=TITLE)
    scored.new_run()

    with pytest.raises(PublicationError) as stale:
        approve_and_publish(version, actor=approver, code=fresh_code(approver))

    assert stale.value.code == "stale"
    assert PublishedFile.objects.count() == 0


def test_prepare_refused_when_results_are_pending():
    from exam_platform.scoring.models import Result

    scored, entries = standard_round()
    scored.set_result(entries["failed"], status=Result.Status.PENDING_MANUAL)
    preparer, _approver = two_officers()

    with pytest.raises(PublicationError) as pending:
        prepare_rank_list(scored.round, actor=preparer, title=TITLE)

    assert pending.value.code == "not_final"
    assert pending.value.reasons == ["รอตรวจข้อสอบอัตนัย 1 คน"]
    assert RankList.objects.count() == 0


def test_withdraw_version_drops_a_prepared_first_version_with_its_list():
    scored, _entries = standard_round()
    preparer, _approver = two_officers()
    version = prepare_rank_list(scored.round, actor=preparer, title=TITLE)

    withdraw_version(version, actor=preparer)

    assert RankList.objects.count() == 0
    assert AuditEntry.objects.filter(action="publication.withdraw").count() == 1


def test_publication_steps_are_audited():
    version, preparer, approver = published_list()

    entries = {e.action: e for e in AuditEntry.objects.filter(action__startswith="publication.")}
    assert set(entries) == {"publication.prepare", "publication.approve", "publication.publish"}
    assert entries["publication.prepare"].actor == preparer
    assert entries["publication.approve"].actor == approver
    assert entries["publication.publish"].actor == approver
    assert entries["publication.publish"].object_id == str(version.pk)
    assert entries["publication.publish"].after["payload_sha256"] == version.payload_sha256
    assert entries["publication.publish"].after["files"] == {f.kind: f.sha256 for f in version.files.all()}


def test_rank_list_from_real_scoring_run():
    """End to end with the scoring service: attempts → score_round → prepare → publish."""
    from exam_platform.scoring.services.runs import score_round
    from tests.scoring.round_setup import ScoringRound

    scoring = ScoringRound()
    scoring.add_section(1, "ภาษาไทย")
    for i in range(5):
        scoring.add_item(f"q{i}", 1)
    best = scoring.sit({f"q{i}": scoring.pick(f"q{i}", 0) for i in range(5)})
    good = scoring.sit({f"q{i}": scoring.pick(f"q{i}", 0 if i < 4 else 1) for i in range(5)})
    scoring.sit({f"q{i}": scoring.pick(f"q{i}", 1) for i in range(5)})
    preparer, approver = two_officers()
    score_round(scoring.round, actor=preparer)

    version = approve_and_publish(
        prepare_rank_list(scoring.round, actor=preparer, title=TITLE),
        actor=approver,
        code=fresh_code(approver),
    )

    assert [(r["rank"], r["application_number"], r["total"]) for r in version.rows] == [
        (1, best.application_number, "5.00"),
        (2, good.application_number, "4.00"),
    ]
    assert check_version(version).valid


def test_published_xlsx_keeps_types_and_dates():
    from io import BytesIO

    from django.utils import timezone
    from openpyxl import load_workbook

    version, _preparer, _approver = published_list()
    book = load_workbook(BytesIO(bytes(version.files.get(kind="xlsx").content)))
    sheet, info = book["บัญชีรายชื่อ"], book["ข้อมูลประกาศ"]

    rank, exam_number, total = (
        sheet.cell(row=2, column=1),
        sheet.cell(row=2, column=2),
        sheet.cell(row=2, column=8),
    )
    assert rank.data_type == "n" and total.data_type == "n"
    assert exam_number.data_type == "s"  # leading zeros kept
    published = {row[0].value: row[1] for row in info.iter_rows()}["ประกาศ ณ วันที่"]
    assert published.is_date and published.number_format == "dd/mm/yyyy hh:mm"
    assert published.value == timezone.localtime(version.published_at).replace(tzinfo=None, microsecond=0)
