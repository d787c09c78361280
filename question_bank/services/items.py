"""Writing items: validation, creation (one or in bulk) and edits that create new versions.

Every write is audited. An edit never changes an existing ItemVersion: it creates version n+1,
keeps the uid of every choice the caller passes back (grading is by choice uid), and moves an
approved item back to draft for another review.
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from exam_platform.common.audit import record_audit

from ..html import media_uids, sanitise_html
from ..models import Bank, Category, Choice, Item, ItemVersion, MediaFile, Tag
from ..text import html_to_text, normalise_answer, stem_key

MAX_CHOICES = 5  # ก ข ค ง จ
PARTIAL_CREDIT_RULES = ("all_or_nothing", "per_choice", "proportional")
Type = ItemVersion.ItemType


class ItemDataError(ValueError):
    """Invalid item data; `errors` holds Thai+English messages, one per problem."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass
class ChoiceData:
    text: str
    is_correct: bool = False
    uid: str | None = None  # keep the uid of an existing choice when editing


@dataclass
class ItemData:
    """Everything one version of an item holds, before it is written."""

    item_type: str
    stem: str
    category: Category
    choices: list[ChoiceData] = field(default_factory=list)
    answer_spec: dict = field(default_factory=dict)
    default_points: Decimal = Decimal("1")
    difficulty: str = ItemVersion.Difficulty.MEDIUM
    explanation: str = ""
    language: str = "th"
    tags: list[str] = field(default_factory=list)
    change_note: str = ""

    def cleaned(self) -> "ItemData":
        """Sanitise HTML and tidy values; raises ItemDataError listing every problem."""
        self.stem = sanitise_html(self.stem)
        self.explanation = sanitise_html(self.explanation)
        for choice in self.choices:
            choice.text = sanitise_html(choice.text)
        self.tags = sorted({t.strip()[:64] for t in self.tags if t and t.strip()})
        errors = validate_item_data(self)
        if errors:
            raise ItemDataError(errors)
        return self


def _decimal(value) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def validate_item_data(data: ItemData) -> list[str]:
    errors: list[str] = []
    if data.item_type not in Type.values:
        return [_("ชนิดข้อสอบไม่ถูกต้อง: %(t)s (Unknown item type)") % {"t": data.item_type}]
    if not html_to_text(data.stem) and "<img" not in data.stem:
        errors.append(_("โจทย์ต้องไม่ว่าง (The stem must not be empty)."))
    points = _decimal(data.default_points)
    if points is None or points <= 0:
        errors.append(_("คะแนนต้องมากกว่า 0 (Points must be greater than 0)."))
    else:
        data.default_points = points
    if data.difficulty not in ItemVersion.Difficulty.values:
        errors.append(_("ระดับความยากไม่ถูกต้อง (Difficulty must be easy, medium or hard)."))
    if data.language not in ("th", "en"):
        errors.append(_("ภาษาต้องเป็น th หรือ en (Language must be th or en)."))
    correct = sum(1 for c in data.choices if c.is_correct)
    if data.item_type in ItemVersion.CHOICE_TYPES:
        if any(not html_to_text(c.text) and "<img" not in c.text for c in data.choices):
            errors.append(_("ตัวเลือกต้องไม่ว่าง (Choices must not be empty)."))
        texts = [normalise_answer(html_to_text(c.text)) for c in data.choices]
        if len(set(texts)) != len(texts):
            errors.append(_("มีตัวเลือกซ้ำกัน (Two choices are the same)."))
    if data.item_type == Type.SINGLE_CHOICE:
        if not 2 <= len(data.choices) <= MAX_CHOICES:
            errors.append(_("ข้อสอบปรนัยต้องมี 2–5 ตัวเลือก (Single choice needs 2–5 choices)."))
        if correct != 1:
            errors.append(_("ต้องมีคำตอบที่ถูกต้องหนึ่งข้อพอดี (Exactly one choice must be correct)."))
    elif data.item_type == Type.MULTIPLE_RESPONSE:
        if not 2 <= len(data.choices) <= MAX_CHOICES:
            errors.append(_("ข้อสอบหลายคำตอบต้องมี 2–5 ตัวเลือก (Multiple response needs 2–5 choices)."))
        if correct < 1:
            errors.append(_("ต้องมีคำตอบที่ถูกต้องอย่างน้อยหนึ่งข้อ (At least one choice must be correct)."))
        rule = data.answer_spec.setdefault("partial_credit", "all_or_nothing")
        if rule not in PARTIAL_CREDIT_RULES:
            errors.append(_("วิธีให้คะแนนบางส่วนไม่ถูกต้อง (Unknown partial-credit rule)."))
    elif data.item_type == Type.TRUE_FALSE:
        if len(data.choices) != 2 or correct != 1:
            errors.append(_("ข้อสอบถูก/ผิดต้องมี 2 ตัวเลือกและถูกหนึ่งข้อ (True/false needs two choices, one correct)."))
    elif data.item_type == Type.NUMERIC:
        value = _decimal(data.answer_spec.get("value"))
        tolerance = _decimal(data.answer_spec.get("tolerance", "0"))
        if value is None:
            errors.append(_("ต้องระบุคำตอบที่เป็นตัวเลข (A numeric answer value is required)."))
        if tolerance is None or tolerance < 0:
            errors.append(_("ค่าคลาดเคลื่อนต้องเป็นตัวเลขไม่ติดลบ (Tolerance must be a number ≥ 0)."))
        if value is not None and tolerance is not None:
            data.answer_spec = {"value": str(value), "tolerance": str(tolerance)}
    elif data.item_type == Type.SHORT_ANSWER:
        accepted = [
            a.strip() for a in data.answer_spec.get("accepted", []) if isinstance(a, str) and a.strip()
        ]
        if not accepted:
            errors.append(_("ต้องมีคำตอบที่ยอมรับอย่างน้อยหนึ่งคำตอบ (At least one accepted answer is required)."))
        data.answer_spec = {
            "accepted": accepted,
            "case_sensitive": bool(data.answer_spec.get("case_sensitive")),
        }
    if data.item_type not in ItemVersion.CHOICE_TYPES and data.choices:
        errors.append(_("ข้อสอบชนิดนี้ไม่มีตัวเลือก (This item type has no choices)."))
    return errors


