"""Writing papers: the blueprint (paper, sections, rules), enemy groups, lock and clone.

Only bank owners manage papers (question_bank.access). Every write is audited in its own
transaction, and every write to a paper first locks the paper row and refuses if the paper is
locked: a locked paper is immutable, and changing it means `clone_paper` to a new version.

`lock_paper` checks the blueprint, draws the forms (fixed: 1, parallel: form_count) or, for
per-candidate papers, freezes the eligible item versions per rule into PaperForm number 0, and
stores each form's SHA-256 and the paper's content digest (SHA-256 over the forms' digests).
"""

import re
import secrets
import uuid
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from exam_platform.common.audit import record_audit

from .. import access
from ..blueprint import check_pool, draw_forms, draw_pool, form_digest, load_blueprint, paper_digest
from ..models import Bank, Category, EnemyGroup, Item, Paper, PaperForm, PaperSection, SectionRule, Tag

MAX_FORMS = 26
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
PAPER_FIELDS = ("title", "instructions", "duration_minutes", "form_mode", "form_count")
SECTION_FIELDS = ("title", "time_limit_minutes", "points_per_item", "shuffle_items", "shuffle_choices")
RULE_FIELDS = ("category", "tag", "count", "easy_percent", "medium_percent", "hard_percent")


class PaperError(ValueError):
    """Bad input for a paper write (Thai + English message)."""


class PaperLockedError(PaperError):
    def __init__(self):
        super().__init__(
            _(
                "แบบทดสอบนี้ล็อกแล้ว แก้ไขไม่ได้ กรุณาทำสำเนาเป็นรุ่นใหม่ "
                "(This paper is locked and cannot be changed; clone it to a new version)."
            )
        )


def _require_owner(actor, bank_id: int) -> None:
    if not access.can(actor, bank_id, access.OWNERS):
        raise PermissionDenied


def _locked_paper(paper: Paper, actor) -> Paper:
    """Inside a transaction: re-read the paper FOR UPDATE, check the actor and that it is a draft."""
    _require_owner(actor, paper.bank_id)
    fresh = Paper.objects.select_for_update().get(pk=paper.pk)
    if fresh.is_locked:
        raise PaperLockedError
    return fresh


def _paper_values(paper: Paper) -> dict:
    return {name: getattr(paper, name) for name in PAPER_FIELDS}


def _section_values(section: PaperSection) -> dict:
    values = {name: getattr(section, name) for name in SECTION_FIELDS}
    values["position"] = section.position
    return values


def _rule_values(rule: SectionRule) -> dict:
    return {
        "section": rule.section.position,
        "position": rule.position,
        "category": rule.category.code,
        "tag": rule.tag.name if rule.tag_id else None,
        "count": rule.count,
        "percents": [rule.easy_percent, rule.medium_percent, rule.hard_percent],
    }


def _clean_paper(values: dict) -> dict:
    if "title" in values:
        values["title"] = (values["title"] or "").strip()
        if not values["title"]:
            raise PaperError(_("กรุณาระบุชื่อแบบทดสอบ (The title is required)."))
    if "duration_minutes" in values and not (1 <= int(values["duration_minutes"]) <= 1440):
        raise PaperError(_("เวลาสอบต้องอยู่ระหว่าง 1–1440 นาที (Duration must be 1–1440 minutes)."))
    mode = values.get("form_mode")
    if mode is not None and mode not in Paper.FormMode.values:
        raise PaperError(_("รูปแบบชุดข้อสอบไม่ถูกต้อง (Unknown form mode)."))
    if "form_count" in values:
        count = int(values["form_count"])
        if not 1 <= count <= MAX_FORMS:
            raise PaperError(_("จำนวนชุดต้องอยู่ระหว่าง 1–%(n)d (Form count must be 1–%(n)d).") % {"n": MAX_FORMS})
    return values


