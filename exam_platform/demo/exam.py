"""The demo exam: a locked Part A paper, a round, a session open for a week, one room and the three
demo candidates on its roster, not checked in. DEMO ONLY (see demo/accounts.py).

Built with the real services (bank membership, papers, rounds, roster import, seating), in one
transaction. Idempotent: the round is identified by DEMO_ROUND_CODE; when it exists nothing is
written. `reset_demo_window` moves the demo session's window to open now (audited); it refuses any
other session.
"""

import csv
import datetime as dt
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from exam_platform.accounts.models import User
from exam_platform.common.audit import record_audit
from exam_platform.delivery.models import ExamRound, ExamSession, RosterEntry
from exam_platform.delivery.services.roster import BUDDHIST_ERA_OFFSET, import_roster
from exam_platform.delivery.services.rounds import (
    add_position,
    add_room,
    check_session_window,
    create_round,
    create_session,
)
from exam_platform.delivery.services.seating import assign_seats
from exam_platform.demo.accounts import DEMO_CANDIDATES
from exam_platform.demo.bank import DEMO_BANK_CODE
from question_bank.models import Bank, BankMembership, Category, Paper
from question_bank.services.banks import add_member
from question_bank.services.papers import add_rule, add_section, create_paper, lock_paper

DEMO_EXAMINER = "demo.examiner"
DEMO_REVIEWER = "demo.examiner2"  # reviews the demo bank's items (an author cannot approve their own)
DEMO_OFFICER = "demo.officer"
DEMO_PROCTOR = "demo.proctor"  # proctors the demo rooms; demo.proctor2 has no room (sees none)
DEMO_ROUND_CODE = "demo-2569-1"
DEMO_ROUND_TITLE = "การสอบแข่งขันเพื่อบรรจุและแต่งตั้งบุคคลเข้ารับราชการ ครั้งที่ 1/2569 (ตัวอย่าง)"
DEMO_SESSION_CODE = "part-a"
DEMO_PAPER_CODE = "part-a-demo-paper"
DEMO_PAPER_TITLE = "ภาค ก ตัวอย่าง"
DEMO_DURATION_MINUTES = 30
DEMO_PAPER_SEED = 25690001  # fixed: every fresh demo database gets the same form
DEMO_ITEMS_PER_SECTION = 5
DEMO_SUBJECTS = ("analytical", "thai-language", "english", "law-ethics")  # category codes, demo/bank_data
DEMO_OPENS_BEFORE = dt.timedelta(minutes=10)
DEMO_OPEN_FOR = dt.timedelta(days=7)
DEMO_POSITION_CODE = "general-admin"
# Candidate index in DEMO_CANDIDATES -> application number; the one with disability accommodations
# gets extra time 50 % and large text on the roster.
DEMO_APPLICATION_PREFIX = "DEMO-2569-"
DEMO_ROSTER_ACCOMMODATIONS = "เวลาเพิ่ม 50%; ตัวอักษรใหญ่"


@dataclass(frozen=True)
class DemoExamResult:
    exam_round: ExamRound
    session: ExamSession
    entries: list[RosterEntry]
    created: bool

    @property
    def paper(self) -> Paper:
        return self.session.paper


def demo_application_number(index: int) -> str:
    return f"{DEMO_APPLICATION_PREFIX}{index + 1:04d}"


def format_checkin_date(date: dt.date) -> str:
    """dd/mm/yyyy in the Buddhist Era, the form the check-in page takes (17/05/2538)."""
    return f"{date.day:02d}/{date.month:02d}/{date.year + BUDDHIST_ERA_OFFSET}"


def demo_window(now: dt.datetime) -> dict:
    """Opens DEMO_OPENS_BEFORE ago, closes a week later, late entry until closes − duration."""
    opens_at = now - DEMO_OPENS_BEFORE
    closes_at = opens_at + DEMO_OPEN_FOR
    return {
        "opens_at": opens_at,
        "late_entry_until": closes_at - dt.timedelta(minutes=DEMO_DURATION_MINUTES),
        "closes_at": closes_at,
    }


def _demo_user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise LookupError(f"{username} ไม่มีในระบบ ({username} is missing): create the demo accounts first.")
    return user


def _entries(session: ExamSession) -> list[RosterEntry]:
    return list(session.roster.select_related("candidate", "room").order_by("application_number"))


