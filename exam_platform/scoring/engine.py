"""The vectorised scoring engine: a whole round at once, in numpy, no database.

Inputs are matrices over (candidate, column) where a column is one item version as delivered
(`ItemKey`). Amounts are integer hundredths of a point ("centipoints") so that every sum is exact
and independent of order: the same inputs always give the same outputs, bit for bit.

- choice items (single, true_false, multiple): `picked` holds a bitmask of the chosen choices
  (bit i = the i-th choice of the item version in bank order); a key is a bitmask too. single /
  true_false earn the points when exactly one choice is picked and it is in the key (a corrected
  key may accept several). multiple follows the item's partial-credit rule (question_bank item.py):
  all_or_nothing, per_choice = max(0, right − wrong) / correct, proportional = right / correct if
  no wrong pick. Partial points are rounded to 0.01 (half to even).
- numeric: answers in millionths (`NUMERIC_SCALE`), exact integer |answer − value| ≤ tolerance.
- short: text, compared in Python after question_bank.text.normalise_answer (NFC, ำ unified,
  whitespace collapsed, case-folded unless case_sensitive).
- essay: final marks in centipoints (services/essays.py), `ESSAY_PENDING` until complete.
A voided item (treatment award_all) gives everyone who was presented it full points; dropped, it
counts neither in the score nor in the maximum.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

import numpy as np

CENTS = 100
NUMERIC_SCALE = 10**6
NUMERIC_LIMIT = 10**12  # |answer| beyond this is not a number we grade (keeps int64 exact)
NO_NUMBER = np.iinfo(np.int64).min
ESSAY_PENDING = -1
MAX_CHOICES = 8

CHOICE_TYPES = ("single", "true_false", "multiple")
SINGLE_TYPES = ("single", "true_false")

# Why an item scored what it did (Result.item_scores "why"), as small codes in a matrix.
WHY = (
    "not_presented",
    "unanswered",
    "correct",
    "wrong",
    "partial",
    "award_all",
    "dropped",
    "essay",
    "essay_pending",
)
W_NOT_PRESENTED, W_UNANSWERED, W_CORRECT, W_WRONG, W_PARTIAL, W_AWARD_ALL, W_DROPPED, W_ESSAY, W_PENDING = (
    range(len(WHY))
)

_POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.int64)


@dataclass(frozen=True)
class ItemKey:
    """One column: an item version as delivered, with its key (after any adjustment)."""

    uid: str
    version: int
    type: str
    points: int  # centipoints
    choices: tuple[str, ...] = ()  # choice uids, bank order: bit i ↔ choices[i]
    key_mask: int = 0
    partial_credit: str = "all_or_nothing"
    value: int | None = None  # numeric, in NUMERIC_SCALE units
    tolerance: int = 0
    accepted: tuple[str, ...] = ()
    case_sensitive: bool = False
    treatment: str = ""  # "" | "award_all" | "drop"

    def digest_parts(self) -> list:
        return [
            self.uid,
            self.version,
            self.type,
            self.points,
            list(self.choices),
            self.key_mask,
            self.partial_credit,
            self.value,
            self.tolerance,
            list(self.accepted),
            self.case_sensitive,
            self.treatment,
        ]


@dataclass
class RoundMatrices:
    """What candidates answered, as matrices over (candidate, column).

    section[c, j]: the section position the column had in candidate c's form, 0 = not presented.
    picked[c, j]: chosen-choice bitmask (choice columns; 0 = no answer).
    numbers[c, j]: numeric answer in NUMERIC_SCALE units, NO_NUMBER = no (valid) answer.
    essays[c, j]: final essay mark in centipoints, ESSAY_PENDING = not (fully) marked.
    texts[j]: (row indices, raw answer texts) of the short-answer column j.
    """

    items: list[ItemKey]
    section: np.ndarray
    picked: np.ndarray
    numbers: np.ndarray
    essays: np.ndarray
    texts: dict[int, tuple[np.ndarray, list[str]]] = field(default_factory=dict)

    @classmethod
    def empty(cls, items: list[ItemKey], n_candidates: int) -> "RoundMatrices":
        shape = (n_candidates, len(items))
        return cls(
            items=items,
            section=np.zeros(shape, dtype=np.int16),
            picked=np.zeros(shape, dtype=np.uint8),
            numbers=np.full(shape, NO_NUMBER, dtype=np.int64),
            essays=np.full(shape, ESSAY_PENDING, dtype=np.int64),
        )


@dataclass
class Scores:
    item_points: np.ndarray  # (C, I) int32 centipoints
    item_max: np.ndarray  # (C, I) int32 centipoints (0: not presented or dropped)
    why: np.ndarray  # (C, I) uint8 codes into WHY
    total: np.ndarray  # (C,) int64
    max_total: np.ndarray  # (C,) int64
    sections: list[int]  # section positions, ascending
    section_points: np.ndarray  # (C, S) int64
    section_max: np.ndarray  # (C, S) int64
    pending: np.ndarray  # (C,) bool: an essay still unmarked

    def section_column(self, position: int) -> np.ndarray:
        if position not in self.sections:
            return np.zeros(len(self.total), dtype=np.int64)
        return self.section_points[:, self.sections.index(position)]


# --- parsing -------------------------------------------------------------------------------------


def to_cents(value) -> int:
    """Decimal-like → integer hundredths (half to even)."""
    return int((Decimal(str(value)) * CENTS).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def parse_number(raw) -> int | None:
    """A numeric answer or key ("3.5", "๓.๕", "1,000") in NUMERIC_SCALE units, None if not a number."""
    if raw is None or isinstance(raw, bool):
        return None
    text = str(raw).strip().replace(",", "").replace(" ", "")
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or abs(number) >= NUMERIC_LIMIT:
        return None
    return int((number * NUMERIC_SCALE).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def choice_mask(choices: tuple[str, ...], chosen: Iterable[str]) -> int | None:
    """Bitmask of `chosen` choice uids; None if one is not a choice of the item."""
    index = {uid: i for i, uid in enumerate(choices)}
    mask = 0
    for uid in chosen:
        if uid not in index:
            return None
        mask |= 1 << index[uid]
    return mask


# --- scoring -------------------------------------------------------------------------------------


def score_matrices(m: RoundMatrices) -> Scores:
    """Points per (candidate, item), section and total scores for every candidate at once."""
    n_candidates, n_items = m.section.shape
    presented = m.section > 0
    points = np.array([item.points for item in m.items], dtype=np.int64)
    item_points = np.zeros((n_candidates, n_items), dtype=np.int64)
    why = np.where(presented, W_UNANSWERED, W_NOT_PRESENTED).astype(np.uint8)

    by_kind: dict[str, list[int]] = {}
    for j, item in enumerate(m.items):
        kind = "essay" if item.type == "essay" else item.type
        if item.type == "multiple":
            kind = f"multiple:{item.partial_credit}"
        by_kind.setdefault(kind, []).append(j)

    for kind, cols in by_kind.items():
        idx = np.array(cols, dtype=np.intp)
        if kind in SINGLE_TYPES:
            _score_single(m, idx, points, item_points, why)
        elif kind.startswith("multiple:"):
            _score_multiple(m, idx, points, item_points, why, kind.split(":", 1)[1])
        elif kind == "numeric":
            _score_numeric(m, idx, points, item_points, why)
        elif kind == "short":
            for j in cols:
                _score_short(m, j, item_points, why)
        elif kind == "essay":
            _score_essay(m, idx, item_points, why)

    item_max = np.where(presented, points[None, :], 0)
    for j, item in enumerate(m.items):
        if item.treatment == "award_all":
            item_points[:, j] = np.where(presented[:, j], points[j], 0)
            why[:, j] = np.where(presented[:, j], W_AWARD_ALL, W_NOT_PRESENTED)
        elif item.treatment == "drop":
            item_points[:, j] = 0
            item_max[:, j] = 0
            why[:, j] = np.where(presented[:, j], W_DROPPED, W_NOT_PRESENTED)

    item_points = np.where(presented, item_points, 0)
    pending = (why == W_PENDING).any(axis=1)
    sections = sorted(int(s) for s in np.unique(m.section) if s > 0)
    section_points = np.zeros((n_candidates, len(sections)), dtype=np.int64)
    section_max = np.zeros((n_candidates, len(sections)), dtype=np.int64)
    for k, position in enumerate(sections):
        in_section = m.section == position
        section_points[:, k] = np.where(in_section, item_points, 0).sum(axis=1)
        section_max[:, k] = np.where(in_section, item_max, 0).sum(axis=1)
    return Scores(
        item_points=item_points.astype(np.int32),
        item_max=item_max.astype(np.int32),
        why=why,
        total=item_points.sum(axis=1),
        max_total=item_max.sum(axis=1),
        sections=sections,
        section_points=section_points,
        section_max=section_max,
        pending=pending,
    )


def _set(item_points, why, idx, earned, answered, full, partial=None):
    """Write one block of columns: earned points, and why (correct / partial / wrong / unanswered)."""
    item_points[:, idx] = earned
    code = np.where(answered, W_WRONG, W_UNANSWERED)
    if partial is not None:
        code = np.where(partial, W_PARTIAL, code)
    code = np.where(full, W_CORRECT, code)
    why[:, idx] = np.where(why[:, idx] == W_NOT_PRESENTED, W_NOT_PRESENTED, code)


def _score_single(m, idx, points, item_points, why):
    picked = m.picked[:, idx]
    keys = np.array([m.items[j].key_mask for j in idx], dtype=np.uint8)[None, :]
    right = ((picked & keys) != 0) & (_POPCOUNT[picked] == 1)
    _set(item_points, why, idx, np.where(right, points[idx][None, :], 0), picked != 0, right)


def _score_multiple(m, idx, points, item_points, why, rule):
    picked = m.picked[:, idx]
    keys = np.array([m.items[j].key_mask for j in idx], dtype=np.uint8)[None, :]
    valid = np.array([(1 << len(m.items[j].choices)) - 1 for j in idx], dtype=np.uint8)[None, :]
    pts = points[idx][None, :]
    n_correct = np.maximum(_POPCOUNT[keys], 1)
    right = _POPCOUNT[picked & keys]
    wrong = _POPCOUNT[picked & ~keys & valid]
    if rule == "per_choice":
        earned = _round_div(np.maximum(right - wrong, 0) * pts, n_correct)
    elif rule == "proportional":
        earned = np.where(wrong == 0, _round_div(right * pts, n_correct), 0)
    else:  # all_or_nothing
        earned = np.where(picked == keys, pts, 0)
    full = earned == pts
    _set(item_points, why, idx, earned, picked != 0, full & (picked != 0), (earned > 0) & ~full)


def _round_div(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Integer division rounded half to even (exact: numpy's rint on a float of a small ratio)."""
    quotient, remainder = np.divmod(numerator, denominator)
    twice = 2 * remainder
    up = (twice > denominator) | ((twice == denominator) & (quotient % 2 == 1))
    return quotient + up


