"""Importing a file into a bank: parse → resolve categories → validate → find duplicates → write.

All or nothing: every item is parsed and validated and every problem collected (with its line or
row) before anything is written; one error and nothing is written. Otherwise everything is written
in ONE transaction (create_items_bulk) with ONE audit entry ("items.imported"). Duplicates (same
normalised stem as an item already in the bank, or as an earlier item in the same file) are
reported with their positions and skipped, or are errors with `fail_on_duplicates`.
"""

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from exam_platform.common.audit import record_audit

from ..models import Bank, Category, Item
from ..services.items import ChoiceData, ItemData, ItemDataError, create_items_bulk
from ..text import html_to_text, normalise_answer, stem_key
from . import aiken, csv_file, excel, gift, moodle_xml, qti
from .model import ParsedItem, ParseResult, Position, TransferError, TransferFileError

FORMATS = {
    "gift": gift,
    "aiken": aiken,
    "moodlexml": moodle_xml,
    "csv": csv_file,
    "xlsx": excel,
    "qti": qti,
}
FORMAT_LABELS = {
    "gift": "GIFT (.gift, .txt)",
    "aiken": "Aiken (.txt)",
    "moodlexml": "Moodle XML (.xml)",
    "csv": "CSV (.csv)",
    "xlsx": "Excel (.xlsx)",
    "qti": "QTI 3.0 (.zip)",
}
EXTENSIONS = {".gift": "gift", ".xml": "moodlexml", ".csv": "csv", ".xlsx": "xlsx", ".zip": "qti"}
PROGRESS_EVERY = 500
_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,50}$")

Progress = Callable[[str, int, int], None]


def format_for_filename(filename: str) -> str | None:
    lowered = filename.lower()
    return next((fmt for ext, fmt in EXTENSIONS.items() if lowered.endswith(ext)), None)


@dataclass
class Duplicate:
    position: Position
    stem: str
    existing_item_id: int | None = None
    first_position: Position | None = None

    def message(self) -> str:
        if self.existing_item_id is not None:
            return _("โจทย์ซ้ำกับข้อสอบที่มีอยู่แล้วในคลัง (#%(id)s) (Same stem as an existing item).") % {
                "id": self.existing_item_id
            }
        return _("โจทย์ซ้ำกับ%(where)s ในไฟล์เดียวกัน (Same stem earlier in the file).") % {
            "where": self.first_position.label()
        }

    def as_dict(self) -> dict:
        return {"where": self.position.label(), "stem": self.stem, "message": self.message()}


@dataclass
class ImportReport:
    format: str
    filename: str
    sha256: str
    parsed: int = 0
    created: int = 0
    would_create: int = 0
    duplicates: list[Duplicate] = field(default_factory=list)
    errors: list[TransferError] = field(default_factory=list)
    categories_created: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "format": self.format,
            "filename": self.filename,
            "sha256": self.sha256,
            "parsed": self.parsed,
            "created": self.created,
            "would_create": self.would_create,
            "dry_run": self.dry_run,
            "ok": self.ok,
            "duplicates": [d.as_dict() for d in self.duplicates],
            "errors": [e.as_dict() for e in self.errors],
            "categories_created": self.categories_created,
        }


class CategoryResolver:
    """Maps the subject/topic written in a file (code or name) to the bank's categories, planning
    new ones (unsaved) when `create` is on. Loads the bank's categories once."""

    def __init__(self, bank: Bank, *, create: bool, default: Category | None):
        self.bank = bank
        self.create = create
        self.default = default
        self.all = list(Category.objects.filter(bank=bank))  # parents compared by parent_id: no queries
        self.codes = {c.code for c in self.all}
        self.new: list[Category] = []
        self._cache: dict[tuple, Category | str] = {}

    @staticmethod
    def _key(text: str) -> str:
        return normalise_answer(text)

    def _find(self, value: str, candidates: list[Category]) -> Category | None:
        by_code = [c for c in candidates if c.code == value]
        if by_code:
            return by_code[0]
        by_name = [c for c in candidates if self._key(c.name) == self._key(value)]
        return by_name[0] if len(by_name) == 1 else None

    def _new_code(self, value: str) -> str:
        code = value if _SLUG.match(value) else "cat-" + hashlib.sha1(value.encode()).hexdigest()[:10]  # noqa: S324 - a name, not a secret
        base, n = code[:46], 2
        while code in self.codes:
            code, n = f"{base}-{n}", n + 1
        self.codes.add(code)
        return code

    def _plan(self, value: str, name: str, parent: Category | None) -> Category:
        category = Category(
            bank=self.bank, parent=parent, code=self._new_code(value), name=(name or value)[:200]
        )
        self.all.append(category)
        self.new.append(category)
        return category

    def resolve(self, item: ParsedItem) -> Category | str:
        """The category, or an error message."""
        key = (item.subject, item.topic, item.subject_name, item.topic_name)
        if key not in self._cache:
            self._cache[key] = self._resolve(item)
        return self._cache[key]

    def _resolve(self, item: ParsedItem) -> Category | str:
        if not item.subject and not item.topic:
            if self.default is not None:
                return self.default
            return _(
                "ไม่ได้ระบุหมวด (วิชา/หัวข้อ) ให้ระบุในไฟล์หรือเลือกหมวดเริ่มต้น "
                "(No category: name one in the file or choose a default category)."
            )
        subject = None
        if item.subject:
            subject = self._find(item.subject, [c for c in self.all if not c.parent_id and c.parent is None])
            if subject is None:
                if not self.create:
                    return _(
                        "ไม่พบวิชา '%(s)s' ในคลังนี้ (Unknown subject; allow creating categories to add it)."
                    ) % {"s": item.subject}
                subject = self._plan(item.subject, item.subject_name, None)
        if not item.topic:
            return subject
        topics = [c for c in self.all if c.parent_id or c.parent is not None]
        if subject is not None:
            topics = [c for c in topics if (c.parent_id == subject.pk if subject.pk else c.parent is subject)]
        topic = self._find(item.topic, topics)
        if topic is not None:
            return topic
        if subject is None:
            return _("ไม่พบหัวข้อ '%(t)s' ในคลังนี้ (Unknown topic).") % {"t": item.topic}
        if not self.create:
            return _(
                "ไม่พบหัวข้อ '%(t)s' ในวิชา '%(s)s' (Unknown topic; allow creating categories to add it)."
            ) % {"t": item.topic, "s": item.subject}
        return self._plan(item.topic, item.topic_name, subject)

    def save_new(self) -> list[str]:
        for category in self.new:  # subjects were planned (so saved) before their topics
            category.save()
        return [c.code for c in self.new]


