"""The item table shared by CSV and Excel: its columns (Thai and English headers), rows ↔ items.

One row per item. Headers may be Thai (the template) or English; order does not matter; an unknown
header is an error (a typo would otherwise silently drop a column). Values:

- รหัสวิชา / subject, รหัสหัวข้อ / topic: a code or a name of the bank's categories
  (ชื่อวิชา / subject_name, ชื่อหัวข้อ / topic_name: the names given to categories created on import)
- ชนิดข้อสอบ / type: ปรนัย หลายคำตอบ ถูกผิด ตัวเลข คำตอบสั้น อัตนัย
  (or single, multiple, true_false, numeric, short, essay); blank means ปรนัย
- โจทย์ / stem, ตัวเลือก ก … ตัวเลือก จ / choice_a … choice_e, คำอธิบายเฉลย / explanation:
  plain text, or HTML when the cell contains tags; true/false choices may be left empty (ถูก / ผิด)
- คำตอบ / answer: choice letters ก–จ or A–E ("ก,ค" for multiple response); ถูก/ผิด for true/false;
  the value for numeric ("3.5" or "3.5±0.05"); accepted answers separated by | for short answers
- ค่าคลาดเคลื่อน / tolerance; การให้คะแนนบางส่วน / partial_credit (all_or_nothing, per_choice,
  proportional); ตรงตัวพิมพ์ / case_sensitive (ใช่/ไม่); จำนวนคำสูงสุด / max_words and
  เกณฑ์ให้คะแนน / rubric for essays
- คะแนน / points; ความยาก / difficulty (ง่าย ปานกลาง ยาก or easy medium hard);
  ป้ายกำกับ / tags (comma separated); ภาษา / language (th, en)
"""

import html
import re
import unicodedata

from django.utils.translation import gettext as _

from .model import ParsedChoice, ParsedItem, Position, TransferError, html_escape_text

LETTERS_THAI = "กขคงจ"
LETTERS_LATIN = "ABCDE"

# (key, Thai header, English header, Excel column width)
COLUMNS = [
    ("subject", "รหัสวิชา", "subject", 14),
    ("subject_name", "ชื่อวิชา", "subject_name", 18),
    ("topic", "รหัสหัวข้อ", "topic", 14),
    ("topic_name", "ชื่อหัวข้อ", "topic_name", 18),
    ("type", "ชนิดข้อสอบ", "type", 14),
    ("stem", "โจทย์", "stem", 60),
    *[(f"choice_{c}", f"ตัวเลือก {t}", f"choice_{c}", 24) for c, t in zip("abcde", LETTERS_THAI, strict=True)],
    ("answer", "คำตอบ", "answer", 12),
    ("tolerance", "ค่าคลาดเคลื่อน", "tolerance", 12),
    ("partial_credit", "การให้คะแนนบางส่วน", "partial_credit", 18),
    ("case_sensitive", "ตรงตัวพิมพ์", "case_sensitive", 10),
    ("max_words", "จำนวนคำสูงสุด", "max_words", 12),
    ("rubric", "เกณฑ์ให้คะแนน", "rubric", 30),
    ("points", "คะแนน", "points", 8),
    ("difficulty", "ความยาก", "difficulty", 10),
    ("explanation", "คำอธิบายเฉลย", "explanation", 40),
    ("tags", "ป้ายกำกับ", "tags", 20),
    ("language", "ภาษา", "language", 8),
]
CHOICE_KEYS = [f"choice_{c}" for c in "abcde"]
TYPE_THAI = {
    "single": "ปรนัย",
    "multiple": "หลายคำตอบ",
    "true_false": "ถูกผิด",
    "numeric": "ตัวเลข",
    "short": "คำตอบสั้น",
    "essay": "อัตนัย",
}
DIFFICULTY_THAI = {"easy": "ง่าย", "medium": "ปานกลาง", "hard": "ยาก"}
_TYPE_ALIASES = {
    "single": ["single", "single choice", "mcq", "multichoice", "ปรนัยเลือกตอบข้อเดียว", "เลือกตอบ"],
    "multiple": ["multiple", "multiple response", "เลือกได้หลายคำตอบ"],
    "true_false": ["true_false", "truefalse", "true/false", "ถูก/ผิด", "ถูก-ผิด"],
    "numeric": ["numeric", "numerical", "number", "ตอบเป็นตัวเลข"],
    "short": ["short", "short answer", "shortanswer", "เติมคำตอบสั้น", "เติมคำ"],
    "essay": ["essay", "เรียงความ"],
}
_TRUE_WORDS = {"ถูก", "จริง", "t", "true", "ใช่", "yes", "y", "1"}
_FALSE_WORDS = {"ผิด", "เท็จ", "f", "false", "ไม่", "ไม่ใช่", "no", "n", "0"}
_HTML = re.compile(r"<[a-zA-Z/][^>]*>")


