"""GIFT (Moodle's plain-text question format): our own parser and writer.

Supported: single choice (`{=right ~wrong}`), multiple response (`{~%50%a ~%50%b ~%-100%c}`, correct =
positive weight), true/false (`{T}` / `{FALSE}`), numeric (`{#3.5:0.05}`, `{#1..5}`), short answer
(`{=a =b}`), essay (`{}`), `$CATEGORY: subject/topic`, `::title::`, `[html]`/`[plain]`/`[moodle]`/
`[markdown]` markers, escapes `\\~ \\= \\# \\{ \\} \\: \\\\ \\n`, general feedback `####...` (the
explanation) and `// [tag:name]` comments (as Moodle reads them). Matching and missing-word
questions with text after the answers are read as the stem with a blank (____).

What GIFT cannot say (points, difficulty, the partial-credit rule, case sensitivity, essay limits,
language) rides in one comment line above the question, ignored by Moodle:
    // qb-meta: {"points": "2", "difficulty": "hard", "answer_spec": {...}}
"""

import json
import re

from django.utils.translation import gettext as _

from .model import ParsedChoice, ParsedItem, ParseResult, Position, decode_text, html_escape_text

META_PREFIX = "qb-meta:"
_SPECIALS = "~=#{}:"
_FORMAT = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_TAG = re.compile(r"\[tag:([^\]]+)\]")
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_NUMBER = r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"
_NUMERIC = re.compile(rf"^({_NUMBER})(?::({_NUMBER}))?$")
_RANGE = re.compile(rf"^({_NUMBER})\.\.({_NUMBER})$")
_TRUE = {"T", "TRUE"}
_FALSE = {"F", "FALSE"}
_HTML_TAG = re.compile(r"<[a-zA-Z/][^>]*>")


# --- reading ---------------------------------------------------------------------------------


def parse(data: bytes) -> ParseResult:
    text = decode_text(data)
    result = ParseResult()
    category = ("", "")
    comments: list[str] = []
    block: list[tuple[int, str]] = []

    def flush() -> None:
        if block:
            _parse_question(block, comments, category, result)
        block.clear()
        comments.clear()

    for number, line in enumerate(text.split("\n"), 1):
        stripped = line.strip()
        if not stripped:
            flush()
        elif stripped.startswith("//"):
            comments.append(stripped[2:].strip())
        elif stripped.startswith("$CATEGORY:") and not block:
            category = _category_path(stripped[len("$CATEGORY:") :])
            comments.clear()
        else:
            block.append((number, line))
    flush()
    return result


def _category_path(path: str) -> tuple[str, str]:
    """`$course$/top/ภาษาไทย/การอ่าน` → ("ภาษาไทย", "การอ่าน"): Moodle's context prefixes dropped."""
    parts = [p.strip() for p in path.strip().split("/") if p.strip()]
    while parts and (parts[0].startswith("$") or parts[0].lower() == "top"):
        parts.pop(0)
    if len(parts) >= 2:
        return parts[-2], parts[-1]
    return (parts[0], "") if parts else ("", "")


class _Block:
    """The text of one question with a way back from an offset to its line number."""

    def __init__(self, lines: list[tuple[int, str]]):
        self.text = "\n".join(line for _n, line in lines)
        self.starts = []
        offset = 0
        for number, line in lines:
            self.starts.append((offset, number))
            offset += len(line) + 1

    def position(self, offset: int) -> Position:
        number = self.starts[0][1]
        for start, line_number in self.starts:
            if start > offset:
                break
            number = line_number
        return Position("line", number)


def _find_unescaped(text: str, needle: str, start: int = 0) -> int:
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(needle, i):
            return i
        i += 1
    return -1


def _unescape(text: str) -> str:
    out = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append("\n" if nxt == "n" else nxt)
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)


def _content(raw: str, is_html: bool) -> str:
    text = _unescape(raw).strip()
    return text if is_html else html_escape_text(text)


