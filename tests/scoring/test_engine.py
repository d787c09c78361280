"""The vectorised engine on hand-made matrices: every item type, partial credit, numeric tolerance
edges, Thai short-answer normalisation, voided items and changed keys."""

import numpy as np
import pytest

from exam_platform.scoring.engine import (
    ESSAY_PENDING,
    ItemKey,
    RoundMatrices,
    adjusted_items,
    choice_mask,
    parse_number,
    score_matrices,
    to_cents,
)

CHOICES = ("a", "b", "c", "d")


def matrices(items, rows):
    m = RoundMatrices.empty(items, rows)
    m.section[:, :] = 1
    return m


def test_single_choice_scores_by_choice_uid_not_position():
    item = ItemKey(uid="q1", version=1, type="single", points=100, choices=CHOICES, key_mask=0b0100)
    m = matrices([item], 4)
    m.picked[:, 0] = [choice_mask(CHOICES, ["c"]), choice_mask(CHOICES, ["a"]), 0, 0b0101]
    scores = score_matrices(m)
    assert scores.item_points[:, 0].tolist() == [100, 0, 0, 0]  # the last picked two: invalid, no points
    assert [scores.why[c, 0] for c in range(4)] == [2, 3, 1, 3]  # correct, wrong, unanswered, wrong


@pytest.mark.parametrize(
    ("rule", "picks", "expected"),
    [
        # key = a, c (2 correct) out of a b c d; item worth 3 points
        ("all_or_nothing", ["a", "c"], 300),
        ("all_or_nothing", ["a"], 0),
        ("all_or_nothing", ["a", "c", "d"], 0),
        ("per_choice", ["a", "c"], 300),
        ("per_choice", ["a"], 150),
        ("per_choice", ["a", "b"], 0),  # (1 right − 1 wrong) / 2
        ("per_choice", ["a", "c", "d"], 150),  # (2 − 1) / 2
        ("per_choice", ["b", "d"], 0),  # floor 0, never negative
        ("proportional", ["a"], 150),
        ("proportional", ["a", "c"], 300),
        ("proportional", ["a", "b"], 0),  # any wrong pick: 0
        ("proportional", [], 0),
    ],
)
def test_multiple_response_partial_credit_rules(rule, picks, expected):
    item = ItemKey(
        uid="m", version=1, type="multiple", points=300, choices=CHOICES, key_mask=0b0101, partial_credit=rule
    )
    m = matrices([item], 1)
    m.picked[0, 0] = choice_mask(CHOICES, picks)
    assert score_matrices(m).item_points[0, 0] == expected


def test_multiple_response_thirds_round_half_even_to_hundredths():
    item = ItemKey(
        uid="m",
        version=1,
        type="multiple",
        points=100,
        choices=CHOICES,
        key_mask=0b0111,
        partial_credit="proportional",
    )
    m = matrices([item], 2)
    m.picked[:, 0] = [0b0001, 0b0011]
    assert score_matrices(m).item_points[:, 0].tolist() == [33, 67]


@pytest.mark.parametrize(
    ("answer", "right"),
    [
        ("3.5", True),
        ("3.55", True),  # exactly at +tolerance
        ("3.45", True),  # exactly at −tolerance
        ("3.550001", False),  # one millionth beyond (answers are compared to 6 decimals)
        ("3.449999", False),
        ("๓.๕", True),  # Thai digits
        (" 3.50 ", True),
        ("abc", False),
        ("", False),
    ],
)
def test_numeric_tolerance_edges_are_exact(answer, right):
    item = ItemKey(
        uid="n",
        version=1,
        type="numeric",
        points=100,
        value=parse_number("3.5"),
        tolerance=parse_number("0.05"),
    )
    m = matrices([item], 1)
    number = parse_number(answer)
    if number is not None:
        m.numbers[0, 0] = number
    assert score_matrices(m).item_points[0, 0] == (100 if right else 0)


def test_numeric_zero_tolerance_needs_the_exact_value():
    item = ItemKey(uid="n", version=1, type="numeric", points=100, value=parse_number("1000"), tolerance=0)
    m = matrices([item], 3)
    m.numbers[:, 0] = [parse_number("1,000"), parse_number("1000.000"), parse_number("1000.001")]
    assert score_matrices(m).item_points[:, 0].tolist() == [100, 100, 0]


