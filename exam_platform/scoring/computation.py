"""A round's results computed in memory: load → adjust keys → score → pass rules → rank.

Nothing here writes: services/runs.py stores a Computation (score_round) or compares it with the
stored results (preview_rescore). The inputs digest covers the pass rules (with their version), the
key corrections, the keys as adjusted, the roster and every answer and essay mark read; the results
digest covers every field written. Same inputs, same digests, same results.
"""

from dataclasses import dataclass, field, replace

import numpy as np
from django.utils import translation
from django.utils.translation import gettext as _

from .engine import WHY, adjusted_items, score_matrices
from .inputs import ABSENT, RoundInputs, digest_of, load_round
from .pass_rules import PassRules, cents_to_decimal, evaluate_pass, explain, format_points
from .ranking import TIED, natural_ordinals, rank_candidates

SCORED, PENDING, IN_PROGRESS, TERMINATED = "scored", "pending_manual", "in_progress", "terminated"


@dataclass
class Computation:
    rows: dict[int, dict]  # entry id → Result fields
    inputs_digest: str
    keys_digest: str
    results_digest: str
    policy_version: int
    adjustment_ids: list[int]
    counts: dict = field(default_factory=dict)


def adjustment_dicts(adjustments) -> list[dict]:
    """ItemAdjustment rows (in id order) as the engine and the digest see them."""
    return [
        {"id": a.pk, "item_uid": a.item_uid, "action": a.action, "new_key": a.new_key}
        for a in sorted(adjustments, key=lambda a: a.pk)
    ]


def compute_round(exam_round, *, rules: PassRules, adjustments: list[dict]) -> Computation:
    with translation.override("th"):
        inputs = load_round(exam_round, rules)
        return compute_from_inputs(inputs, rules=rules, adjustments=adjustments)


def compute_from_inputs(inputs: RoundInputs, *, rules: PassRules, adjustments: list[dict]) -> Computation:
    items = adjusted_items(inputs.matrices.items, adjustments)
    matrices = replace(inputs.matrices, items=items)
    scores = score_matrices(matrices)
    outcome = evaluate_pass(scores, rules, inputs.section_titles)
    statuses = _statuses(inputs, rules, scores.pending)
    rankable = np.isin(statuses, [SCORED]) | (
        (statuses == TERMINATED) & (rules.terminated_treatment == "score")
    )
    rankable &= outcome.passed
    keys, descending, labels = _rank_keys(inputs, rules, scores)
    groups = inputs.position_ids if rules.rank_per_position else None
    ranking = rank_candidates(keys, descending, groups=groups, eligible=rankable)

    keys_digest = digest_of([item.digest_parts() for item in items])
    inputs_digest = digest_of(
        {
            "rules": rules.as_dict(),
            "adjustments": adjustments,
            "keys": keys_digest,
            "roster": [
                inputs.entry_ids,
                inputs.application_numbers,
                inputs.position_ids.tolist(),
                inputs.states,
            ],
            "answers": inputs.answers_digest,
            **_tie_break_inputs(inputs, rules),
        }
    )
    rows = {}
    for c, entry_id in enumerate(inputs.entry_ids):
        rows[entry_id] = _row(c, inputs, matrices, scores, outcome, statuses[c], rules, ranking, labels)
    counts = {
        status: int((statuses == status).sum())
        for status in (SCORED, ABSENT, TERMINATED, PENDING, IN_PROGRESS)
    }
    counts["passed"] = sum(1 for row in rows.values() if row["passed"])
    counts["ranked"] = int((ranking.rank > 0).sum())
    return Computation(
        rows=rows,
        inputs_digest=inputs_digest,
        keys_digest=keys_digest,
        results_digest=digest_of([[entry_id, rows[entry_id]] for entry_id in inputs.entry_ids]),
        policy_version=rules.version,
        adjustment_ids=[a["id"] for a in adjustments if "id" in a],
        counts=counts,
    )


def _statuses(inputs: RoundInputs, rules: PassRules, pending: np.ndarray) -> np.ndarray:
    states = np.array(inputs.states, dtype=object)
    statuses = np.full(len(states), SCORED, dtype=object)
    statuses[pending] = PENDING
    statuses[states == "terminated"] = TERMINATED
    statuses[(states == "terminated") & pending & (rules.terminated_treatment == "score")] = PENDING
    statuses[states == "in_progress"] = IN_PROGRESS
    statuses[states == ABSENT] = ABSENT
    return statuses.astype(str)