def _parse_question(
    lines: list[tuple[int, str]], comments: list[str], category: tuple[str, str], result: ParseResult
) -> None:
    block = _Block(lines)
    text = block.text
    start = block.position(0)
    opening = _find_unescaped(text, "{")
    if opening < 0:
        result.error(start, _("ไม่พบส่วนคำตอบ { … } (No answer block { … } found)."))
        return
    closing = _find_unescaped(text, "}", opening + 1)
    if closing < 0:
        result.error(block.position(opening), _("ไม่พบเครื่องหมาย } ปิดส่วนคำตอบ (Missing closing '}')."))
        return
    if _find_unescaped(text, "{", closing + 1) >= 0:
        where = block.position(_find_unescaped(text, "{", closing + 1))
        result.error(where, _("มีส่วนคำตอบ { } มากกว่าหนึ่งส่วน (More than one answer block)."))
        return

    before, answers, after = text[:opening], text[opening + 1 : closing], text[closing + 1 :]
    stripped = before.lstrip()
    if stripped.startswith("::"):
        end = _find_unescaped(stripped, "::", 2)
        before = stripped[end + 2 :] if end >= 0 else stripped
    marker = _FORMAT.match(before)
    is_html = bool(marker and marker.group(1).lower() == "html")
    if marker:
        before = before[marker.end() :]
    stem_raw = before.strip()
    if after.strip():
        stem_raw = f"{stem_raw} ____ {after.strip()}"
    meta = _meta(comments, result, start)
    item = ParsedItem(
        position=start,
        item_type="",
        stem=_content(stem_raw, is_html),
        tags=[t.strip() for c in comments for t in _TAG.findall(c)],
        subject=category[0],
        topic=category[1],
        points=meta.get("points"),
        difficulty=meta.get("difficulty"),
        language=meta.get("language"),
    )
    feedback = _find_unescaped(answers, "####")
    if feedback >= 0:
        item.explanation = _content(answers[feedback + 4 :], is_html)
        answers = answers[:feedback]
    answers_offset = opening + 1
    if not _fill_answers(item, answers, answers_offset, block, is_html, result):
        return
    spec = dict(meta.get("answer_spec") or {})
    spec.update(item.answer_spec)
    if item.item_type == "multiple" and "partial_credit" in (meta.get("answer_spec") or {}):
        spec["partial_credit"] = meta["answer_spec"]["partial_credit"]
    item.answer_spec = spec
    result.items.append(item)


def _meta(comments: list[str], result: ParseResult, position: Position) -> dict:
    for comment in comments:
        if comment.startswith(META_PREFIX):
            try:
                value = json.loads(comment[len(META_PREFIX) :])
            except ValueError:
                result.error(position, _("บรรทัด qb-meta ไม่ใช่ JSON ที่ถูกต้อง (Invalid qb-meta JSON)."))
                return {}
            return value if isinstance(value, dict) else {}
    return {}


def _strip_feedback(raw: str) -> str:
    cut = _find_unescaped(raw, "#")
    return raw[:cut] if cut >= 0 else raw


def _fill_answers(
    item: ParsedItem, answers: str, offset: int, block: _Block, is_html: bool, result: ParseResult
) -> bool:
    body = answers.strip()
    lead = offset + (len(answers) - len(answers.lstrip()))
    if not body:
        item.item_type = "essay"
        return True
    if body.startswith("#"):
        return _fill_numeric(item, body[1:], block.position(lead), result)
    if _strip_feedback(body).strip().upper() in _TRUE | _FALSE:
        item.item_type = "true_false"
        truth = _strip_feedback(body).strip().upper() in _TRUE
        item.choices = [ParsedChoice("ถูก", truth), ParsedChoice("ผิด", not truth)]
        return True

    tokens = _tokens(answers, offset)
    if tokens is None or not tokens:
        result.error(
            block.position(lead),
            _("ส่วนคำตอบต้องขึ้นต้นด้วย = หรือ ~ (Answers must start with '=' or '~')."),
        )
        return False
    if any("->" in raw for _m, raw, _o in tokens):
        result.error(
            block.position(lead),
            _("ยังไม่รองรับคำถามแบบจับคู่ (Matching questions are not supported)."),
        )
        return False
    markers = [m for m, _r, _o in tokens]
    if "~" not in markers:  # only '=' answers: short answer
        item.item_type = "short"
        accepted = []
        for _m, raw, _o in tokens:
            weight = _WEIGHT.match(raw.strip())
            if weight and float(weight.group(1)) < 100:
                continue
            text = raw.strip()[weight.end() :] if weight else raw
            accepted.append(_unescape(_strip_feedback(text)).strip())
        item.answer_spec = {"accepted": accepted}
        return True

    if "=" in markers:
        if markers.count("=") > 1:
            result.error(
                block.position(lead),
                _(
                    "ข้อสอบปรนัยมีคำตอบที่ถูก (=) ได้ข้อเดียว ใช้ ~%น้ำหนัก% สำหรับหลายคำตอบ "
                    "(Only one '=' answer; use ~%weight% for multiple response)."
                ),
            )
            return False
        item.item_type = "single"
    else:
        item.item_type = "multiple"
        item.answer_spec = {"partial_credit": "per_choice"}
    for marker, raw, token_offset in tokens:
        text = raw.strip()
        weight = _WEIGHT.match(text)
        if weight:
            text = text[weight.end() :]
        correct = marker == "=" if item.item_type == "single" else bool(weight and float(weight.group(1)) > 0)
        choice_text = _content(_strip_feedback(text), is_html)
        if not choice_text:
            result.error(block.position(token_offset), _("ตัวเลือกว่าง (Empty choice)."))
            return False
        item.choices.append(ParsedChoice(choice_text, correct))
    return True