def _score_numeric(m, idx, points, item_points, why):
    answers = m.numbers[:, idx]
    values = np.array([m.items[j].value if m.items[j].value is not None else 0 for j in idx], dtype=np.int64)
    tolerances = np.array([m.items[j].tolerance for j in idx], dtype=np.int64)
    has_key = np.array([m.items[j].value is not None for j in idx])[None, :]
    answered = answers != NO_NUMBER
    safe = np.where(answered, answers, 0)
    right = answered & has_key & (np.abs(safe - values[None, :]) <= tolerances[None, :])
    _set(item_points, why, idx, np.where(right, points[idx][None, :], 0), answered, right)


def _score_short(m, j, item_points, why):
    from question_bank.text import normalise_answer

    item = m.items[j]
    rows, texts = m.texts.get(j, (np.zeros(0, dtype=np.intp), []))
    accepted = {normalise_answer(a, case_sensitive=item.case_sensitive) for a in item.accepted}
    right = np.array(
        [normalise_answer(t, case_sensitive=item.case_sensitive) in accepted for t in texts], dtype=bool
    )
    answered = np.array([bool((t or "").strip()) for t in texts], dtype=bool)
    presented = why[:, j] != W_NOT_PRESENTED
    item_points[:, j] = 0
    if len(rows):
        item_points[rows[right], j] = item.points
        why[rows[answered], j] = W_WRONG
        why[rows[right], j] = W_CORRECT
    why[:, j] = np.where(presented, why[:, j], W_NOT_PRESENTED)