def _normalise_mode(paper: Paper) -> None:
    if paper.form_mode != Paper.FormMode.PARALLEL:
        paper.form_count = 1
    elif paper.form_count < 2:
        raise PaperError(_("แบบคู่ขนานต้องมีอย่างน้อย 2 ชุด (Parallel forms need a form count of at least 2)."))


def _clean_section(values: dict) -> dict:
    if "title" in values:
        values["title"] = (values["title"] or "").strip()
        if not values["title"]:
            raise PaperError(_("กรุณาระบุชื่อตอน (The section title is required)."))
    if values.get("time_limit_minutes") is not None and int(values["time_limit_minutes"]) < 1:
        raise PaperError(_("เวลาของตอนต้องมากกว่า 0 นาที (Section time must be at least 1 minute)."))
    if values.get("points_per_item") is not None:
        try:
            points = Decimal(str(values["points_per_item"]))
        except InvalidOperation:
            points = Decimal(-1)
        if not points.is_finite() or points <= 0 or points >= 10000:
            raise PaperError(
                _("คะแนนต่อข้อต้องมากกว่า 0 และน้อยกว่า 10000 (Points per item must be > 0 and < 10000).")
            )
        values["points_per_item"] = points.quantize(Decimal("0.01"))
    return values


def _clean_rule(bank_id: int, values: dict, *, current: SectionRule | None = None) -> dict:
    category = values.get("category", current.category if current else None)
    if not isinstance(category, Category) or category.bank_id != bank_id:
        raise PaperError(_("หมวดข้อสอบไม่ถูกต้อง (Unknown category for this bank)."))
    tag = values.get("tag", current.tag if current else None)
    if tag is not None and (not isinstance(tag, Tag) or tag.bank_id != bank_id):
        raise PaperError(_("ป้ายกำกับไม่ถูกต้อง (Unknown tag for this bank)."))
    count = int(values.get("count", current.count if current else 0))
    if not 1 <= count <= 1000:
        raise PaperError(_("จำนวนข้อต้องอยู่ระหว่าง 1–1000 (The count must be 1–1000)."))
    percents = [
        int(values.get(name, getattr(current, name) if current else default))
        for name, default in (("easy_percent", 40), ("medium_percent", 40), ("hard_percent", 20))
    ]
    if min(percents) < 0 or sum(percents) != 100:
        raise PaperError(
            _(
                "สัดส่วน ง่าย/ปานกลาง/ยาก ต้องรวมกันได้ 100%% (ได้ %(t)d%%) "
                "(Easy/medium/hard percentages must add up to 100, not %(t)d)."
            )
            % {"t": sum(percents)}
        )
    return values


# --- paper ---------------------------------------------------------------------------------------


def create_paper(
    bank: Bank,
    *,
    actor,
    code: str,
    title: str,
    instructions: str = "",
    duration_minutes: int = 120,
    form_mode: str = Paper.FormMode.FIXED,
    form_count: int = 1,
    request=None,
) -> Paper:
    _require_owner(actor, bank.pk)
    values = _clean_paper(
        {
            "title": title,
            "instructions": instructions,
            "duration_minutes": duration_minutes,
            "form_mode": form_mode,
            "form_count": form_count,
        }
    )
    code = (code or "").strip()
    if not CODE_RE.match(code):
        raise PaperError(
            _(
                "รหัสแบบทดสอบใช้ได้เฉพาะ a-z 0-9 และ - ไม่เกิน 60 ตัว "
                "(The paper code may use a-z, 0-9 and - only, at most 60 characters)."
            )
        )
    with transaction.atomic():
        if Paper.objects.filter(bank=bank, code=code).exists():
            raise PaperError(
                _("รหัสแบบทดสอบ %(c)s มีอยู่แล้วในคลังนี้ (Paper code %(c)s already exists in this bank).")
                % {"c": code}
            )
        paper = Paper(bank=bank, code=code, version=1, created_by=actor, **values)
        _normalise_mode(paper)
        paper.save()
        record_audit("paper.create", actor=actor, request=request, obj=paper, after=_paper_values(paper))
    return paper


