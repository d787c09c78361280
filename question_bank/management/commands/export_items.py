"""`manage.py export_items --bank NAME --format … --out FILE` (audited; the file holds the keys)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from question_bank.access import KEY_READERS, membership_role
from question_bank.transfer import FORMATS, export_bank_items

from .import_items import find_bank, find_user


class Command(BaseCommand):
    help = "ส่งออกข้อสอบพร้อมเฉลย (Export items with their keys)."

    def add_arguments(self, parser):
        parser.add_argument("--bank", required=True, help="bank code or name")
        parser.add_argument("--format", required=True, choices=sorted(FORMATS))
        parser.add_argument("--out", required=True)
        parser.add_argument("--as", dest="username", help="the examiner recorded in the audit log")

    def handle(self, *args, **options):
        bank = find_bank(options["bank"])
        actor = find_user(options["username"])
        if actor is not None and membership_role(actor, bank.pk) not in KEY_READERS:
            raise CommandError("ผู้ใช้นี้ไม่มีสิทธิ์อ่านเฉลยของคลังนี้ (This user may not read this bank's keys).")
        exported = export_bank_items(bank, options["format"], actor=actor)
        Path(options["out"]).write_bytes(exported.content)
        skipped = (
            f", {exported.skipped} skipped (type not supported by the format)" if exported.skipped else ""
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"ส่งออกแล้ว {exported.count} ข้อ ({exported.count} exported{skipped}) → {options['out']}"
            )
        )