def _search_text(data: ItemData) -> str:
    parts = [html_to_text(data.stem), *(html_to_text(c.text) for c in data.choices), " ".join(data.tags)]
    return normalise_answer(" ".join(parts))


def _new_version(item: Item, data: ItemData, *, number: int, actor) -> ItemVersion:
    version = ItemVersion.objects.create(
        item=item,
        number=number,
        item_type=data.item_type,
        stem=data.stem,
        default_points=data.default_points,
        difficulty=data.difficulty,
        explanation=data.explanation,
        language=data.language,
        answer_spec=data.answer_spec,
        tags=data.tags,
        change_note=data.change_note,
        created_by=actor,
    )
    Choice.objects.bulk_create(
        Choice(
            version=version,
            position=i,
            text=c.text,
            is_correct=c.is_correct,
            **({"uid": c.uid} if c.uid else {}),
        )
        for i, c in enumerate(data.choices)
    )
    _attach_media(version, data)
    return version


def _attach_media(version: ItemVersion, data: ItemData) -> None:
    uids = media_uids(data.stem) | media_uids(data.explanation)
    for choice in data.choices:
        uids |= media_uids(choice.text)
    if uids:
        found = list(MediaFile.objects.filter(bank=version.item.bank_id, uid__in=uids))
        if len(found) != len(uids):
            raise ItemDataError([_("รูปภาพบางรูปไม่อยู่ในคลังนี้ (An image does not belong to this bank).")])
        version.media.set(found)


def _set_tags(item: Item, names: list[str]) -> None:
    tags = [Tag.objects.get_or_create(bank_id=item.bank_id, name=name)[0] for name in names]
    item.tags.set(tags)


def _snapshot(version: ItemVersion) -> dict:
    return {
        "version": version.number,
        "item_type": version.item_type,
        "stem": version.stem,
        "points": str(version.default_points),
        "difficulty": version.difficulty,
        "answer_spec": version.answer_spec,
        "choices": [
            {"uid": str(c.uid), "text": c.text, "correct": c.is_correct}
            for c in version.choices.order_by("position")
        ],
        "tags": version.tags,
    }


def create_item(bank: Bank, data: ItemData, *, actor, request=None, status: str = Item.Status.DRAFT) -> Item:
    data.cleaned()
    if data.category.bank_id != bank.pk:
        raise ItemDataError([_("หมวดไม่อยู่ในคลังนี้ (The category belongs to another bank).")])
    with transaction.atomic():
        item = Item.objects.create(
            bank=bank,
            category=data.category,
            status=status,
            created_by=actor,
            stem_key=stem_key(data.stem),
            search_text=_search_text(data),
        )
        version = _new_version(item, data, number=1, actor=actor)
        item.current_version = version
        item.save(update_fields=["current_version"])
        _set_tags(item, data.tags)
        record_audit("item.created", actor=actor, request=request, obj=item, after=_snapshot(version))
    return item


