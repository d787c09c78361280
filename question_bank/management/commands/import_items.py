"""`manage.py import_items FILE --bank CODE_OR_NAME --format gift|aiken|moodlexml|csv|xlsx|qti`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from question_bank.access import WRITERS, membership_role
from question_bank.models import Bank, Category
from question_bank.transfer import FORMATS, format_for_filename, import_items


def find_bank(value: str) -> Bank:
    bank = Bank.objects.filter(Q(code=value) | Q(name=value)).first()
    if bank is None:
        raise CommandError(f"ไม่พบคลังข้อสอบ (No bank with code or name {value!r}).")
    return bank


def find_user(username: str | None):
    if not username:
        return None
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"ไม่พบผู้ใช้ (No user {username!r}).")
    return user


class Command(BaseCommand):
    help = "นำเข้าข้อสอบจากไฟล์ (Import items from a file; all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--bank", required=True, help="bank code or name")
        parser.add_argument("--format", choices=sorted(FORMATS), help="default: from the file extension")
        parser.add_argument("--create-categories", action="store_true")
        parser.add_argument("--fail-on-duplicates", action="store_true")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--category", help="default category (code) for items the file gives none")
        parser.add_argument("--as", dest="username", help="the examiner recorded as the author")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"ไม่พบไฟล์ (No such file): {path}")
        fmt = options["format"] or format_for_filename(path.name)
        if fmt is None:
            raise CommandError("ระบุ --format (Cannot tell the format from the file name; give --format).")
        bank = find_bank(options["bank"])
        actor = find_user(options["username"])
        if actor is not None and membership_role(actor, bank.pk) not in WRITERS:
            raise CommandError("ผู้ใช้นี้ไม่ใช่ผู้เขียนของคลังนี้ (This user may not write items in this bank).")
        default = None
        if options["category"]:
            default = Category.objects.filter(bank=bank, code=options["category"]).first()
            if default is None:
                raise CommandError(f"ไม่พบหมวด (No category {options['category']!r} in this bank).")
        report = import_items(
            bank,
            path.read_bytes(),
            fmt,
            actor=actor,
            filename=path.name,
            create_categories=options["create_categories"],
            fail_on_duplicates=options["fail_on_duplicates"],
            dry_run=options["dry_run"],
            default_category=default,
        )
        for duplicate in report.duplicates:
            self.stdout.write(f"{duplicate.position.label()}: {duplicate.message()}")
        for error in report.errors:
            self.stderr.write(str(error))
        if report.errors:
            raise CommandError(
                f"ไม่ได้นำเข้า: พบข้อผิดพลาด {len(report.errors)} รายการ "
                f"(Nothing imported: {len(report.errors)} error(s) in {report.parsed} item(s))."
            )
        if report.dry_run:
            summary = (
                f"ตรวจแล้ว นำเข้าได้ {report.would_create} ข้อ (dry run: {report.would_create} would be created"
            )
        else:
            summary = f"นำเข้าแล้ว {report.created} ข้อ ({report.created} created"
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary}, {len(report.duplicates)} duplicate(s) skipped, "
                f"{len(report.categories_created)} categories created)."
            )
        )