def _tie_break_inputs(inputs: RoundInputs, rules: PassRules) -> dict:
    """The roster fields a tie-break reads beyond the roster tuple, in the digest only when used (so
    the digests of rounds that do not use them stay what they were)."""
    used = {rule.get("by") for rule in rules.tie_break}
    extra = {}
    if "exam_number" in used:
        extra["exam_numbers"] = inputs.exam_numbers
    if "date_of_birth" in used:
        extra["births"] = inputs.birth_ordinals.tolist()
    return extra


def _rank_keys(inputs: RoundInputs, rules: PassRules, scores):
    """The ranking keys: the total, then each tie-break step (policies.TIE_BREAKS)."""
    keys, descending, labels = [scores.total], [True], [_("คะแนนรวม")]
    for rule in rules.tie_break:
        by = rule.get("by")
        if by == "section":
            position = int(rule["section"])
            keys.append(scores.section_column(position))
            descending.append(True)
            labels.append(_("คะแนนตอนที่ %(n)d") % {"n": position})
        elif by == "application_number":
            keys.append(natural_ordinals(inputs.application_numbers))
            descending.append(False)
            labels.append(_("เลขที่ใบสมัคร"))
        elif by == "exam_number":
            keys.append(natural_ordinals(inputs.exam_numbers))
            descending.append(False)
            labels.append(_("เลขประจำตัวสอบ"))
        elif by == "date_of_birth":
            older_first = rule.get("order", "older_first") == "older_first"
            keys.append(inputs.birth_ordinals)  # an earlier birth day is a smaller number
            descending.append(not older_first)
            labels.append(_("วันเกิด (อายุมากกว่าก่อน)") if older_first else _("วันเกิด (อายุน้อยกว่าก่อน)"))
    return keys, descending, labels


def _row(c, inputs, matrices, scores, outcome, status, rules, ranking, labels) -> dict:
    row = {
        "status": status,
        "total": None,
        "max_total": None,
        "section_scores": [],
        "item_scores": {},
        "passed": None,
        "explanation": "",
        "rank": None,
        "rank_decided_by": "",
    }
    if status == ABSENT:
        row["passed"] = False
        if rules.absent_treatment == "zero":
            row["total"] = cents_to_decimal(0)
            row["explanation"] = _("ไม่ผ่าน: ขาดสอบ นับเป็น 0 คะแนน")
        else:
            row["explanation"] = _("ขาดสอบ")
        return row
    if status == IN_PROGRESS:
        row["explanation"] = _("ยังสอบไม่เสร็จ")
        return row
    presented = np.flatnonzero(matrices.section[c] > 0)
    row["total"] = cents_to_decimal(scores.total[c])
    row["max_total"] = cents_to_decimal(scores.max_total[c])
    row["section_scores"] = [
        {
            "section": position,
            "title": inputs.section_titles.get(position, ""),
            "score": format_points(scores.section_points[c, k]),
            "max": format_points(scores.section_max[c, k]),
        }
        for k, position in enumerate(scores.sections)
        if (matrices.section[c] == position).any()
    ]
    row["item_scores"] = {
        matrices.items[j].uid: {
            "points": format_points(scores.item_points[c, j]),
            "max": format_points(scores.item_max[c, j]),
            "why": WHY[scores.why[c, j]],
        }
        for j in presented
    }
    if status == TERMINATED and rules.terminated_treatment == "disqualify":
        row["passed"] = False
        row["explanation"] = _("ไม่ผ่าน: ถูกยุติการสอบ (ตัดสิทธิ์)")
        return row
    if status == PENDING:
        row["explanation"] = _("รอตรวจข้อสอบอัตนัย")
        return row
    row["passed"] = bool(outcome.passed[c])
    row["explanation"] = explain(outcome, c)
    if status == TERMINATED:
        row["explanation"] += "; " + _("ถูกยุติการสอบ ให้คะแนนตามคำตอบที่บันทึกไว้")
    if ranking.rank[c] > 0:
        row["rank"] = int(ranking.rank[c])
        decided = int(ranking.decided_by[c])
        row["rank_decided_by"] = _("เท่ากันทุกเกณฑ์ — ลำดับร่วม") if decided == TIED else labels[decided]
    return row