def _tokens(answers: str, offset: int) -> list[tuple[str, str, int]] | None:
    """Split on unescaped '=' / '~' that start an answer. None if text precedes the first one."""
    tokens: list[tuple[str, str, int]] = []
    current: list[str] = []
    marker = None
    start = 0
    i = 0
    while i < len(answers):
        char = answers[i]
        if char == "\\" and i + 1 < len(answers):
            current.append(answers[i : i + 2])
            i += 2
            continue
        if char in "=~":
            if marker is None and "".join(current).strip():
                return None
            if marker is not None:
                tokens.append((marker, "".join(current), offset + start))
            marker, current, start = char, [], i
            i += 1
            continue
        current.append(char)
        i += 1
    if marker is None:
        return None if "".join(current).strip() else []
    tokens.append((marker, "".join(current), offset + start))
    return tokens


def _fill_numeric(item: ParsedItem, body: str, position: Position, result: ParseResult) -> bool:
    item.item_type = "numeric"
    first = body.strip()
    if first.startswith("="):
        first = first[1:]
        cut = _find_unescaped(first, "=")
        first = first[:cut] if cut >= 0 else first
    first = _strip_feedback(first).strip()
    weight = _WEIGHT.match(first)
    if weight:
        first = first[weight.end() :].strip()
    exact = _NUMERIC.match(first)
    span = _RANGE.match(first)
    if exact:
        item.answer_spec = {"value": exact.group(1), "tolerance": exact.group(2) or "0"}
    elif span:
        from decimal import Decimal

        low, high = Decimal(span.group(1)), Decimal(span.group(2))
        item.answer_spec = {"value": str((low + high) / 2), "tolerance": str(abs(high - low) / 2)}
    else:
        result.error(
            position,
            _("คำตอบตัวเลขไม่ถูกต้อง: %(v)s (Invalid numeric answer; use {#3.5:0.05}).") % {"v": first},
        )
        return False
    return True


# --- writing ---------------------------------------------------------------------------------


def _escape(text: str) -> str:
    out = text.replace("\\", "\\\\")
    for char in _SPECIALS:
        out = out.replace(char, "\\" + char)
    return out.replace("\r", "").replace("\n", "\\n")


def write(items: list[ParsedItem]) -> bytes:
    lines: list[str] = []
    category = None
    for number, item in enumerate(items, 1):
        path = (item.subject, item.topic)
        if path != category:
            lines += [f"$CATEGORY: {'/'.join(p for p in path if p)}", ""]
            category = path
        lines += [f"// [tag:{tag}]" for tag in item.tags]
        meta = {"points": item.points, "difficulty": item.difficulty, "language": item.language}
        extra = {
            k: v
            for k, v in item.answer_spec.items()
            if k in ("partial_credit", "case_sensitive", "max_words", "rubric")
        }
        if extra:
            meta["answer_spec"] = extra
        lines.append("// " + META_PREFIX + " " + json.dumps(meta, ensure_ascii=False, sort_keys=True))
        lines.append(f"::Q{number}:: [html]{_escape(item.stem)} {{")
        lines += _answer_lines(item)
        if item.explanation:
            lines.append(f"####{_escape(item.explanation)}")
        lines += ["}", ""]
    return "\n".join(lines).encode("utf-8")


def _weight(value: float) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".")


def _answer_lines(item: ParsedItem) -> list[str]:
    kind = item.item_type
    if kind == "single":
        return [f"{'=' if c.is_correct else '~'}{_escape(c.text)}" for c in item.choices]
    if kind == "multiple":
        right = sum(1 for c in item.choices if c.is_correct) or 1
        wrong = -100 / right if item.answer_spec.get("partial_credit") == "per_choice" else -100
        return [
            f"~%{_weight(100 / right if c.is_correct else wrong)}%{_escape(c.text)}" for c in item.choices
        ]
    if kind == "true_false":
        truth = bool(item.choices and item.choices[0].is_correct)
        return ["TRUE" if truth else "FALSE"]
    if kind == "numeric":
        return [f"#{item.answer_spec['value']}:{item.answer_spec.get('tolerance', '0')}"]
    if kind == "short":
        return [f"={_escape(a)}" for a in item.answer_spec.get("accepted", [])]
    return []  # essay