def test_short_answer_thai_normalisation_sara_am_and_spaces():
    item = ItemKey(uid="s", version=1, type="short", points=100, accepted=("กรุงเทพมหานคร", "น้ำ แข็ง"))
    m = matrices([item], 5)
    texts = [
        "  กรุงเทพมหานคร ",  # surrounding spaces
        "น\u0e49\u0e4d\u0e32  แข็ง",  # ำ typed as nikhahit + sara aa, doubled space
        "น้ำแข็ง",  # the space matters inside an answer
        "กรุงเทพ",
        "",
    ]
    m.texts[0] = (np.arange(5), texts)
    scores = score_matrices(m)
    assert scores.item_points[:, 0].tolist() == [100, 100, 0, 0, 0]
    assert scores.why[:, 0].tolist() == [2, 2, 3, 3, 1]


def test_short_answer_case_sensitivity_follows_the_key():
    loose = ItemKey(uid="s1", version=1, type="short", points=100, accepted=("Bangkok",))
    strict = ItemKey(
        uid="s2", version=1, type="short", points=100, accepted=("Bangkok",), case_sensitive=True
    )
    m = matrices([loose, strict], 1)
    m.texts = {0: (np.array([0]), ["BANGKOK"]), 1: (np.array([0]), ["BANGKOK"])}
    assert score_matrices(m).item_points[0].tolist() == [100, 0]


def test_essay_pending_until_marked():
    item = ItemKey(uid="e", version=1, type="essay", points=1000)
    m = matrices([item], 2)
    m.essays[:, 0] = [750, ESSAY_PENDING]
    scores = score_matrices(m)
    assert scores.item_points[:, 0].tolist() == [750, 0]
    assert scores.pending.tolist() == [False, True]


def test_sections_and_totals_count_only_presented_items():
    a = ItemKey(uid="a", version=1, type="single", points=100, choices=CHOICES, key_mask=1)
    b = ItemKey(uid="b", version=1, type="single", points=200, choices=CHOICES, key_mask=1)
    m = RoundMatrices.empty([a, b], 2)
    m.section[0] = [1, 2]
    m.section[1] = [1, 0]  # candidate 1 never saw b
    m.picked[:, :] = 1
    scores = score_matrices(m)
    assert scores.total.tolist() == [300, 100]
    assert scores.max_total.tolist() == [300, 100]
    assert scores.sections == [1, 2]
    assert scores.section_points.tolist() == [[100, 200], [100, 0]]
    assert scores.section_max.tolist() == [[100, 200], [100, 0]]


def test_void_award_all_and_drop_change_points_and_maximum():
    a = ItemKey(uid="a", version=1, type="single", points=100, choices=CHOICES, key_mask=1)
    b = ItemKey(uid="b", version=1, type="single", points=100, choices=CHOICES, key_mask=1)
    m = matrices([a, b], 2)
    m.picked[:, :] = [[1, 2], [2, 1]]
    awarded = score_matrices(
        RoundMatrices(
            adjusted_items([a, b], [{"item_uid": "b", "action": "award_all"}]),
            m.section,
            m.picked,
            m.numbers,
            m.essays,
        )
    )
    assert awarded.total.tolist() == [200, 100]
    assert awarded.max_total.tolist() == [200, 200]
    dropped = score_matrices(
        RoundMatrices(
            adjusted_items([a, b], [{"item_uid": "b", "action": "drop"}]),
            m.section,
            m.picked,
            m.numbers,
            m.essays,
        )
    )
    assert dropped.total.tolist() == [100, 0]
    assert dropped.max_total.tolist() == [100, 100]
    assert dropped.why[:, 1].tolist() == [6, 6]


def test_change_key_to_two_acceptable_choices_and_a_new_numeric_value():
    a = ItemKey(uid="a", version=1, type="single", points=100, choices=CHOICES, key_mask=1)
    n = ItemKey(uid="n", version=1, type="numeric", points=100, value=parse_number("10"), tolerance=0)
    items = adjusted_items(
        [a, n],
        [
            {"item_uid": "a", "action": "change_key", "new_key": {"choices": ["a", "b"]}},
            {"item_uid": "n", "action": "change_key", "new_key": {"value": "12", "tolerance": "0.5"}},
        ],
    )
    m = matrices(items, 3)
    m.picked[:, 0] = [1, 2, 4]
    m.numbers[:, 1] = [parse_number("10"), parse_number("12.5"), parse_number("11.4")]
    assert score_matrices(m).item_points.tolist() == [[100, 0], [100, 100], [0, 0]]


def test_change_key_naming_a_foreign_choice_is_refused():
    a = ItemKey(uid="a", version=1, type="single", points=100, choices=CHOICES, key_mask=1)
    with pytest.raises(ValueError):
        adjusted_items([a], [{"item_uid": "a", "action": "change_key", "new_key": {"choices": ["zz"]}}])


def test_to_cents_and_parse_number_are_exact():
    assert to_cents("1.005") == 100  # half to even
    assert to_cents("2.5") == 250
    assert parse_number("0.000001") == 1
    assert parse_number("1e20") is None
    assert parse_number(True) is None
