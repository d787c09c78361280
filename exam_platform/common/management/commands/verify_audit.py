from django.core.management.base import BaseCommand, CommandError

from exam_platform.common.audit import VERIFY_BATCH_SIZE, verify_chain


class Command(BaseCommand):
    help = "Recompute the audit log's hash chain; exit non-zero naming the first broken entry."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=VERIFY_BATCH_SIZE)

    def handle(self, *args, batch_size, **options):
        report = verify_chain(batch_size=batch_size)
        if not report.ok:
            raise CommandError(
                f"audit chain broken at entry #{report.broken_seq}: {report.reason} "
                f"({report.checked} entries before it verified)"
            )
        head = f", last entry #{report.last_seq} {report.last_hash}" if report.checked else ""
        self.stdout.write(self.style.SUCCESS(f"audit chain intact: {report.checked} entries{head}"))
