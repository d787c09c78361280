"""Load the sample Part A (ภาค ก) question bank from exam_platform/demo/bank_data/*.json.

The file format is described in exam_platform/demo/bank_data/README.md. Every file is validated before
anything is written; then the whole bank is created in one transaction. Loading is idempotent:
an item's identity is uuid5(subject code + normalised stem), stored as Item.uid, so a rerun
skips items that already exist and never edits them.
"""

import json
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from exam_platform.common.audit import record_audit
from question_bank.models import Bank, Category, Item, ItemVersion
from question_bank.services.items import ChoiceData, ItemData, create_items_bulk
from question_bank.text import normalise_stem

DEMO_DATA_DIR = Path(__file__).resolve().parent / "bank_data"
DEMO_BANK_CODE = "part-a-demo"
DEMO_BANK_NAME = "คลังข้อสอบภาค ก (ตัวอย่าง)"
DEMO_BANK_DESCRIPTION = (
    "ข้อสอบตัวอย่างภาค ก ที่เขียนขึ้นใหม่สำหรับการสาธิตระบบ ไม่ใช่ข้อสอบจริง "
    "(Original sample questions for demonstrations, not real exam items.)"
)
# Fixed namespace: changing it would give every demo item a new identity and duplicate the bank.
DEMO_ITEM_NAMESPACE = uuid.UUID("6f1d1c52-7a53-5b8e-9a61-2c0e5d0b7a10")

CHOICE_COUNT = 4
DIFFICULTIES = {choice.value for choice in ItemVersion.Difficulty}
_SLUG = re.compile(r"^[a-z0-9-]{1,50}$")
_SPACE = re.compile(r"\s+")
_TAG = re.compile(r"<[^>]+>")


class DemoDataError(ValueError):
    """A demo data file is malformed; the message names the file and the item index."""


@dataclass(frozen=True)
class DemoItem:
    uid: uuid.UUID
    topic: str
    difficulty: str
    stem: str
    choices: tuple[str, ...]
    answer: int
    explanation: str


@dataclass(frozen=True)
class DemoSubject:
    source: str
    code: str
    name: str
    language: str
    topics: tuple[tuple[str, str], ...]
    items: tuple[DemoItem, ...]


@dataclass
class DemoBankResult:
    bank: Bank
    subjects: int = 0
    items_total: int = 0
    items_created: int = 0
    categories_created: int = 0
    per_subject: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.items_created or self.categories_created)


def demo_item_uid(subject_code: str, stem: str) -> uuid.UUID:
    return uuid.uuid5(DEMO_ITEM_NAMESPACE, f"{subject_code}\n{normalise_stem(stem)}")


def _fail(source: str, where: str, problem_th: str, problem_en: str) -> DemoDataError:
    return DemoDataError(f"{source} {where}: {problem_th} ({problem_en}).")


