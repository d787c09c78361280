"""Blueprints: what a paper asks for, whether the bank can give it, and the seeded draw of forms.

A paper's sections hold rules ("5 items from subject English, 40/40/20 % easy/medium/hard").
`load_blueprint(paper)` reads the rules and every eligible item in a constant number of queries
into a plain `Blueprint`; everything else here is pure and works on that object:

- `split_counts(count, percents)`   the difficulty split, by largest remainder (sums to `count`)
- `check_blueprint(paper)`          every rule (and difficulty) the bank cannot satisfy, by name
- `draw_form(paper, seed)`          one form, deterministic for a seed (random.Random(seed))
- `draw_forms(paper, seed)`         `form_count` parallel forms, overlapping as little as the pool allows
- `draw_candidate_form(paper, seed)` a per-candidate form drawn from the pool frozen at lock

Rules of the draw: only approved items, at their current version; a subject includes its topics;
an item appears at most once on a form even when rules overlap; no two items of one enemy group
on the same form (across all its sections).

The draw walks the rules in order and, for each difficulty, takes items in this preference:
used on fewer earlier parallel forms first, then items no later rule needs and in no enemy group
("uncontested"), then a seeded shuffle. Should that fall short, it retries with uncontested first,
and finally with the deterministic order `check_blueprint` uses, so that a blueprint that passes
the check always draws.
"""

import hashlib
import json
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

DIFFICULTIES = ("easy", "medium", "hard")
CENT = Decimal("0.01")