def update_paper(paper: Paper, *, actor, request=None, **changes) -> Paper:
    unknown = set(changes) - set(PAPER_FIELDS)
    if unknown:
        raise TypeError(f"update_paper() cannot change {sorted(unknown)}")
    changes = _clean_paper(dict(changes))
    with transaction.atomic():
        fresh = _locked_paper(paper, actor)
        before = _paper_values(fresh)
        for name, value in changes.items():
            setattr(fresh, name, value)
        _normalise_mode(fresh)
        fresh.save(update_fields=list(PAPER_FIELDS))
        record_audit(
            "paper.update", actor=actor, request=request, obj=fresh, before=before, after=_paper_values(fresh)
        )
    return fresh


# --- sections ------------------------------------------------------------------------------------


def add_section(
    paper: Paper,
    *,
    actor,
    title: str,
    time_limit_minutes: int | None = None,
    points_per_item=None,
    shuffle_items: bool = True,
    shuffle_choices: bool = True,
    request=None,
) -> PaperSection:
    values = _clean_section(
        {
            "title": title,
            "time_limit_minutes": time_limit_minutes,
            "points_per_item": points_per_item,
            "shuffle_items": shuffle_items,
            "shuffle_choices": shuffle_choices,
        }
    )
    with transaction.atomic():
        fresh = _locked_paper(paper, actor)
        position = (fresh.sections.aggregate(m=Max("position"))["m"] or 0) + 1
        section = PaperSection.objects.create(paper=fresh, position=position, **values)
        record_audit(
            "paper.section.add",
            actor=actor,
            request=request,
            obj=fresh,
            after=_section_values(section),
        )
    return section


def update_section(section: PaperSection, *, actor, request=None, **changes) -> PaperSection:
    unknown = set(changes) - set(SECTION_FIELDS)
    if unknown:
        raise TypeError(f"update_section() cannot change {sorted(unknown)}")
    changes = _clean_section(dict(changes))
    with transaction.atomic():
        fresh = _locked_paper(section.paper, actor)
        section = PaperSection.objects.get(pk=section.pk, paper=fresh)
        before = _section_values(section)
        for name, value in changes.items():
            setattr(section, name, value)
        section.save()
        record_audit(
            "paper.section.update",
            actor=actor,
            request=request,
            obj=fresh,
            before=before,
            after=_section_values(section),
        )
    return section


def remove_section(section: PaperSection, *, actor, request=None) -> None:
    with transaction.atomic():
        fresh = _locked_paper(section.paper, actor)
        section = PaperSection.objects.get(pk=section.pk, paper=fresh)
        before = _section_values(section)
        section.delete()
        _renumber(fresh.sections.order_by("position"))
        record_audit("paper.section.remove", actor=actor, request=request, obj=fresh, before=before)


def _renumber(queryset) -> None:
    """Close the gap left by a removal (positions are unique, so move each one down in order)."""
    for n, row in enumerate(queryset, start=1):
        if row.position != n:
            row.position = n
            row.save(update_fields=["position"])


# --- rules ---------------------------------------------------------------------------------------


def add_rule(
    section: PaperSection,
    *,
    actor,
    category: Category,
    count: int,
    tag: Tag | None = None,
    easy_percent: int = 40,
    medium_percent: int = 40,
    hard_percent: int = 20,
    request=None,
) -> SectionRule:
    values = {
        "category": category,
        "tag": tag,
        "count": count,
        "easy_percent": easy_percent,
        "medium_percent": medium_percent,
        "hard_percent": hard_percent,
    }
    with transaction.atomic():
        fresh = _locked_paper(section.paper, actor)
        section = PaperSection.objects.get(pk=section.pk, paper=fresh)
        _clean_rule(fresh.bank_id, values)
        position = (section.rules.aggregate(m=Max("position"))["m"] or 0) + 1
        rule = SectionRule.objects.create(section=section, position=position, **values)
        record_audit("paper.rule.add", actor=actor, request=request, obj=fresh, after=_rule_values(rule))
    return rule


