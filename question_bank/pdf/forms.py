"""One frozen form of a locked paper, resolved to the exact item versions it names, ready to print.

The form's JSON (question_bank.models.paper) fixes sections, item order and points. Choices are printed
in the version's own positions: per-candidate choice shuffling belongs to online delivery, and a printed
form must match its answer key.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from question_bank.html import media_uids
from question_bank.models import ItemVersion, MediaFile, Paper, PaperForm


class FormUnavailable(ValueError):
    """This paper has no printable form of that number; the message is Thai and English."""

    def __init__(self, message: str, *, missing: bool = False):
        super().__init__(message)
        self.missing = missing  # True: no such form (404); False: the paper cannot be printed (400)


@dataclass(frozen=True)
class PrintedItem:
    number: int  # continuous across sections, from 1
    version: ItemVersion  # with item and choices (ordered by position) loaded
    points: Decimal

    @property
    def choices(self) -> list:
        return list(self.version.choices.all())


@dataclass(frozen=True)
class PrintedSection:
    position: int
    title: str
    time_limit_minutes: int | None
    items: tuple[PrintedItem, ...]


@dataclass(frozen=True)
class PrintedForm:
    paper: Paper
    form: PaperForm
    sections: tuple[PrintedSection, ...]
    media: dict[str, MediaFile]  # uid (str) → file, for the images the stems and choices show

    @property
    def number(self) -> int:
        return self.form.number

    @property
    def items(self) -> list[PrintedItem]:
        return [item for section in self.sections for item in section.items]

    @property
    def total_points(self) -> Decimal:
        return sum((item.points for item in self.items), Decimal(0))


def load_printed_form(paper: Paper, number: int) -> PrintedForm:
    """The form `number` of a locked fixed or parallel paper; FormUnavailable otherwise."""
    if not paper.is_locked:
        raise FormUnavailable(
            _("แบบทดสอบยังไม่ได้ล็อก พิมพ์ได้เฉพาะแบบทดสอบที่ล็อกแล้ว (Only a locked paper can be printed.)")
        )
    if paper.form_mode == Paper.FormMode.PER_CANDIDATE:
        raise FormUnavailable(
            _(
                "แบบทดสอบนี้สุ่มข้อสอบรายบุคคล จึงไม่มีชุดข้อสอบตายตัวให้พิมพ์ "
                "(This paper draws a form per candidate, so there is no fixed form to print.)"
            )
        )
    form = PaperForm.objects.filter(paper=paper, number=number).first()
    if form is None:
        raise FormUnavailable(
            _("ไม่พบชุดข้อสอบที่ %(number)s (No form %(number)s in this paper.)") % {"number": number},
            missing=True,
        )
    raw_sections = sorted(form.content.get("sections", []), key=lambda s: s.get("position", 0))
    version_ids = [entry["version"] for section in raw_sections for entry in section.get("items", [])]
    versions = {
        v.pk: v
        for v in ItemVersion.objects.filter(pk__in=version_ids, item__bank_id=paper.bank_id)
        .select_related("item")
        .prefetch_related("choices")
    }
    sections, number_on_form, uids = [], 0, set()
    for raw in raw_sections:
        items = []
        for entry in raw.get("items", []):
            version = versions.get(entry["version"])
            if version is None or str(version.item.uid) != str(entry["item"]):
                raise ValueError(
                    f"form {form.pk}: item {entry['item']} v{entry['version']} is not in the bank"
                )
            number_on_form += 1
            items.append(PrintedItem(number_on_form, version, Decimal(str(entry.get("points", "1")))))
            uids |= media_uids(version.stem)
            for choice in version.choices.all():
                uids |= media_uids(choice.text)
        sections.append(
            PrintedSection(
                raw.get("position", len(sections) + 1),
                raw.get("title", ""),
                raw.get("time_limit_minutes"),
                tuple(items),
            )
        )
    media = {str(m.uid): m for m in MediaFile.objects.filter(bank_id=paper.bank_id, uid__in=uids)}
    return PrintedForm(paper, form, tuple(sections), media)
