import datetime as dt
import io
import json
import re
import unicodedata
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from exam_platform.accounts.models import Candidate, User
from exam_platform.accounts.roles import ROLE_LABELS, Role
from exam_platform.common.models import AuditEntry, Job
from exam_platform.common.national_id import format_national_id, is_valid
from exam_platform.delivery.models import Attempt, ExamRound, ExamSession, RosterEntry
from exam_platform.demo.accounts import (
    DEMO_CANDIDATES,
    DEMO_PASSWORD,
    DEMO_STAFF,
    create_demo_accounts,
    demo_totp_code,
)
from exam_platform.demo.bank import (
    DEMO_BANK_CODE,
    DEMO_DATA_DIR,
    DemoDataError,
    load_demo_bank,
    normalise_stem,
    read_demo_subjects,
)
from exam_platform.demo.exam import (
    DEMO_ROUND_CODE,
    DEMO_ROUND_TITLE,
    DEMO_SUBJECTS,
    reset_demo_window,
)
from exam_platform.demo.finished_exam import (
    DEMO_FINISHED_ABSENT,
    DEMO_FINISHED_CANDIDATES,
    DEMO_FINISHED_ROUND_CODE,
)
from exam_platform.scoring.models import Result
from exam_platform.scoring.services.runs import score_round
from question_bank.models import Bank, BankMembership, Category, Choice, Item, ItemVersion, Paper

THAI = re.compile(r"[\u0e01-\u0e5b]")
ALL_SUBJECT_FILES = ["analytical.json", "thai_language.json", "english.json", "law_ethics.json"]


def _counts() -> dict[str, int]:
    models = [Bank, Category, Item, ItemVersion, Choice, User, Candidate, TOTPDevice, AuditEntry]
    return {model.__name__: model.objects.count() for model in models}


def _seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def _good_item(stem="ข้อใดถูกต้อง", answer=1) -> dict:
    return {
        "topic": "t-one",
        "difficulty": "easy",
        "stem": stem,
        "choices": ["หนึ่ง", "สอง", "สาม", "สี่"],
        "answer": answer,
        "explanation": "เพราะเป็นเช่นนั้น",
    }


def _write_subject(path, code, topic, items) -> None:
    data = {
        "subject": {"code": code, "name": "วิชา"},
        "topics": [{"code": topic, "name": "หัวข้อ"}],
        "items": items,
    }
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


# --- the data files -----------------------------------------------------------------------


def test_demo_files_of_this_helper_hold_at_least_64_items():
    counts = {s.source: len(s.items) for s in read_demo_subjects()}

    assert counts["analytical.json"] >= 32
    assert counts["thai_language.json"] >= 32
    assert counts["analytical.json"] + counts["thai_language.json"] >= 64


def test_demo_files_all_four_subjects_hold_at_least_120_items_and_30_each():
    subjects = {s.source: s for s in read_demo_subjects()}

    assert sorted(subjects) == sorted(ALL_SUBJECT_FILES)
    assert {s.code for s in subjects.values()} == {"analytical", "thai-language", "english", "law-ethics"}
    assert sum(len(s.items) for s in subjects.values()) >= 120
    assert all(len(s.items) >= 30 for s in subjects.values())


def test_demo_files_have_no_duplicate_normalised_stems():
    stems = [normalise_stem(item.stem) for s in read_demo_subjects() for item in s.items]

    assert [stem for stem, n in Counter(stems).items() if n > 1] == []


def test_demo_files_are_written_in_thai():
    for subject in read_demo_subjects():
        assert THAI.search(subject.name)
        for n, item in enumerate(subject.items):
            text = " ".join([item.stem, item.explanation, *item.choices])
            where = f"{subject.source} item {n}"
            assert "\ufffd" not in text and unicodedata.is_normalized("NFC", text), where
            # English items may be English only; everything else asks in Thai. Explanations are Thai.
            if subject.code != "english":
                assert THAI.search(item.stem), f"{subject.source} item {n} stem has no Thai"
            assert THAI.search(item.explanation), f"{subject.source} item {n} explanation has no Thai"


