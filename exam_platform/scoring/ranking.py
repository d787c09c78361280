"""Ranking as a pure function on arrays (numpy, no database).

Candidates are ordered by a chain of keys (the total first, then the tie-break chain), optionally
within groups (positions). Candidates equal on every key share a rank and the next rank is skipped
(1, 2, 2, 4). Each candidate records which key decided its place: the first key on which it differs
from its neighbour above (the top of a group: from its neighbour below; alone in its group: the
first key). A candidate sharing its rank records TIED.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

TIED = -1
UNRANKED = -2
_DIGITS = re.compile(r"\d+")
_PAD = 30


@dataclass
class Ranking:
    rank: np.ndarray  # (n,) int64, 0 = not ranked
    decided_by: np.ndarray  # (n,) int64: index into the keys, TIED, or UNRANKED
    order: np.ndarray  # indices of the ranked candidates, best first


def rank_candidates(
    keys: Sequence[np.ndarray],
    descending: Sequence[bool],
    *,
    groups: np.ndarray | None = None,
    eligible: np.ndarray | None = None,
) -> Ranking:
    """Rank the `eligible` candidates by `keys` (integer arrays, keys[0] most significant), each
    key higher-first when `descending` else lower-first; ranks restart in every group."""
    n = len(keys[0])
    eligible = np.ones(n, dtype=bool) if eligible is None else np.asarray(eligible, dtype=bool)
    groups = np.zeros(n, dtype=np.int64) if groups is None else np.asarray(groups, dtype=np.int64)
    rank = np.zeros(n, dtype=np.int64)
    decided_by = np.full(n, UNRANKED, dtype=np.int64)
    chosen = np.flatnonzero(eligible)
    if len(chosen) == 0:
        return Ranking(rank, decided_by, chosen)

    ascending_keys = [
        (-np.asarray(k, dtype=np.int64) if desc else np.asarray(k, dtype=np.int64))[chosen]
        for k, desc in zip(keys, descending, strict=True)
    ]
    group = groups[chosen]
    # np.lexsort: the last key is the primary one; stable, so full ties keep their input order.
    local = np.lexsort([*reversed(ascending_keys), group])
    order = chosen[local]
    sorted_keys = np.stack([k[local] for k in ascending_keys])  # (K, m)
    sorted_group = group[local]
    m = len(order)

    differs = sorted_keys[:, 1:] != sorted_keys[:, :-1]  # (K, m-1): row i+1 vs row i
    any_differs = differs.any(axis=0)
    first_rule = np.where(any_differs, differs.argmax(axis=0), TIED)
    new_group = sorted_group[1:] != sorted_group[:-1]

    positions = np.arange(m)
    starts_run = np.concatenate([[True], any_differs | new_group])
    starts_group = np.concatenate([[True], new_group])
    run_start = np.maximum.accumulate(np.where(starts_run, positions, 0))
    group_start = np.maximum.accumulate(np.where(starts_group, positions, 0))
    run_size = np.bincount(np.cumsum(starts_run) - 1)[np.cumsum(starts_run) - 1]

    versus_above = np.concatenate([[TIED], first_rule])
    versus_below = np.concatenate([first_rule, [TIED]])
    next_in_group = np.concatenate([~new_group, [False]])
    decided = np.where(starts_group, np.where(next_in_group, versus_below, 0), versus_above)
    decided = np.where(run_size > 1, TIED, decided)

    rank[order] = run_start - group_start + 1
    decided_by[order] = decided
    return Ranking(rank, decided_by, order)


def natural_ordinals(values: Sequence[str]) -> np.ndarray:
    """Each string's position in natural order (APP-9 < APP-10 = APP-010), equal ones equal."""
    if not len(values):
        return np.zeros(0, dtype=np.int64)
    padded = np.array([_DIGITS.sub(_pad, value) for value in values], dtype=str)
    _distinct, ordinals = np.unique(padded, return_inverse=True)
    return ordinals.astype(np.int64).reshape(-1)


def _pad(match: re.Match) -> str:
    return match.group().lstrip("0").zfill(_PAD)
