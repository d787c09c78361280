"""Scoring runs: compute a round and store its results (score_round), or compute what a pending key
correction would change without writing anything (preview_rescore)."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from exam_platform.common.audit import record_audit
from exam_platform.delivery.models import ExamRound, RosterEntry

from ..computation import Computation, adjustment_dicts, compute_round
from ..models import ItemAdjustment, PassPolicy, Result, ScoringRun
from ..pass_rules import PassRules

RESULT_FIELDS = [
    "round",
    "status",
    "total",
    "max_total",
    "section_scores",
    "item_scores",
    "passed",
    "explanation",
    "rank",
    "rank_decided_by",
    "scoring_run",
]


class ScoringError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def round_rules(exam_round) -> PassRules:
    return PassRules.from_policy(PassPolicy.objects.filter(round=exam_round).first())


def compute_current(exam_round, *, include_proposed: bool = False) -> Computation:
    """The round's results as they would be now (applied corrections, optionally proposed ones too)."""
    statuses = [ItemAdjustment.Status.APPLIED]
    if include_proposed:
        statuses.append(ItemAdjustment.Status.PROPOSED)
    adjustments = ItemAdjustment.objects.filter(round=exam_round, status__in=statuses)
    return compute_round(exam_round, rules=round_rules(exam_round), adjustments=adjustment_dicts(adjustments))


def score_round(exam_round: ExamRound, *, actor=None, force: bool = True, request=None) -> ScoringRun:
    """Compute and store every result of the round in one transaction, with one audit entry.

    The round row is locked, so two runs never interleave. With force=False, a run whose inputs
    digest equals the last run's returns that run and writes nothing (the worker's case)."""
    with transaction.atomic():
        ExamRound.objects.select_for_update().filter(pk=exam_round.pk).first()
        started = timezone.now()
        computation = compute_current(exam_round)
        last = ScoringRun.objects.filter(round=exam_round).order_by("-started_at", "-id").first()
        if not force and last is not None and last.inputs_digest == computation.inputs_digest:
            return last
        run = ScoringRun.objects.create(
            round=exam_round,
            started_at=started,
            policy_version=computation.policy_version,
            inputs_digest=computation.inputs_digest,
            keys_digest=computation.keys_digest,
            results_digest=computation.results_digest,
            adjustment_ids=computation.adjustment_ids,
            counts=computation.counts,
            actor=actor,
        )
        store_results(exam_round, run, computation)
        run.finished_at = timezone.now()
        run.save(update_fields=["finished_at"])
        record_audit(
            "scoring.score_round",
            actor=actor,
            request=request,
            obj=run,
            object_repr=f"{exam_round.code} {computation.inputs_digest[:12]}",
            after={
                "round": exam_round.code,
                "inputs_digest": computation.inputs_digest,
                "keys_digest": computation.keys_digest,
                "results_digest": computation.results_digest,
                "policy_version": computation.policy_version,
                "adjustments": computation.adjustment_ids,
                "counts": computation.counts,
            },
        )
    return run


def store_results(exam_round, run: ScoringRun, computation: Computation) -> None:
    """Upsert one Result per roster entry (bulk, by entry)."""
    results = [
        Result(entry_id=entry_id, round=exam_round, scoring_run=run, **fields)
        for entry_id, fields in computation.rows.items()
    ]
    Result.objects.bulk_create(
        results,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["entry"],
        update_fields=[*RESULT_FIELDS, "updated_at"],
    )
    Result.objects.filter(round=exam_round).exclude(scoring_run=run).delete()


@dataclass
class DiffRow:
    entry_id: int
    application_number: str
    name: str
    old_total: object
    new_total: object
    old_passed: bool | None
    new_passed: bool | None
    old_rank: int | None
    new_rank: int | None

    @property
    def changes(self) -> list[str]:
        out = []
        if self.old_total != self.new_total:
            out.append("score")
        if self.old_passed != self.new_passed:
            out.append("pass")
        if self.old_rank != self.new_rank:
            out.append("rank")
        return out


@dataclass
class Preview:
    inputs_digest: str
    counts: dict
    diff: list[DiffRow]
    proposed: list[ItemAdjustment]


def preview_rescore(
    exam_round: ExamRound, *, rules: PassRules | None = None, include_proposed=True
) -> Preview:
    """What applying the proposed corrections (or, with `rules`, other pass rules) would change,
    against the stored results. Writes nothing."""
    if rules is None:
        computation = compute_current(exam_round, include_proposed=include_proposed)
    else:
        statuses = [ItemAdjustment.Status.APPLIED]
        if include_proposed:
            statuses.append(ItemAdjustment.Status.PROPOSED)
        adjustments = ItemAdjustment.objects.filter(round=exam_round, status__in=statuses)
        computation = compute_round(exam_round, rules=rules, adjustments=adjustment_dicts(adjustments))
    stored = {
        r["id"]: r
        for r in RosterEntry.objects.filter(session__round=exam_round).values(
            "id",
            "application_number",
            "candidate__first_name_th",
            "candidate__last_name_th",
            "result__total",
            "result__passed",
            "result__rank",
        )
    }
    diff = []
    for entry_id, new in computation.rows.items():
        old = stored[entry_id]
        row = DiffRow(
            entry_id=entry_id,
            application_number=old["application_number"],
            name=f"{old['candidate__first_name_th']} {old['candidate__last_name_th']}",
            old_total=old["result__total"],
            new_total=new["total"],
            old_passed=old["result__passed"],
            new_passed=new["passed"],
            old_rank=old["result__rank"],
            new_rank=new["rank"],
        )
        if row.changes:
            diff.append(row)
    diff.sort(key=lambda r: (r.new_rank is None, r.new_rank or 0, r.application_number))
    proposed = list(ItemAdjustment.objects.filter(round=exam_round, status=ItemAdjustment.Status.PROPOSED))
    return Preview(
        inputs_digest=computation.inputs_digest, counts=computation.counts, diff=diff, proposed=proposed
    )
