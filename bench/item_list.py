"""Time the examiner item list (/qb/banks/<id>/items/) and its bulk actions at several bank sizes.

    DATABASE_URL=sqlite:////tmp/bench_items.sqlite3 DEBUG=1 .venv/bin/python bench/item_list.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/exam_bench DEBUG=1 \\
        .venv/bin/python bench/item_list.py --sizes 20000

Migrates the database named by DATABASE_URL, seeds one bank per size ("bench-item-list-<n>", with
that many items; a rerun tops it up, it never duplicates), then requests the list through Django's
test client for a few filters and prints, per filter, the median and worst time of --repeat
requests, the number of SQL queries and the number of matching items. Then, per size, the bulk
action's confirmation page for "approve every item in review" (select all matching: reads only),
and once the approval itself (a reviewer approves them all: one transition, comment and audit
entry per item, in one transaction; the statuses are put back afterwards, the audit entries stay).
Writes to that database: point it at a scratch one, never at var/db.sqlite3.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exam_platform.settings")
os.environ.setdefault("DEBUG", "1")

SUBJECTS = [("thai", "ภาษาไทย"), ("english", "ภาษาอังกฤษ"), ("law", "กฎหมาย"), ("analysis", "การคิดวิเคราะห์")]
WORDS = ["น้ำประปา", "กรุงเทพมหานคร", "ราชการ", "งบประมาณ", "การจราจร", "ขยะ", "คลอง", "โรงเรียน"]


def seed(n_items: int, code: str = "bench-item-list"):
    from django.contrib.auth.models import Group
    from django.db import connection, transaction

    from exam_platform.accounts.models import User
    from exam_platform.accounts.roles import sync_role_groups
    from question_bank.models import Bank, BankMembership, Category, Item
    from question_bank.services.items import ChoiceData, ItemData, create_items_bulk

    sync_role_groups()
    bank, _ = Bank.objects.get_or_create(code=code, defaults={"name": f"คลังทดสอบความเร็ว {n_items:,} ข้อ"})
    user, _created = User.objects.get_or_create(
        username="bench.examiner", defaults={"kind": User.Kind.STAFF, "display_name": "ผู้ทดสอบความเร็ว"}
    )
    user.groups.add(Group.objects.get(name="examiner"))
    BankMembership.objects.get_or_create(bank=bank, user=user, defaults={"role": "owner"})
    reviewer, _created = User.objects.get_or_create(
        username="bench.reviewer", defaults={"kind": User.Kind.STAFF, "display_name": "ผู้พิจารณาทดสอบ"}
    )
    reviewer.groups.add(Group.objects.get(name="examiner"))
    BankMembership.objects.get_or_create(bank=bank, user=reviewer, defaults={"role": "reviewer"})
    topics = []
    for code, name in SUBJECTS:
        subject, _ = Category.objects.get_or_create(bank=bank, code=code, defaults={"name": name})
        for t in range(5):
            topic, _ = Category.objects.get_or_create(
                bank=bank, code=f"{code}-{t}", defaults={"name": f"{name} หัวข้อ {t + 1}", "parent": subject}
            )
            topics.append(topic)
    have = Item.objects.filter(bank=bank).count()
    missing = max(0, n_items - have)
    started = time.perf_counter()
    datas = [
        ItemData(
            item_type="single",
            stem=f"<p>ข้อ {have + i}: เรื่อง{WORDS[i % len(WORDS)]} ข้อใดถูกต้องที่สุด</p>",
            category=topics[i % len(topics)],
            choices=[
                ChoiceData(text=f"ตัวเลือก {c} ของข้อ {have + i}", is_correct=c == i % 4) for c in range(4)
            ],
            difficulty=("easy", "medium", "hard")[i % 3],
            tags=[f"ปี {2560 + i % 8}", WORDS[i % len(WORDS)]],
        ).cleaned()
        for i in range(missing)
    ]
    statuses = ["draft", "in_review", "approved", "retired"]
    with transaction.atomic():
        for s, status in enumerate(statuses):
            create_items_bulk(bank, datas[s :: len(statuses)], actor=user, status=status)
    if missing:
        print(f"seeded {missing} items in {time.perf_counter() - started:.1f} s")
        if connection.vendor == "postgresql":
            # What autovacuum does a minute after a large import; without fresh statistics the
            # planner guesses a few rows and a filtered list can take seconds.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
    return bank, user


def logged_in_client(user):
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def timed(client, method: str, url: str, params: dict, repeat: int):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = getattr(client, method)(url, params)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return response, timings, len(queries)


def row(name: str, timings, queries: int, matches: int) -> str:
    return f"{name:34} {statistics.median(timings):10.1f} {max(timings):8.1f} {queries:8d} {matches:8d}"


def bench_size(n_items: int, repeat: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from exam_platform.common.models import AuditEntry
    from question_bank.models import Item, ItemComment

    bank, user = seed(n_items, code=f"bench-item-list-{n_items}")
    client = logged_in_client(user)
    subject = bank.categories.filter(parent__isnull=True).order_by("pk").first()
    tag = bank.tags.order_by("pk").first()
    count = bank.items.count()
    cases = {
        "no filter, 25 per page": {},
        "no filter, 100 per page": {"per_page": 100},
        "last page (100 per page)": {"per_page": 100, "page": -(-count // 100)},
        "status=approved": {"status": "approved"},
        "subject (with topics)": {"subject": subject.pk},
        "tag": {"tag": tag.pk},
        "author": {"author": user.pk},
        "difficulty=hard, oldest": {"difficulty": "hard", "sort": "oldest"},
        "search Thai 'น้ำประปา'": {"q": "น้ำประปา"},
        "search, no match": {"q": "ไม่มีคำนี้แน่นอน"},
    }
    url = f"/qb/banks/{bank.pk}/items/"
    print(f"\n{connection.vendor}, {count} items in the bank; {repeat} requests per case")
    print(f"{'case':34} {'median ms':>10} {'max ms':>8} {'queries':>8} {'matches':>8}")
    for name, params in cases.items():
        response, timings, queries = timed(client, "get", url, params, repeat)
        print(row(name, timings, queries, response.context["page"].paginator.count))

    reviewer = get_user_model().objects.get(username="bench.reviewer")
    reviewer_client = logged_in_client(reviewer)
    bulk_url = f"/qb/banks/{bank.pk}/items/bulk/"
    select_all = {"action": "approve", "scope_matching": "1", "filters": "status=in_review"}
    response, timings, queries = timed(reviewer_client, "post", bulk_url, select_all, repeat)
    plan = response.context["plan"]
    print(row("bulk confirm: approve all in review", timings, queries, len(plan.ready)))

    in_review = list(Item.objects.filter(bank=bank, status="in_review").values_list("pk", flat=True))
    audits_before = AuditEntry.objects.count()
    confirm = {
        "action": "approve",
        "ids": response.context["ids"],
        "expected": plan.fingerprint,
        "filters": "status=in_review",
        "confirm": "1",
    }
    started = time.perf_counter()
    done = reviewer_client.post(bulk_url, confirm)
    elapsed = time.perf_counter() - started
    assert done.status_code == 302, done.status_code
    approved = Item.objects.filter(pk__in=in_review, status="approved").count()
    audits = AuditEntry.objects.count() - audits_before
    print(
        f"bulk approve {approved} items: {elapsed:.2f} s "
        f"({elapsed / max(approved, 1) * 1000:.2f} ms per item), {audits} audit entries"
    )
    # put the statuses back so that a rerun measures the same thing (audit entries are append-only)
    ItemComment.objects.filter(item_id__in=in_review, to_status="approved").delete()
    Item.objects.filter(pk__in=in_review).update(status="in_review")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,5000", help="bank sizes, comma-separated")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    for size in (int(s) for s in args.sizes.split(",")):
        bench_size(size, args.repeat)


if __name__ == "__main__":
    main()
