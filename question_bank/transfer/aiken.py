"""Aiken (single choice only): our own parser and writer.

    ข้อใดสะกดถูกต้อง            ← the stem (may run over several lines)
    A. กะเพรา                    ← choices: a letter A–E (or ก–จ), then '.' or ')'
    B) กระเพรา
    ANSWER: A                   ← the key (คำตอบ: ก also accepted)

Questions are separated by blank lines. Aiken carries no category, points or difficulty: the
importer's default category is used. Written with Latin letters, as Moodle expects.
"""

import re

from django.utils.translation import gettext as _

from .model import ParsedChoice, ParsedItem, ParseResult, Position, decode_text, html_escape_text
from .table import LETTERS_LATIN, LETTERS_THAI

_CHOICE = re.compile(r"^\s*([A-Ea-eก-ฮ])\s*[.)]\s+(.*\S)\s*$")
_ANSWER = re.compile(r"^\s*(?:ANSWER|คำตอบ)\s*:\s*(\S*)\s*$", re.IGNORECASE)


def _letter_index(letter: str) -> int:
    letter = letter.upper()
    if letter in LETTERS_LATIN:
        return LETTERS_LATIN.index(letter)
    if letter in LETTERS_THAI:
        return LETTERS_THAI.index(letter)
    return -1


def parse(data: bytes) -> ParseResult:
    result = ParseResult()
    block: list[tuple[int, str]] = []
    for number, line in [*enumerate(decode_text(data).split("\n"), 1), (0, "")]:
        if line.strip():
            block.append((number, line))
            if _ANSWER.match(line):
                _parse_question(block, result)
                block = []
        elif block:  # a blank line ends a question, which must have had its ANSWER line
            result.error(
                Position("line", block[0][0]), _("ไม่พบบรรทัด ANSWER: ของข้อนี้ (Missing 'ANSWER:' line).")
            )
            block = []
    return result


def _parse_question(block: list[tuple[int, str]], result: ParseResult) -> None:
    start = Position("line", block[0][0])
    stem_lines: list[str] = []
    choices: list[tuple[int, str, str]] = []
    for number, line in block[:-1]:
        match = _CHOICE.match(line)
        if match and _letter_index(match.group(1)) == len(choices) and (choices or stem_lines):
            choices.append((number, match.group(1), match.group(2)))
        elif choices:
            result.error(
                Position("line", number),
                _("ตัวเลือกต้องเรียงเป็น A. B. C. … (Choices must be lettered A., B., C., … in order)."),
            )
            return
        else:
            stem_lines.append(line.strip())
    answer_line, answer_text = block[-1]
    letter = _ANSWER.match(answer_text).group(1)
    if not stem_lines:
        result.error(start, _("ไม่มีโจทย์ (The question has no stem)."))
        return
    if len(choices) < 2:
        result.error(start, _("ต้องมีตัวเลือกอย่างน้อย 2 ข้อ (At least two choices are needed)."))
        return
    key = _letter_index(letter) if letter else -1
    if not 0 <= key < len(choices):
        result.error(
            Position("line", answer_line),
            _("คำตอบ '%(a)s' ไม่ตรงกับตัวเลือกใด (The answer '%(a)s' is not one of the choices).")
            % {"a": letter},
        )
        return
    result.items.append(
        ParsedItem(
            position=start,
            item_type="single",
            stem=html_escape_text("\n".join(stem_lines)),
            choices=[
                ParsedChoice(html_escape_text(text), i == key) for i, (_n, _l, text) in enumerate(choices)
            ],
        )
    )


def write(items: list[ParsedItem]) -> bytes:
    from ..text import html_to_text

    lines: list[str] = []
    for item in items:
        lines.append(html_to_text(item.stem))
        for i, choice in enumerate(item.choices):
            lines.append(f"{LETTERS_LATIN[i]}. {html_to_text(choice.text)}")
        key = next(i for i, c in enumerate(item.choices) if c.is_correct)
        lines += [f"ANSWER: {LETTERS_LATIN[key]}", ""]
    return "\n".join(lines).encode("utf-8")