def _key(text: str) -> str:
    text = unicodedata.normalize("NFC", str(text or "")).replace("\u0e4d\u0e32", "\u0e33")
    return " ".join(text.split()).casefold()


_HEADERS = {_key(h): key for key, th, en, _w in COLUMNS for h in (th, en)}
_TYPES = {
    _key(alias): code for code, aliases in _TYPE_ALIASES.items() for alias in [*aliases, TYPE_THAI[code]]
}
_DIFFICULTIES = {_key(v): k for k, v in DIFFICULTY_THAI.items()} | {k: k for k in DIFFICULTY_THAI}


def header_row(*, english: bool = False) -> list[str]:
    return [en if english else th for _k, th, en, _w in COLUMNS]


def map_headers(headers: list, position: Position) -> tuple[list[str | None], list[TransferError]]:
    """Column keys in file order (None for blank headers) and errors for unknown or repeated ones."""
    keys: list[str | None] = []
    errors: list[TransferError] = []
    for header in headers:
        text = _key(header if header is not None else "")
        if not text:
            keys.append(None)
            continue
        key = _HEADERS.get(text)
        if key is None:
            errors.append(TransferError(position, _("ไม่รู้จักคอลัมน์ '%(h)s' (Unknown column).") % {"h": header}))
        elif key in keys:
            errors.append(TransferError(position, _("คอลัมน์ '%(h)s' ซ้ำ (Repeated column).") % {"h": header}))
        keys.append(key)
    if not errors and "stem" not in keys:
        errors.append(TransferError(position, _("ไม่พบคอลัมน์ 'โจทย์' (The 'stem' column is missing).")))
    return keys, errors


def _cell_html(text: str) -> str:
    text = text.strip()
    return text if _HTML.search(text) else html_escape_text(text)


def _letters(answer: str) -> list[int] | None:
    letters = [p for p in re.split(r"[\s,;/]+", answer.strip()) if p]
    indexes = []
    for letter in letters:
        upper = letter.upper()
        if upper in LETTERS_LATIN and len(upper) == 1:
            indexes.append(LETTERS_LATIN.index(upper))
        elif letter in LETTERS_THAI and len(letter) == 1:
            indexes.append(LETTERS_THAI.index(letter))
        else:
            return None
    return indexes


