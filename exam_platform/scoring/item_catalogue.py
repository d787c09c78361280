"""The items of a round as the booklet numbers them, for key corrections by item number.

An officer names an item the way the printed paper does: "ตอนที่ 2 ข้อ 27". Numbers are continuous
across sections, from 1, exactly as question_bank/pdf/booklet.py prints them, and are defined by:
- fixed papers: the one frozen form;
- parallel papers: each form's own order (a correction is proposed from any form's number; the item
  is the same item wherever it appears);
- per-candidate papers: the order of the paper's frozen item pool (section, then rule, then the pool's
  order), since every candidate saw their own order;
- a round whose paper has no frozen form row (older data): the first attempt's form.
Choices are labelled ก ข ค ง จ in the item version's own order, as the booklet and the answer key
print them (never the candidate's shuffled order). No page needs an item or choice uid.

The current key is the bank's key with the round's applied corrections on top (the last applied one
for an item wins, as in engine.adjusted_items). A few queries for the whole round.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from exam_platform.common.choice_labels import choice_label
from exam_platform.delivery.models import Attempt

from .models import ItemAdjustment


@dataclass
class CatalogueChoice:
    index: int  # position in the version's order, 0-based
    label: str  # ก ข ค ง จ
    uid: str
    html: str
    in_key: bool  # in the current key (after applied corrections)


@dataclass
class CatalogueItem:
    form_key: int
    section: int
    section_title: str
    number: int  # continuous across sections, from 1
    uid: str
    version_id: int
    type: str
    stem: str
    points: str
    choices: list[CatalogueChoice] = field(default_factory=list)
    spec: dict = field(default_factory=dict)  # numeric {"value", "tolerance"}; short {"accepted", ...}
    treatment: str = ""  # "" | "award_all" | "drop" (an applied void)
    form_label: str = ""

    @property
    def label(self) -> str:
        text = _("ตอนที่ %(section)d ข้อ %(number)d") % {"section": self.section, "number": self.number}
        return f"{self.form_label} {text}".strip()

    @property
    def key_text(self) -> str:
        """The current key in words: "ค", "ข, ง", "3.5 ± 0.1", "กรุงเทพ / กทม."."""
        if self.treatment == "award_all":
            return _("ยกเลิกข้อ ให้คะแนนทุกคน")
        if self.treatment == "drop":
            return _("ยกเลิกข้อ ตัดออกจากคะแนนเต็ม")
        if self.choices:
            return ", ".join(c.label for c in self.choices if c.in_key) or "-"
        if self.type == "numeric" and self.spec.get("value") is not None:
            tolerance = self.spec.get("tolerance") or "0"
            return f"{self.spec['value']} ± {tolerance}"
        if self.type == "short":
            return " / ".join(self.spec.get("accepted", [])) or "-"
        return "-"


@dataclass
class CatalogueForm:
    key: int  # 1-based, stable for the round
    label: str  # "" when the round has a single form; else "ชุดที่ 2" or "<paper> ชุดที่ 2"
    numbering: str  # how numbers are defined, in Thai
    items: list[CatalogueItem]


@dataclass
class Catalogue:
    forms: list[CatalogueForm]

    def find(self, form_key: int, number: int) -> CatalogueItem | None:
        for form in self.forms:
            if form.key == form_key:
                return next((item for item in form.items if item.number == number), None)
        return None

    def label_of(self, uid: str) -> str:
        """Where an item first appears ("ตอนที่ 1 ข้อ 7"), for lists of corrections."""
        for form in self.forms:
            for item in form.items:
                if item.uid == uid:
                    return item.label
        return _("ข้อที่ไม่อยู่ในแบบทดสอบของรอบนี้")

    def key_text(self, uid: str, new_key: dict) -> str:
        """A corrected key in words, choices by label ("ข, ค"), never by uid."""
        if not new_key:
            return ""
        if "choices" in new_key:
            item = self.item(uid)
            chosen = set(new_key["choices"])
            known = [c for c in item.choices if c.uid in chosen] if item else []
            unknown = len(chosen) - len(known)
            # in the choices' own order (ก, ข, ค, ง), whatever order the key was stored in
            return ", ".join([c.label for c in known] + ["?"] * unknown)
        if "value" in new_key:
            return f"{new_key['value']} ± {new_key.get('tolerance') or '0'}"
        return " / ".join(new_key.get("accepted", []))

    def item(self, uid: str) -> CatalogueItem | None:
        return next((item for form in self.forms for item in form.items if item.uid == uid), None)

    def has(self, uid: str) -> bool:
        return any(item.uid == uid for form in self.forms for item in form.items)


def _form_sections(content: dict) -> list[tuple[int, str, list[dict]]]:
    """(position, title, [{"uid", "version", "points"}]) from a frozen form, a pool or an attempt form."""
    if "pool" in content:
        sections = []
        for section in content["pool"].get("sections", []):
            entries = [entry for rule in section.get("rules", []) for entry in rule.get("items", [])]
            sections.append((int(section["position"]), section.get("title", ""), entries))
    else:
        sections = [
            (int(s["position"]), s.get("title", ""), s.get("items", [])) for s in content.get("sections", [])
        ]
    out = []
    for position, title, entries in sorted(sections, key=lambda s: s[0]):
        items = [
            {
                "uid": str(e.get("item") or e.get("uid")),
                "version": int(e["version"]),
                "points": e.get("points"),
            }
            for e in entries
        ]
        out.append((position, title, items))
    return out


def _sources(exam_round) -> list[tuple[str, str, dict]]:
    """(form label, numbering text, content) for every form of the round's papers, in a stable order."""
    from question_bank.models import Paper, PaperForm

    papers = list(
        Paper.objects.filter(sessions__round=exam_round).distinct().order_by("code", "version", "pk")
    )
    forms = list(
        PaperForm.objects.filter(paper__in=papers).order_by("paper__code", "paper__version", "number")
    )
    many_papers = len(papers) > 1
    sources = []
    for form in forms:
        paper = next(p for p in papers if p.pk == form.paper_id)
        per_candidate = paper.form_mode == Paper.FormMode.PER_CANDIDATE
        parts = [paper.code] if many_papers else []
        if paper.form_mode == Paper.FormMode.PARALLEL:
            parts.append(_("ชุดที่ %(n)d") % {"n": form.number})
        numbering = (
            _("เลขข้อตามลำดับในคลังข้อสอบของแบบทดสอบ (แบบทดสอบนี้สุ่มข้อรายบุคคล)")
            if per_candidate
            else _("เลขข้อตามที่พิมพ์ในแบบทดสอบ เรียงต่อเนื่องทุกตอน")
        )
        sources.append((" ".join(parts), numbering, form.content))
    if not sources:
        first = Attempt.objects.filter(entry__session__round=exam_round).order_by("id").values("form").first()
        if first:
            sources.append(("", _("เลขข้อตามลำดับในชุดข้อสอบของผู้เข้าสอบคนแรก"), first["form"]))
    return sources


