"""`manage.py render_sample_pdf OUT.pdf`: write the sample Thai announcement, to eyeball the PDF module."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "เขียนไฟล์ PDF ตัวอย่างประกาศรายชื่อผู้มีสิทธิ์สอบ "
        "(Write the sample Thai announcement PDF: wrapping, shaping, a two-page table, page X of Y)."
    )

    def add_arguments(self, parser):
        parser.add_argument("out", help="path of the PDF to write")

    def handle(self, *args, out, **options):
        from exam_platform.common.pdf.samples import render_sample_announcement

        path = Path(out)
        if not path.parent.is_dir():
            raise CommandError(f"ไม่พบโฟลเดอร์ {path.parent} (Folder not found).")
        data = render_sample_announcement()
        path.write_bytes(data)
        self.stdout.write(f"{path} ({len(data):,} bytes)")