def item_from_row(values: dict[str, str], position: Position) -> ParsedItem | list[TransferError]:
    """One data row (cells as strings, keyed by column key) → a ParsedItem, or the row's errors."""
    errors: list[str] = []
    raw_type = values.get("type", "").strip()
    item_type = _TYPES.get(_key(raw_type), None) if raw_type else "single"
    if item_type is None:
        errors.append(_("ชนิดข้อสอบ '%(t)s' ไม่ถูกต้อง (Unknown item type).") % {"t": raw_type})
        item_type = "single"
    difficulty = None
    if values.get("difficulty", "").strip():
        difficulty = _DIFFICULTIES.get(_key(values["difficulty"]))
        if difficulty is None:
            errors.append(
                _("ความยาก '%(d)s' ไม่ถูกต้อง ใช้ ง่าย ปานกลาง หรือ ยาก (Difficulty must be easy, medium or hard).")
                % {"d": values["difficulty"]}
            )
    item = ParsedItem(
        position=position,
        item_type=item_type,
        stem=_cell_html(values.get("stem", "")),
        points=values.get("points", "").strip() or None,
        difficulty=difficulty,
        explanation=_cell_html(values.get("explanation", "")),
        language=values.get("language", "").strip() or None,
        tags=[t.strip() for t in re.split(r"[,،]", values.get("tags", "")) if t.strip()],
        subject=values.get("subject", "").strip(),
        topic=values.get("topic", "").strip(),
        subject_name=values.get("subject_name", "").strip(),
        topic_name=values.get("topic_name", "").strip(),
    )
    answer = values.get("answer", "").strip()
    texts = [values.get(k, "").strip() for k in CHOICE_KEYS]
    while texts and not texts[-1]:
        texts.pop()
    if item_type in ("single", "multiple", "true_false"):
        if item_type == "true_false" and not texts:
            texts = ["ถูก", "ผิด"]
        picked = _letters(answer) if answer else []
        if item_type == "true_false" and picked is None and _key(answer) in _TRUE_WORDS | _FALSE_WORDS:
            picked = [0 if _key(answer) in _TRUE_WORDS else 1]
        if not answer:
            errors.append(_("ไม่ได้ระบุคำตอบ (The answer is missing)."))
        elif picked is None or any(i >= len(texts) or not texts[i] for i in picked):
            errors.append(
                _("คำตอบ '%(a)s' ไม่ตรงกับตัวเลือก ใช้อักษร ก–จ หรือ A–E (The answer must be choice letters).")
                % {"a": answer}
            )
            picked = []
        item.choices = [ParsedChoice(_cell_html(t), i in picked) for i, t in enumerate(texts)]
        if item_type == "multiple":
            item.answer_spec = {
                "partial_credit": values.get("partial_credit", "").strip() or "all_or_nothing"
            }
    elif any(texts):
        errors.append(_("ข้อสอบชนิดนี้ไม่มีตัวเลือก (This item type has no choices)."))
    elif item_type == "numeric":
        value, _sep, tolerance = answer.partition("±")
        item.answer_spec = {
            "value": value.strip(),
            "tolerance": (tolerance or values.get("tolerance", "")).strip() or "0",
        }
    elif item_type == "short":
        sensitive = _key(values.get("case_sensitive", "")) in _TRUE_WORDS
        item.answer_spec = {"accepted": [a.strip() for a in answer.split("|") if a.strip()]}
        if sensitive:
            item.answer_spec["case_sensitive"] = True
    elif item_type == "essay":
        spec: dict = {}
        if values.get("max_words", "").strip():
            try:
                spec["max_words"] = int(values["max_words"].strip())
            except ValueError:
                errors.append(_("จำนวนคำสูงสุดต้องเป็นจำนวนเต็ม (max_words must be a whole number)."))
        if values.get("rubric", "").strip():
            spec["rubric"] = values["rubric"].strip()
        item.answer_spec = spec
    if errors:
        return [TransferError(position, message) for message in errors]
    return item


def _cell_text(value: str) -> str:
    """HTML with no tags is written as the plain text it shows; real markup stays HTML."""
    return value if _HTML.search(value or "") else html.unescape(value or "")


def row_from_item(item: ParsedItem) -> list:
    spec = item.answer_spec
    values = {
        "subject": item.subject,
        "subject_name": item.subject_name,
        "topic": item.topic,
        "topic_name": item.topic_name,
        "type": TYPE_THAI[item.item_type],
        "stem": _cell_text(item.stem),
        "points": item.points or "",
        "difficulty": DIFFICULTY_THAI.get(item.difficulty or "", ""),
        "explanation": _cell_text(item.explanation),
        "tags": ", ".join(item.tags),
        "language": item.language or "",
    }
    for key, choice in zip(CHOICE_KEYS, item.choices, strict=False):
        values[key] = _cell_text(choice.text)
    if item.item_type in ("single", "multiple", "true_false"):
        values["answer"] = ",".join(LETTERS_THAI[i] for i, c in enumerate(item.choices) if c.is_correct)
        if item.item_type == "multiple":
            values["partial_credit"] = spec.get("partial_credit", "")
    elif item.item_type == "numeric":
        values["answer"] = spec.get("value", "")
        values["tolerance"] = spec.get("tolerance", "")
    elif item.item_type == "short":
        values["answer"] = " | ".join(spec.get("accepted", []))
        values["case_sensitive"] = "ใช่" if spec.get("case_sensitive") else ""
    elif item.item_type == "essay":
        values["max_words"] = str(spec["max_words"]) if spec.get("max_words") is not None else ""
        values["rubric"] = spec.get("rubric", "")
    return [values.get(key, "") for key, _th, _en, _w in COLUMNS]
