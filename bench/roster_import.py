"""Bench: import rosters of 500 and 5,000 new candidates; prints seconds and rows/s.

    .venv/bin/python bench/roster_import.py        # SQLite file var/bench/roster.sqlite3 (fresh)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/exam_bench \
        .venv/bin/python bench/roster_import.py
    .venv/bin/python bench/roster_import.py --rows 500,5000,20000

Each size is imported twice into fresh sessions of one database: once straight through
import_roster (what a small upload does inside the request) and once as the worker does a large
upload (start_roster_import: the file into private storage, a long-lane job; then a Worker limited
to the long lane claims and runs it). Both include everything a new candidate needs to log in:
user (unusable password), group, registry row, roster entry with exam number, activation code,
and the audit entry. The goal (issue 10): 5,000 rows within a minute on this 2-core machine.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", default="500,5000")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exam_platform.settings")
    os.environ.setdefault("DEBUG", "1")
    if not os.environ.get("DATABASE_URL"):
        (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
        path = ROOT / "var" / "bench" / "roster.sqlite3"
        path.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    private = tempfile.mkdtemp(prefix="roster-bench-")
    os.environ["PRIVATE_MEDIA_ROOT"] = private
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from exam_platform.accounts.models import ActivationCode
    from exam_platform.common.jobs.registry import LONG_LANE, load_handlers
    from exam_platform.common.jobs.worker import Worker
    from exam_platform.common.models import Job
    from exam_platform.delivery.models import RosterEntry
    from exam_platform.delivery.services.roster import import_roster
    from exam_platform.delivery.services.roster_upload import start_roster_import
    from tests.delivery.roster_rows import big_roster_csv
    from tests.delivery.roster_setup import make_officer, make_session

    load_handlers()
    officer = make_officer()
    print(f"database: {connection.vendor} · cores: {os.cpu_count()}")
    start = 0
    for rows in (int(n) for n in args.rows.split(",")):
        for mode in ("inline", "job"):
            session = make_session(actor=officer)
            data = big_roster_csv(rows, start=start, email=True)
            start += rows
            codes_before = ActivationCode.objects.count()
            started = time.perf_counter()
            if mode == "inline":
                result = import_roster(session, data, filename="bench.csv", actor=officer)
                ok, created = result.ok, result.created_entries
            else:
                job = start_roster_import(session, data, filename="bench.csv", actor=officer)
                Worker("bench", lanes=(LONG_LANE,), heartbeat=False).run_due()
                job = Job.objects.get(pk=job.pk)
                ok, created = job.status == "done" and job.result["ok"], job.result.get("created_entries")
            seconds = time.perf_counter() - started
            assert ok and created == rows, (mode, rows)
            assert RosterEntry.objects.filter(session=session).count() == rows
            assert ActivationCode.objects.count() - codes_before == rows
            print(
                f"{rows:6,} rows  {mode:6s}  {seconds:6.2f} s  {rows / seconds:7,.0f} rows/s  "
                f"({len(data) / 1e6:.1f} MB CSV, {rows:,} new candidates with activation codes)"
            )


if __name__ == "__main__":
    main()
