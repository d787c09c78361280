"""Worker jobs of scoring: "scoring.score_round" rescores a round (enqueued by services.triggers
when attempts are submitted or essays marked, and by the "score now" button). Idempotent: a run
whose inputs are unchanged since the last one writes nothing."""

from exam_platform.common.jobs import job_handler
from exam_platform.delivery.models import ExamRound

from .services.runs import score_round
from .services.triggers import SCORE_ROUND_JOB


@job_handler(SCORE_ROUND_JOB)
def score_round_job(job) -> dict:
    exam_round = ExamRound.objects.filter(pk=job.payload.get("round")).first()
    if exam_round is None:
        return {"skipped": "no such round"}
    run = score_round(exam_round, force=False)
    return {"run": run.pk, "inputs_digest": run.inputs_digest, "counts": run.counts}
