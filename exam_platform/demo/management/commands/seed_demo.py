"""`manage.py seed_demo`: the sample Part A bank, one demo login per role and a demo exam the demo
candidates can sit (DEMO ONLY). `--reset-exam` reopens the demo session's window (DEBUG only)."""

import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from exam_platform.accounts.activation_codes import first_login_url, format_code
from exam_platform.accounts.models import User
from exam_platform.accounts.services.activation import usable_codes
from exam_platform.common.national_id import format_national_id
from exam_platform.common.thai_dates import format_thai_date
from exam_platform.demo.accounts import DEMO_PASSWORD, DemoLogin, create_demo_accounts
from exam_platform.demo.bank import DemoDataError, load_demo_bank
from exam_platform.demo.exam import (
    DEMO_OFFICER,
    DEMO_PROCTOR,
    DemoExamResult,
    demo_session_state,
    ensure_demo_exam,
    format_checkin_date,
    reset_demo_window,
)
from exam_platform.demo.finished_exam import DemoFinishedExam, ensure_finished_exam


def display_width(text: str) -> int:
    """Terminal columns: Thai vowel and tone marks above/below a letter take no column."""
    return sum(0 if unicodedata.combining(ch) or unicodedata.category(ch) == "Mn" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(width - display_width(text), 0)


def format_table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(display_width(row[col]) for row in [header, *rows]) for col in range(len(header))]
    lines = [
        "  ".join(pad(cell, widths[col]) for col, cell in enumerate(row)).rstrip() for row in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return lines


class Command(BaseCommand):
    help = (
        "สร้างข้อมูลตัวอย่าง: คลังข้อสอบภาค ก และบัญชีผู้ใช้ตัวอย่างทุกบทบาท "
        "(Create demo data: the sample Part A bank and one demo login per role). DEMO ONLY."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help=(
                "Run even when DEBUG is off. The demo password and TOTP secrets are public: "
                "never on a live server."
            ),
        )
        parser.add_argument(
            "--reset-exam",
            action="store_true",
            help="เปิดรอบสอบตัวอย่างใหม่ตั้งแต่ตอนนี้ (Move the demo session's window to open now). DEBUG only.",
        )

    def handle(self, *args, force=False, reset_exam=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "ไม่สร้างข้อมูลตัวอย่างเมื่อ DEBUG ปิดอยู่ เพราะรหัสผ่านและรหัส TOTP ของบัญชีตัวอย่างเป็นข้อมูลสาธารณะ "
                "(Refusing to seed demo data with DEBUG off: demo passwords and TOTP secrets are public). "
                "Use --force only on a machine no real user can reach."
            )
        if reset_exam and not settings.DEBUG:
            raise CommandError("เปิดรอบสอบตัวอย่างใหม่ได้เฉพาะเมื่อ DEBUG เปิดอยู่ (--reset-exam needs DEBUG on).")
        try:
            bank = load_demo_bank()
        except DemoDataError as exc:
            raise CommandError(str(exc)) from exc
        logins = create_demo_accounts()
        exam = ensure_demo_exam()
        finished = ensure_finished_exam(
            exam.paper,
            officer=User.objects.get(username=DEMO_OFFICER),
            proctor=User.objects.get(username=DEMO_PROCTOR),
        )
        reset = False
        if reset_exam and not exam.created:
            officer = User.objects.get(username=DEMO_OFFICER)
            session = reset_demo_window(exam.session, actor=officer)
            exam = DemoExamResult(exam.exam_round, session, exam.entries, created=False)
            reset = True

        out = self.stdout
        out.write(self.style.WARNING("ข้อมูลตัวอย่าง — DEMO ONLY: never use these accounts on a live server."))
        out.write("")
        status = (
            f"{bank.items_created} created" if bank.changed else self.style.SUCCESS("already present").strip()
        )
        out.write(
            f"คลังข้อสอบ (question bank): {bank.bank.name} [{bank.bank.code}] — "
            f"{bank.items_total} items in {bank.subjects} subjects: {status}"
        )
        for code, count in bank.per_subject.items():
            out.write(f"  {code}: {count}")
        out.write("")
        self._write_logins(logins)
        out.write("")
        self._write_exam(exam, reset=reset)
        out.write("")
        self._write_finished(finished)

    def _write_finished(self, finished: DemoFinishedExam) -> None:
        out = self.stdout
        status = "created" if finished.created else "already present"
        out.write(
            f"การสอบที่สอบเสร็จแล้ว (finished demo exam): {finished.exam_round.title} "
            f"[{finished.exam_round.code}]: {status}"
        )
        out.write(
            f"  ส่งคำตอบแล้ว {finished.submitted} คน ขาดสอบ {finished.absent} คน "
            f"({finished.submitted} submitted, {finished.absent} absent): the worker scores it; then rank, "
            "correct a key and publish as demo.officer with demo.officer2 approving."
        )
        first = finished.session.roster.select_related("candidate").order_by("application_number").first()
        issued = usable_codes([first.candidate.user_id]).get(first.candidate.user_id) if first else None
        if issued is not None:
            out.write(
                f"  เปิดใช้งานบัญชีครั้งแรก (first login with an activation code) at {first_login_url()}: "
                f"{first.candidate.full_name_th}, {format_national_id(first.candidate.national_id)}, "
                f"รหัสเปิดใช้งาน (code) {format_code(issued.code)}"
            )

    def _write_logins(self, logins: list[DemoLogin]) -> None:
        out = self.stdout
        rows = [
            [
                login.role_label,
                login.login,
                login.password,
                login.totp_secret or "—",
                "created" if login.created else "already present",
            ]
            for login in logins
        ]
        header = ["บทบาท (role)", "ชื่อผู้ใช้ / เลขประจำตัวประชาชน", "รหัสผ่าน", "TOTP secret (base32)", ""]
        out.write(f"บัญชีตัวอย่าง (demo logins) — รหัสผ่านทุกบัญชี (password for all): {DEMO_PASSWORD}")
        for line in format_table(header, rows):
            out.write(line)
        out.write("")
        out.write("otpauth:// URIs (add to an authenticator app, or paste into a QR generator):")
        for login in logins:
            if login.otpauth_uri:
                out.write(f"  {login.username}: {login.otpauth_uri}")
        out.write("")
        out.write("รหัส 6 หลักปัจจุบัน (current 6-digit code): python manage.py demo_totp USERNAME")
        if all(not login.created for login in logins):
            out.write(self.style.SUCCESS("Demo accounts already present: nothing changed."))

    def _write_exam(self, exam: DemoExamResult, *, reset: bool) -> None:
        out = self.stdout
        session = exam.session
        status = "created" if exam.created else "already present"
        out.write(f"การสอบตัวอย่าง (demo exam): {exam.exam_round.title} [{exam.exam_round.code}]: {status}")
        out.write(
            f"  แบบทดสอบ (paper): {exam.paper.title} — {session.duration_minutes} นาที (minutes), "
            f"{exam.paper.sections.count()} ตอน (sections), locked"
        )
        opens, late, closes = (
            format_thai_date(when, with_time=True)
            for when in (session.opens_at, session.late_entry_until, session.closes_at)
        )
        out.write(
            f"  รอบสอบ (session): {session.title} — เปิด (opens) {opens}, "
            f"เข้าสอบได้ไม่เกิน (late entry until) {late}, ปิด (closes) {closes}"
        )
        if reset:
            out.write(
                self.style.SUCCESS("  เปิดรอบสอบตัวอย่างใหม่แล้ว (The demo session's window now opens now).")
            )
        state = demo_session_state(session)
        if state == "closed":
            out.write(
                self.style.WARNING(
                    "  รอบสอบตัวอย่างปิดรับผู้เข้าสอบแล้ว (The demo session is closed for entry). "
                    "Reopen it: python manage.py seed_demo --reset-exam"
                )
            )
        elif state == "not_open":
            out.write(self.style.WARNING("  รอบสอบตัวอย่างยังไม่เปิด (The demo session has not opened yet)."))
        out.write("")
        out.write(
            "ผู้เข้าสอบตัวอย่าง — ยังไม่ได้เช็กอิน: เข้าสู่ระบบ แล้วไปที่ /exam/ เพื่อยืนยันตัวตนด้วยข้อมูลด้านล่าง "
            "(Demo candidates, not checked in: log in, open /exam/ and check in with these details)"
        )
        rows = [
            [
                entry.candidate.full_name_th,
                format_national_id(entry.candidate.national_id),
                DEMO_PASSWORD,
                format_checkin_date(entry.candidate.date_of_birth),
                entry.application_number,
                entry.exam_number,
                f"{entry.room.name if entry.room else '—'} / {entry.seat_number or '—'}",
                _accommodation_text(entry.accommodations),
            ]
            for entry in exam.entries
        ]
        header = [
            "ชื่อ (name)",
            "เข้าสู่ระบบ (login = national ID)",
            "รหัสผ่าน",
            "วันเกิด วว/ดด/ปปปป พ.ศ.",
            "เลขที่ใบสมัคร",
            "เลขประจำตัวสอบ",
            "ห้อง / ที่นั่ง",
            "การอำนวยความสะดวก",
        ]
        for line in format_table(header, rows):
            out.write(line)


def _accommodation_text(accommodations: dict) -> str:
    parts = []
    if accommodations.get("extra_time_percent"):
        parts.append(f"เวลาเพิ่ม {accommodations['extra_time_percent']}%")
    if accommodations.get("large_text"):
        parts.append("ตัวอักษรใหญ่")
    return ", ".join(parts) or "—"
