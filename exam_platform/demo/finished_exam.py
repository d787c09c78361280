"""A demo round whose exam is over: 40 candidates on the roster, 36 sat the paper two days ago and
submitted, 4 were absent. Scoring, key corrections, ranking and two-officer publication can be tried
on it at once. DEMO ONLY.

Built with the real services (round, session, roster import, attempts started, answers written and
submitted through the answer path), with the clock of the exam day passed explicitly; only the
check-in is written directly (staff check-in takes the real clock), audited as one demo entry.
Idempotent: when the round DEMO_FINISHED_ROUND_CODE exists nothing is written. Submitting enqueues
the scoring job (delivery.signals.attempts_submitted), so the worker of `make demo` scores it.
"""

import csv
import datetime as dt
import io
import random
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from exam_platform.accounts.models import Candidate
from exam_platform.common.audit import record_audit
from exam_platform.common.national_id import make_valid
from exam_platform.delivery.answers.validation import Save
from exam_platform.delivery.answers.writer import write_saves
from exam_platform.delivery.models import Attempt, ExamRound, ExamSession, RosterEntry
from exam_platform.delivery.services.attempts import start_attempts, submit_attempt
from exam_platform.delivery.services.roster import import_roster
from exam_platform.delivery.services.rounds import add_position, add_room, create_round, create_session
from question_bank.models import Choice, Paper

DEMO_FINISHED_ROUND_CODE = "demo-2569-2"
DEMO_FINISHED_ROUND_TITLE = (
    "การสอบแข่งขันเพื่อบรรจุและแต่งตั้งบุคคลเข้ารับราชการ ครั้งที่ 2/2569 (ตัวอย่าง: สอบเสร็จแล้ว รอประกาศผล)"
)
DEMO_FINISHED_SESSION_CODE = "part-a-done"
DEMO_FINISHED_CANDIDATES = 40
DEMO_FINISHED_ABSENT = 4
DEMO_FINISHED_SEED = 25690000  # fixed: every fresh demo database gets the same answers
DEMO_FINISHED_APPLICATION_PREFIX = "DEMO-2569-2-"
_FIRST_NAMES = (
    "กัญญา", "ขจรศักดิ์", "จิราพร", "ชยพล", "ณัฐธิดา", "ดวงใจ", "ทวีศักดิ์", "ธิดารัตน์", "นพดล", "บุษบา",
    "ปกรณ์", "พรทิพย์", "ภานุวัฒน์", "มยุรี", "ยุทธนา", "รัชนี", "วรวุฒิ", "ศิริพร", "สุรเชษฐ์", "อรุณี",
)  # fmt: skip
_LAST_NAMES = ("แก้วมณี", "ทองคำ", "ศรีสวัสดิ์", "บุญมา", "วงศ์ใหญ่", "เอี่ยมสะอาด", "โพธิ์ทอง", "ใจงาม")


@dataclass(frozen=True)
class DemoFinishedExam:
    exam_round: ExamRound
    session: ExamSession
    submitted: int
    absent: int
    created: bool


def _person(index: int) -> dict:
    first = _FIRST_NAMES[index % len(_FIRST_NAMES)]
    title = Candidate.Title.MR if index % 2 else Candidate.Title.MISS
    return {
        "national_id": make_valid(f"3{10100000000 + index * 7919:011d}"),
        "application_number": f"{DEMO_FINISHED_APPLICATION_PREFIX}{index + 1:04d}",
        "title": title,
        "first_name_th": first,
        "last_name_th": _LAST_NAMES[(index * 3) % len(_LAST_NAMES)],
        "date_of_birth": f"{1 + index % 28:02d}/{1 + index % 12:02d}/{2530 + index % 12}",
    }


def _roster_csv(position_code: str) -> bytes:
    out = io.StringIO()
    columns = ["national_id", "application_number", "title", "first_name_th", "last_name_th", "date_of_birth"]
    writer = csv.writer(out)
    writer.writerow([*columns, "position"])
    for index in range(DEMO_FINISHED_CANDIDATES):
        person = _person(index)
        writer.writerow([*(person[c] for c in columns), position_code])
    return out.getvalue().encode("utf-8")


def exam_day(now: dt.datetime) -> dict:
    """09:00–12:00 Bangkok time two days before `now`; late entry until 09:30."""
    day = timezone.localtime(now).replace(hour=9, minute=0, second=0, microsecond=0) - dt.timedelta(days=2)
    return {
        "opens_at": day,
        "late_entry_until": day + dt.timedelta(minutes=30),
        "closes_at": day + dt.timedelta(hours=3),
    }