def update_rule(rule: SectionRule, *, actor, request=None, **changes) -> SectionRule:
    unknown = set(changes) - set(RULE_FIELDS)
    if unknown:
        raise TypeError(f"update_rule() cannot change {sorted(unknown)}")
    with transaction.atomic():
        fresh = _locked_paper(rule.section.paper, actor)
        rule = SectionRule.objects.select_related("section", "category", "tag").get(
            pk=rule.pk, section__paper=fresh
        )
        _clean_rule(fresh.bank_id, changes, current=rule)
        before = _rule_values(rule)
        for name, value in changes.items():
            setattr(rule, name, value)
        rule.save()
        record_audit(
            "paper.rule.update",
            actor=actor,
            request=request,
            obj=fresh,
            before=before,
            after=_rule_values(rule),
        )
    return rule


def remove_rule(rule: SectionRule, *, actor, request=None) -> None:
    with transaction.atomic():
        fresh = _locked_paper(rule.section.paper, actor)
        rule = SectionRule.objects.select_related("section", "category", "tag").get(
            pk=rule.pk, section__paper=fresh
        )
        before = _rule_values(rule)
        section = rule.section
        rule.delete()
        _renumber(section.rules.order_by("position"))
        record_audit("paper.rule.remove", actor=actor, request=request, obj=fresh, before=before)


# --- enemy groups ----------------------------------------------------------------------------------


def set_enemy_group(
    bank: Bank, *, actor, name: str, items, group: EnemyGroup | None = None, request=None
) -> EnemyGroup:
    """Create an enemy group (or replace the items of `group`). Needs at least two items of `bank`."""
    _require_owner(actor, bank.pk)
    items = list(items)
    name = (name or "").strip()
    if not name:
        raise PaperError(_("กรุณาระบุชื่อกลุ่ม (The group name is required)."))
    if len({item.pk for item in items}) < 2:
        raise PaperError(_("กลุ่มข้อสอบห้ามคู่ต้องมีอย่างน้อย 2 ข้อ (An enemy group needs at least 2 items)."))
    if any(item.bank_id != bank.pk for item in items):
        raise PaperError(_("ข้อสอบต้องอยู่ในคลังนี้ (Every item must belong to this bank)."))
    with transaction.atomic():
        before = None
        if group is None:
            group = EnemyGroup.objects.create(bank=bank, name=name)
        else:
            if group.bank_id != bank.pk:
                raise PaperError(_("กลุ่มไม่ได้อยู่ในคลังนี้ (The group is not in this bank)."))
            before = {
                "name": group.name,
                "items": sorted(str(u) for u in group.items.values_list("uid", flat=True)),
            }
            group.name = name
            group.save(update_fields=["name"])
        group.items.set(items)
        record_audit(
            "enemy_group.set",
            actor=actor,
            request=request,
            obj=group,
            before=before,
            after={"name": name, "items": sorted(str(item.uid) for item in items)},
        )
    return group


def delete_enemy_group(group: EnemyGroup, *, actor, request=None) -> None:
    _require_owner(actor, group.bank_id)
    with transaction.atomic():
        before = {
            "name": group.name,
            "items": sorted(str(u) for u in group.items.values_list("uid", flat=True)),
        }
        record_audit("enemy_group.delete", actor=actor, request=request, obj=group, before=before)
        group.delete()


