"""Bench: import 20,000 Thai items from CSV and from GIFT; prints time and peak memory per format.

    .venv/bin/python bench/import_items.py                      # SQLite file var/bench/import.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/exam_bench .venv/bin/python bench/import_items.py
    .venv/bin/python bench/import_items.py --items 5000 --formats csv

Each format goes into a fresh bank through the same code path as `manage.py import_items`
(parse → validate → duplicate check → one transaction with bulk inserts + one audit entry).
Peak memory: tracemalloc (Python allocations during the import) and ru_maxrss (the process).
"""

import argparse
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORDS = [
    "น้ำ",
    "ข้าราชการ",
    "กรุงเทพมหานคร",
    "สำนักงาน",
    "การบริหาร",
    "ประชาชน",
    "กฎหมาย",
    "งบประมาณ",
    "เขต",
    "ภาษี",
]


def stem(n: int) -> str:
    return f"ข้อที่ {n}: ข้อใด{WORDS[n % 10]}เกี่ยวข้องกับ{WORDS[(n // 10) % 10]}มากที่สุด ({n})"


def choices(n: int) -> list[str]:
    return [f"{WORDS[(n + k) % 10]} แบบที่ {k + 1}" for k in range(4)]


def write_csv(path: Path, count: int) -> None:
    import csv

    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "รหัสวิชา",
                "รหัสหัวข้อ",
                "ชนิดข้อสอบ",
                "โจทย์",
                "ตัวเลือก ก",
                "ตัวเลือก ข",
                "ตัวเลือก ค",
                "ตัวเลือก ง",
                "คำตอบ",
                "คะแนน",
                "ความยาก",
                "ป้ายกำกับ",
            ]
        )
        for n in range(count):
            writer.writerow(
                [
                    "thai",
                    "reading",
                    "ปรนัย",
                    stem(n),
                    *choices(n),
                    "กขคง"[n % 4],
                    "1",
                    ["ง่าย", "ปานกลาง", "ยาก"][n % 3],
                    f"ชุด{n % 20}",
                ]
            )


def write_gift(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write("$CATEGORY: thai/reading\n\n")
        for n in range(count):
            options = "\n".join(("=" if k == n % 4 else "~") + text for k, text in enumerate(choices(n)))
            handle.write(f"// [tag:ชุด{n % 20}]\n::Q{n}:: {stem(n)} {{\n{options}\n}}\n\n")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--formats", default="csv,gift")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exam_platform.settings")
    os.environ.setdefault("DEBUG", "1")
    if not os.environ.get("DATABASE_URL"):
        (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'bench' / 'import.sqlite3'}"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from question_bank.models import Bank, Category, Item
    from question_bank.transfer import import_items

    print(f"database: {connection.vendor} · items per file: {args.items:,}")
    with tempfile.TemporaryDirectory() as folder:
        for fmt in args.formats.split(","):
            path = Path(folder) / f"items.{fmt}"
            (write_csv if fmt == "csv" else write_gift)(path, args.items)
            data = path.read_bytes()
            stamp = f"{fmt}-{int(time.time() * 1000)}"
            bank = Bank.objects.create(code=f"bench-{stamp}", name=f"Bench {stamp}")
            subject = Category.objects.create(bank=bank, code="thai", name="ภาษาไทย")
            Category.objects.create(bank=bank, parent=subject, code="reading", name="การอ่าน")

            tracemalloc.start()
            started = time.perf_counter()
            report = import_items(bank, data, fmt, actor=None, filename=path.name)
            seconds = time.perf_counter() - started
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            assert report.ok and report.created == args.items, report.errors[:5]
            assert Item.objects.filter(bank=bank).count() == args.items
            print(
                f"{fmt:5s} {len(data) / 1e6:6.1f} MB  {report.created:,} items in {seconds:6.1f} s "
                f"({report.created / seconds:,.0f} items/s) · tracemalloc peak {peak / 1e6:6.1f} MB "
                f"· ru_maxrss {maxrss_mb:6.0f} MB"
            )


if __name__ == "__main__":
    main()
