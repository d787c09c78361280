"""Roster import: a CSV or Excel file of candidates becomes a session's roster, all or nothing.

Headers may be Thai or English (HEADER_ALIASES). Each row is checked (national ID check digit, dates in
the Buddhist or Common Era, known position, accommodations, eligibility of internal-selection rounds)
and checked against the rest of the file and the database (duplicates, candidates already on this
session's roster). Every problem is collected with its spreadsheet row number (the header is row 1);
if there is any, nothing is written. Otherwise one transaction creates the missing candidates and the
roster entries with exam numbers in file order, and writes one audit entry.

Candidates are found by national ID. An existing candidate is reused and never changed: differences
between the file and the registry are reported as warnings. A new candidate gets a login (username =
national ID) whose initial password is their date of birth as ddmmyyyy in the Buddhist Era followed by
the last four digits of their national ID (17 May 1995, ID ...12345 -> "170525382345"); see
`initial_password`. Hashing a password costs about 0.3 s, so the import stores unusable passwords and a
worker job (delivery.set_initial_passwords) sets them after the commit.
"""

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from exam_platform.accounts.models import Candidate, User
from exam_platform.common.audit import record_audit
from exam_platform.common.jobs import enqueue_job
from exam_platform.common.national_id import normalise as normalise_national_id
from exam_platform.common.national_id import validate_national_id

from ..models import ExamRound, ExamSession, RosterEntry
from .accommodations import parse_accommodations

SET_PASSWORDS_JOB = "delivery.set_initial_passwords"
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
EXAM_NUMBER_DIGITS = 5

HEADER_ALIASES = {
    "national_id": ("เลขประจำตัวประชาชน", "เลขบัตรประชาชน", "national_id", "nationalid", "national id"),
    "application_number": ("เลขที่ใบสมัคร", "application_number", "application number", "application_no"),
    "title": ("คำนำหน้า", "คำนำหน้าชื่อ", "title"),
    "first_name_th": ("ชื่อ", "ชื่อ (ไทย)", "first_name_th", "first_name", "first name"),
    "last_name_th": ("นามสกุล", "นามสกุล (ไทย)", "last_name_th", "last_name", "last name"),
    "first_name_en": ("ชื่อ (อังกฤษ)", "first_name_en", "first name (english)"),
    "last_name_en": ("นามสกุล (อังกฤษ)", "last_name_en", "last name (english)"),
    "date_of_birth": ("วันเกิด", "วันเดือนปีเกิด", "date_of_birth", "birth_date", "dob"),
    "position": ("ตำแหน่ง", "รหัสตำแหน่ง", "position", "position_code"),
    "phone": ("โทรศัพท์", "เบอร์โทรศัพท์", "phone", "telephone"),
    "email": ("อีเมล", "อีเมล์", "email", "e-mail"),
    "accommodations": ("การอำนวยความสะดวก", "accommodations"),
    "years_of_service": ("อายุราชการ", "อายุราชการ (ปี)", "years_of_service", "years of service"),
    "current_position": ("ตำแหน่งปัจจุบัน", "current_position", "current position"),
}
REQUIRED_COLUMNS = (
    "national_id",
    "application_number",
    "title",
    "first_name_th",
    "last_name_th",
    "date_of_birth",
)

TITLE_ALIASES = {
    "น.ส.": Candidate.Title.MISS,
    "นส.": Candidate.Title.MISS,
    "miss": Candidate.Title.MISS,
    "ms.": Candidate.Title.MISS,
    "mr.": Candidate.Title.MR,
    "mr": Candidate.Title.MR,
    "mrs.": Candidate.Title.MRS,
    "mrs": Candidate.Title.MRS,
    "ว่าที่ ร.ต.": Candidate.Title.ACTING_SUB_LT,
    "ว่าที่ร.ต.": Candidate.Title.ACTING_SUB_LT,
    "ว่าที่ ร.ต.หญิง": Candidate.Title.ACTING_SUB_LT_F,
    "ว่าที่ร.ต.หญิง": Candidate.Title.ACTING_SUB_LT_F,
}
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_DMY = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
BUDDHIST_ERA_OFFSET = 543


