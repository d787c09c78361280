"""One kind of digits per document: Thai (๐-๙) or Arabic (0-9), chosen per document type.

A document says its kind once, when it is built::

    build_pdf(story, title=..., digits=document_digits_for("rank_list"))   # settings.DOCUMENT_DIGITS

and every number drawn in it comes out in that kind: paragraphs, table cells, dates, the running
header, the footer and "หน้า ๑ จาก ๓". The story is written with whatever digits are handy (f-strings
give 0-9); ThaiParagraph, thai_table's cells and the page furniture convert their text when the
document lays them out (``build_pdf``/``render_pages`` set the kind for the duration of the build),
so a helper never needs to be told the kind and cannot forget it.

Machine identifiers stay exactly as they are, whatever the document's kind: SHA-256 digests,
signatures, key ids, URLs, slip and check-in tokens, activation codes and paper codes (people type or
paste them, and a digest in Thai digits no longer verifies). Mark them with ``identifier(text)``
inside any text, or pass ``digits=AS_WRITTEN`` for a whole paragraph or table (an examiner's question
text, which may be about numerals, is printed as written). QR payloads are never converted (qr_code
encodes its argument; do not pass it marked text).

Outside a document build (a test laying out one paragraph) the old per-call ``thai_digits`` flags
still apply.
"""

from __future__ import annotations

import contextlib
import re
from contextvars import ContextVar

THAI = "thai"
ARABIC = "arabic"
DIGIT_KINDS = (THAI, ARABIC)
AS_WRITTEN = "as_written"  # a paragraph or cell whose digits must not change

# Private-use characters around an identifier: never in real text, dropped before drawing.
_OPEN, _CLOSE = "\ue000", "\ue001"
_MARKED = re.compile(f"({_OPEN}[^{_CLOSE}]*{_CLOSE})")
_TO_THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
_TO_ARABIC = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")

_current: ContextVar[str | None] = ContextVar("pdf_document_digits", default=None)


def identifier(value) -> str:
    """``value`` marked as a machine identifier: its digits are drawn exactly as written."""
    return f"{_OPEN}{value}{_CLOSE}"


def check_kind(kind: str | None) -> str | None:
    if kind is not None and kind not in DIGIT_KINDS and kind != AS_WRITTEN:
        raise ValueError(f"digits must be one of {DIGIT_KINDS} (or AS_WRITTEN), not {kind!r}")
    return kind


def convert_digits(text: str, kind: str | None) -> str:
    """``text`` with its digits in ``kind`` (None or AS_WRITTEN: unchanged), identifiers kept as they
    are and their marks removed."""
    table = {THAI: _TO_THAI, ARABIC: _TO_ARABIC}.get(kind)
    if _OPEN not in text:
        return text.translate(table) if table else text
    parts = _MARKED.split(text)
    out = []
    for part in parts:
        if part.startswith(_OPEN) and part.endswith(_CLOSE):
            out.append(part[1:-1])
        else:
            out.append(part.translate(table) if table else part)
    return "".join(out).replace(_OPEN, "").replace(_CLOSE, "")


def convert_digit_runs(texts: list[str], kind: str | None) -> list[str]:
    """convert_digits over consecutive pieces of one text (a paragraph's fragments), where an
    identifier may open in one piece and close in a later one."""
    if not any(_OPEN in t or _CLOSE in t for t in texts):
        return [convert_digits(t, kind) for t in texts]
    table = {THAI: _TO_THAI, ARABIC: _TO_ARABIC}.get(kind)
    inside, out = False, []
    for text in texts:
        chars = []
        for ch in text:
            if ch == _OPEN:
                inside = True
            elif ch == _CLOSE:
                inside = False
            else:
                chars.append(ch if inside or table is None else ch.translate(table))
        out.append("".join(chars))
    return out


def current_digits() -> str | None:
    """The kind of the document being built, None outside a build (or when it did not say)."""
    return _current.get()


def effective_digits(explicit: str | None, *, thai_digits: bool = False) -> str | None:
    """What a flowable draws with: AS_WRITTEN when it says so, else the document's kind, else the
    legacy ``thai_digits`` flag of the call."""
    if explicit == AS_WRITTEN:
        return AS_WRITTEN
    return current_digits() or explicit or (THAI if thai_digits else None)


@contextlib.contextmanager
def document_digits(kind: str | None):
    """Lay out and draw everything inside in ``kind`` (None: leave each flowable's own choice)."""
    token = _current.set(check_kind(kind))
    try:
        yield
    finally:
        _current.reset(token)


def document_digits_for(document_type: str) -> str:
    """The configured kind for a document type (settings.DOCUMENT_DIGITS, from the environment)."""
    from django.conf import settings

    try:
        return settings.DOCUMENT_DIGITS[document_type]
    except KeyError:
        raise KeyError(f"no DOCUMENT_DIGITS entry for document type {document_type!r}") from None
