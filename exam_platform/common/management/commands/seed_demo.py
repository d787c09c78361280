"""`manage.py seed_demo`: the sample Part A bank and one demo login per role (DEMO ONLY)."""

import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from exam_platform.accounts.services.demo_accounts import DEMO_PASSWORD, DemoLogin, create_demo_accounts
from question_bank.services.demo_bank import DemoDataError, load_demo_bank


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

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "ไม่สร้างข้อมูลตัวอย่างเมื่อ DEBUG ปิดอยู่ เพราะรหัสผ่านและรหัส TOTP ของบัญชีตัวอย่างเป็นข้อมูลสาธารณะ "
                "(Refusing to seed demo data with DEBUG off: demo passwords and TOTP secrets are public). "
                "Use --force only on a machine no real user can reach."
            )
        try:
            bank = load_demo_bank()
        except DemoDataError as exc:
            raise CommandError(str(exc)) from exc
        logins = create_demo_accounts()

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
