"""The pure blueprint logic: difficulty split, seeded draws, enemies, overlap, feasibility check."""

from decimal import Decimal

import pytest

from question_bank.blueprint import (
    BlueprintError,
    check_blueprint,
    draw_form,
    draw_forms,
    load_blueprint,
    split_counts,
)
from question_bank.models import Category, EnemyGroup, Paper, PaperSection, SectionRule, Tag
from tests.factories import make_bank, make_examiner, make_item, topic_of


def _uids(form) -> list[str]:
    return [entry["item"] for section in form["sections"] for entry in section["items"]]


def _approved(bank, n, difficulty, *, category=None, tags=()):
    return [
        make_item(bank, status="approved", difficulty=difficulty, category=category, tags=tags)
        for _ in range(n)
    ]


def _paper(bank, *, form_mode="fixed", form_count=1, code="p1") -> Paper:
    return Paper.objects.create(
        bank=bank, code=code, title="ภาค ก", form_mode=form_mode, form_count=form_count
    )


def _section(paper, position=1, **fields) -> PaperSection:
    return PaperSection.objects.create(paper=paper, position=position, title=f"ตอนที่ {position}", **fields)


def _rule(section, category, count, percents=(40, 40, 20), position=1, tag=None) -> SectionRule:
    easy, medium, hard = percents
    return SectionRule.objects.create(
        section=section,
        position=position,
        category=category,
        tag=tag,
        count=count,
        easy_percent=easy,
        medium_percent=medium,
        hard_percent=hard,
    )


def _subject(bank) -> Category:
    return bank.categories.get(parent__isnull=True, code__startswith="subject-")


@pytest.fixture
def bank(db):
    return make_bank(members={make_examiner(): "owner"})


# --- split ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "percents", "expected"),
    [
        (25, (40, 40, 20), {"easy": 10, "medium": 10, "hard": 5}),
        (7, (40, 40, 20), {"easy": 3, "medium": 3, "hard": 1}),  # 2.8 / 2.8 / 1.4
        (5, (33, 33, 34), {"easy": 2, "medium": 1, "hard": 2}),  # 1.65 / 1.65 / 1.7: hard, then easy on a tie
        (1, (40, 40, 20), {"easy": 1, "medium": 0, "hard": 0}),
        (3, (0, 0, 100), {"easy": 0, "medium": 0, "hard": 3}),
        (10, (15, 15, 70), {"easy": 2, "medium": 1, "hard": 7}),  # 1.5 / 1.5 / 7: tie goes to easy
    ],
)
def test_split_counts_largest_remainder_exact(count, percents, expected):
    assert split_counts(count, percents) == expected


def test_split_counts_always_sum_to_count():
    for count in range(0, 60):
        for easy in range(0, 101, 7):
            for medium in range(0, 101 - easy, 9):
                split = split_counts(count, (easy, medium, 100 - easy - medium))
                assert sum(split.values()) == count


# --- draw ----------------------------------------------------------------------------------------


def test_draw_form_same_seed_same_form_and_different_seeds_differ(bank):
    _approved(bank, 10, "easy")
    _approved(bank, 10, "medium")
    _approved(bank, 5, "hard")
    paper = _paper(bank)
    _rule(_section(paper), _subject(bank), 5)

    first = draw_form(paper, 12345)
    again = draw_form(paper, 12345)
    others = {tuple(_uids(draw_form(paper, seed))) for seed in range(20)}

    assert first == again
    assert len(_uids(first)) == 5
    assert len(others) > 10


def test_draw_form_format_matches_paper_form_docstring(bank):
    (item,) = _approved(bank, 1, "medium")
    paper = _paper(bank)
    section = _section(paper, time_limit_minutes=30, shuffle_items=False)
    _rule(section, _subject(bank), 1, percents=(0, 100, 0))

    form = draw_form(paper, 1)

    assert form == {
        "paper": {"code": "p1", "version": 1},
        "form": 1,
        "sections": [
            {
                "position": 1,
                "title": "ตอนที่ 1",
                "time_limit_minutes": 30,
                "shuffle_items": False,
                "shuffle_choices": True,
                "items": [{"item": str(item.uid), "version": item.current_version_id, "points": "1.00"}],
            }
        ],
    }


def test_draw_form_points_from_section_override_version_default(bank):
    _approved(bank, 2, "easy")
    paper = _paper(bank)
    _rule(_section(paper, position=1, points_per_item=Decimal("2.5")), _subject(bank), 1, (100, 0, 0))
    _rule(_section(paper, position=2), _subject(bank), 1, (100, 0, 0))

    form = draw_form(paper, 7)

    assert [s["items"][0]["points"] for s in form["sections"]] == ["2.50", "1.00"]