def _item_data(parsed: ParsedItem, category: Category) -> ItemData:
    data = ItemData(
        item_type=parsed.item_type,
        stem=parsed.stem,
        category=category,
        choices=[ChoiceData(text=c.text, is_correct=c.is_correct) for c in parsed.choices],
        answer_spec=dict(parsed.answer_spec),
        explanation=parsed.explanation or "",
        tags=list(parsed.tags),
        change_note=_("นำเข้าจากไฟล์ (Imported)"),
    )
    if parsed.points is not None:
        data.default_points = parsed.points  # validated (and made a Decimal) by cleaned()
    if parsed.difficulty:
        data.difficulty = parsed.difficulty
    if parsed.language:
        data.language = parsed.language
    return data


def parse_file(data: bytes, fmt: str) -> ParseResult:
    if fmt not in FORMATS:
        return ParseResult(errors=[TransferError(None, _("รูปแบบไฟล์ไม่รองรับ (Unknown format): %s") % fmt)])
    try:
        return FORMATS[fmt].parse(data)
    except TransferFileError as exc:
        return ParseResult(errors=[exc.error])


def import_items(
    bank: Bank,
    data: bytes,
    fmt: str,
    *,
    actor,
    filename: str = "",
    create_categories: bool = False,
    fail_on_duplicates: bool = False,
    dry_run: bool = False,
    default_category: Category | None = None,
    request=None,
    progress: Progress | None = None,
    audit_extra: dict | None = None,
) -> ImportReport:
    """Import `data` (the file's bytes) in format `fmt`. Writes nothing unless report.ok."""
    report = ImportReport(
        format=fmt, filename=filename, sha256=hashlib.sha256(data).hexdigest(), dry_run=dry_run
    )
    tell = progress or (lambda phase, done, total: None)
    tell("parsing", 0, 0)
    parsed = parse_file(data, fmt)
    report.parsed = len(parsed.items)
    report.errors += parsed.errors
    if default_category is not None and default_category.bank_id != bank.pk:
        default_category = None
    resolver = CategoryResolver(bank, create=create_categories, default=default_category)

    valid: list[tuple[ParsedItem, ItemData]] = []
    total = len(parsed.items)
    for done, item in enumerate(parsed.items, 1):
        category = resolver.resolve(item)
        if isinstance(category, str):
            report.errors.append(TransferError(item.position, category))
            continue
        try:
            valid.append((item, _item_data(item, category).cleaned()))
        except ItemDataError as exc:
            report.errors += [TransferError(item.position, message) for message in exc.errors]
        if done % PROGRESS_EVERY == 0:
            tell("validating", done, total)
    tell("validating", total, total)

    to_write = _without_duplicates(bank, valid, report)
    if fail_on_duplicates:
        report.errors += [TransferError(d.position, d.message()) for d in report.duplicates]
    report.errors.sort(key=lambda e: (e.position.file, e.position.number) if e.position else ("", 0))
    if report.errors:
        return report
    report.would_create = len(to_write)
    if dry_run:
        return report
    tell("writing", 0, len(to_write))
    with transaction.atomic():
        report.categories_created = resolver.save_new()
        create_items_bulk(bank, to_write, actor=actor)
        report.created = len(to_write)
        record_audit(
            "items.imported",
            actor=actor,
            request=request,
            obj=bank,
            after={
                "format": fmt,
                "count": report.created,
                "sha256": report.sha256,
                "filename": filename,
                "duplicates_skipped": len(report.duplicates),
                "categories_created": report.categories_created,
                **(audit_extra or {}),
            },
        )
    tell("done", report.created, report.created)
    return report


def _without_duplicates(
    bank: Bank, valid: list[tuple[ParsedItem, ItemData]], report: ImportReport
) -> list[ItemData]:
    keys = [stem_key(data.stem) for _item, data in valid]
    existing: dict[str, int] = {}
    unique_keys = list(dict.fromkeys(keys))
    for start in range(0, len(unique_keys), 900):
        chunk = unique_keys[start : start + 900]
        existing.update(Item.objects.filter(bank=bank, stem_key__in=chunk).values_list("stem_key", "pk"))
    first_seen: dict[str, Position] = {}
    kept: list[ItemData] = []
    for (item, data), key in zip(valid, keys, strict=True):
        preview = html_to_text(data.stem)[:80]
        if key in existing:
            report.duplicates.append(Duplicate(item.position, preview, existing_item_id=existing[key]))
        elif key in first_seen:
            report.duplicates.append(Duplicate(item.position, preview, first_position=first_seen[key]))
        else:
            first_seen[key] = item.position
            kept.append(data)
    return kept
