"""Render a published rank list of N rows (default 10,000) as the Thai PDF announcement and its
CSV / Excel / HTML twins, through the publication app's real renderers (no database).

    DEBUG=1 .venv/bin/python bench/rank_list_pdf.py [--rows 10000] [--out FILE] [--trace-memory]

Prints the time and peak memory of each file. Goal (issue 5): the PDF in under 30 s on this
2-core machine.
"""

import argparse
import os
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exam_platform.settings")
os.environ.setdefault("DEBUG", "1")

FIRST = ["สมชาย", "สมหญิง", "ณัฐวุฒิ", "กัญญ์ณัฏฐ์", "พงษ์ศักดิ์", "น้ำทิพย์", "เบญจมาศ", "ธนพล", "ศิริพร", "อรุณี"]
LAST = ["ใจดี", "สุวรรณภูมิ", "ฤทธิ์เดช", "ตั้งมั่น", "ศรีสุข", "พึ่งน้ำ", "รักษ์ไทย", "เรืองศรี", "ทองคำ", "แก้วประเสริฐ"]
TITLES = ["นาย", "นางสาว", "นาง"]


def synthetic_version(rows: int, seed: int = 2569):
    import datetime as dt

    rng = random.Random(seed)
    totals = sorted((round(rng.uniform(60, 100), 2) for _ in range(rows)), reverse=True)
    body, rank = [], 0
    for i, total in enumerate(totals):
        rank = rank if i and total == totals[i - 1] else i + 1
        first, second = round(total * 0.5, 2), round(total - total * 0.5, 2)
        body.append(
            {
                "rank": rank,
                "exam_number": f"69{i + 1:05d}",
                "application_number": f"A{i + 1:05d}",
                "national_id": f"x-xxxx-xxxx{rng.randint(0, 9)}-{rng.randint(10, 99)}-{rng.randint(0, 9)}",
                "name": f"{rng.choice(TITLES)}{rng.choice(FIRST)} {rng.choice(LAST)}",
                "sections": [
                    {"section": 1, "title": "ความสามารถทั่วไป", "score": f"{first:.2f}", "max": "100"},
                    {"section": 2, "title": "ภาษาอังกฤษ", "score": f"{second:.2f}", "max": "100"},
                ],
                "total": f"{total:.2f}",
                "max_total": "200",
                "passed": True,
                "rank_decided_by": "คะแนนรวม",
            }
        )
    payload = {
        "list": {
            "title": "ประกาศรายชื่อผู้สอบแข่งขันได้ ตำแหน่งนักทรัพยากรบุคคลปฏิบัติการ",
            "announcement_number": "456/2569",
            "round": {
                "code": "bench-2569",
                "title": "การสอบแข่งขันเพื่อบรรจุเป็นข้าราชการกรุงเทพมหานครสามัญ ครั้งที่ 1/2569",
            },
            "position": None,
            "change_note": "",
        },
        "rows": body,
    }
    return SimpleNamespace(
        payload=payload,
        published_at=dt.datetime(2026, 11, 21, 10, 0, tzinfo=dt.UTC),
        rank_list_id=1,
        number=1,
        payload_sha256="0" * 64,
        key_id="ed25519:bench",
        pk=1,
        signature="",
        status="published",
    )


def measure(label: str, render, *, trace: bool):
    """Time one render; with trace, also tracemalloc's peak (tracing slows Python several times,
    so the time printed then is not the figure to quote)."""
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    data = render()
    elapsed = time.perf_counter() - started
    peak = ""
    if trace:
        peak = f" · tracemalloc peak {tracemalloc.get_traced_memory()[1] / 1e6:7.1f} MB"
        tracemalloc.stop()
    print(f"{label:<6} {len(data) / 1e6:7.2f} MB in {elapsed:6.2f} s{peak}")
    return data


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--out", default="var/bench/rank_list.pdf")
    parser.add_argument("--trace-memory", action="store_true", help="also report tracemalloc peaks")
    args = parser.parse_args()

    import django

    django.setup()
    from exam_platform.publication import documents

    trace = args.trace_memory
    version = synthetic_version(args.rows)
    print(f"rank list: {args.rows:,} rows")
    pdf = measure("pdf", lambda: documents.render_pdf(version, signer_name="นายเอกชัย อยู่เย็น"), trace=trace)
    measure("csv", lambda: documents.render_csv(version), trace=trace)
    measure("xlsx", lambda: documents.render_xlsx(version), trace=trace)
    measure("html", lambda: documents.render_html(version), trace=trace)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(pdf)
    print(
        f"ru_maxrss {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB · PDF written to {out}"
    )


if __name__ == "__main__":
    main()
