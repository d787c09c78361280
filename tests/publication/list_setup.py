"""Arrangement for the publication tests: a scored round whose Result rows are written directly (the
scoring itself is tested in tests/scoring), two exam officers, and a published list."""

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from exam_platform.delivery.models import ExamRound, ExamSession, Position, RosterEntry
from exam_platform.scoring.models import Result, ScoringRun
from question_bank.models import Paper
from tests.delivery.roster_setup import make_officer
from tests.factories import make_bank, make_candidate

_n = itertools.count(1)

SECTIONS = (("ภาษาไทย", "50"), ("ภาษาอังกฤษ", "50"))


class ScoredRound:
    def __init__(self):
        n = next(_n)
        now = timezone.now()
        self.round = ExamRound.objects.create(
            code=f"pub-{n}",
            title=f"การสอบแข่งขันเพื่อบรรจุเป็นข้าราชการกรุงเทพมหานครสามัญ ครั้งที่ {n}/2569",
            exam_type="competitive",
            announcement_number=f"{n}/2569",
        )
        self.position = Position.objects.create(round=self.round, code="hr", title="นักทรัพยากรบุคคลปฏิบัติการ")
        paper = Paper.objects.create(
            bank=make_bank(),
            code=f"pub-p-{n}",
            title="ภาค ก",
            duration_minutes=60,
            status=Paper.Status.LOCKED,
        )
        self.session = ExamSession.objects.create(
            round=self.round,
            code=f"pub-s-{n}",
            title="รอบเช้า",
            paper=paper,
            opens_at=now - dt.timedelta(hours=3),
            late_entry_until=now - dt.timedelta(hours=2),
            closes_at=now - dt.timedelta(hours=1),
            duration_minutes=60,
        )
        self.run = self.new_run()

    def new_run(self) -> ScoringRun:
        n = next(_n)
        self.run = ScoringRun.objects.create(
            round=self.round,
            started_at=timezone.now() + dt.timedelta(seconds=n),
            finished_at=timezone.now(),
            inputs_digest=f"{n:064x}",
            keys_digest="k" * 64,
            results_digest=f"{n + 1000:064x}",
        )
        Result.objects.filter(round=self.round).update(scoring_run=self.run)
        return self.run

    def candidate(self, sections, *, rank=None, passed=True, first_name="สมชาย", last_name="ใจดี", app=None):
        """A candidate with a Result: `sections` = (thai, english) scores."""
        n = next(_n)
        entry = RosterEntry.objects.create(
            session=self.session,
            candidate=make_candidate(first_name_th=first_name, last_name_th=last_name),
            application_number=app or f"A{n:05d}",
            exam_number=f"69{n:05d}",
            position=self.position,
        )
        total = sum(Decimal(s) for s in sections)
        Result.objects.create(
            entry=entry,
            round=self.round,
            status=Result.Status.SCORED,
            total=total,
            max_total=Decimal(100),
            section_scores=[
                {"section": i, "title": title, "score": str(score), "max": maximum}
                for i, ((title, maximum), score) in enumerate(zip(SECTIONS, sections, strict=True), start=1)
            ],
            passed=passed,
            explanation=f"{'ผ่าน' if passed else 'ไม่ผ่าน'}: รวม {total}/100 ({total} %) ≥ 60 %",
            rank=rank,
            rank_decided_by="คะแนนรวม" if rank else "",
            scoring_run=self.run,
        )
        return entry

    def set_result(self, entry, **fields):
        Result.objects.filter(entry=entry).update(**fields)


def standard_round() -> tuple[ScoredRound, dict]:
    """Four candidates: three passed (ranks 1, 2, 2 — a tie), one failed."""
    scored = ScoredRound()
    entries = {
        "first": scored.candidate(("45", "40"), rank=1, first_name="กมล", last_name="เกศินี"),
        "tie_b": scored.candidate(("40", "30"), rank=2, first_name="ขวัญ", last_name="แก้วประเสริฐ", app="A10"),
        "tie_a": scored.candidate(("35", "35"), rank=2, first_name="โชติ", last_name="ศรีสุข", app="A9"),
        "failed": scored.candidate(("20", "20"), passed=False, first_name="ดวงใจ", last_name="บุญมี"),
    }
    return scored, entries


def two_officers():
    return make_officer(), make_officer()


def published_list(scored=None):
    from exam_platform.publication.services import approve_and_publish, prepare_rank_list

    if scored is None:
        scored, _entries = standard_round()
    preparer, approver = two_officers()
    version = prepare_rank_list(
        scored.round,
        actor=preparer,
        title="ประกาศรายชื่อผู้สอบแข่งขันได้ ตำแหน่งนักทรัพยากรบุคคลปฏิบัติการ",
        announcement_number="456/2569",
    )
    return approve_and_publish(version, actor=approver, code=fresh_code(approver)), preparer, approver


def fresh_code(user) -> str:
    """A fresh two-factor code of `user` for an approval (one of a new set of backup codes)."""
    from tests.scoring.round_setup import backup_code

    return backup_code(user)


def bulk_candidates(scored, n: int, *, start_rank: int = 1):
    """`n` more passed, ranked candidates with results, written in bulk (no password hashes): for the
    query-count tests at exam size."""
    from django.contrib.auth.hashers import make_password

    from exam_platform.accounts.models import Candidate, User
    from tests.factories import make_national_id

    ids = set()
    while len(ids) < n:
        ids.add(make_national_id())
    ids = sorted(ids)
    password = make_password(None)
    users = User.objects.bulk_create(
        [
            User(username=f"bulk-{scored.round.pk}-{nid}", password=password, kind=User.Kind.CANDIDATE)
            for nid in ids
        ]
    )
    people = Candidate.objects.bulk_create(
        [
            Candidate(
                user=user,
                national_id=nid,
                title=Candidate.Title.MR,
                first_name_th=f"ผู้สมัคร{k}",
                last_name_th="ทดสอบ",
                date_of_birth=dt.date(1990, 1, 1) + dt.timedelta(days=k % 3000),
            )
            for k, (user, nid) in enumerate(zip(users, ids, strict=True))
        ]
    )
    entries = RosterEntry.objects.bulk_create(
        [
            RosterEntry(
                session=scored.session,
                candidate=person,
                application_number=f"B{k:05d}",
                exam_number=f"B{k:05d}",
                position=scored.position,
            )
            for k, person in enumerate(people)
        ]
    )
    Result.objects.bulk_create(
        [
            Result(
                entry=entry,
                round=scored.round,
                status=Result.Status.SCORED,
                total=Decimal(70),
                max_total=Decimal(100),
                section_scores=[],
                passed=k % 3 != 0,
                explanation="ผ่าน" if k % 3 else "ไม่ผ่าน",
                rank=start_rank + k if k % 3 else None,
                scoring_run=scored.run,
            )
            for k, entry in enumerate(entries)
        ]
    )
    return entries
