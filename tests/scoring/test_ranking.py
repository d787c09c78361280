"""Ranking: shared ranks skip the next rank, the tie-break chain orders, and each candidate records
the rule that decided its place — checked exhaustively against a plain-Python reference."""

import itertools

import numpy as np

from exam_platform.scoring.ranking import TIED, UNRANKED, natural_ordinals, rank_candidates


def reference(keys, descending, groups, eligible):
    """The definition, written the slow obvious way."""
    n = len(keys[0])
    ranks, decided = [0] * n, [UNRANKED] * n

    def sort_key(i):
        return tuple(-k[i] if d else k[i] for k, d in zip(keys, descending, strict=True))

    for group in sorted(set(groups)):
        members = [i for i in range(n) if groups[i] == group and eligible[i]]
        ordered = sorted(members, key=sort_key)
        for position, i in enumerate(ordered):
            ranks[i] = 1 + sum(1 for j in ordered if sort_key(j) < sort_key(i))
            if sum(1 for j in ordered if sort_key(j) == sort_key(i)) > 1:
                decided[i] = TIED
                continue
            if position > 0:
                neighbour = ordered[position - 1]
            elif len(ordered) > 1:
                neighbour = ordered[1]
            else:
                decided[i] = 0
                continue
            decided[i] = next(k for k in range(len(keys)) if keys[k][i] != keys[k][neighbour])
    return ranks, decided


def check(keys, descending, groups=None, eligible=None):
    n = len(keys[0])
    groups = groups if groups is not None else [0] * n
    eligible = eligible if eligible is not None else [True] * n
    result = rank_candidates(
        [np.array(k) for k in keys], descending, groups=np.array(groups), eligible=np.array(eligible)
    )
    expected_ranks, expected_decided = reference(keys, descending, groups, eligible)
    assert result.rank.tolist() == expected_ranks, (keys, groups, eligible)
    assert result.decided_by.tolist() == expected_decided, (keys, groups, eligible)
    return result


def test_ranking_matches_reference_for_every_small_case():
    """All totals × section scores × application numbers for 4 candidates over small value sets."""
    cases = 0
    for totals in itertools.product(range(3), repeat=4):
        for sections in itertools.product(range(2), repeat=4):
            check([list(totals), list(sections), [3, 1, 2, 1]], [True, True, False])
            cases += 1
    assert cases == 81 * 16


def test_ranking_matches_reference_with_groups_and_ineligible_candidates():
    for totals in itertools.product(range(3), repeat=5):
        for mask in ([True] * 5, [True, False, True, True, False]):
            check([list(totals)], [True], groups=[1, 2, 1, 2, 1], eligible=mask)


def test_full_tie_shares_the_rank_and_skips_the_next():
    result = check([[90, 80, 80, 70], [5, 5, 5, 5]], [True, True])
    assert result.rank.tolist() == [1, 2, 2, 4]
    assert result.decided_by.tolist() == [0, TIED, TIED, 0]


def test_tie_break_chain_orders_and_records_the_deciding_rule():
    # totals tie at 80 for b, c, d: section 2 separates b from c/d, section 1 separates c from d
    totals = [90, 80, 80, 80, 70]
    section2 = [0, 30, 20, 20, 0]
    section1 = [0, 0, 10, 5, 0]
    application = [5, 4, 3, 2, 1]
    result = check([totals, section2, section1, application], [True, True, True, False])
    assert result.rank.tolist() == [1, 2, 3, 4, 5]
    assert result.decided_by.tolist() == [0, 0, 1, 2, 0]
    assert result.order.tolist() == [0, 1, 2, 3, 4]


def test_application_number_breaks_the_last_tie_lower_first():
    result = check([[50, 50, 50], natural_ordinals(["APP-10", "APP-9", "APP-100"]).tolist()], [True, False])
    assert result.rank.tolist() == [2, 1, 3]
    assert result.decided_by.tolist() == [1, 1, 1]


def test_natural_ordinals_compare_digit_runs_as_numbers():
    assert natural_ordinals(["APP-10", "APP-9", "APP-009", "APP-100", "B-1"]).tolist() == [1, 0, 0, 2, 3]


def test_nobody_eligible_ranks_nobody():
    result = rank_candidates([np.array([1, 2])], [True], eligible=np.array([False, False]))
    assert result.rank.tolist() == [0, 0]
    assert result.decided_by.tolist() == [UNRANKED, UNRANKED]
