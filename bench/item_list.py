"""Time the examiner item list (/qb/banks/<id>/items/) with 20,000 items in one bank.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/exam_bench DEBUG=1 .venv/bin/python bench/item_list.py

Migrates the database named by DATABASE_URL, seeds a bank "bench-item-list" with --items items
(once: a rerun tops it up, it never duplicates), then requests the list through Django's test
client for a few filters and prints, per filter, the median and worst time of --repeat requests,
the number of SQL queries and the number of matching items. Writes to that database: point it at
a scratch one.
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


def seed(n_items: int):
    from django.contrib.auth.models import Group
    from django.db import connection, transaction

    from exam_platform.accounts.models import User
    from exam_platform.accounts.roles import sync_role_groups
    from question_bank.models import Bank, BankMembership, Category, Item
    from question_bank.services.items import ChoiceData, ItemData, create_items_bulk

    sync_role_groups()
    bank, _ = Bank.objects.get_or_create(code="bench-item-list", defaults={"name": "คลังทดสอบความเร็ว"})
    user, _created = User.objects.get_or_create(
        username="bench.examiner", defaults={"kind": User.Kind.STAFF, "display_name": "ผู้ทดสอบความเร็ว"}
    )
    user.groups.add(Group.objects.get(name="examiner"))
    BankMembership.objects.get_or_create(bank=bank, user=user, defaults={"role": "owner"})
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    bank, user = seed(args.items)
    client = logged_in_client(user)
    subject = bank.categories.filter(parent__isnull=True).order_by("pk").first()
    tag = bank.tags.order_by("pk").first()
    cases = {
        "no filter, 25 per page": {},
        "no filter, 100 per page": {"per_page": 100},
        "last page (100 per page)": {"per_page": 100, "page": -(-bank.items.count() // 100)},
        "status=approved": {"status": "approved"},
        "subject (with topics)": {"subject": subject.pk},
        "tag": {"tag": tag.pk},
        "difficulty=hard, oldest": {"difficulty": "hard", "sort": "oldest"},
        "search Thai 'น้ำประปา'": {"q": "น้ำประปา"},
        "search, no match": {"q": "ไม่มีคำนี้แน่นอน"},
    }
    url = f"/qb/banks/{bank.pk}/items/"
    print(f"{connection.vendor}, {bank.items.count()} items in the bank; {args.repeat} requests per case")
    print(f"{'case':32} {'median ms':>10} {'max ms':>8} {'queries':>8} {'matches':>8}")
    for name, params in cases.items():
        timings = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url, params)
                timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        matches = response.context["page"].paginator.count
        print(
            f"{name:32} {statistics.median(timings):10.1f} {max(timings):8.1f} {len(queries):8d} {matches:8d}"
        )


if __name__ == "__main__":
    main()