class BlueprintError(ValueError):
    """The bank cannot satisfy the blueprint; `problems` names every lacking rule."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class PoolItem:
    """One eligible item at its current (approved) version."""

    uid: str
    version: int
    difficulty: str
    points: Decimal  # the version's default points


@dataclass
class RulePlan:
    position: int
    label: str  # category name (and tag), for messages
    count: int
    percents: tuple[int, int, int]
    items: list[PoolItem] = field(default_factory=list)  # eligible, in a stable order

    @property
    def split(self) -> dict[str, int]:
        return split_counts(self.count, self.percents)

    def available(self) -> dict[str, int]:
        counts = Counter(item.difficulty for item in self.items)
        return {d: counts.get(d, 0) for d in DIFFICULTIES}


@dataclass
class SectionPlan:
    position: int
    title: str
    time_limit_minutes: int | None
    shuffle_items: bool
    shuffle_choices: bool
    points_per_item: Decimal | None
    rules: list[RulePlan] = field(default_factory=list)


@dataclass
class Blueprint:
    code: str
    version: int
    sections: list[SectionPlan]
    enemies: dict[str, frozenset] = field(default_factory=dict)  # item uid → its enemy group keys

    # --- the frozen pool of a per-candidate paper (PaperForm number 0) ---------------------------

    def to_pool(self) -> dict:
        groups: dict = {}
        for uid, keys in self.enemies.items():
            for key in keys:
                groups.setdefault(key, []).append(uid)
        return {
            "paper": {"code": self.code, "version": self.version},
            "form": 0,
            "pool": {
                "sections": [
                    {
                        "position": s.position,
                        "title": s.title,
                        "time_limit_minutes": s.time_limit_minutes,
                        "shuffle_items": s.shuffle_items,
                        "shuffle_choices": s.shuffle_choices,
                        "points_per_item": _points(s.points_per_item)
                        if s.points_per_item is not None
                        else None,
                        "rules": [
                            {
                                "position": r.position,
                                "label": r.label,
                                "count": r.count,
                                "percents": list(r.percents),
                                "items": [
                                    {
                                        "item": i.uid,
                                        "version": i.version,
                                        "difficulty": i.difficulty,
                                        "points": _points(i.points),
                                    }
                                    for i in r.items
                                ],
                            }
                            for r in s.rules
                        ],
                    }
                    for s in self.sections
                ],
                "enemies": [sorted(uids) for _key, uids in sorted(groups.items(), key=lambda kv: str(kv[0]))],
            },
        }

    @classmethod
    def from_pool(cls, content: dict) -> "Blueprint":
        pool = content["pool"]
        sections = [
            SectionPlan(
                position=s["position"],
                title=s["title"],
                time_limit_minutes=s["time_limit_minutes"],
                shuffle_items=s["shuffle_items"],
                shuffle_choices=s["shuffle_choices"],
                points_per_item=Decimal(s["points_per_item"]) if s["points_per_item"] is not None else None,
                rules=[
                    RulePlan(
                        position=r["position"],
                        label=r["label"],
                        count=r["count"],
                        percents=tuple(r["percents"]),
                        items=[
                            PoolItem(i["item"], i["version"], i["difficulty"], Decimal(i["points"]))
                            for i in r["items"]
                        ],
                    )
                    for r in s["rules"]
                ],
            )
            for s in pool["sections"]
        ]
        enemies: dict[str, set] = {}
        for n, uids in enumerate(pool["enemies"]):
            for uid in uids:
                enemies.setdefault(uid, set()).add(n)
        return cls(
            code=content["paper"]["code"],
            version=content["paper"]["version"],
            sections=sections,
            enemies={uid: frozenset(keys) for uid, keys in enemies.items()},
        )


# --- pure helpers --------------------------------------------------------------------------------


def split_counts(count: int, percents) -> dict[str, int]:
    """Split `count` items by difficulty percentages with the largest-remainder method.

    Each share is floored; the items left over go to the largest remainders, ties to the easier
    difficulty. The counts always sum to `count` (percentages that do not sum to 100 are scaled).
    """
    percents = [max(int(p), 0) for p in percents]
    total = sum(percents)
    if count <= 0 or total == 0:
        return dict.fromkeys(DIFFICULTIES, 0)
    exact = [(count * p, total) for p in percents]  # share = count * p / total, kept as integers
    floors = [num // den for num, den in exact]
    remainders = [num % den for num, den in exact]
    left = count - sum(floors)
    order = sorted(range(len(DIFFICULTIES)), key=lambda i: (-remainders[i], i))
    for i in order[:left]:
        floors[i] += 1
    return dict(zip(DIFFICULTIES, floors, strict=True))


def derive_seed(seed: int, number: int) -> int:
    """The seed of parallel form `number`, derived from the paper's seed (63 bits, positive)."""
    digest = hashlib.sha256(f"{seed}:{number}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def canonical_json(content: dict) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def form_digest(content: dict) -> str:
    return hashlib.sha256(canonical_json(content)).hexdigest()


def paper_digest(form_digests: list[str]) -> str:
    """SHA-256 over the forms' digests, in form order."""
    return hashlib.sha256("".join(form_digests).encode()).hexdigest()


def _points(value: Decimal) -> str:
    return str(Decimal(value).quantize(CENT))


def _difficulty_label(difficulty: str) -> str:
    from .models import ItemVersion

    return str(ItemVersion.Difficulty(difficulty).label)


def shortage_message(section: int, rule: RulePlan, difficulty: str, need: int, have: int) -> str:
    return _(
        "ตอนที่ %(s)d กฎที่ %(r)d (%(label)s, %(diff)s): ต้องการ %(need)d ข้อ มีเพียง %(have)d ข้อ "
        "(Section %(s)d rule %(r)d (%(label)s, %(diff_en)s): needs %(need)d, only %(have)d available)"
    ) % {
        "s": section,
        "r": rule.position,
        "label": rule.label,
        "diff": _difficulty_label(difficulty),
        "diff_en": difficulty,
        "need": need,
        "have": have,
    }


# --- the draw --------------------------------------------------------------------------------------

_USAGE_FIRST, _UNCONTESTED_FIRST, _CHECK_ORDER = "usage", "uncontested", "check"


def _run(bp: Blueprint, *, rng: random.Random | None, usage: Counter, strategy: str):
    """One greedy pass. Returns ({(section, rule): [PoolItem]}, [shortage messages])."""
    buckets = []
    for section in bp.sections:
        for rule in section.rules:
            split = rule.split
            for difficulty in DIFFICULTIES:
                if split[difficulty]:
                    buckets.append((section, rule, difficulty, split[difficulty]))
    last_needed: dict[str, int] = {}
    for k, (_s, rule, difficulty, _n) in enumerate(buckets):
        for item in rule.items:
            if item.difficulty == difficulty:
                last_needed[item.uid] = k

    chosen: set[str] = set()
    blocked: set = set()
    picks: dict[tuple[int, int], list[PoolItem]] = {}
    problems: list[str] = []
    for k, (section, rule, difficulty, need) in enumerate(buckets):
        candidates = [item for item in rule.items if item.difficulty == difficulty]
        if rng is not None:
            rng.shuffle(candidates)

        def contested(item: PoolItem, k=k) -> int:
            return int(last_needed[item.uid] > k or item.uid in bp.enemies)

        if strategy == _USAGE_FIRST:
            candidates.sort(key=lambda item: (usage[item.uid], contested(item)))
        elif strategy == _UNCONTESTED_FIRST:
            candidates.sort(key=lambda item: (contested(item), usage[item.uid]))
        else:  # exactly the order check_blueprint uses, so a checked blueprint always draws
            candidates.sort(key=contested)
        got = picks.setdefault((section.position, rule.position), [])
        taken = 0
        for item in candidates:
            if taken == need:
                break
            groups = bp.enemies.get(item.uid, frozenset())
            if item.uid in chosen or groups & blocked:
                continue
            got.append(item)
            chosen.add(item.uid)
            blocked |= groups
            taken += 1
        if taken < need:
            problems.append(shortage_message(section.position, rule, difficulty, need, taken))
    return picks, problems


def structural_problems(bp: Blueprint) -> list[str]:
    problems = []
    if not bp.sections:
        problems.append(_("แบบทดสอบยังไม่มีตอน (The paper has no sections)."))
    for section in bp.sections:
        if not section.rules:
            problems.append(
                _("ตอนที่ %(s)d ยังไม่มีกฎการสุ่มข้อสอบ (Section %(s)d has no rules).") % {"s": section.position}
            )
        for rule in section.rules:
            if sum(rule.percents) != 100:
                problems.append(
                    _(
                        "ตอนที่ %(s)d กฎที่ %(r)d: สัดส่วนความยากรวมกันได้ %(t)d%% ต้องเป็น 100%% "
                        "(Section %(s)d rule %(r)d: difficulty percentages add up to %(t)d%%, not 100%%)."
                    )
                    % {"s": section.position, "r": rule.position, "t": sum(rule.percents)}
                )
    return problems


def check_pool(bp: Blueprint) -> list[str]:
    """Every problem that stops `bp` from being drawn (empty list: it can be drawn)."""
    problems = structural_problems(bp)
    _picks, shortages = _run(bp, rng=None, usage=Counter(), strategy=_CHECK_ORDER)
    return problems + shortages


def check_blueprint(paper, *, pool: Blueprint | None = None) -> list[str]:
    """Names every rule the bank cannot satisfy (accounting for items claimed by earlier rules and
    for enemy groups), plus structural problems (no sections, a section without rules)."""
    return check_pool(pool or load_blueprint(paper))


def _form_content(bp: Blueprint, picks, number: int) -> dict:
    sections = []
    for section in bp.sections:
        items = []
        for rule in section.rules:
            for item in sorted(
                picks.get((section.position, rule.position), []),
                key=lambda i: DIFFICULTIES.index(i.difficulty),
            ):
                points = section.points_per_item if section.points_per_item is not None else item.points
                items.append({"item": item.uid, "version": item.version, "points": _points(points)})
        sections.append(
            {
                "position": section.position,
                "title": section.title,
                "time_limit_minutes": section.time_limit_minutes,
                "shuffle_items": section.shuffle_items,
                "shuffle_choices": section.shuffle_choices,
                "items": items,
            }
        )
    return {"paper": {"code": bp.code, "version": bp.version}, "form": number, "sections": sections}


def draw_pool(
    bp: Blueprint, seed: int, *, number: int = 1, usage: Counter | None = None, allow_short: bool = False
) -> dict:
    """Draw one form from a loaded blueprint. `usage` (item uid → forms it is on so far) is read to
    prefer unused items and updated with this form's items. Raises BlueprintError if the pool
    cannot satisfy the blueprint, unless `allow_short` (previews of drafts)."""
    structural = structural_problems(bp)
    if structural and not allow_short:
        raise BlueprintError(structural)
    usage = Counter() if usage is None else usage
    attempts = (
        (random.Random(seed), _USAGE_FIRST),
        (random.Random(seed), _UNCONTESTED_FIRST),
        (None, _CHECK_ORDER),
    )
    first = None
    for rng, strategy in attempts:
        picks, problems = _run(bp, rng=rng, usage=usage, strategy=strategy)
        if first is None:
            first = (picks, problems)
        if not problems:
            break
    else:
        if not allow_short:
            raise BlueprintError(structural + first[1])
        picks = first[0]
    for items in picks.values():
        usage.update(item.uid for item in items)
    return _form_content(bp, picks, number)


def draw_form(
    paper, seed: int, *, pool: Blueprint | None = None, number: int = 1, usage: Counter | None = None
) -> dict:
    """One form of `paper`, deterministic for `seed`, in the PaperForm.content format."""
    return draw_pool(pool or load_blueprint(paper), seed, number=number, usage=usage)


def draw_forms(paper, seed: int, *, pool: Blueprint | None = None, count: int | None = None) -> list[dict]:
    """`count` (default paper.form_count) parallel forms; form n uses derive_seed(seed, n), and each
    prefers items the earlier forms did not use, so forms are disjoint when the pool allows."""
    bp = pool or load_blueprint(paper)
    usage: Counter = Counter()
    count = count if count is not None else max(paper.form_count, 1)
    return [draw_pool(bp, derive_seed(seed, n), number=n, usage=usage) for n in range(1, count + 1)]


def frozen_pool(paper) -> Blueprint:
    """The pool frozen at lock for a per-candidate paper (PaperForm number 0)."""
    from .models import PaperForm

    form = PaperForm.objects.get(paper=paper, number=0)
    return Blueprint.from_pool(form.content)


def draw_candidate_form(paper, seed: int) -> dict:
    """A candidate's form for a locked per-candidate paper: drawn from exactly the frozen versions
    (later edits of items, enemy groups or the bank do not change it). Form number 0."""
    return draw_pool(frozen_pool(paper), seed, number=0)


# --- loading ---------------------------------------------------------------------------------------


def rule_label(rule) -> str:
    return f"{rule.category.name} [{rule.tag.name}]" if rule.tag_id else rule.category.name


def load_blueprint(paper) -> Blueprint:
    """Read the paper's sections, rules, eligible items and the bank's enemy groups (6 queries)."""
    from django.db.models import Prefetch

    from .models import Category, EnemyGroup, Item, SectionRule

    sections = list(
        paper.sections.prefetch_related(
            Prefetch("rules", queryset=SectionRule.objects.select_related("category", "tag"))
        )
    )
    rules = [rule for section in sections for rule in section.rules.all()]
    subject_ids = {rule.category_id for rule in rules}
    topics: dict[int, set[int]] = {cid: {cid} for cid in subject_ids}
    for cid, parent_id in Category.objects.filter(parent_id__in=subject_ids).values_list("id", "parent_id"):
        topics[parent_id].add(cid)
    all_categories = set().union(*topics.values()) if topics else set()

    rows = (
        Item.objects.filter(
            bank_id=paper.bank_id,
            status=Item.Status.APPROVED,
            current_version__isnull=False,
            category_id__in=all_categories,
        )
        .order_by("id")
        .values_list(
            "id",
            "uid",
            "category_id",
            "current_version_id",
            "current_version__difficulty",
            "current_version__default_points",
        )
    )
    by_category: dict[int, list[tuple[int, PoolItem]]] = {}
    uids: dict[int, str] = {}
    for item_id, uid, category_id, version_id, difficulty, points in rows:
        uids[item_id] = str(uid)
        by_category.setdefault(category_id, []).append(
            (item_id, PoolItem(str(uid), version_id, difficulty, points))
        )

    tag_ids = {rule.tag_id for rule in rules if rule.tag_id}
    tagged: dict[int, set[int]] = {}
    if tag_ids:
        links = Item.tags.through.objects.filter(
            tag_id__in=tag_ids, item__bank_id=paper.bank_id, item__status=Item.Status.APPROVED
        ).values_list("tag_id", "item_id")
        for tag_id, item_id in links:
            tagged.setdefault(tag_id, set()).add(item_id)

    enemies: dict[str, set[int]] = {}
    links = EnemyGroup.items.through.objects.filter(enemygroup__bank_id=paper.bank_id).values_list(
        "enemygroup_id", "item__uid"
    )
    for group_id, uid in links:
        enemies.setdefault(str(uid), set()).add(group_id)

    plans = []
    for section in sections:
        plan = SectionPlan(
            position=section.position,
            title=section.title,
            time_limit_minutes=section.time_limit_minutes,
            shuffle_items=section.shuffle_items,
            shuffle_choices=section.shuffle_choices,
            points_per_item=section.points_per_item,
        )
        for rule in section.rules.all():
            pairs = [pair for cid in topics[rule.category_id] for pair in by_category.get(cid, [])]
            pairs.sort(key=lambda pair: pair[0])
            if rule.tag_id:
                wanted = tagged.get(rule.tag_id, set())
                pairs = [pair for pair in pairs if pair[0] in wanted]
            plan.rules.append(
                RulePlan(
                    position=rule.position,
                    label=rule_label(rule),
                    count=rule.count,
                    percents=(rule.easy_percent, rule.medium_percent, rule.hard_percent),
                    items=[item for _id, item in pairs],
                )
            )
        plans.append(plan)
    return Blueprint(
        code=paper.code,
        version=paper.version,
        sections=plans,
        enemies={uid: frozenset(keys) for uid, keys in enemies.items()},
    )


def count_available(bank_id: int, category_id: int, tag_id: int | None = None) -> dict[str, int]:
    """Approved items a rule on `category_id` (a subject includes its topics) [and tag] could draw,
    by difficulty, plus "total" (one query)."""
    from django.db.models import Count, Q

    from .models import Item

    items = Item.objects.filter(
        Q(category_id=category_id) | Q(category__parent_id=category_id),
        bank_id=bank_id,
        status=Item.Status.APPROVED,
        current_version__isnull=False,
    )
    if tag_id:
        items = items.filter(tags__id=tag_id)
    rows = items.values_list("current_version__difficulty").annotate(n=Count("id")).order_by()
    counts = dict.fromkeys(DIFFICULTIES, 0)
    for difficulty, n in rows:
        counts[difficulty] = n
    return {**counts, "total": sum(counts.values())}


def availability_text(counts: dict[str, int]) -> str:
    return _("มีข้อสอบที่ใช้ได้ %(total)d ข้อ: ง่าย %(easy)d / ปานกลาง %(medium)d / ยาก %(hard)d") % {
        "total": sum(counts.get(d, 0) for d in DIFFICULTIES),
        **{d: counts.get(d, 0) for d in DIFFICULTIES},
    }