@pytest.mark.parametrize("name", ["analytical.json", "thai_language.json"])
def test_demo_file_spreads_answers_and_difficulties(name):
    items = json.loads((DEMO_DATA_DIR / name).read_text(encoding="utf-8"))["items"]
    answers = Counter(item["answer"] for item in items)
    difficulties = Counter(item["difficulty"] for item in items)

    assert sorted(answers) == [0, 1, 2, 3]
    assert max(answers.values()) <= len(items) * 0.4
    assert 0.3 <= difficulties["easy"] / len(items) <= 0.5
    assert 0.3 <= difficulties["medium"] / len(items) <= 0.5
    assert 0.1 <= difficulties["hard"] / len(items) <= 0.3


# --- the loader ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_load_demo_bank_creates_approved_single_choice_items_with_one_correct_choice():
    result = load_demo_bank()

    expected = sum(len(s.items) for s in read_demo_subjects())
    items = Item.objects.filter(bank__code=DEMO_BANK_CODE).select_related(
        "current_version", "category__parent"
    )
    assert result.items_created == expected
    assert items.count() == expected
    for item in items:
        version = item.current_version
        assert item.status == Item.Status.APPROVED
        assert item.category.parent is not None and item.category.parent.parent is None
        assert (version.number, version.item_type, version.default_points) == (1, "single", 1)
        assert version.difficulty in {"easy", "medium", "hard"}
        assert version.explanation
    per_version = Counter(
        Choice.objects.filter(version__item__bank__code=DEMO_BANK_CODE).values_list("version")
    )
    correct = Counter(
        Choice.objects.filter(version__item__bank__code=DEMO_BANK_CODE, is_correct=True).values_list(
            "version"
        )
    )
    assert set(per_version.values()) == {4}
    assert len(correct) == expected and set(correct.values()) == {1}


@pytest.mark.django_db
def test_load_demo_bank_marks_the_answer_index_as_correct(tmp_path):
    _write_subject(tmp_path / "one.json", "subj", "t-one", [_good_item(answer=3)])

    load_demo_bank(tmp_path)

    version = Item.objects.get().current_version
    assert [c.text for c in version.choices.filter(is_correct=True)] == ["สี่"]
    assert list(version.choices.values_list("position", flat=True)) == [0, 1, 2, 3]


@pytest.mark.django_db
def test_load_demo_bank_twice_creates_nothing_new(tmp_path):
    _write_subject(tmp_path / "one.json", "subj", "t-one", [_good_item(), _good_item("ข้อใดผิด")])
    first = load_demo_bank(tmp_path)
    before = _counts()

    second = load_demo_bank(tmp_path)

    assert (first.items_created, second.items_created, second.changed) == (2, 0, False)
    assert _counts() == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"answer": 4}, r"bad\.json item 1"),
        ({"answer": None}, r"bad\.json item 1"),
        ({"choices": ["ก", "ข", "ค"]}, r"bad\.json item 1"),
        ({"topic": "nope"}, r"bad\.json item 1"),
        ({"difficulty": "trivial"}, r"bad\.json item 1"),
        ({"stem": "  "}, r"bad\.json item 1"),
    ],
)
@pytest.mark.django_db
def test_load_demo_bank_malformed_file_names_file_and_item_and_creates_nothing(tmp_path, change, message):
    _write_subject(tmp_path / "a_good.json", "good", "t-good", [dict(_good_item(), topic="t-good")])
    _write_subject(tmp_path / "bad.json", "subj", "t-one", [_good_item("ข้ออื่น"), {**_good_item(), **change}])

    with pytest.raises(DemoDataError, match=message):
        load_demo_bank(tmp_path)

    assert (Bank.objects.count(), Category.objects.count(), Item.objects.count()) == (0, 0, 0)