def _score_essay(m, idx, item_points, why):
    marks = m.essays[:, idx]
    done = marks != ESSAY_PENDING
    item_points[:, idx] = np.where(done, marks, 0)
    code = np.where(done, W_ESSAY, W_PENDING)
    why[:, idx] = np.where(why[:, idx] == W_NOT_PRESENTED, W_NOT_PRESENTED, code)


# --- key corrections -----------------------------------------------------------------------------


def adjusted_items(items: list[ItemKey], adjustments: Iterable[dict]) -> list[ItemKey]:
    """Columns with key corrections applied, in order (a later one for the same item wins).

    An adjustment: {"item_uid", "action": "award_all"|"drop"|"change_key", "new_key": {...}}."""
    by_uid: dict[str, dict] = {}
    for adjustment in adjustments:
        by_uid[adjustment["item_uid"]] = adjustment
    out = []
    for item in items:
        adjustment = by_uid.get(item.uid)
        out.append(item if adjustment is None else _adjust(item, adjustment))
    return out


def _adjust(item: ItemKey, adjustment: dict) -> ItemKey:
    action = adjustment["action"]
    if action in ("award_all", "drop"):
        return replace(item, treatment=action)
    new_key = adjustment.get("new_key") or {}
    if item.type in CHOICE_TYPES:
        mask = choice_mask(item.choices, new_key.get("choices", []))
        if mask is None:
            raise ValueError(f"new key names a choice that item {item.uid} does not have")
        return replace(item, key_mask=mask, treatment="")
    if item.type == "numeric":
        return replace(
            item,
            value=parse_number(new_key.get("value")),
            tolerance=parse_number(new_key.get("tolerance") or "0") or 0,
            treatment="",
        )
    if item.type == "short":
        return replace(
            item,
            accepted=tuple(new_key.get("accepted", [])),
            case_sensitive=bool(new_key.get("case_sensitive", item.case_sensitive)),
            treatment="",
        )
    raise ValueError(f"a {item.type} item's key cannot be changed")