@dataclass(frozen=True)
class RowMessage:
    row: int  # spreadsheet row number; 1 is the header row
    message: str

    def __str__(self) -> str:
        return _("แถวที่ %(row)d (row %(row)d): %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class RosterImportResult:
    rows: int = 0
    created_entries: int = 0
    new_candidates: int = 0
    reused_candidates: int = 0
    errors: list[RowMessage] = field(default_factory=list)
    warnings: list[RowMessage] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    number: int
    values: dict
    national_id: str = ""
    date_of_birth: dt.date | None = None
    title: str = ""
    position: object = None
    accommodations: dict = field(default_factory=dict)


def parse_thai_date(value) -> dt.date:
    """A date from a cell: dd/mm/yyyy or ISO yyyy-mm-dd, Buddhist Era (year > 2400) or Common Era,
    Thai or Arabic digits, or a date/datetime an Excel cell already holds. Raises ValueError."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        year, month, day = value.year, value.month, value.day
    else:
        text = str(value or "").strip().translate(_THAI_DIGITS)
        if match := _DMY.match(text):
            day, month, year = (int(g) for g in match.groups())
        elif match := _YMD.match(text):
            year, month, day = (int(g) for g in match.groups())
        else:
            raise ValueError(text)
    if year > 2400:
        year -= BUDDHIST_ERA_OFFSET
    if not 1900 <= year <= 2100:
        raise ValueError(value)
    return dt.date(year, month, day)


def initial_password(candidate: Candidate) -> str:
    """ddmmyyyy (Buddhist Era) of the date of birth + the last four digits of the national ID."""
    dob = candidate.date_of_birth
    return f"{dob.day:02d}{dob.month:02d}{dob.year + BUDDHIST_ERA_OFFSET}{candidate.national_id[-4:]}"


def _header_key(text) -> str:
    return re.sub(r"[\s_\-]+", "", str(text or "").replace("\ufeff", "")).lower()


_HEADER_LOOKUP = {
    _header_key(alias): column for column, aliases in HEADER_ALIASES.items() for alias in aliases
}


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel stores 1101700203451 as a float
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return " ".join(str(value).split())


def read_table(data: bytes, filename: str) -> list[tuple[int, list]]:
    """(row number, cells) of a CSV (UTF-8 with or without BOM, or TIS-620) or .xlsx file.

    Raises ValidationError for a file that cannot be read.
    """
    name = (filename or "").lower()
    if name.endswith(".xls"):
        raise ValidationError(
            _("ไม่รองรับไฟล์ .xls โปรดบันทึกเป็น .xlsx หรือ .csv (.xls is not supported: save as .xlsx or .csv).")
        )
    if name.endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise ValidationError(
                _("อ่านไฟล์ Excel ไม่ได้ (The Excel file cannot be read): %(error)s") % {"error": exc}
            ) from None
        return [(number, list(row)) for number, row in enumerate(sheet.iter_rows(values_only=True), start=1)]
    for encoding in ("utf-8-sig", "cp874"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationError(_("อ่านไฟล์ CSV ไม่ได้ (The CSV file cannot be decoded)."))
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    return list(enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1))


def import_roster(
    session: ExamSession, data: bytes, *, filename: str, actor, request=None
) -> RosterImportResult:
    """Check every row; write nothing if any row has an error, else everything in one transaction."""
    result = RosterImportResult()
    if len(data) > MAX_UPLOAD_BYTES:
        result.errors.append(RowMessage(0, _("ไฟล์ใหญ่เกิน 10 MB (The file is larger than 10 MB).")))
        return result
    try:
        table = read_table(data, filename)
    except ValidationError as exc:
        result.errors.append(RowMessage(0, exc.messages[0]))
        return result
    rows = _rows_from_table(table, result)
    if result.errors:
        return result
    if not rows:
        result.errors.append(RowMessage(1, _("ไม่มีข้อมูลผู้สมัครในไฟล์ (The file has no candidate rows).")))
        return result
    result.rows = len(rows)
    _check_rows(session, rows, result)
    existing = _check_against_database(session, rows, result)
    if result.errors:
        return result
    with transaction.atomic():
        _write(session, rows, existing, result, actor=actor, request=request, filename=filename)
    return result


def _rows_from_table(table, result: RosterImportResult) -> list[_Row]:
    header_index = next((i for i, (_n, cells) in enumerate(table) if any(_cell_text(c) for c in cells)), None)
    if header_index is None:
        result.errors.append(RowMessage(1, _("ไฟล์ว่างเปล่า (The file is empty).")))
        return []
    header_number, header_cells = table[header_index]
    columns: dict[int, str] = {}
    for position, cell in enumerate(header_cells):
        column = _HEADER_LOOKUP.get(_header_key(cell))
        if column is not None:
            if column in columns.values():
                result.errors.append(
                    RowMessage(
                        header_number,
                        _("คอลัมน์ “%(name)s” ซ้ำ (Column “%(name)s” appears twice).") % {"name": cell},
                    )
                )
            columns[position] = column
        elif _cell_text(cell):
            result.warnings.append(
                RowMessage(
                    header_number,
                    _("ไม่รู้จักคอลัมน์ “%(name)s” จึงไม่นำเข้า (Unknown column “%(name)s” ignored).")
                    % {"name": _cell_text(cell)},
                )
            )
    missing = [HEADER_ALIASES[c][0] for c in REQUIRED_COLUMNS if c not in columns.values()]
    if missing:
        result.errors.append(
            RowMessage(
                header_number,
                _("ไม่พบคอลัมน์ที่ต้องมี: %(names)s (Required columns missing).") % {"names": ", ".join(missing)},
            )
        )
        return []
    rows = []
    for number, cells in table[header_index + 1 :]:
        if not any(_cell_text(c) for c in cells):
            continue
        values = {column: "" for column in HEADER_ALIASES}
        for position, column in columns.items():
            cell = cells[position] if position < len(cells) else None
            values[column] = (
                cell if column == "date_of_birth" and isinstance(cell, dt.date) else _cell_text(cell)
            )
        rows.append(_Row(number=number, values=values))
    return rows


def _check_rows(session: ExamSession, rows: list[_Row], result: RosterImportResult) -> None:
    exam_round = session.round
    positions = {p.code.lower(): p for p in exam_round.positions.all()}
    positions_by_title = {p.title: p for p in positions.values()}
    internal = exam_round.exam_type == ExamRound.ExamType.INTERNAL_SELECTION
    eligibility = (exam_round.eligibility or {}) if internal else {}
    titles = {t.value for t in Candidate.Title}
    first_seen_id: dict[str, int] = {}
    first_seen_application: dict[str, int] = {}

    def error(row: _Row, message: str) -> None:
        result.errors.append(RowMessage(row.number, message))

    for row in rows:
        v = row.values
        row.national_id = normalise_national_id(v["national_id"])
        if not v["national_id"]:
            error(row, _("ไม่มีเลขประจำตัวประชาชน (National ID is missing)."))
        else:
            try:
                validate_national_id(row.national_id)
            except ValidationError as exc:
                error(row, f"{exc.messages[0]} [{v['national_id']}]")
            else:
                if row.national_id in first_seen_id:
                    error(
                        row,
                        _("เลขประจำตัวประชาชนซ้ำกับแถวที่ %(first)d (National ID duplicates row %(first)d).")
                        % {"first": first_seen_id[row.national_id]},
                    )
                else:
                    first_seen_id[row.national_id] = row.number
        application = v["application_number"]
        if not application:
            error(row, _("ไม่มีเลขที่ใบสมัคร (Application number is missing)."))
        elif application in first_seen_application:
            error(
                row,
                _("เลขที่ใบสมัครซ้ำกับแถวที่ %(first)d (Application number duplicates row %(first)d).")
                % {"first": first_seen_application[application]},
            )
        else:
            first_seen_application[application] = row.number
        if len(application) > 40:
            error(row, _("เลขที่ใบสมัครยาวเกิน 40 ตัวอักษร (Application number longer than 40 characters)."))
        title = v["title"]
        row.title = TITLE_ALIASES.get(title.lower(), title)
        if row.title not in titles:
            error(
                row,
                _("คำนำหน้า “%(title)s” ไม่ถูกต้อง ใช้ได้: %(allowed)s (Unknown title).")
                % {"title": title, "allowed": ", ".join(sorted(titles))},
            )
        for column, label in (
            ("first_name_th", _("ชื่อ (first name)")),
            ("last_name_th", _("นามสกุล (last name)")),
        ):
            if not v[column]:
                error(row, _("ไม่มี%(label)s (missing).") % {"label": label})
            elif len(v[column]) > 100:
                error(row, _("%(label)s ยาวเกิน 100 ตัวอักษร (longer than 100 characters).") % {"label": label})
        try:
            row.date_of_birth = parse_thai_date(v["date_of_birth"])
        except (ValueError, TypeError):
            error(
                row,
                _(
                    "วันเกิด “%(value)s” ไม่ถูกต้อง ใช้ วว/ดด/ปปปป (พ.ศ.) หรือ YYYY-MM-DD "
                    "(Invalid date of birth: use dd/mm/yyyy (Buddhist Era) or YYYY-MM-DD)."
                )
                % {"value": _cell_text(v["date_of_birth"])},
            )
        code = v["position"]
        row.position = (positions.get(code.lower()) or positions_by_title.get(code)) if code else None
        if code and row.position is None:
            error(row, _("ไม่รู้จักตำแหน่ง “%(code)s” (Unknown position).") % {"code": code})
        elif not code and positions:
            error(row, _("ไม่ได้ระบุตำแหน่ง (Position is missing)."))
        if v["email"]:
            try:
                validate_email(v["email"])
            except ValidationError:
                error(row, _("อีเมล “%(email)s” ไม่ถูกต้อง (Invalid email).") % {"email": v["email"]})
        try:
            row.accommodations = parse_accommodations(v["accommodations"])
        except ValidationError as exc:
            error(row, exc.messages[0])
        _check_eligibility(row, eligibility, error)


def _check_eligibility(row: _Row, eligibility: dict, error) -> None:
    minimum = eligibility.get("min_years_of_service")
    if minimum is not None:
        raw = row.values["years_of_service"].translate(_THAI_DIGITS)
        try:
            years = Decimal(raw)
        except InvalidOperation:
            error(
                row,
                _("ไม่มีหรืออ่านอายุราชการไม่ได้ “%(value)s” (Years of service missing or not a number).")
                % {"value": raw},
            )
        else:
            if years < Decimal(str(minimum)):
                error(
                    row,
                    _(
                        "ไม่มีสิทธิ์สอบ: อายุราชการ %(years)s ปี น้อยกว่าที่กำหนด %(minimum)s ปี "
                        "(Not eligible: %(years)s years of service, %(minimum)s required)."
                    )
                    % {"years": raw, "minimum": minimum},
                )
    allowed = eligibility.get("current_positions")
    if allowed and row.values["current_position"] not in allowed:
        error(
            row,
            _("ไม่มีสิทธิ์สอบ: ตำแหน่งปัจจุบัน “%(position)s” ไม่อยู่ในตำแหน่งที่กำหนด (Not eligible: current position).")
            % {"position": row.values["current_position"]},
        )


def _check_against_database(session: ExamSession, rows: list[_Row], result: RosterImportResult) -> dict:
    """Errors for rows already on this roster; warnings where the registry differs. Returns the
    existing candidates by national ID."""
    ids = [row.national_id for row in rows if row.national_id]
    existing = {c.national_id: c for c in Candidate.objects.filter(national_id__in=ids)}
    users_without_candidate = set(
        User.objects.filter(username__in=ids, candidate__isnull=True).values_list("username", flat=True)
    )
    on_roster = set(
        session.roster.filter(candidate__national_id__in=ids).values_list("candidate__national_id", flat=True)
    )
    applications = set(
        session.roster.filter(
            application_number__in=[r.values["application_number"] for r in rows]
        ).values_list("application_number", flat=True)
    )
    for row in rows:
        if row.national_id in on_roster:
            result.errors.append(
                RowMessage(
                    row.number,
                    _("ผู้สมัครนี้มีรายชื่อในรอบสอบนี้แล้ว (This candidate is already on this session's roster)."),
                )
            )
        if row.values["application_number"] in applications:
            result.errors.append(
                RowMessage(
                    row.number,
                    _("เลขที่ใบสมัครนี้มีในรอบสอบนี้แล้ว (Application number already used in this session)."),
                )
            )
        if row.national_id in users_without_candidate:
            result.errors.append(
                RowMessage(
                    row.number,
                    _("มีบัญชีผู้ใช้ชื่อนี้ที่ไม่ใช่ผู้สมัครสอบ (A non-candidate account already uses this national ID)."),
                )
            )
        candidate = existing.get(row.national_id)
        if candidate is not None:
            _warn_differences(row, candidate, result)
    return existing


def _warn_differences(row: _Row, candidate: Candidate, result: RosterImportResult) -> None:
    v = row.values
    compared = [
        (_("คำนำหน้า (title)"), row.title, candidate.title),
        (_("ชื่อ (first name)"), v["first_name_th"], candidate.first_name_th),
        (_("นามสกุล (last name)"), v["last_name_th"], candidate.last_name_th),
        (_("วันเกิด (date of birth)"), row.date_of_birth, candidate.date_of_birth),
    ]
    for column, label in (
        ("first_name_en", _("ชื่อภาษาอังกฤษ (English first name)")),
        ("last_name_en", _("นามสกุลภาษาอังกฤษ (English last name)")),
        ("phone", _("โทรศัพท์ (phone)")),
        ("email", _("อีเมล (email)")),
    ):
        if v[column]:
            compared.append((label, v[column], getattr(candidate, column)))
    for label, in_file, in_registry in compared:
        if in_file != in_registry:
            result.warnings.append(
                RowMessage(
                    row.number,
                    _(
                        "%(label)s ในไฟล์ “%(file)s” ต่างจากทะเบียน “%(registry)s” — ไม่ได้แก้ไขทะเบียน "
                        "(differs from the registry; the registry was not changed)."
                    )
                    % {"label": label, "file": in_file, "registry": in_registry},
                )
            )


def _next_exam_number(session: ExamSession) -> int:
    numbers = session.roster.exclude(exam_number="").values_list("exam_number", flat=True)
    return max((int(n) for n in numbers if n.isdigit()), default=0) + 1


def _write(session, rows, existing, result, *, actor, request, filename) -> None:
    from django.contrib.auth.models import Group

    disabled_round = session.round.exam_type == ExamRound.ExamType.DISABLED_SELECTION
    new_rows = [row for row in rows if row.national_id not in existing]
    users = []
    for row in new_rows:
        user = User(
            username=row.national_id,
            kind=User.Kind.CANDIDATE,
            display_name=f"{row.title}{row.values['first_name_th']} {row.values['last_name_th']}",
            email=row.values["email"],
        )
        user.set_unusable_password()
        users.append(user)
    users = User.objects.bulk_create(users)
    group, _created = Group.objects.get_or_create(name="candidate")
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=u.pk, group_id=group.pk) for u in users]
    )
    candidates = Candidate.objects.bulk_create(
        [
            Candidate(
                user=user,
                national_id=row.national_id,
                title=row.title,
                first_name_th=row.values["first_name_th"],
                last_name_th=row.values["last_name_th"],
                first_name_en=row.values["first_name_en"],
                last_name_en=row.values["last_name_en"],
                date_of_birth=row.date_of_birth,
                phone=row.values["phone"],
                email=row.values["email"],
                has_disability=disabled_round,
                accommodation_needs=row.accommodations,
            )
            for user, row in zip(users, new_rows, strict=True)
        ]
    )
    by_id = dict(existing)
    by_id.update({c.national_id: c for c in candidates})
    next_number = _next_exam_number(session)
    entries = RosterEntry.objects.bulk_create(
        [
            RosterEntry(
                session=session,
                candidate=by_id[row.national_id],
                position=row.position,
                application_number=row.values["application_number"],
                exam_number=f"{next_number + i:0{EXAM_NUMBER_DIGITS}d}",
                accommodations=row.accommodations,
            )
            for i, row in enumerate(rows)
        ]
    )
    result.created_entries = len(entries)
    result.new_candidates = len(candidates)
    result.reused_candidates = len(rows) - len(candidates)
    record_audit(
        "delivery.roster.import",
        actor=actor,
        request=request,
        obj=session,
        after={
            "file": filename,
            "rows": len(rows),
            "entries": len(entries),
            "new_candidates": len(candidates),
            "reused_candidates": result.reused_candidates,
            "exam_numbers": [entries[0].exam_number, entries[-1].exam_number],
            "warnings": len(result.warnings),
        },
    )
    if candidates:
        enqueue_job(SET_PASSWORDS_JOB, {"candidate_ids": [c.pk for c in candidates]})


def set_initial_passwords(candidate_ids: list[int]) -> int:
    """Give each listed candidate whose password is still unusable their initial password (idempotent)."""
    done = 0
    for candidate in Candidate.objects.filter(pk__in=candidate_ids).select_related("user"):
        user = candidate.user
        if user.has_usable_password():
            continue
        user.set_password(initial_password(candidate))
        # Conditional: never overwrite a password the candidate has set in the meantime.
        done += User.objects.filter(pk=user.pk, password__startswith=UNUSABLE_PASSWORD_PREFIX).update(
            password=user.password
        )
    return done
