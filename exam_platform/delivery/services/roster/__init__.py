"""Roster import: a CSV or Excel file of candidates becomes a session's roster, all or nothing.

Headers may be Thai or English (headers.HEADER_ALIASES). Each row is checked (validation: national ID
check digit, dates in the Buddhist or Common Era, known position, accommodations; eligibility: the
rules of internal-selection rounds) and checked against the rest of the file and the database
(duplicates, candidates already on this session's roster). Every problem is collected with its
spreadsheet row number (the header is row 1); if there is any, nothing is written. Otherwise one
transaction (writing) creates the missing candidates and the roster entries with exam numbers in
file order, and writes one audit entry.

Candidates are found by national ID. An existing candidate is reused and never changed: differences
between the file and the registry are reported as warnings. A new candidate gets a login (username =
national ID) without a usable password and a one-time activation code (accounts.ActivationCode),
printed on the admission card and sent by e-mail; with it they set their own password on the
first-login page. No password is ever derived from personal data, and nothing per row hashes one.

Modules: table (reading CSV/Excel), headers (column aliases), validation (rows), eligibility,
writing, and import_roster here. Files above settings.ROSTER_INLINE_MAX_ROWS rows are imported by
the worker (delivery.jobs.import_roster_upload, long lane); see services/roster_upload.py.
"""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ...models import ExamSession
from .headers import HEADER_ALIASES, REQUIRED_COLUMNS
from .result import RosterImportResult, RowMessage
from .table import MAX_UPLOAD_BYTES, count_data_rows, read_table
from .validation import BUDDHIST_ERA_OFFSET, TITLE_ALIASES, parse_thai_date
from .writing import EXAM_NUMBER_DIGITS

__all__ = [
    "BUDDHIST_ERA_OFFSET",
    "EXAM_NUMBER_DIGITS",
    "HEADER_ALIASES",
    "MAX_UPLOAD_BYTES",
    "REQUIRED_COLUMNS",
    "TITLE_ALIASES",
    "RosterImportResult",
    "RowMessage",
    "count_data_rows",
    "import_roster",
    "parse_thai_date",
    "read_table",
]

Progress = Callable[[str, int, int], None]  # (phase, done, total), as question_bank's importer


def import_roster(
    session: ExamSession,
    data: bytes,
    *,
    filename: str,
    actor,
    request=None,
    progress: Progress | None = None,
    audit_extra: dict | None = None,
) -> RosterImportResult:
    """Check every row; write nothing if any row has an error, else everything in one transaction."""
    from .headers import rows_from_table
    from .validation import check_against_database, check_rows
    from .writing import write_roster

    tell = progress or (lambda phase, done, total: None)
    result = RosterImportResult()
    if len(data) > MAX_UPLOAD_BYTES:
        result.errors.append(RowMessage(0, _("ไฟล์ใหญ่เกิน 10 MB (The file is larger than 10 MB).")))
        return result
    tell("parsing", 0, 0)
    try:
        table = read_table(data, filename)
    except ValidationError as exc:
        result.errors.append(RowMessage(0, exc.messages[0]))
        return result
    rows = rows_from_table(table, result)
    if result.errors:
        return result
    if not rows:
        result.errors.append(RowMessage(1, _("ไม่มีข้อมูลผู้สมัครในไฟล์ (The file has no candidate rows).")))
        return result
    result.rows = len(rows)
    tell("validating", 0, len(rows))
    check_rows(session, rows, result)
    existing = check_against_database(session, rows, result)
    if result.errors:
        return result
    tell("writing", 0, len(rows))
    with transaction.atomic():
        write_roster(
            session,
            rows,
            existing,
            result,
            actor=actor,
            request=request,
            filename=filename,
            audit_extra=audit_extra,
        )
    tell("done", len(rows), len(rows))
    return result
