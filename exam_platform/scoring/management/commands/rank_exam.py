"""python manage.py rank_exam ROUND_CODE [--limit N] — bring a round's results up to date and print
its rank list (rank, application number, total, the rule that decided the place)."""

from django.core.management.base import BaseCommand, CommandError

from exam_platform.delivery.models import ExamRound
from exam_platform.scoring.models import Result
from exam_platform.scoring.services.runs import ScoringError, score_round


class Command(BaseCommand):
    help = "Print the rank list of an exam round (rescoring first if its inputs changed)."

    def add_arguments(self, parser):
        parser.add_argument("round_code")
        parser.add_argument("--limit", type=int, default=0, help="print only the first N ranks")

    def handle(self, *args, round_code, limit, **options):
        exam_round = ExamRound.objects.filter(code=round_code).first()
        if exam_round is None:
            raise CommandError(f"no exam round with code {round_code!r}")
        try:
            run = score_round(exam_round, force=False)
        except (ScoringError, ValueError) as error:
            raise CommandError(f"scoring failed: {error}") from error
        ranked = (
            Result.objects.filter(round=exam_round, rank__isnull=False)
            .select_related("entry")
            .order_by("rank", "entry__application_number")
        )
        if limit:
            ranked = ranked[:limit]
        self.stdout.write(f"{exam_round.code}  {exam_round.title}  ({run.inputs_digest[:12]})")
        self.stdout.write(f"{'rank':>6}  {'application':<16}{'total':>10}  decided by")
        count = 0
        for result in ranked:
            count += 1
            number = result.entry.application_number
            self.stdout.write(f"{result.rank:>6}  {number:<16}{result.total:>10}  {result.rank_decided_by}")
        self.stdout.write(f"{count} ranked")
