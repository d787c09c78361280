"""Checking rows: each row on its own (national ID, names, dates in the Buddhist or Common Era, position,
e-mail, accommodations, eligibility), against the rest of the file (duplicates) and against the
database (already on this roster, registry differences). Problems are collected, never raised."""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from exam_platform.accounts.models import Candidate, User
from exam_platform.common.national_id import normalise as normalise_national_id
from exam_platform.common.national_id import validate_national_id

from ...models import ExamRound, ExamSession
from ..accommodations import parse_accommodations
from .eligibility import THAI_DIGITS, check_eligibility
from .result import ParsedRow, RosterImportResult, RowMessage
from .table import cell_text

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
_DMY = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
BUDDHIST_ERA_OFFSET = 543


def parse_thai_date(value) -> dt.date:
    """A date from a cell: dd/mm/yyyy or ISO yyyy-mm-dd, Buddhist Era (year > 2400) or Common Era,
    Thai or Arabic digits, or a date/datetime an Excel cell already holds. Raises ValueError."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        year, month, day = value.year, value.month, value.day
    else:
        text = str(value or "").strip().translate(THAI_DIGITS)
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


def check_rows(session: ExamSession, rows: list[ParsedRow], result: RosterImportResult) -> None:
    exam_round = session.round
    positions = {p.code.lower(): p for p in exam_round.positions.all()}
    positions_by_title = {p.title: p for p in positions.values()}
    internal = exam_round.exam_type == ExamRound.ExamType.INTERNAL_SELECTION
    eligibility = (exam_round.eligibility or {}) if internal else {}
    titles = {t.value for t in Candidate.Title}
    first_seen_id: dict[str, int] = {}
    first_seen_application: dict[str, int] = {}

    def error(row: ParsedRow, message: str) -> None:
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
                % {"value": cell_text(v["date_of_birth"])},
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
        check_eligibility(row, eligibility, error)


def check_against_database(session: ExamSession, rows: list[ParsedRow], result: RosterImportResult) -> dict:
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


def _warn_differences(row: ParsedRow, candidate: Candidate, result: RosterImportResult) -> None:
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