def items_by_reference(bank: Bank, references: list[str]) -> list[Item]:
    """Items of `bank` named by id or uid; raises PaperError naming the references not found."""
    ids, uids, malformed = set(), set(), []
    for ref in references:
        ref = ref.strip()
        if not ref:
            continue
        if ref.isdigit():
            ids.add(int(ref))
            continue
        try:
            uids.add(str(uuid.UUID(ref)))
        except ValueError:
            malformed.append(ref)
    found = []
    if ids:
        found += list(Item.objects.filter(bank=bank, pk__in=ids))
    if uids:
        found += list(Item.objects.filter(bank=bank, uid__in=uids))
    found_ids = {item.pk for item in found}
    found_uids = {str(item.uid) for item in found}
    missing = [str(i) for i in sorted(ids - found_ids)] + sorted(uids - found_uids) + malformed
    if missing:
        raise PaperError(
            _("ไม่พบข้อสอบในคลังนี้: %(refs)s (Items not found in this bank)") % {"refs": ", ".join(missing)}
        )
    return list({item.pk: item for item in found}.values())


# --- lock and clone --------------------------------------------------------------------------------


def lock_paper(paper: Paper, *, actor, seed: int | None = None, request=None) -> Paper:
    """Check the blueprint, draw and freeze the forms, and lock the paper (immutable from now on).

    Raises BlueprintError (with `.problems`) if the bank cannot satisfy the blueprint."""
    from ..blueprint import BlueprintError

    seed = secrets.randbits(62) if seed is None else int(seed)
    with transaction.atomic():
        fresh = _locked_paper(paper, actor)
        pool = load_blueprint(fresh)
        problems = check_pool(pool)
        if problems:
            raise BlueprintError(problems)
        if fresh.form_mode == Paper.FormMode.PER_CANDIDATE:
            contents = [pool.to_pool()]
        elif fresh.form_mode == Paper.FormMode.PARALLEL:
            contents = draw_forms(fresh, seed, pool=pool)
        else:
            contents = [draw_pool(pool, seed, number=1)]
        digests = []
        for content in contents:
            digest = form_digest(content)
            PaperForm.objects.create(paper=fresh, number=content["form"], content=content, digest=digest)
            digests.append(digest)
        fresh.seed = seed
        fresh.content_digest = paper_digest(digests)
        fresh.status = Paper.Status.LOCKED
        fresh.locked_by = actor
        fresh.locked_at = timezone.now()
        fresh.save(update_fields=["seed", "content_digest", "status", "locked_by", "locked_at"])
        record_audit(
            "paper.lock",
            actor=actor,
            request=request,
            obj=fresh,
            before={"status": Paper.Status.DRAFT},
            after={
                "status": Paper.Status.LOCKED,
                "content_digest": fresh.content_digest,
                "form_digests": digests,
                "form_mode": fresh.form_mode,
                "seed": seed,
            },
        )
    return fresh


def clone_paper(paper: Paper, *, actor, request=None) -> Paper:
    """A new draft version of `paper` (same code, version = highest + 1) with the same blueprint."""
    _require_owner(actor, paper.bank_id)
    with transaction.atomic():
        source = Paper.objects.select_for_update().get(pk=paper.pk)
        latest = Paper.objects.filter(bank_id=source.bank_id, code=source.code).aggregate(m=Max("version"))[
            "m"
        ]
        clone = Paper.objects.create(
            bank_id=source.bank_id,
            code=source.code,
            version=latest + 1,
            title=source.title,
            instructions=source.instructions,
            duration_minutes=source.duration_minutes,
            form_mode=source.form_mode,
            form_count=source.form_count,
            cloned_from=source,
            created_by=actor,
        )
        for section in source.sections.prefetch_related("rules"):
            rules = list(section.rules.all())
            section.pk = None
            section.paper = clone
            section.save()
            for rule in rules:
                rule.pk = None
                rule.section = section
                rule.save()
        record_audit(
            "paper.clone",
            actor=actor,
            request=request,
            obj=clone,
            after={"cloned_from": source.pk, "code": clone.code, "version": clone.version},
        )
    return clone
