"""Text normalisation shared by duplicate detection, search and short-answer grading."""

import hashlib
import re
import unicodedata

_SPACE = re.compile(r"\s+")
_TAG = re.compile(r"<[^>]+>")
_SARA_AM_DECOMPOSED = "\u0e4d\u0e32"  # nikhahit + sara aa, typed on some keyboards instead of ำ
_SARA_AM = "\u0e33"


def normalise_answer(text: str, *, case_sensitive: bool = False) -> str:
    """NFC, ำ unified, whitespace collapsed and stripped, case-folded (unless case_sensitive)."""
    text = unicodedata.normalize("NFC", text or "").replace(_SARA_AM_DECOMPOSED, _SARA_AM)
    text = _SPACE.sub(" ", text).strip()
    return text if case_sensitive else text.casefold()


def html_to_text(html: str) -> str:
    import html as html_lib

    return _SPACE.sub(" ", html_lib.unescape(_TAG.sub(" ", html or ""))).strip()


def normalise_stem(stem: str) -> str:
    """The comparable form of a stem: markup dropped, ำ unified, whitespace collapsed, case-folded."""
    return normalise_answer(html_to_text(stem))


def stem_key(stem: str) -> str:
    """Identifies 'the same question' for duplicate reports: SHA-256 of the normalised stem."""
    return hashlib.sha256(normalise_stem(stem).encode("utf-8")).hexdigest()