def test_draw_form_respects_difficulty_split(bank):
    easy = {str(i.uid) for i in _approved(bank, 6, "easy")}
    medium = {str(i.uid) for i in _approved(bank, 6, "medium")}
    hard = {str(i.uid) for i in _approved(bank, 6, "hard")}
    paper = _paper(bank)
    _rule(_section(paper), _subject(bank), 7)  # 3 / 3 / 1

    for seed in range(10):
        uids = set(_uids(draw_form(paper, seed)))
        assert (len(uids & easy), len(uids & medium), len(uids & hard)) == (3, 3, 1)


def test_draw_form_enemies_never_on_the_same_form(bank):
    items = _approved(bank, 12, "medium")
    groups = [items[0:3], items[3:5], items[5:7]]
    for n, members in enumerate(groups):
        group = EnemyGroup.objects.create(bank=bank, name=f"กลุ่ม {n}")
        group.items.set(members)
    paper = _paper(bank)
    # 2 sections, so the rule also has to hold across sections of one form
    _rule(_section(paper, 1), _subject(bank), 4, (0, 100, 0))
    _rule(_section(paper, 2), _subject(bank), 4, (0, 100, 0))
    pool = load_blueprint(paper)

    for seed in range(200):
        uids = set(_uids(draw_form(paper, seed, pool=pool)))
        assert len(uids) == 8
        for members in groups:
            assert len(uids & {str(i.uid) for i in members}) <= 1, seed


def test_draw_form_overlapping_rules_never_repeat_an_item(bank):
    topic = topic_of(bank)
    _approved(bank, 4, "easy", category=topic)
    _approved(bank, 4, "easy", category=_subject(bank))
    paper = _paper(bank)
    section = _section(paper)
    _rule(section, topic, 3, (100, 0, 0), position=1)  # topic ⊂ subject: the rules overlap
    _rule(section, _subject(bank), 5, (100, 0, 0), position=2)

    for seed in range(50):
        uids = _uids(draw_form(paper, seed))
        assert len(uids) == 8
        assert len(set(uids)) == 8


def test_draw_form_uses_only_approved_items(bank):
    approved = {str(i.uid) for i in _approved(bank, 3, "easy")}
    for status in ("draft", "in_review", "retired"):
        make_item(bank, status=status, difficulty="easy")
    paper = _paper(bank)
    _rule(_section(paper), _subject(bank), 3, (100, 0, 0))

    for seed in range(20):
        assert set(_uids(draw_form(paper, seed))) == approved


def test_draw_form_subject_includes_topics_and_tag_filters(bank):
    topic = topic_of(bank)
    in_subject = _approved(bank, 1, "easy", category=_subject(bank))
    in_topic = _approved(bank, 1, "easy", category=topic, tags=["ไวยากรณ์"])
    paper = _paper(bank)
    section = _section(paper)
    _rule(section, _subject(bank), 2, (100, 0, 0))

    assert set(_uids(draw_form(paper, 1))) == {str(in_subject[0].uid), str(in_topic[0].uid)}

    SectionRule.objects.filter(section=section).update(
        count=1, tag=Tag.objects.get(bank=bank, name="ไวยากรณ์")
    )
    assert _uids(draw_form(paper, 1)) == [str(in_topic[0].uid)]


def test_draw_forms_parallel_are_disjoint_when_pool_permits(bank):
    _approved(bank, 12, "easy")
    _approved(bank, 12, "medium")
    _approved(bank, 6, "hard")
    paper = _paper(bank, form_mode="parallel", form_count=3)
    _rule(_section(paper), _subject(bank), 10)  # 4 / 4 / 2 per form, 3 forms: exactly the pool

    forms = draw_forms(paper, 99)

    assert [f["form"] for f in forms] == [1, 2, 3]
    sets = [set(_uids(f)) for f in forms]
    assert all(len(s) == 10 for s in sets)
    assert not (sets[0] & sets[1] or sets[0] & sets[2] or sets[1] & sets[2])
    assert draw_forms(paper, 99) == forms


def test_draw_forms_parallel_overlap_only_as_much_as_needed(bank):
    _approved(bank, 7, "easy")
    paper = _paper(bank, form_mode="parallel", form_count=2)
    _rule(_section(paper), _subject(bank), 5, (100, 0, 0))

    first, second = (set(_uids(f)) for f in draw_forms(paper, 3))

    assert len(first & second) == 3  # 5 + 5 from 7 items: 3 must repeat, no more


