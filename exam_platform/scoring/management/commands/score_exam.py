"""python manage.py score_exam ROUND_CODE — score a round now and print a summary (exit 1 on errors)."""

from django.core.management.base import BaseCommand, CommandError

from exam_platform.delivery.models import ExamRound
from exam_platform.scoring.services.runs import ScoringError, score_round


class Command(BaseCommand):
    help = "Score every candidate of an exam round (writes results, one audit entry)."

    def add_arguments(self, parser):
        parser.add_argument("round_code")

    def handle(self, *args, round_code, **options):
        exam_round = ExamRound.objects.filter(code=round_code).first()
        if exam_round is None:
            raise CommandError(f"no exam round with code {round_code!r}")
        try:
            run = score_round(exam_round)
        except (ScoringError, ValueError) as error:
            raise CommandError(f"scoring failed: {error}") from error
        counts = run.counts
        rows = [
            ("scored", counts.get("scored", 0)),
            ("pending_manual", counts.get("pending_manual", 0)),
            ("absent", counts.get("absent", 0)),
            ("terminated", counts.get("terminated", 0)),
            ("in_progress", counts.get("in_progress", 0)),
            ("passed", counts.get("passed", 0)),
            ("ranked", counts.get("ranked", 0)),
        ]
        self.stdout.write(f"{exam_round.code}  {exam_round.title}")
        for label, value in rows:
            self.stdout.write(f"  {label:<16}{value:>8}")
        self.stdout.write(f"  policy version  {run.policy_version:>8}")
        self.stdout.write(f"  inputs digest   {run.inputs_digest}")
        self.stdout.write(f"  results digest  {run.results_digest}")
