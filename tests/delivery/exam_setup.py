"""Arrangement for the attempt/answer tests: a locked paper with every item type, a session whose
window is open now, a checked-in candidate, and helpers for sockets and item answers.

Every correct choice has the text KEY_TEXT and every item the explanation EXPLANATION_TEXT, so the
no-leak tests can look for them in everything the candidate receives.
"""

import datetime as dt
import itertools

from django.conf import settings
from django.test import Client
from django.utils import timezone

from exam_platform.delivery.models import ExamRound, ExamSession, RosterEntry
from question_bank.services import papers as paper_services
from question_bank.services.items import ChoiceData
from tests.factories import make_bank, make_candidate, make_examiner, make_item

KEY_TEXT = "ตัวเลือกนี้คือเฉลย"
DISTRACTOR_TEXT = "ตัวลวงธรรมดา"
EXPLANATION_TEXT = "คำอธิบายเฉลยลับสุดยอด"
ORIGIN = "http://localhost:8000"
BACKEND = "exam_platform.accounts.backends.NationalIdOrUsernameBackend"
_n = itertools.count(1)


def _choices(correct: set[int], n: int = 4) -> list[ChoiceData]:
    return [
        ChoiceData(text=f"{KEY_TEXT if i in correct else DISTRACTOR_TEXT} {i + 1}", is_correct=i in correct)
        for i in range(n)
    ]


def make_locked_paper(*, form_mode="fixed", form_count=1, shuffle=True):
    """A locked paper: one section, 5 items drawn 2 easy / 2 medium / 1 hard out of exactly those:
    single + multiple (easy), numeric + short (medium), essay (hard)."""
    owner = make_examiner()
    bank = make_bank(members={owner: "owner"})
    subject = bank.categories.get(parent__isnull=True)
    common = {"status": "approved", "explanation": EXPLANATION_TEXT}
    specs = [
        dict(difficulty="easy", item_type="single", choices=_choices({1})),
        dict(
            difficulty="easy",
            item_type="multiple",
            choices=_choices({0, 2}),
            answer_spec={"partial_credit": "all_or_nothing"},
        ),
        dict(
            difficulty="medium",
            item_type="numeric",
            choices=[],
            answer_spec={"value": "42", "tolerance": "0"},
        ),
        dict(difficulty="medium", item_type="short", choices=[], answer_spec={"accepted": ["กรุงเทพ"]}),
        dict(difficulty="hard", item_type="essay", choices=[], answer_spec={"max_words": 50}),
    ]
    copies = form_count if form_mode == "parallel" else 1
    for _copy in range(copies):
        for spec in specs:
            make_item(bank, **common, **spec)
    paper = paper_services.create_paper(
        bank,
        actor=owner,
        code=f"part-a-{next(_n)}",
        title="ภาค ก ทดสอบ",
        form_mode=form_mode,
        form_count=form_count,
    )
    section = paper_services.add_section(
        paper, actor=owner, title="ความสามารถทั่วไป", shuffle_items=shuffle, shuffle_choices=shuffle
    )
    paper_services.add_rule(section, actor=owner, category=subject, count=5)
    return paper_services.lock_paper(paper, actor=owner, seed=2569)


def make_session(paper=None, *, now=None, duration=60, opens=-10, late=20, closes=120, **fields):
    """A session whose window is open at `now` (minutes relative to now)."""
    now = now or timezone.now()
    paper = paper or make_locked_paper()
    n = next(_n)
    exam_round = ExamRound.objects.create(
        code=f"round-{n}", title="การสอบแข่งขัน ครั้งที่ 1/2569", exam_type="competitive"
    )
    return ExamSession.objects.create(
        round=exam_round,
        code=f"s-{n}",
        title="รอบเช้า",
        paper=paper,
        opens_at=now + dt.timedelta(minutes=opens),
        late_entry_until=now + dt.timedelta(minutes=late),
        closes_at=now + dt.timedelta(minutes=closes),
        duration_minutes=duration,
        **fields,
    )


def make_entry(session, *, candidate=None, checked_in=True, accommodations=None) -> RosterEntry:
    candidate = candidate or make_candidate()
    n = next(_n)
    return RosterEntry.objects.create(
        session=session,
        candidate=candidate,
        application_number=f"APP-{n:05d}",
        exam_number=f"EX{n:05d}",
        accommodations=accommodations or {},
        checked_in_at=timezone.now() if checked_in else None,
    )


def log_in(user) -> Client:
    client = Client()
    client.force_login(user, backend=BACKEND)
    return client


def socket_headers(client: Client | None, *, origin: str | None = ORIGIN) -> list:
    headers = []
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    if client is not None:
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    return headers


def items_by_type(attempt) -> dict[str, dict]:
    return {item["type"]: item for section in attempt.form["sections"] for item in section["items"]}


def answer_for(item: dict, *, variant: int = 0):
    """A valid answer for a frozen item; `variant` picks different ones."""
    kind = item["type"]
    choices = [c["uid"] for c in item["choices"]]
    if kind in ("single", "true_false"):
        return {"choice": choices[variant % len(choices)]}
    if kind == "multiple":
        return {"choices": sorted(choices[: 1 + variant % len(choices)])}
    if kind == "numeric":
        return {"value": str(40 + variant)}
    return {"text": f"คำตอบที่ {variant}"}


def save_message(seq: int, item: dict, answer, *, flagged=False) -> dict:
    return {
        "type": "save",
        "seq": seq,
        "item": item["uid"],
        "answer": answer,
        "flagged": flagged,
        "client_time": "2026-03-01T09:00:00.000+07:00",
    }