@pytest.mark.django_db
def test_load_demo_bank_duplicate_stem_across_files_is_refused(tmp_path):
    _write_subject(tmp_path / "a.json", "suba", "t-a", [dict(_good_item("ข้อ  ใดถูก"), topic="t-a")])
    _write_subject(tmp_path / "b.json", "subb", "t-b", [dict(_good_item("ข้อ ใดถูก"), topic="t-b")])

    with pytest.raises(DemoDataError, match=r"b\.json item 0.*a\.json item 0"):
        load_demo_bank(tmp_path)
    assert Item.objects.count() == 0


def test_read_demo_subjects_invalid_json_names_the_file(tmp_path):
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")

    with pytest.raises(DemoDataError, match=r"broken\.json"):
        read_demo_subjects(tmp_path)


# --- demo accounts ------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_demo_accounts_gives_every_role_a_user():
    create_demo_accounts()

    for role in ROLE_LABELS:
        assert User.objects.filter(groups__name=role).exists(), role
    for admin in User.objects.filter(groups__name=Role.ADMINISTRATOR):
        assert (admin.is_superuser, admin.is_staff, admin.kind) == (True, True, User.Kind.STAFF)
    for examiner in User.objects.filter(groups__name=Role.EXAMINER):
        assert (examiner.is_superuser, examiner.is_staff) == (False, False)


@pytest.mark.django_db
def test_create_demo_accounts_gives_every_staff_role_two_people_for_four_eyes_checks():
    create_demo_accounts()

    for role in ROLE_LABELS:
        if role != Role.CANDIDATE:
            assert User.objects.filter(groups__name=role, kind=User.Kind.STAFF).count() == 2, role


@pytest.mark.django_db
def test_create_demo_accounts_staff_have_confirmed_totp_that_accepts_the_demo_code():
    create_demo_accounts()

    for staff in DEMO_STAFF:
        user = User.objects.get(username=staff.username)
        device = TOTPDevice.objects.get(user=user)
        assert user.kind == User.Kind.STAFF
        assert device.confirmed is True
        assert device.verify_token(demo_totp_code(staff.username)) is True


@pytest.mark.django_db
def test_create_demo_accounts_candidates_have_valid_ids_and_one_has_accommodations():
    create_demo_accounts()

    candidates = list(Candidate.objects.select_related("user"))
    assert len(candidates) == len(DEMO_CANDIDATES) == 3
    for candidate in candidates:
        assert is_valid(candidate.national_id)
        assert candidate.user.username == candidate.national_id
        assert candidate.user.kind == User.Kind.CANDIDATE
        assert THAI.search(candidate.first_name_th) and THAI.search(candidate.last_name_th)
        assert not TOTPDevice.objects.filter(user=candidate.user).exists()
    accommodated = [c for c in candidates if c.has_disability]
    assert len(accommodated) == 1
    assert accommodated[0].accommodation_needs["extra_time_percent"] == 50


@pytest.mark.django_db
def test_demo_candidate_logs_in_with_demo_password(client):
    create_demo_accounts()
    national_id = DEMO_CANDIDATES[0].national_id

    response = client.post(
        reverse("accounts:login"), {"username": format_national_id(national_id), "password": DEMO_PASSWORD}
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(username=national_id).pk)


@pytest.mark.django_db
def test_demo_candidate_wrong_password_is_refused(client):
    create_demo_accounts()

    response = client.post(
        reverse("accounts:login"), {"username": DEMO_CANDIDATES[0].national_id, "password": "wrong-2569"}
    )

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_demo_totp_code_refuses_users_that_are_not_demo_accounts():
    create_demo_accounts()
    User.objects.create_user(username="real.person", password="x-2569-long-password")

    with pytest.raises(LookupError, match=r"real\.person"):
        demo_totp_code("real.person")


@pytest.mark.django_db
def test_demo_totp_code_refuses_a_demo_username_whose_device_key_was_changed():
    create_demo_accounts()
    TOTPDevice.objects.filter(user__username="demo.proctor").update(key="00" * 20)

    with pytest.raises(LookupError, match=r"demo\.proctor"):
        demo_totp_code("demo.proctor")


