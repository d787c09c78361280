"""Time the officer live panel's one aggregate query (delivery.live_status.session_status_counts)
on a session of 5,000 roster entries in 20 rooms, in every state.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/exam_livepanel_bench .venv/bin/python bench/live_status.py
    DATABASE_URL=sqlite:////tmp/live_bench.sqlite3 .venv/bin/python bench/live_status.py

Migrates the database named by DATABASE_URL (it must be set: point it at a scratch database) and
seeds, once (a rerun reuses it): a locked paper of --items single-choice items, the measured
session with --entries entries over --rooms rooms — 10 % not checked in, 20 % waiting, 40 % in
progress, 25 % submitted (candidate / deadline / proctor), 5 % terminated, every attempt holding a
real frozen form of the paper (their size is what a scan would pay for) — and a second session of
--entries entries all in progress, which the query must not read. Then runs the query --repeat
times and prints the median, p95 and worst, the queries per read and the plan.

The panel reads once a second per watched session per server process (delivery/live_feed.py):
the median here over 1,000 ms is the share of one core a watched session costs.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exam_platform.settings")
os.environ.setdefault("DEBUG", "1")

ROUND_CODE = "bench-live"


def make_paper(item_count: int):
    from question_bank.services import papers as paper_services
    from tests.factories import make_bank, make_examiner, make_item

    owner = make_examiner()
    bank = make_bank(members={owner: "owner"})
    subject = bank.categories.get(parent__isnull=True)
    for i in range(item_count):  # the default rule mix: 40 % easy, 40 % medium, 20 % hard
        make_item(bank, status="approved", difficulty=("easy", "easy", "medium", "medium", "hard")[i % 5])
    paper = paper_services.create_paper(bank, actor=owner, code="bench-live", title="ภาค ก (bench)")
    section = paper_services.add_section(paper, actor=owner, title="ความสามารถทั่วไป")
    paper_services.add_rule(section, actor=owner, category=subject, count=item_count)
    return paper_services.lock_paper(paper, actor=owner, seed=2569)


def make_session(exam_round, paper, code: str, n: int, n_rooms: int, *, offset: int, mix: bool):
    from django.utils import timezone

    from exam_platform.accounts.models import Candidate, User
    from exam_platform.common.national_id import make_valid
    from exam_platform.delivery.models import Attempt, ExamSession, Room, RosterEntry
    from exam_platform.delivery.services.attempts import freeze_form

    now = timezone.now()
    session = ExamSession.objects.create(
        round=exam_round,
        code=code,
        title=f"รอบ {code}",
        paper=paper,
        opens_at=now - dt.timedelta(minutes=30),
        late_entry_until=now + dt.timedelta(days=365),
        closes_at=now + dt.timedelta(days=366),
        duration_minutes=120,
    )
    rooms = Room.objects.bulk_create(
        [
            Room(session=session, code=f"r{r}", name=f"ห้อง {r + 1}", capacity=n, position=r)
            for r in range(n_rooms)
        ]
    )
    users = User.objects.bulk_create(
        [
            User(
                username=make_valid(f"3{offset + i:011d}"),
                password="!bench",  # noqa: S106 (unusable: nobody logs in here)
                kind=User.Kind.CANDIDATE,
            )
            for i in range(n)
        ],
        batch_size=1000,
    )
    candidates = Candidate.objects.bulk_create(
        [
            Candidate(
                user=user,
                national_id=user.username,
                title=Candidate.Title.MR,
                first_name_th=f"ผู้สอบ{i}",
                last_name_th="ทดสอบ",
                date_of_birth=dt.date(1995, 1, 1),
            )
            for i, user in enumerate(users)
        ],
        batch_size=1000,
    )
    # i % 20: 0–1 not checked in, 2–5 waiting, 6–13 in progress, 14–18 submitted, 19 terminated
    states = [(i % 20) if mix else 10 for i in range(n)]
    entries = RosterEntry.objects.bulk_create(
        [
            RosterEntry(
                session=session,
                candidate=candidate,
                application_number=f"{code}-{i:06d}",
                exam_number=f"{i:06d}",
                room=rooms[i % n_rooms],
                seat_number=i // n_rooms + 1,
                checked_in_at=None if states[i] < 2 else now,
            )
            for i, candidate in enumerate(candidates)
        ],
        batch_size=1000,
    )
    form = freeze_form(paper, 1)
    reasons = ["candidate", "candidate", "deadline", "deadline", "proctor"]
    attempts = []
    for i, entry in enumerate(entries):
        state = states[i]
        if state < 6:
            continue
        status, reason = "in_progress", ""
        if 14 <= state <= 18:
            status, reason = "submitted", reasons[state - 14]
        elif state == 19:
            status, reason = "terminated", "proctor"
        attempts.append(
            Attempt(
                entry=entry,
                seed=i,
                form=form,
                started_at=now,
                deadline=now + dt.timedelta(hours=2),
                status=status,
                submit_reason=reason,
                submitted_at=None if status == "in_progress" else now,
            )
        )
    Attempt.objects.bulk_create(attempts, batch_size=200)
    return session


def seed(n: int, n_rooms: int, item_count: int):
    from django.db import connection, transaction

    from exam_platform.delivery.models import ExamRound, ExamSession

    existing = ExamSession.objects.filter(round__code=ROUND_CODE, code="measured").first()
    if existing is not None and existing.roster.count() == n:
        return existing
    started = time.perf_counter()
    with transaction.atomic():
        exam_round, _ = ExamRound.objects.get_or_create(
            code=ROUND_CODE, defaults={"title": "การสอบ (bench)", "exam_type": "competitive"}
        )
        tag = ExamSession.objects.filter(round=exam_round).count()
        paper = make_paper(item_count)
        measured = make_session(
            exam_round,
            paper,
            "measured" if existing is None else f"m{tag}",
            n,
            n_rooms,
            offset=tag * 2 * n,
            mix=True,
        )
        make_session(exam_round, paper, f"other{tag}", n, n_rooms, offset=(tag * 2 + 1) * n, mix=False)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # what autovacuum does a minute after a large insert
    print(f"seeded 2 sessions × {n} entries in {time.perf_counter() - started:.1f} s")
    return measured


def backend_cpu_seconds() -> float | None:
    """CPU time (user + system) of this connection's PostgreSQL backend so far, read from /proc:
    a figure that CPU contention from other processes does not inflate. None when the server is
    not on this machine or the database is not PostgreSQL."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def plan(session_id: int) -> str:
    from django.db import connection
    from django.utils import timezone

    from exam_platform.delivery.live_status import state_query

    query = state_query(session_id, now=timezone.now())
    if connection.vendor == "postgresql":
        return query.explain(analyze=True, buffers=True)
    return query.explain()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--rooms", type=int, default=20)
    parser.add_argument("--items", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        sys.exit("set DATABASE_URL to a scratch database (this script writes to it)")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from exam_platform.delivery.live_status import PARTS, session_status_counts

    call_command("migrate", verbosity=0)
    session = seed(args.entries, args.rooms, args.items)
    counts = session_status_counts(session.pk)
    total = counts["session"]
    assert sum(total[p] for p in PARTS) == total["total"] == args.entries, total
    print(f"{connection.vendor}: session {session.pk}, {len(counts['rooms'])} rooms, counts {total}")

    for _ in range(5):  # warm the caches and the connection
        session_status_counts(session.pk)
    backend = backend_cpu_seconds()
    times = []
    cpu_started = time.process_time()
    with CaptureQueriesContext(connection) as queries:
        for _ in range(args.repeat):
            started = time.perf_counter()
            session_status_counts(session.pk)
            times.append((time.perf_counter() - started) * 1000)
    cpu_ms = (time.process_time() - cpu_started) * 1000 / args.repeat
    sql_ms = sorted(float(q["time"]) * 1000 for q in queries.captured_queries)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(
        f"session_status_counts × {args.repeat}: median {statistics.median(times):.2f} ms, "
        f"p95 {p95:.2f} ms, worst {times[-1]:.2f} ms; {len(sql_ms) / args.repeat:g} query per read, "
        f"of which in the database driver: median {statistics.median(sql_ms):.2f} ms; "
        f"this process's CPU per read (ORM, driver, counting): {cpu_ms:.2f} ms"
    )
    if backend is not None:
        used = backend_cpu_seconds() - backend
        print(f"PostgreSQL backend CPU per read: {used * 1000 / args.repeat:.2f} ms (from /proc)")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (1 min)")
    print("plan:")
    print(plan(session.pk))


if __name__ == "__main__":
    main()