def ensure_demo_exam(*, now: dt.datetime | None = None) -> DemoExamResult:
    """Create the demo exam unless the demo round exists; a rerun writes nothing."""
    examiner = _demo_user(DEMO_EXAMINER)
    bank = Bank.objects.get(code=DEMO_BANK_CODE)
    with transaction.atomic():
        _make_owner(bank, examiner)
        _make_reviewer(bank, _demo_user(DEMO_REVIEWER), owner=examiner)
    existing = ExamRound.objects.filter(code=DEMO_ROUND_CODE).first()
    if existing is not None:
        session = existing.sessions.select_related("paper").get(code=DEMO_SESSION_CODE)
        return DemoExamResult(existing, session, _entries(session), created=False)
    now = now or timezone.now()
    officer = _demo_user(DEMO_OFFICER)
    with transaction.atomic():
        paper = _locked_paper(bank, examiner)
        exam_round = create_round(
            actor=officer,
            code=DEMO_ROUND_CODE,
            title=DEMO_ROUND_TITLE,
            exam_type=ExamRound.ExamType.COMPETITIVE,
            announcement_number="1/2569",
        )
        add_position(
            exam_round,
            actor=officer,
            code=DEMO_POSITION_CODE,
            title="นักจัดการงานทั่วไปปฏิบัติการ (ตัวอย่าง)",
            vacancies=len(DEMO_CANDIDATES),
        )
        # Seats can only be assigned before the session opens: create it opening later, seat the
        # roster, then move the window to its demo place (audited, like --reset-exam).
        later = demo_window(now + DEMO_OPEN_FOR)
        session = create_session(
            exam_round,
            actor=officer,
            code=DEMO_SESSION_CODE,
            title="ภาค ก (ตัวอย่าง)",
            paper=paper,
            duration_minutes=DEMO_DURATION_MINUTES,
            **later,
        )
        add_room(
            session,
            actor=officer,
            code="demo-101",
            name="ห้อง 101 (ตัวอย่าง)",
            building="ศาลาว่าการ",
            capacity=10,
            proctors=[_demo_user(DEMO_PROCTOR)],
        )
        result = import_roster(session, _roster_csv(), filename="demo-roster.csv", actor=officer)
        if not result.ok:
            raise ValidationError([str(message) for message in result.errors])
        assign_seats(session, actor=officer, order="application_number")
        session = reset_demo_window(session, actor=officer, now=now)
    return DemoExamResult(exam_round, session, _entries(session), created=True)


def _make_owner(bank: Bank, examiner: User) -> None:
    """demo.examiner owns the demo bank. Banks are created without members, and add_member needs an
    owner as actor: the first owner is written here (audited), later ones through add_member."""
    if BankMembership.objects.filter(bank=bank, user=examiner, role=BankMembership.Role.OWNER).exists():
        return
    owner = (
        BankMembership.objects.filter(bank=bank, role=BankMembership.Role.OWNER)
        .select_related("user")
        .first()
    )
    if owner is not None:
        add_member(bank, user=examiner, role=BankMembership.Role.OWNER, actor=owner.user)
        return
    if BankMembership.objects.filter(bank=bank, user=examiner).exists():
        raise ValidationError(f"{DEMO_EXAMINER} is a member of {bank.code} but not its owner; fix by hand.")
    BankMembership.objects.create(bank=bank, user=examiner, role=BankMembership.Role.OWNER)
    record_audit(
        "question_bank.member_added",
        obj=bank,
        after={"user": examiner.username, "role": BankMembership.Role.OWNER, "demo": True},
    )


def _make_reviewer(bank: Bank, reviewer: User, *, owner: User) -> None:
    if not BankMembership.objects.filter(bank=bank, user=reviewer).exists():
        add_member(bank, user=reviewer, role=BankMembership.Role.REVIEWER, actor=owner)


def _locked_paper(bank: Bank, examiner: User) -> Paper:
    paper = create_paper(
        bank,
        actor=examiner,
        code=DEMO_PAPER_CODE,
        title=DEMO_PAPER_TITLE,
        instructions="แบบทดสอบตัวอย่างสำหรับการสาธิตระบบ 4 ตอน ตอนละ 5 ข้อ เลือกคำตอบที่ถูกต้องที่สุดเพียงข้อเดียว",
        duration_minutes=DEMO_DURATION_MINUTES,
    )
    subjects = {c.code: c for c in Category.objects.filter(bank=bank, parent=None, code__in=DEMO_SUBJECTS)}
    for code in DEMO_SUBJECTS:
        section = add_section(paper, actor=examiner, title=subjects[code].name)
        add_rule(section, actor=examiner, category=subjects[code], count=DEMO_ITEMS_PER_SECTION)
    return lock_paper(paper, actor=examiner, seed=DEMO_PAPER_SEED)


def _roster_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "national_id",
            "application_number",
            "title",
            "first_name_th",
            "last_name_th",
            "date_of_birth",
            "position",
            "accommodations",
        ]
    )
    for index, person in enumerate(DEMO_CANDIDATES):
        writer.writerow(
            [
                person.national_id,
                demo_application_number(index),
                person.title,
                person.first_name_th,
                person.last_name_th,
                format_checkin_date(person.date_of_birth),
                DEMO_POSITION_CODE,
                DEMO_ROSTER_ACCOMMODATIONS if person.accommodation_needs else "",
            ]
        )
    return out.getvalue().encode("utf-8")


def reset_demo_window(session: ExamSession, *, actor, now: dt.datetime | None = None) -> ExamSession:
    """Move the DEMO session's window to open now (see demo_window); refuses any other session."""
    now = now or timezone.now()
    window = demo_window(now)
    check_session_window(duration_minutes=session.duration_minutes, **window)
    with transaction.atomic():
        session = ExamSession.objects.select_for_update().select_related("round", "paper").get(pk=session.pk)
        if session.round.code != DEMO_ROUND_CODE or session.code != DEMO_SESSION_CODE:
            raise ValueError("reset_demo_window() only moves the demo session's window")
        before = {name: getattr(session, name) for name in window}
        for name, value in window.items():
            setattr(session, name, value)
        session.checkin_opens_at = None
        session.save(update_fields=[*window, "checkin_opens_at"])
        record_audit("delivery.session.demo_window", actor=actor, obj=session, before=before, after=window)
    return session


def demo_session_state(session: ExamSession, now: dt.datetime | None = None) -> str:
    """ "open" (candidates can still check in and start), "not_open" or "closed" (past late entry)."""
    now = now or timezone.now()
    if now < session.opens_at:
        return "not_open"
    if now > session.late_entry_until:
        return "closed"
    return "open"