def ensure_finished_exam(
    paper: Paper, *, officer, proctor=None, now: dt.datetime | None = None
) -> DemoFinishedExam:
    """Create the finished demo round on `paper` (the demo's locked paper) unless it exists."""
    existing = ExamRound.objects.filter(code=DEMO_FINISHED_ROUND_CODE).first()
    if existing is not None:
        session = existing.sessions.get(code=DEMO_FINISHED_SESSION_CODE)
        attempts = Attempt.objects.filter(entry__session=session)
        submitted = attempts.exclude(status=Attempt.Status.IN_PROGRESS).count()
        absent = session.roster.count() - attempts.count()
        return DemoFinishedExam(existing, session, submitted, absent, created=False)
    now = now or timezone.now()
    window = exam_day(now)
    with transaction.atomic():
        exam_round = create_round(
            actor=officer,
            code=DEMO_FINISHED_ROUND_CODE,
            title=DEMO_FINISHED_ROUND_TITLE,
            exam_type=ExamRound.ExamType.COMPETITIVE,
            announcement_number="2/2569",
        )
        position = add_position(
            exam_round, actor=officer, code="plan-analyst", title="นักวิเคราะห์นโยบายและแผนปฏิบัติการ (ตัวอย่าง)",
            vacancies=5,
        )  # fmt: skip
        session = create_session(
            exam_round,
            actor=officer,
            code=DEMO_FINISHED_SESSION_CODE,
            title="ภาค ก (ตัวอย่าง สอบแล้ว)",
            paper=paper,
            duration_minutes=paper.duration_minutes,
            **window,
        )
        add_room(
            session,
            actor=officer,
            code="demo-201",
            name="ห้อง 201 (ตัวอย่าง)",
            capacity=40,
            proctors=[proctor] if proctor else [],
        )
        result = import_roster(
            session, _roster_csv(position.code), filename="demo-finished-roster.csv", actor=officer
        )
        if not result.ok:
            raise ValidationError([str(message) for message in result.errors])
        submitted = _sit_the_exam(session, window["opens_at"], officer=officer)
    return DemoFinishedExam(exam_round, session, submitted, DEMO_FINISHED_ABSENT, created=True)


def _sit_the_exam(session: ExamSession, opens_at: dt.datetime, *, officer) -> int:
    rng = random.Random(DEMO_FINISHED_SEED)
    entries = list(session.roster.order_by("application_number"))
    present = entries[: len(entries) - DEMO_FINISHED_ABSENT]
    checked_in_at = opens_at - dt.timedelta(minutes=20)
    RosterEntry.objects.filter(pk__in=[e.pk for e in present]).update(
        identity_confirmed_at=checked_in_at, rules_accepted_at=checked_in_at, checked_in_at=checked_in_at
    )
    record_audit(
        "delivery.checkin.demo",
        actor=officer,
        obj=session,
        after={"checked_in": len(present), "checked_in_at": checked_in_at, "demo": True},
    )
    started = start_attempts([e.pk for e in present], now=opens_at + dt.timedelta(minutes=2))
    attempts = [a for a in started.values() if isinstance(a, Attempt)]
    correct = _correct_choices(attempts)
    for attempt in sorted(attempts, key=lambda a: a.pk):
        ability = rng.uniform(0.35, 0.95)
        saves = []
        answered_at = opens_at + dt.timedelta(minutes=5)
        for seq, item in enumerate(_items(attempt), start=1):
            if rng.random() < 0.04:
                continue  # left unanswered
            right = [c["uid"] for c in item["choices"] if c["uid"] in correct]
            wrong = [c["uid"] for c in item["choices"] if c["uid"] not in correct]
            choice = right[0] if right and (rng.random() < ability or not wrong) else rng.choice(wrong)
            saves.append(Save(attempt.pk, seq, item["uid"], {"choice": choice}, False, None, "http", None))
        codes = write_saves(saves, now=answered_at)
        if any(codes):
            raise ValidationError(f"demo answers refused: {set(codes) - {None}}")
        submit_attempt(attempt, now=opens_at + dt.timedelta(minutes=rng.randint(18, 28)))
    return len(attempts)


def _items(attempt: Attempt) -> list[dict]:
    form = Attempt.objects.values_list("form", flat=True).get(pk=attempt.pk)
    return [item for section in form["sections"] for item in section["items"]]


def _correct_choices(attempts: list[Attempt]) -> set[str]:
    """The uids of the correct choices of every item version the attempts' forms hold."""
    version_ids = {item["version"] for attempt in attempts for item in _items(attempt)}
    correct = Choice.objects.filter(version_id__in=version_ids, is_correct=True)
    return {str(uid) for uid in correct.values_list("uid", flat=True)}
