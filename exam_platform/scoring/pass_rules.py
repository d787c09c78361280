"""Pass rules: a round's PassPolicy as plain data, applied to engine Scores (vectorised), and the
Thai explanation of each candidate's outcome.

Comparisons are exact integer arithmetic on hundredths of a point: total / max ≥ p % is checked as
total × 100 × 100 ≥ (p × 100) × max. Percentages shown are rounded to two decimals (half up:
66.666… % is 66.67 %), except that a percentage below the minimum it failed is never shown as
reaching it: a failed 59.996 % against 60 % is shown with the decimals it needs (59.996 %).

Explanation, e.g. "ผ่าน: รวม 142/200 (71 %) ≥ 60 %; ภาษาอังกฤษ 30/50 ≥ 50 %".
"""

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

import numpy as np
from django.utils.translation import gettext as _

from .engine import CENTS, Scores, to_cents

DEFAULT_MIN_PERCENT = Decimal(60)


@dataclass(frozen=True)
class PassRules:
    version: int = 0
    min_total_percent: Decimal | None = DEFAULT_MIN_PERCENT
    min_total_points: Decimal | None = None
    section_minimums: tuple = ()  # ({"section": 2, "percent": "50"} | {"section": 2, "points": "20"}, ...)
    absent_treatment: str = "absent"
    terminated_treatment: str = "disqualify"
    tie_break: tuple = ({"by": "application_number"},)
    rank_per_position: bool = False
    essay_markers: int = 1
    essay_disagreement_threshold: Decimal = Decimal(2)

    @classmethod
    def from_policy(cls, policy) -> "PassRules":
        """The rules of a PassPolicy row; the defaults (60 %, version 0) when there is none."""
        if policy is None:
            return cls()
        return cls(
            version=policy.version,
            min_total_percent=policy.min_total_percent,
            min_total_points=policy.min_total_points,
            section_minimums=tuple(policy.section_minimums or ()),
            absent_treatment=policy.absent_treatment,
            terminated_treatment=policy.terminated_treatment,
            tie_break=tuple(policy.tie_break or ()),
            rank_per_position=policy.rank_per_position,
            essay_markers=policy.essay_markers,
            essay_disagreement_threshold=policy.essay_disagreement_threshold,
        )

    def as_dict(self) -> dict:
        return {
            "version": self.version,
            "min_total_percent": _plain(self.min_total_percent),
            "min_total_points": _plain(self.min_total_points),
            "section_minimums": list(self.section_minimums),
            "absent_treatment": self.absent_treatment,
            "terminated_treatment": self.terminated_treatment,
            "tie_break": list(self.tie_break),
            "rank_per_position": self.rank_per_position,
            "essay_markers": self.essay_markers,
            "essay_disagreement_threshold": _plain(self.essay_disagreement_threshold),
        }


@dataclass
class PassOutcome:
    passed: np.ndarray  # (C,) bool
    total: np.ndarray
    max_total: np.ndarray
    checks: list[tuple[str, np.ndarray, np.ndarray, np.ndarray, str, np.ndarray]]
    # per rule: (label, score, max, ok, threshold text, show_percent?) — arrays over candidates
    min_percent: Decimal | None = None  # the total's percent minimum, if any


def evaluate_pass(scores: Scores, rules: PassRules, section_titles: dict[int, str]) -> PassOutcome:
    """Which candidates pass every rule (vectorised), and the data for their explanations."""
    n = len(scores.total)
    passed = np.ones(n, dtype=bool)
    checks = []
    total, max_total = scores.total, scores.max_total
    if rules.min_total_percent is not None:
        ok = _percent_ok(total, max_total, rules.min_total_percent)
        checks.append(("total", total, max_total, ok, f"{_plain(rules.min_total_percent)} %", True))
        passed &= ok
    if rules.min_total_points is not None:
        ok = total >= to_cents(rules.min_total_points)
        threshold = f"{_plain(rules.min_total_points)} {_('คะแนน')}"
        checks.append(("total", total, max_total, ok, threshold, rules.min_total_percent is None))
        passed &= ok
    for minimum in rules.section_minimums:
        position = int(minimum["section"])
        score = scores.section_column(position)
        if position in scores.sections:
            smax = scores.section_max[:, scores.sections.index(position)]
        else:
            smax = np.zeros(n, dtype=np.int64)
        label = section_titles.get(position) or _("ตอนที่ %(n)d") % {"n": position}
        if minimum.get("percent") is not None:
            ok = _percent_ok(score, smax, Decimal(str(minimum["percent"])))
            threshold = f"{_plain(Decimal(str(minimum['percent'])))} %"
        else:
            ok = score >= to_cents(minimum["points"])
            threshold = f"{_plain(Decimal(str(minimum['points'])))} {_('คะแนน')}"
        checks.append((label, score, smax, ok, threshold, False))
        passed &= ok
    return PassOutcome(
        passed=passed, total=total, max_total=max_total, checks=checks, min_percent=rules.min_total_percent
    )


def explain(outcome: PassOutcome, c: int) -> str:
    """The Thai explanation of candidate c's outcome."""
    parts = []
    for label, score, smax, ok, threshold, show_percent in outcome.checks:
        sign = "≥" if ok[c] else "<"
        if label == "total":
            text = f"{_('รวม')} {format_points(score[c])}/{format_points(smax[c])}"
            if show_percent:
                below = outcome.min_percent if not ok[c] else None
                text += f" ({format_percent(score[c], smax[c], below=below)} %)"
        else:
            text = f"{label} {format_points(score[c])}/{format_points(smax[c])}"
        parts.append(f"{text} {sign} {threshold}")
    verdict = _("ผ่าน") if outcome.passed[c] else _("ไม่ผ่าน")
    if not parts:
        total, maximum = outcome.total[c], outcome.max_total[c]
        return (
            f"{verdict}: {_('รวม')} {format_points(total)}/{format_points(maximum)}"
            f" ({format_percent(total, maximum)} %)"
        )
    return f"{verdict}: " + "; ".join(parts)


def _percent_ok(score: np.ndarray, maximum: np.ndarray, percent: Decimal) -> np.ndarray:
    hundredths = to_cents(percent)
    return (maximum > 0) & (score * CENTS * 100 >= hundredths * maximum)


def format_points(cents) -> str:
    """Hundredths of a point → "142", "142.5", "33.33"."""
    return _plain(Decimal(int(cents)) / CENTS)


def format_percent(score_cents, max_cents, *, below: Decimal | None = None) -> str:
    """score / max as a percentage rounded half up to two decimals ("66.67"). With `below` (a
    minimum the score failed), more decimals are shown where rounding would reach that minimum."""
    if int(max_cents) <= 0:
        return "0"
    exact = Decimal(int(score_cents)) * 100 / Decimal(int(max_cents))
    shown = exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if below is not None and exact < Decimal(str(below)):
        places = 2
        while shown >= Decimal(str(below)) and places < 6:
            places += 1
            shown = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN)
    return _plain(shown)


def cents_to_decimal(cents) -> Decimal:
    return (Decimal(int(cents)) / CENTS).quantize(Decimal("0.01"))


def _plain(value) -> str | None:
    if value is None:
        return None
    text = format(Decimal(str(value)).normalize(), "f")
    return text
