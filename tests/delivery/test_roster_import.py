import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from exam_platform.accounts.models import ActivationCode, Candidate, User
from exam_platform.common.jobs.registry import get_handler, load_handlers
from exam_platform.common.models import AuditEntry, Job
from exam_platform.common.national_id import make_valid
from exam_platform.delivery.models import RosterEntry
from exam_platform.delivery.services.accommodations import parse_accommodations
from exam_platform.delivery.services.roster import import_roster, parse_thai_date
from exam_platform.delivery.services.rounds import create_session
from tests.delivery.roster_setup import (
    make_officer,
    make_paper,
    make_round,
    make_session,
    roster_csv,
    verified_client,
)
from tests.factories import make_candidate

ID_1 = make_valid("110170020345")
ID_2 = make_valid("310050012345")
ID_3 = make_valid("541020098765")
BAD_ID = ID_1[:12] + str((int(ID_1[12]) + 1) % 10)


def row(national_id, application, first="สมชาย", last="ใจดี", dob="17/05/2538", position="p1", acc=""):
    return [national_id, application, "นาย", first, last, dob, position, "0812345678", "", acc]


@pytest.fixture
def officer(db):
    return make_officer()


@pytest.fixture
def session(officer):
    return make_session(actor=officer)


def test_parse_thai_date_buddhist_era_and_iso():
    assert parse_thai_date("17/05/2538") == dt.date(1995, 5, 17)
    assert parse_thai_date("๑๗/๐๕/๒๕๓๘") == dt.date(1995, 5, 17)
    assert parse_thai_date("1995-05-17") == dt.date(1995, 5, 17)
    assert parse_thai_date("2538-05-17") == dt.date(1995, 5, 17)
    assert parse_thai_date("17/05/1995") == dt.date(1995, 5, 17)
    assert parse_thai_date(dt.datetime(2538, 5, 17)) == dt.date(1995, 5, 17)
    with pytest.raises(ValueError):
        parse_thai_date("31/02/2538")
    with pytest.raises(ValueError):
        parse_thai_date("17 พ.ค. 38")


def test_parse_accommodations_thai_text():
    assert parse_accommodations("เวลาเพิ่ม 50%; ตัวอักษรใหญ่") == {"extra_time_percent": 50, "large_text": True}
    assert parse_accommodations("extra time 20 min, high contrast") == {
        "extra_minutes": 20,
        "high_contrast": True,
    }
    with pytest.raises(ValidationError, match="บินได้"):
        parse_accommodations("บินได้")


def test_import_csv_creates_candidates_entries_exam_numbers_and_one_audit(session, officer):
    data = roster_csv(
        [
            row(ID_1, "APP-1", acc="เวลาเพิ่ม 50%; ตัวอักษรใหญ่"),
            row(
                f"{ID_2[0]}-{ID_2[1:5]}-{ID_2[5:10]}-{ID_2[10:12]}-{ID_2[12]}",
                "APP-2",
                first="กมล",
                dob="1990-01-02",
            ),
        ]
    )
    audits_before = AuditEntry.objects.count()

    result = import_roster(session, data, filename="roster.csv", actor=officer)

    assert result.errors == []
    assert (result.created_entries, result.new_candidates, result.reused_candidates) == (2, 2, 0)
    entries = list(
        RosterEntry.objects.filter(session=session).order_by("exam_number").select_related("candidate")
    )
    assert [(e.candidate.national_id, e.application_number, e.exam_number) for e in entries] == [
        (ID_1, "APP-1", "00001"),
        (ID_2, "APP-2", "00002"),
    ]
    assert entries[0].accommodations == {"extra_time_percent": 50, "large_text": True}
    assert entries[0].candidate.date_of_birth == dt.date(1995, 5, 17)
    assert entries[1].candidate.date_of_birth == dt.date(1990, 1, 2)
    assert entries[0].position.code == "p1"
    user = entries[0].candidate.user
    assert (user.username, user.kind, user.has_usable_password()) == (ID_1, User.Kind.CANDIDATE, False)
    assert list(user.groups.values_list("name", flat=True)) == ["candidate"]
    assert AuditEntry.objects.count() == audits_before + 1
    assert AuditEntry.objects.order_by("-seq").first().action == "delivery.roster.import"
    assert not Job.objects.exists()  # nothing is left for a worker: no password is ever set
    codes = ActivationCode.objects.usable()
    assert sorted(codes.values_list("user_id", flat=True)) == sorted(e.candidate.user_id for e in entries)
    assert result.activation_codes == 2