def edit_item(item: Item, data: ItemData, *, actor, request=None) -> ItemVersion:
    """Create version n+1 from `data`. An approved item goes back to draft for review."""
    data.cleaned()
    if data.category.bank_id != item.bank_id:
        raise ItemDataError([_("หมวดไม่อยู่ในคลังนี้ (The category belongs to another bank).")])
    with transaction.atomic():
        item = Item.objects.select_for_update().get(pk=item.pk)
        if item.status == Item.Status.RETIRED:
            raise ItemDataError([_("ข้อสอบที่เลิกใช้แล้วแก้ไขไม่ได้ (A retired item cannot be edited).")])
        previous = item.current_version
        known = set(previous.choices.values_list("uid", flat=True)) if previous else set()
        for choice in data.choices:
            if choice.uid and _as_uuid(choice.uid) not in known:
                choice.uid = None  # never adopt a uid that was not this item's
        number = (item.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        version = _new_version(item, data, number=number, actor=actor)
        before_status = item.status
        item.current_version = version
        item.category = data.category
        item.stem_key = stem_key(data.stem)
        item.search_text = _search_text(data)
        if item.status == Item.Status.APPROVED:
            item.status = Item.Status.DRAFT
        item.save(
            update_fields=["current_version", "category", "stem_key", "search_text", "status", "updated_at"]
        )
        _set_tags(item, data.tags)
        record_audit(
            "item.edited",
            actor=actor,
            request=request,
            obj=item,
            before={**(_snapshot(previous) if previous else {}), "status": before_status},
            after={**_snapshot(version), "status": item.status},
        )
    return version


def _as_uuid(value):
    import uuid

    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def item_data_from_version(version: ItemVersion) -> ItemData:
    """The editable data of an existing version (the starting point of an edit)."""
    return ItemData(
        item_type=version.item_type,
        stem=version.stem,
        category=version.item.category,
        choices=[
            ChoiceData(text=c.text, is_correct=c.is_correct, uid=str(c.uid)) for c in version.choices.all()
        ],
        answer_spec=dict(version.answer_spec),
        default_points=version.default_points,
        difficulty=version.difficulty,
        explanation=version.explanation,
        language=version.language,
        tags=list(version.tags),
    )


def create_items_bulk(
    bank: Bank,
    datas: list[ItemData],
    *,
    actor,
    status: str = Item.Status.DRAFT,
    uids: list | None = None,
    batch_size: int = 1000,
) -> list[Item]:
    """Create many items in a handful of queries per batch (imports, demo data).

    The caller owns the transaction and the audit entry (one per import, not one per item); data
    must already be cleaned (ItemData.cleaned()). Media references are not supported here.
    """
    items: list[Item] = []
    for start in range(0, len(datas), batch_size):
        chunk = datas[start : start + batch_size]
        chunk_uids = uids[start : start + batch_size] if uids else [None] * len(chunk)
        created = Item.objects.bulk_create(
            Item(
                bank=bank,
                category=data.category,
                status=status,
                created_by=actor,
                stem_key=stem_key(data.stem),
                search_text=_search_text(data),
                **({"uid": uid} if uid else {}),
            )
            for data, uid in zip(chunk, chunk_uids, strict=True)
        )
        versions = ItemVersion.objects.bulk_create(
            ItemVersion(
                item=item,
                number=1,
                item_type=data.item_type,
                stem=data.stem,
                default_points=data.default_points,
                difficulty=data.difficulty,
                explanation=data.explanation,
                language=data.language,
                answer_spec=data.answer_spec,
                tags=data.tags,
                change_note=data.change_note,
                created_by=actor,
            )
            for item, data in zip(created, chunk, strict=True)
        )
        Choice.objects.bulk_create(
            Choice(
                version=version,
                position=i,
                text=c.text,
                is_correct=c.is_correct,
                **({"uid": c.uid} if c.uid else {}),
            )
            for version, data in zip(versions, chunk, strict=True)
            for i, c in enumerate(data.choices)
        )
        for item, version in zip(created, versions, strict=True):
            item.current_version = version
        # One UPDATE with a subquery; bulk_update's CASE over 1,000 rows costs more than all inserts.
        Item.objects.filter(pk__in=[item.pk for item in created]).update(
            current_version=Subquery(
                ItemVersion.objects.filter(item=OuterRef("pk"), number=1).values("pk")[:1]
            )
        )
        _bulk_tags(bank, created, chunk)
        items.extend(created)
    return items


def _bulk_tags(bank: Bank, items: list[Item], datas: list[ItemData]) -> None:
    names = {name for data in datas for name in data.tags}
    if not names:
        return
    Tag.objects.bulk_create([Tag(bank=bank, name=n) for n in names], ignore_conflicts=True)
    by_name = dict(Tag.objects.filter(bank=bank, name__in=names).values_list("name", "pk"))
    through = Item.tags.through
    through.objects.bulk_create(
        through(item_id=item.pk, tag_id=by_name[name])
        for item, data in zip(items, datas, strict=True)
        for name in data.tags
    )