def round_catalogue(exam_round) -> Catalogue:
    from question_bank.models import Choice, ItemVersion

    sources = [
        (label, numbering, _form_sections(content)) for label, numbering, content in _sources(exam_round)
    ]
    version_ids = {
        item["version"] for _l, _n, sections in sources for _p, _t, items in sections for item in items
    }
    versions = {
        v["id"]: v
        for v in ItemVersion.objects.filter(pk__in=version_ids).values(
            "id", "item_type", "stem", "answer_spec"
        )
    }
    choices: dict[int, list[tuple[str, str, bool]]] = {}
    for version_id, uid, text, is_correct in (
        Choice.objects.filter(version_id__in=version_ids)
        .order_by("version_id", "position")
        .values_list("version_id", "uid", "text", "is_correct")
    ):
        choices.setdefault(version_id, []).append((str(uid), text, is_correct))
    applied = {
        a.item_uid: a
        for a in ItemAdjustment.objects.filter(
            round=exam_round, status=ItemAdjustment.Status.APPLIED
        ).order_by("applied_at", "id")
    }
    forms = []
    for key, (label, numbering, sections) in enumerate(sources, start=1):
        items, number = [], 0
        for position, title, entries in sections:
            for entry in entries:
                number += 1
                version = versions.get(entry["version"], {})
                items.append(_item(key, label, position, title, number, entry, version, choices, applied))
        forms.append(CatalogueForm(key=key, label=label, numbering=numbering, items=items))
    return Catalogue(forms=forms)


def _item(key, label, position, title, number, entry, version, choices, applied) -> CatalogueItem:
    kind = version.get("item_type", "")
    spec = dict(version.get("answer_spec") or {})
    own = choices.get(entry["version"], [])
    key_uids = {uid for uid, _text, correct in own if correct}
    treatment = ""
    adjustment = applied.get(entry["uid"])
    if adjustment is not None:
        if adjustment.action in (ItemAdjustment.Action.VOID_AWARD_ALL, ItemAdjustment.Action.VOID_DROP):
            treatment = adjustment.action
        elif own:
            key_uids = set(adjustment.new_key.get("choices", []))
        else:
            spec.update(adjustment.new_key)
    return CatalogueItem(
        form_key=key,
        form_label=label,
        section=position,
        section_title=title,
        number=number,
        uid=entry["uid"],
        version_id=entry["version"],
        type=kind,
        stem=version.get("stem", ""),
        points=str(entry.get("points") or ""),
        choices=[
            CatalogueChoice(index=i, label=choice_label(i), uid=uid, html=text, in_key=uid in key_uids)
            for i, (uid, text, _correct) in enumerate(own)
        ],
        spec=spec,
        treatment=treatment,
    )