def test_draw_form_infeasible_raises_with_problems(bank):
    _approved(bank, 1, "hard")
    paper = _paper(bank)
    _rule(_section(paper), _subject(bank), 2, (0, 0, 100))

    with pytest.raises(BlueprintError) as caught:
        draw_form(paper, 1)

    assert caught.value.problems == [
        "ตอนที่ 1 กฎที่ 1 (ภาษาไทย, ยาก): ต้องการ 2 ข้อ มีเพียง 1 ข้อ "
        "(Section 1 rule 1 (ภาษาไทย, hard): needs 2, only 1 available)"
    ]


# --- check ---------------------------------------------------------------------------------------


def test_check_blueprint_feasible_has_no_problems(bank):
    _approved(bank, 2, "easy")
    _approved(bank, 2, "medium")
    _approved(bank, 1, "hard")
    paper = _paper(bank)
    _rule(_section(paper), _subject(bank), 5)

    assert check_blueprint(paper) == []


def test_check_blueprint_names_the_lacking_rule_exactly(bank):
    english = Category.objects.create(bank=bank, code="english", name="ภาษาอังกฤษ")
    _approved(bank, 5, "easy")
    _approved(bank, 4, "easy", category=english)
    _approved(bank, 3, "hard", category=english)
    paper = _paper(bank)
    _rule(_section(paper, 1), _subject(bank), 5, (100, 0, 0))
    section = _section(paper, 2)
    _rule(section, english, 9, (40, 0, 60), position=1)  # 4 easy (ok) + 5 hard (only 3)

    assert check_blueprint(paper) == [
        "ตอนที่ 2 กฎที่ 1 (ภาษาอังกฤษ, ยาก): ต้องการ 5 ข้อ มีเพียง 3 ข้อ "
        "(Section 2 rule 1 (ภาษาอังกฤษ, hard): needs 5, only 3 available)"
    ]


def test_check_blueprint_counts_items_claimed_by_earlier_rules(bank):
    topic = topic_of(bank)
    _approved(bank, 4, "easy", category=topic)
    paper = _paper(bank)
    section = _section(paper)
    _rule(section, topic, 3, (100, 0, 0), position=1)
    _rule(section, _subject(bank), 2, (100, 0, 0), position=2)  # only 1 left after rule 1

    assert check_blueprint(paper) == [
        "ตอนที่ 1 กฎที่ 2 (ภาษาไทย, ง่าย): ต้องการ 2 ข้อ มีเพียง 1 ข้อ "
        "(Section 1 rule 2 (ภาษาไทย, easy): needs 2, only 1 available)"
    ]


def test_check_blueprint_counts_enemies(bank):
    items = _approved(bank, 3, "medium")
    group = EnemyGroup.objects.create(bank=bank, name="คำถามชี้นำกัน")
    group.items.set(items[:2])
    paper = _paper(bank)
    _rule(_section(paper), _subject(bank), 3, (0, 100, 0))

    assert check_blueprint(paper) == [
        "ตอนที่ 1 กฎที่ 1 (ภาษาไทย, ปานกลาง): ต้องการ 3 ข้อ มีเพียง 2 ข้อ "
        "(Section 1 rule 1 (ภาษาไทย, medium): needs 3, only 2 available)"
    ]


def test_check_blueprint_reports_empty_paper_and_section(bank):
    paper = _paper(bank)
    assert check_blueprint(paper) == ["แบบทดสอบยังไม่มีตอน (The paper has no sections)."]
    _section(paper)
    assert check_blueprint(paper) == ["ตอนที่ 1 ยังไม่มีกฎการสุ่มข้อสอบ (Section 1 has no rules)."]


def test_load_blueprint_query_count_constant(bank, django_assert_max_num_queries):
    _approved(bank, 30, "easy", tags=["a"])
    paper = _paper(bank)
    for position in (1, 2, 3):
        section = _section(paper, position)
        _rule(section, _subject(bank), 2, (100, 0, 0), tag=Tag.objects.get(bank=bank, name="a"))
        _rule(section, topic_of(bank), 2, (100, 0, 0), position=2)

    with django_assert_max_num_queries(6):
        load_blueprint(paper)


def test_draw_form_broad_rule_first_leaves_items_a_later_rule_needs(bank):
    topic = topic_of(bank)
    in_topic = {str(i.uid) for i in _approved(bank, 2, "easy", category=topic)}
    _approved(bank, 2, "easy", category=_subject(bank))
    paper = _paper(bank)
    section = _section(paper)
    _rule(section, _subject(bank), 2, (100, 0, 0), position=1)  # could take the topic's items...
    _rule(section, topic, 2, (100, 0, 0), position=2)  # ...which this rule needs, all of them

    assert check_blueprint(paper) == []
    for seed in range(50):
        form = draw_form(paper, seed)
        assert set(_uids(form)[2:]) == in_topic