# --- the commands -------------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_demo_twice_changes_nothing_and_says_already_present(settings):
    settings.DEBUG = True
    first_output = _seed()
    after_first = _counts()

    second_output = _seed()

    assert _counts() == after_first
    assert after_first["Item"] == sum(len(s.items) for s in read_demo_subjects())
    assert after_first["User"] == len(DEMO_STAFF) + len(DEMO_CANDIDATES) + DEMO_FINISHED_CANDIDATES
    assert "already present" not in first_output
    assert "already present" in second_output
    assert "nothing changed" in second_output


@pytest.mark.django_db
def test_seed_demo_prints_logins_secrets_and_how_to_get_a_code(settings):
    settings.DEBUG = True

    output = _seed()

    assert DEMO_PASSWORD in output
    assert "python manage.py demo_totp USERNAME" in output
    for staff in DEMO_STAFF:
        assert staff.username in output
    for login in create_demo_accounts():
        assert login.login in output
        assert str(login.role_label) in output
        if login.totp_secret:
            assert login.totp_secret in output and login.otpauth_uri in output


@pytest.mark.django_db
def test_seed_demo_refuses_without_debug_and_creates_nothing(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        _seed()

    assert (Bank.objects.count(), Item.objects.count(), User.objects.count()) == (0, 0, 0)


@pytest.mark.django_db
def test_seed_demo_without_debug_runs_with_force(settings):
    settings.DEBUG = False

    _seed(force=True)

    assert Bank.objects.filter(code=DEMO_BANK_CODE).exists()
    assert User.objects.filter(username="demo.admin").exists()


@pytest.mark.django_db
def test_demo_totp_command_prints_the_current_code(settings):
    create_demo_accounts()
    out = io.StringIO()

    call_command("demo_totp", "demo.examiner", stdout=out)

    code = out.getvalue().strip()
    assert re.fullmatch(r"\d{6}", code)
    assert TOTPDevice.objects.get(user__username="demo.examiner").verify_token(code) is True


@pytest.mark.django_db
def test_demo_totp_command_refuses_a_non_demo_user():
    User.objects.create_user(username="someone", password="x-2569-long-password")

    with pytest.raises(CommandError, match="someone"):
        call_command("demo_totp", "someone", stdout=io.StringIO())


@pytest.mark.django_db
def test_demo_staff_logs_in_and_passes_two_factor_with_the_demo_code(client):
    create_demo_accounts()
    client.post(reverse("accounts:login"), {"username": "demo.examiner", "password": DEMO_PASSWORD})

    response = client.post(
        reverse("accounts:otp_verify"), {"method": "totp", "token": demo_totp_code("demo.examiner")}
    )

    assert response.status_code == 302
    assert (
        client.session.get("otp_device_id")
        == TOTPDevice.objects.get(user__username="demo.examiner").persistent_id
    )


# --- the demo exam ------------------------------------------------------------------------


def _printed_row(output: str, national_id: str) -> list[str]:
    """The demo-candidate row seed_demo printed for this national ID, split into its columns."""
    login = format_national_id(national_id)
    line = next(line for line in output.splitlines() if login in line and "DEMO-" in line)
    return re.split(r"\s{2,}", line.strip())


@pytest.mark.django_db
def test_seed_demo_candidate_checks_in_with_printed_details_and_starts_a_20_item_exam(settings, client):
    settings.DEBUG = True
    output = _seed()
    person = DEMO_CANDIDATES[2]
    _name, login, password, birth, application, *_rest = _printed_row(output, person.national_id)
    client.post(reverse("accounts:login"), {"username": login, "password": password})
    entry = RosterEntry.objects.get(
        session__round__code=DEMO_ROUND_CODE, candidate__national_id=person.national_id
    )

    home = client.get(reverse("delivery:candidate_home"))
    checkin_url = reverse("delivery:candidate_check_in", args=[entry.pk])
    response = client.post(
        checkin_url,
        {
            "national_id": login,
            "date_of_birth": birth,
            "application_number": application,
            "accept_rules": "on",
        },
    )
    entry.refresh_from_db()
    started = client.post(reverse("delivery:attempt_start", args=[entry.pk]))
    page = client.get(started["Location"])

    assert (birth, application) == ("28/07/2535", "DEMO-2569-0003")
    assert checkin_url in home.content.decode()
    assert DEMO_ROUND_TITLE in home.content.decode()
    assert response.status_code == 302 and entry.checked_in_at is not None
    assert page.status_code == 200
    attempt = entry.attempt
    assert sum(len(section["items"]) for section in attempt.form["sections"]) == 20
    config = json.loads(re.search(r'id="exam-config"[^>]*>(.*?)</script>', page.content.decode(), re.S)[1])
    assert sum(len(section["items"]) for section in config["form"]["sections"]) == 20  # exam.js builds them
    assert entry.accommodations == {"extra_time_percent": 50, "large_text": True}
    assert attempt.deadline - attempt.started_at == dt.timedelta(minutes=45)


@pytest.mark.django_db
def test_seed_demo_builds_a_locked_paper_a_seated_roster_and_an_open_week_long_session(settings):
    settings.DEBUG = True
    before = timezone.now()

    _seed()

    session = ExamSession.objects.select_related("paper", "round").get(round__code=DEMO_ROUND_CODE)
    paper = session.paper
    sections = list(paper.sections.order_by("position"))
    entries = list(session.roster.order_by("application_number"))
    assert (paper.title, paper.status, paper.duration_minutes) == ("ภาค ก ตัวอย่าง", Paper.Status.LOCKED, 30)
    assert [[r.category.code for r in s.rules.all()] for s in sections] == [[c] for c in DEMO_SUBJECTS]
    assert [r.count for s in sections for r in s.rules.all()] == [5, 5, 5, 5]
    members = BankMembership.objects.filter(bank__code=DEMO_BANK_CODE).order_by("user__username")
    assert [(m.user.username, m.role) for m in members] == [
        ("demo.examiner", BankMembership.Role.OWNER),
        ("demo.examiner2", BankMembership.Role.REVIEWER),
    ]
    assert session.round.title == DEMO_ROUND_TITLE
    assert (
        before - dt.timedelta(minutes=10, seconds=5) <= session.opens_at <= before - dt.timedelta(minutes=9)
    )
    assert session.closes_at - session.opens_at == dt.timedelta(days=7)
    assert session.closes_at - session.late_entry_until == dt.timedelta(minutes=30)
    assert [(e.exam_number, e.seat_number) for e in entries] == [("00001", 1), ("00002", 2), ("00003", 3)]
    assert all(e.room_id and e.checked_in_at is None for e in entries)
    assert [bool(e.accommodations) for e in entries] == [False, False, True]


@pytest.mark.django_db
def test_seed_demo_twice_keeps_one_round_session_and_paper(settings):
    settings.DEBUG = True
    _seed()
    audits = AuditEntry.objects.count()

    output = _seed()

    # the open demo round and the finished one, both on the one demo paper
    assert (ExamRound.objects.count(), ExamSession.objects.count(), Paper.objects.count()) == (2, 2, 1)
    assert RosterEntry.objects.count() == 3 + DEMO_FINISHED_CANDIDATES
    assert AuditEntry.objects.count() == audits
    assert f"[{DEMO_ROUND_CODE}]: already present" in output


@pytest.mark.django_db
def test_seed_demo_closed_session_says_so_and_reset_exam_reopens_it(settings):
    settings.DEBUG = True
    _seed()
    past = timezone.now() - dt.timedelta(days=10)
    ExamSession.objects.update(
        opens_at=past, late_entry_until=past + dt.timedelta(days=1), closes_at=past + dt.timedelta(days=1)
    )

    closed_output = _seed()
    reset_output = _seed(reset_exam=True)

    session = ExamSession.objects.get(round__code=DEMO_ROUND_CODE)
    now = timezone.now()
    assert "seed_demo --reset-exam" in closed_output
    assert "--reset-exam" not in reset_output.split("demo exam")[1]
    assert session.opens_at <= now <= session.late_entry_until
    assert session.closes_at - session.opens_at == dt.timedelta(days=7)
    entry = AuditEntry.objects.filter(action="delivery.session.demo_window").latest("pk")
    assert entry.object_id == str(session.pk)
    assert ExamRound.objects.count() == 2  # the open demo round and the finished one


@pytest.mark.django_db
def test_seed_demo_reset_exam_refused_without_debug(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--reset-exam"):
        _seed(force=True, reset_exam=True)

    assert ExamSession.objects.count() == 0


@pytest.mark.django_db
def test_reset_demo_window_refuses_a_session_that_is_not_the_demo_one(settings):
    settings.DEBUG = True
    _seed()
    ExamRound.objects.filter(code=DEMO_ROUND_CODE).update(code="real-round")

    with pytest.raises(ValueError, match="demo session"):
        reset_demo_window(ExamSession.objects.get(round__code="real-round"), actor=None)


@pytest.mark.django_db
def test_seed_demo_builds_a_finished_round_ready_to_score_and_rank(settings):
    settings.DEBUG = True
    _seed()

    exam_round = ExamRound.objects.get(code=DEMO_FINISHED_ROUND_CODE)
    session = exam_round.sessions.get()
    assert session.closes_at < timezone.now()
    assert session.roster.count() == DEMO_FINISHED_CANDIDATES
    attempts = Attempt.objects.filter(entry__session=session)
    assert (
        attempts.filter(status=Attempt.Status.SUBMITTED).count()
        == DEMO_FINISHED_CANDIDATES - DEMO_FINISHED_ABSENT
    )
    assert all(session.opens_at <= a.started_at <= a.submitted_at <= a.deadline for a in attempts)
    assert Job.objects.filter(kind="scoring.score_round").exists()  # submitting enqueued the scoring

    score_round(exam_round)

    results = Result.objects.filter(round=exam_round)
    assert results.filter(status=Result.Status.ABSENT).count() == DEMO_FINISHED_ABSENT
    totals = sorted({r.total for r in results.filter(status=Result.Status.SCORED)})
    assert len(totals) > 5  # a spread of scores, not everyone alike
    assert results.filter(passed=True).exists() and results.filter(passed=False, status="scored").exists()


@pytest.mark.django_db
def test_seed_demo_twice_keeps_one_finished_round(settings):
    settings.DEBUG = True
    _seed()
    attempts = Attempt.objects.count()
    output = _seed()

    assert ExamRound.objects.filter(code=DEMO_FINISHED_ROUND_CODE).count() == 1
    assert Attempt.objects.count() == attempts
    assert "finished demo exam" in output and "already present" in output


@pytest.mark.django_db
def test_seed_demo_proctor_has_the_demo_rooms_and_the_second_proctor_none(settings, client):
    from tests.factories import log_in

    settings.DEBUG = True
    _seed()

    proctor = User.objects.get(username="demo.proctor")
    page = log_in(client, proctor).get(reverse("delivery:my_rooms")).content.decode()
    assert "ห้อง 101 (ตัวอย่าง)" in page and "ห้อง 201 (ตัวอย่าง)" in page
    client.logout()
    page = log_in(client, User.objects.get(username="demo.proctor2")).get(reverse("delivery:my_rooms"))
    assert "ห้อง 101 (ตัวอย่าง)" not in page.content.decode()


@pytest.mark.django_db
def test_seed_demo_prints_an_activation_code_that_opens_the_first_login(settings, client):
    settings.DEBUG = True
    output = _seed()

    line = next(line for line in output.splitlines() if "first login with an activation code" in line)
    national_id = re.search(r"\d-\d{4}-\d{5}-\d{2}-\d", line).group()
    code = re.search(r"\(code\) ([A-Z0-9-]+)", line).group(1)
    response = client.post(reverse("accounts:activate"), {"username": national_id, "activation_code": code})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:activate_password")
