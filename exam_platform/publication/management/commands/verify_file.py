"""python manage.py verify_file FILE: exit 0 when FILE is, byte for byte, a file of a published (or
superseded) rank-list version, printing which; exit 1 otherwise."""

import hashlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from exam_platform.publication.verification import check_version, match_file


class Command(BaseCommand):
    help = "Check a downloaded rank-list file (PDF/CSV/XLSX/HTML) against the published SHA-256 digests."

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of the file to check")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error}") from None
        digest = hashlib.sha256(content).hexdigest()
        matches = match_file(content)
        if not matches:
            self.stderr.write(f"NO MATCH: {path} (SHA-256 {digest}) is not a published rank-list file")
            raise SystemExit(1)
        for published in matches:
            version = published.version
            check = check_version(version)
            self.stdout.write(
                f"MATCH: {path} = {published.kind} of list {version.rank_list_id} "
                f'"{version.rank_list.title}" version {version.number} ({version.status}), '
                f"SHA-256 {digest}, signature {'valid' if check.valid else 'INVALID'}"
            )
            if not check.valid:
                raise SystemExit(2)
