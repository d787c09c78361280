"""`manage.py demo_totp USERNAME`: the current two-factor code of a demo staff user (DEMO ONLY)."""

from django.core.management.base import BaseCommand, CommandError

from exam_platform.demo.accounts import demo_totp_code


class Command(BaseCommand):
    help = (
        "แสดงรหัส TOTP 6 หลักปัจจุบันของบัญชีเจ้าหน้าที่ตัวอย่าง "
        "(Print the current 6-digit TOTP code of a demo staff user). Refuses for any other user."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        try:
            code = demo_totp_code(username)
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(code)
