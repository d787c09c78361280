"""Moodle XML: read with ElementTree behind defusedxml (xml_source), written with ElementTree.

Question types: multichoice (single=true → single, single=false → multiple, correct = positive
fraction), truefalse, numerical (first 100 % answer + tolerance), shortanswer (100 % answers,
usecase), essay (maxwordlimit, graderinfo → rubric). `category` pseudo-questions set the category
of the questions after them (last two path levels: subject/topic); `description` entries are not
items and are skipped. What Moodle XML has no element for (difficulty, language, the partial-credit
rule) rides in a `<qb_meta>` JSON element, which Moodle's importer ignores.
"""

import json
import re
from xml.etree.ElementTree import Element, SubElement, tostring

from django.utils.translation import gettext as _

from .gift import _category_path
from .model import ParsedChoice, ParsedItem, ParseResult, html_escape_text
from .xml_source import line_of, parse_xml

SUPPORTED = ("multichoice", "truefalse", "numerical", "shortanswer", "essay")
_NUMBER = re.compile(r"^[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$")


def _text(element: Element | None, path: str = "text") -> str:
    if element is None:
        return ""
    found = element.find(path) if path else element
    return (found.text or "") if found is not None else ""


def _html(element: Element | None) -> str:
    """<questiontext format="..."><text>...</text></...> → our HTML."""
    if element is None:
        return ""
    text = _text(element).strip()
    return text if element.get("format", "html") == "html" else html_escape_text(text)


def _fraction(answer: Element) -> float:
    try:
        return float(answer.get("fraction", "0"))
    except ValueError:
        return 0.0


def parse(data: bytes) -> ParseResult:
    result = ParseResult()
    root = parse_xml(data)
    if root.tag != "quiz":
        result.error(line_of(root), _("ไม่ใช่ไฟล์ Moodle XML (<quiz> expected as the root element)."))
        return result
    category = ("", "")
    for question in root.findall("question"):
        kind = question.get("type", "")
        if kind == "category":
            category = _category_path(_text(question, "category/text"))
        elif kind == "description":
            continue
        elif kind not in SUPPORTED:
            result.error(
                line_of(question),
                _("ยังไม่รองรับคำถามชนิด '%(t)s' (Question type not supported).") % {"t": kind},
            )
        else:
            _parse_question(question, kind, category, result)
    return result


def _parse_question(question: Element, kind: str, category: tuple[str, str], result: ParseResult) -> None:
    position = line_of(question)
    meta = {}
    if question.find("qb_meta") is not None:
        try:
            meta = json.loads(_text(question, "qb_meta") or "{}")
        except ValueError:
            result.error(position, _("qb_meta ไม่ใช่ JSON ที่ถูกต้อง (Invalid qb_meta JSON)."))
            return
    item = ParsedItem(
        position=position,
        item_type="",
        stem=_html(question.find("questiontext")),
        points=(_text(question, "defaultgrade") or "").strip() or None,
        difficulty=meta.get("difficulty"),
        language=meta.get("language"),
        explanation=_html(question.find("generalfeedback")),
        tags=[t.text.strip() for t in question.findall("tags/tag/text") if t.text and t.text.strip()],
        subject=category[0],
        topic=category[1],
    )
    answers = question.findall("answer")
    spec = dict(meta.get("answer_spec") or {})
    if kind == "multichoice":
        single = _text(question, "single").strip().lower() in ("true", "1")
        item.item_type = "single" if single else "multiple"
        item.choices = [ParsedChoice(_html(a), _fraction(a) > (99.9 if single else 0)) for a in answers]
        if not single:
            spec.setdefault("partial_credit", "per_choice")
    elif kind == "truefalse":
        item.item_type = "true_false"
        truth = next((_fraction(a) > 0 for a in answers if _text(a).strip().lower() == "true"), None)
        if truth is None:
            result.error(position, _("ไม่พบคำตอบ true (No 'true' answer in a true/false question)."))
            return
        item.choices = [ParsedChoice("ถูก", truth), ParsedChoice("ผิด", not truth)]
    elif kind == "numerical":
        item.item_type = "numeric"
        best = next((a for a in answers if _fraction(a) >= 100), None)
        value = _text(best).strip() if best is not None else ""
        if not _NUMBER.match(value):
            where = line_of(best) if best is not None else position
            result.error(where, _("คำตอบตัวเลขไม่ถูกต้อง (Invalid numerical answer): %s") % value)
            return
        spec.update(value=value, tolerance=(_text(best, "tolerance").strip() or "0"))
    elif kind == "shortanswer":
        item.item_type = "short"
        spec.update(accepted=[_text(a).strip() for a in answers if _fraction(a) >= 100])
        spec["case_sensitive"] = _text(question, "usecase").strip() == "1"
    else:
        item.item_type = "essay"
        limit = _text(question, "maxwordlimit").strip()
        if limit.isdigit():
            spec["max_words"] = int(limit)
        rubric = _text(question.find("graderinfo")).strip()
        if rubric:
            spec["rubric"] = rubric
    item.answer_spec = spec
    result.items.append(item)