def _text(value, source: str, where: str, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(source, where, f"ต้องมี {name} เป็นข้อความที่ไม่ว่าง", f"'{name}' must be a non-empty string")
    return value.strip()


def _parse_item(raw, index: int, source: str, subject_code: str, topic_codes: set[str]) -> DemoItem:
    where = f"item {index}"
    if not isinstance(raw, dict):
        raise _fail(source, where, "ข้อสอบต้องเป็นออบเจกต์ JSON", "item must be a JSON object")
    topic = raw.get("topic")
    if topic not in topic_codes:
        raise _fail(source, where, f"ไม่รู้จักหัวข้อ {topic!r}", f"unknown topic {topic!r}")
    difficulty = raw.get("difficulty")
    if difficulty not in DIFFICULTIES:
        raise _fail(
            source, where, f"ระดับความยาก {difficulty!r} ไม่ถูกต้อง", "difficulty must be easy, medium or hard"
        )
    stem = _text(raw.get("stem"), source, where, "stem")
    choices = raw.get("choices")
    if not isinstance(choices, list) or len(choices) != CHOICE_COUNT:
        raise _fail(source, where, "ต้องมีตัวเลือก 4 ข้อพอดี", "exactly 4 choices are required")
    choices = [_text(choice, source, f"{where} choice {n}", "choice") for n, choice in enumerate(choices)]
    if len(set(choices)) != CHOICE_COUNT:
        raise _fail(source, where, "ตัวเลือกซ้ำกัน", "choices must be different from each other")
    answer = raw.get("answer")
    if isinstance(answer, bool) or not isinstance(answer, int) or not 0 <= answer < CHOICE_COUNT:
        raise _fail(
            source,
            where,
            "ต้องมีคำตอบที่ถูกต้องหนึ่งข้อ: answer ต้องเป็นเลข 0-3",
            "exactly one answer is required: 'answer' must be an integer 0-3",
        )
    explanation = _text(raw.get("explanation"), source, where, "explanation")
    return DemoItem(
        uid=demo_item_uid(subject_code, stem),
        topic=topic,
        difficulty=difficulty,
        stem=stem,
        choices=tuple(choices),
        answer=answer,
        explanation=explanation,
    )


def parse_demo_file(path: Path) -> DemoSubject:
    """Read and validate one subject file; raise DemoDataError naming the file and item index."""
    source = path.name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _fail(source, "file", "อ่านไฟล์ JSON ไม่ได้", f"cannot read JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise _fail(source, "file", "ไฟล์ต้องเป็นออบเจกต์ JSON", "the file must hold a JSON object")
    subject = data.get("subject")
    if not isinstance(subject, dict) or not _SLUG.match(str(subject.get("code", ""))):
        raise _fail(source, "subject", "subject.code ต้องเป็น slug", "subject.code must be a slug [a-z0-9-]")
    code = subject["code"]
    name = _text(subject.get("name"), source, "subject", "name")
    language = subject.get("language", "th")
    if language not in ("th", "en"):
        raise _fail(
            source, "subject", "subject.language ต้องเป็น th หรือ en", "subject.language must be th or en"
        )
    topics = []
    for n, topic in enumerate(data.get("topics") or []):
        if not isinstance(topic, dict) or not _SLUG.match(str(topic.get("code", ""))):
            raise _fail(source, f"topic {n}", "code ต้องเป็น slug", "topic code must be a slug [a-z0-9-]")
        topics.append((topic["code"], _text(topic.get("name"), source, f"topic {n}", "name")))
    topic_codes = {topic_code for topic_code, _name in topics}
    if not topics or len(topic_codes) != len(topics):
        raise _fail(source, "topics", "ต้องมีหัวข้อและรหัสหัวข้อต้องไม่ซ้ำ", "topics must exist and be unique")
    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise _fail(source, "items", "ไม่มีข้อสอบ", "the file has no items")
    items = tuple(_parse_item(raw, n, source, code, topic_codes) for n, raw in enumerate(raw_items))
    return DemoSubject(
        source=source, code=code, name=name, language=language, topics=tuple(topics), items=items
    )


def read_demo_subjects(data_dir: Path | None = None) -> list[DemoSubject]:
    """Parse every *.json in data_dir and check what must hold across files."""
    data_dir = Path(data_dir or DEMO_DATA_DIR)
    subjects = [parse_demo_file(path) for path in sorted(data_dir.glob("*.json"))]
    category_owner: dict[str, str] = {}
    stem_owner: dict[str, str] = {}
    for subject in subjects:
        for code in [subject.code, *(topic_code for topic_code, _name in subject.topics)]:
            if code in category_owner:
                raise _fail(
                    subject.source,
                    "topics",
                    f"รหัสหมวด {code!r} ซ้ำกับใน {category_owner[code]}",
                    f"category code {code!r} already used in {category_owner[code]}",
                )
            category_owner[code] = subject.source
        for n, item in enumerate(subject.items):
            key = normalise_stem(item.stem)
            if key in stem_owner:
                raise _fail(
                    subject.source,
                    f"item {n}",
                    f"โจทย์ซ้ำกับ {stem_owner[key]}",
                    f"duplicate stem, first seen in {stem_owner[key]}",
                )
            stem_owner[key] = f"{subject.source} item {n}"
    return subjects


def load_demo_bank(data_dir: Path | None = None) -> DemoBankResult:
    """Create the demo bank, its categories and approved items; rerunning changes nothing."""
    subjects = read_demo_subjects(data_dir)
    with transaction.atomic():
        bank, _created = Bank.objects.get_or_create(
            code=DEMO_BANK_CODE, defaults={"name": DEMO_BANK_NAME, "description": DEMO_BANK_DESCRIPTION}
        )
        result = DemoBankResult(bank=bank, subjects=len(subjects))
        existing = set(Item.objects.filter(bank=bank).values_list("uid", flat=True))
        for subject in subjects:
            parent = _get_or_create_category(result, subject.code, subject.name, parent=None)
            topics = {
                code: _get_or_create_category(result, code, name, parent=parent)
                for code, name in subject.topics
            }
            new_items = [i for i in subject.items if i.uid not in existing]
            result.items_total += len(subject.items)
            create_items_bulk(
                bank,
                [_item_data(topics[i.topic], i, language=subject.language) for i in new_items],
                actor=None,
                status=Item.Status.APPROVED,
                uids=[i.uid for i in new_items],
            )
            existing.update(i.uid for i in new_items)
            result.items_created += len(new_items)
            result.per_subject[subject.code] = len(subject.items)
        if result.changed:
            record_audit(
                "question_bank.demo_bank_loaded",
                obj=bank,
                after={
                    "items_created": result.items_created,
                    "categories_created": result.categories_created,
                    "subjects": sorted(result.per_subject),
                },
            )
    return result


def _get_or_create_category(result: DemoBankResult, code: str, name: str, *, parent) -> Category:
    category, created = Category.objects.get_or_create(
        bank=result.bank, code=code, defaults={"name": name, "parent": parent}
    )
    result.categories_created += int(created)
    return category


def _item_data(category: Category, demo_item: DemoItem, *, language: str) -> ItemData:
    return ItemData(
        item_type=ItemVersion.ItemType.SINGLE_CHOICE,
        stem=demo_item.stem,
        category=category,
        choices=[
            ChoiceData(
                text=text,
                is_correct=position == demo_item.answer,
                uid=str(uuid.uuid5(demo_item.uid, str(position))),
            )
            for position, text in enumerate(demo_item.choices)
        ],
        difficulty=demo_item.difficulty,
        explanation=demo_item.explanation,
        language=language,
    ).cleaned()
