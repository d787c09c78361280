"""Exporting a bank's items (current versions) to any format, and the audited export service."""

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Subquery

from exam_platform.common.audit import record_audit

from ..models import Bank, Item, ItemVersion
from . import qti
from .importer import FORMATS
from .model import ParsedChoice, ParsedItem, Position

# Formats that cannot hold every item type; other types are left out (and counted).
EXPORTABLE_TYPES = {"aiken": ("single",), "qti": qti.EXPORTABLE_TYPES}
CONTENT_TYPES = {
    "gift": ("text/plain; charset=utf-8", ".gift"),
    "aiken": ("text/plain; charset=utf-8", ".txt"),
    "moodlexml": ("application/xml; charset=utf-8", ".xml"),
    "csv": ("text/csv; charset=utf-8", ".csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    "qti": ("application/zip", ".zip"),
}
CHUNK = 2000


def points_text(value) -> str:
    return f"{Decimal(value).normalize():f}"


def parsed_from_version(version: ItemVersion, number: int) -> ParsedItem:
    category = version.item.category
    parent = category.parent
    return ParsedItem(
        position=Position("item", number),
        item_type=version.item_type,
        stem=version.stem,
        choices=[ParsedChoice(c.text, c.is_correct) for c in version.choices.all()],
        answer_spec=dict(version.answer_spec),
        points=points_text(version.default_points),
        difficulty=version.difficulty,
        explanation=version.explanation,
        language=version.language,
        tags=list(version.tags),
        subject=parent.code if parent else category.code,
        subject_name=parent.name if parent else category.name,
        topic=category.code if parent else "",
        topic_name=category.name if parent else "",
        identifier=str(version.item.uid),
    )


def _items(bank: Bank, items) -> list[ParsedItem]:
    if items is None:
        items = Item.objects.filter(bank=bank).exclude(status=Item.Status.RETIRED)
    version_ids = list(
        ItemVersion.objects.filter(pk__in=Subquery(items.filter(bank=bank).values("current_version_id")))
        .order_by("item__category__parent__code", "item__category__code", "item_id")
        .values_list("pk", flat=True)
        if hasattr(items, "filter")
        else [i.current_version_id for i in items if i.bank_id == bank.pk]
    )
    parsed: list[ParsedItem] = []
    for start in range(0, len(version_ids), CHUNK):
        chunk = version_ids[start : start + CHUNK]
        versions = {
            v.pk: v
            for v in ItemVersion.objects.filter(pk__in=chunk)
            .select_related("item__category__parent")
            .prefetch_related("choices")
        }
        parsed += [parsed_from_version(versions[pk], start + i + 1) for i, pk in enumerate(chunk)]
    return parsed


def export_items(bank: Bank, fmt: str, *, items=None) -> bytes:
    """The bank's items (all current, not retired, unless `items` is given) as a file in `fmt`.
    Exports hold answer keys: callers check the user is a key reader (access.KEY_READERS)."""
    return export_with_counts(bank, fmt, items=items)[0]


def export_with_counts(bank: Bank, fmt: str, *, items=None) -> tuple[bytes, int, int]:
    """(content, exported count, skipped count: types the format cannot hold)."""
    parsed = _items(bank, items)
    allowed = EXPORTABLE_TYPES.get(fmt)
    kept = [p for p in parsed if allowed is None or p.item_type in allowed]
    return FORMATS[fmt].write(kept), len(kept), len(parsed) - len(kept)


@dataclass
class ExportFile:
    content: bytes
    filename: str
    content_type: str
    count: int
    skipped: int


def export_bank_items(bank: Bank, fmt: str, *, actor, request=None, items=None) -> ExportFile:
    """Export and record who took a copy of the keys ("items.exported")."""
    content, count, skipped = export_with_counts(bank, fmt, items=items)
    content_type, extension = CONTENT_TYPES[fmt]
    record_audit(
        "items.exported",
        actor=actor,
        request=request,
        obj=bank,
        after={
            "format": fmt,
            "count": count,
            "skipped": skipped,
            "sha256": hashlib.sha256(content).hexdigest(),
        },
    )
    return ExportFile(content, f"{bank.code}-{fmt}{extension}", content_type, count, skipped)


def blank_template() -> bytes:
    """The Excel template with Thai headers and no items (no keys: any member may have it)."""
    from . import excel

    return excel.write([])