def test_import_new_candidate_has_no_password_only_an_activation_code(session, officer):
    import_roster(session, roster_csv([row(ID_1, "APP-1")]), filename="r.csv", actor=officer)

    candidate = Candidate.objects.get(national_id=ID_1)
    assert not candidate.user.has_usable_password()
    assert not candidate.user.check_password("17052538" + ID_1[-4:])  # the old guessable initial password
    assert ActivationCode.objects.usable().filter(user=candidate.user).count() == 1


def test_legacy_set_initial_passwords_job_issues_codes_and_sets_no_password(session, officer):
    import_roster(session, roster_csv([row(ID_1, "APP-1")]), filename="r.csv", actor=officer)
    candidate = Candidate.objects.get(national_id=ID_1)
    ActivationCode.objects.filter(user=candidate.user).update(
        expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )
    load_handlers()
    job = Job.objects.create(kind="delivery.set_initial_passwords", payload={"candidate_ids": [candidate.pk]})

    result = get_handler(job.kind)(job)
    again = get_handler(job.kind)(job)

    candidate.user.refresh_from_db()
    assert (result, again) == ({"activation_codes": 1}, {"activation_codes": 0})
    assert not candidate.user.has_usable_password()


def test_import_excel_with_english_headers(session, officer):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        ["national_id", "application_number", "title", "first_name", "last_name", "date_of_birth", "position"]
    )
    sheet.append([int(ID_1), "E-1", "Mr.", "Somchai", "Jaidee", dt.datetime(1995, 5, 17), "P1"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = import_roster(session, buffer.getvalue(), filename="roster.xlsx", actor=officer)

    assert result.errors == []
    candidate = Candidate.objects.get(national_id=ID_1)
    assert (candidate.title, candidate.first_name_th, candidate.date_of_birth) == (
        "นาย",
        "Somchai",
        dt.date(1995, 5, 17),
    )


def test_import_bad_national_id_reports_row_and_writes_nothing(session, officer):
    data = roster_csv([row(ID_1, "APP-1"), row(BAD_ID, "APP-2")])
    audits_before = AuditEntry.objects.count()

    result = import_roster(session, data, filename="roster.csv", actor=officer)

    assert len(result.errors) == 1
    assert result.errors[0].row == 3
    assert "เลขตรวจสอบไม่ตรง" in result.errors[0].message
    assert "check digit" in result.errors[0].message
    assert str(result.errors[0]).startswith("แถวที่ 3 (row 3): ")
    assert RosterEntry.objects.count() == 0
    assert Candidate.objects.count() == 0
    assert User.objects.filter(kind=User.Kind.CANDIDATE).count() == 0
    assert AuditEntry.objects.count() == audits_before
    assert not ActivationCode.objects.exists()


def test_import_collects_every_error_with_row_numbers(session, officer):
    data = roster_csv(
        [
            row(ID_1, "APP-1"),
            row(ID_1, "APP-2"),  # duplicate national ID
            row(ID_2, "APP-1"),  # duplicate application number
            row(ID_3, "APP-4", position="nope"),  # unknown position
            row(ID_3[:-1], "APP-5", dob="32/13/2538"),  # short ID and impossible date
        ]
    )

    result = import_roster(session, data, filename="roster.csv", actor=officer)

    messages = [(e.row, e.message.split(" (")[0]) for e in result.errors]
    assert messages == [
        (3, "เลขประจำตัวประชาชนซ้ำกับแถวที่ 2"),
        (4, "เลขที่ใบสมัครซ้ำกับแถวที่ 2"),
        (5, "ไม่รู้จักตำแหน่ง “nope”"),
        (6, "เลขประจำตัวประชาชนต้องมี 13 หลัก"),
        (6, "วันเกิด “32/13/2538” ไม่ถูกต้อง ใช้ วว/ดด/ปปปป"),
    ]
    assert RosterEntry.objects.count() == 0


def test_import_rejects_candidate_already_on_roster_and_reuses_registry_with_warnings(session, officer):
    existing = make_candidate(national_id=ID_1, first_name_th="สมชาย", last_name_th="ใจดี", phone="0812345678")
    import_roster(session, roster_csv([row(ID_1, "APP-1")]), filename="a.csv", actor=officer)

    again = import_roster(session, roster_csv([row(ID_1, "APP-9")]), filename="b.csv", actor=officer)
    other = make_session(actor=officer)
    reused = import_roster(
        other, roster_csv([row(ID_1, "APP-1", first="สมชัย")]), filename="c.csv", actor=officer
    )

    assert [(e.row, e.message.split(" (")[0]) for e in again.errors] == [(2, "ผู้สมัครนี้มีรายชื่อในรอบสอบนี้แล้ว")]
    assert reused.ok and (reused.new_candidates, reused.reused_candidates) == (0, 1)
    assert [w.row for w in reused.warnings] == [2]
    assert "“สมชัย” ต่างจากทะเบียน “สมชาย”" in reused.warnings[0].message
    existing.refresh_from_db()
    assert existing.first_name_th == "สมชาย"  # never changed silently
    assert RosterEntry.objects.filter(candidate=existing).count() == 2


def test_import_internal_selection_checks_years_of_service(officer):
    exam_round = make_round(actor=officer, exam_type="internal", eligibility={"min_years_of_service": 2})
    session = make_session(exam_round, actor=officer)
    headers = ["เลขประจำตัวประชาชน", "เลขที่ใบสมัคร", "คำนำหน้า", "ชื่อ", "นามสกุล", "วันเกิด", "ตำแหน่ง", "อายุราชการ"]
    data = roster_csv(
        [
            [ID_1, "I-1", "นาง", "มาลี", "ดีงาม", "01/01/2530", "p1", "3"],
            [ID_2, "I-2", "นาย", "ชาติ", "ใหม่", "01/01/2540", "p1", "1.5"],
            [ID_3, "I-3", "นาย", "ก้อง", "ว่าง", "01/01/2540", "p1", ""],
        ],
        headers=headers,
    )

    result = import_roster(session, data, filename="internal.csv", actor=officer)

    assert [e.row for e in result.errors] == [3, 4]
    assert "อายุราชการ 1.5 ปี น้อยกว่าที่กำหนด 2 ปี" in result.errors[0].message
    assert "Not eligible" in result.errors[0].message
    assert RosterEntry.objects.count() == 0


def test_import_missing_required_column_is_reported_on_header_row(session, officer):
    data = roster_csv([[ID_1, "APP-1"]], headers=["เลขประจำตัวประชาชน", "เลขที่ใบสมัคร"])

    result = import_roster(session, data, filename="r.csv", actor=officer)

    assert [e.row for e in result.errors] == [1]
    assert "คำนำหน้า, ชื่อ, นามสกุล, วันเกิด" in result.errors[0].message


def test_create_session_refuses_unlocked_paper_and_bad_window(officer):
    exam_round = make_round(actor=officer)
    opens = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    common = {"actor": officer, "code": "x", "title": "x", "opens_at": opens}
    with pytest.raises(ValidationError, match="locked paper"):
        create_session(
            exam_round,
            paper=make_paper(locked=False),
            late_entry_until=opens + dt.timedelta(minutes=30),
            closes_at=opens + dt.timedelta(hours=2),
            **common,
        )
    with pytest.raises(ValidationError, match="Late entry cutoff must be after"):
        create_session(exam_round, paper=make_paper(), late_entry_until=opens, closes_at=opens, **common)
    with pytest.raises(ValidationError, match="shorter than the 60-minute duration"):
        create_session(
            exam_round,
            paper=make_paper(),
            late_entry_until=opens + dt.timedelta(minutes=10),
            closes_at=opens + dt.timedelta(minutes=50),
            **common,
        )


def test_import_page_lists_errors_with_row_numbers(client, session, officer):
    verified_client(client, officer)
    upload = io.BytesIO(roster_csv([row(ID_1, "APP-1"), row(BAD_ID, "APP-2")]))
    upload.name = "roster.csv"

    response = client.post(reverse("delivery:session_import", args=[session.pk]), {"file": upload})

    assert response.status_code == 400
    assert "แถวที่ 3 (row 3)" in response.content.decode()
    assert RosterEntry.objects.count() == 0


def test_import_page_refuses_proctor_and_candidate(client, session):
    verified_client(client, make_officer("proctor"))
    assert client.get(reverse("delivery:session_detail", args=[session.pk])).status_code == 403
    client.force_login(make_candidate().user)
    assert client.get(reverse("delivery:session_detail", args=[session.pk])).status_code == 403