def _text_element(parent: Element, tag: str, value: str, *, fmt: str | None = "html") -> Element:
    element = SubElement(parent, tag, {"format": fmt} if fmt else {})
    SubElement(element, "text").text = value
    return element


def _fraction_text(value: float) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".")


def write(items: list[ParsedItem]) -> bytes:
    from ..text import html_to_text

    quiz = Element("quiz")
    category = None
    for number, item in enumerate(items, 1):
        path = (item.subject, item.topic)
        if path != category:
            holder = SubElement(quiz, "question", {"type": "category"})
            SubElement(SubElement(holder, "category"), "text").text = "$course$/top/" + "/".join(
                p for p in path if p
            )
            category = path
        kind = {
            "single": "multichoice",
            "multiple": "multichoice",
            "true_false": "truefalse",
            "numeric": "numerical",
            "short": "shortanswer",
            "essay": "essay",
        }[item.item_type]
        question = SubElement(quiz, "question", {"type": kind})
        SubElement(
            SubElement(question, "name"), "text"
        ).text = f"{number}. {html_to_text(item.stem)[:60]}".strip()
        _text_element(question, "questiontext", item.stem)
        _text_element(question, "generalfeedback", item.explanation)
        SubElement(question, "defaultgrade").text = item.points or "1"
        _write_answers(question, item)
        if item.tags:
            tags = SubElement(question, "tags")
            for tag in item.tags:
                SubElement(SubElement(tags, "tag"), "text").text = tag
        meta = {"difficulty": item.difficulty, "language": item.language}
        if "partial_credit" in item.answer_spec:
            meta["answer_spec"] = {"partial_credit": item.answer_spec["partial_credit"]}
        SubElement(question, "qb_meta").text = json.dumps(meta, ensure_ascii=False, sort_keys=True)
    _indent(quiz)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(
        quiz, encoding="utf-8", xml_declaration=False
    )


def _indent(element: Element) -> None:
    from xml.etree.ElementTree import indent

    indent(element, space="  ")


def _write_answers(question: Element, item: ParsedItem) -> None:
    spec = item.answer_spec
    if item.item_type in ("single", "multiple"):
        single = item.item_type == "single"
        SubElement(question, "single").text = "true" if single else "false"
        SubElement(question, "shuffleanswers").text = "0"
        SubElement(question, "answernumbering").text = "abc"
        right = sum(1 for c in item.choices if c.is_correct) or 1
        wrong = 0 if single else (-100 / right if spec.get("partial_credit") == "per_choice" else -100)
        for choice in item.choices:
            fraction = (100 if single else 100 / right) if choice.is_correct else wrong
            answer = SubElement(question, "answer", {"fraction": _fraction_text(fraction), "format": "html"})
            SubElement(answer, "text").text = choice.text
    elif item.item_type == "true_false":
        truth = bool(item.choices and item.choices[0].is_correct)
        for word, correct in (("true", truth), ("false", not truth)):
            answer = SubElement(
                question, "answer", {"fraction": "100" if correct else "0", "format": "moodle_auto_format"}
            )
            SubElement(answer, "text").text = word
    elif item.item_type == "numeric":
        answer = SubElement(question, "answer", {"fraction": "100", "format": "moodle_auto_format"})
        SubElement(answer, "text").text = spec["value"]
        SubElement(answer, "tolerance").text = spec.get("tolerance", "0")
    elif item.item_type == "short":
        SubElement(question, "usecase").text = "1" if spec.get("case_sensitive") else "0"
        for accepted in spec.get("accepted", []):
            answer = SubElement(question, "answer", {"fraction": "100", "format": "moodle_auto_format"})
            SubElement(answer, "text").text = accepted
    else:
        SubElement(question, "responseformat").text = "editor"
        if spec.get("max_words") is not None:
            SubElement(question, "maxwordlimit").text = str(spec["max_words"])
        _text_element(question, "graderinfo", spec.get("rubric", ""), fmt="plain_text")
