"""Thai collation for names: dictionary order instead of code-point order.

Python's sorted() compares code points. Thai writes the vowels เ แ โ ใ ไ *before* the consonant they
follow in speech, and their code points (U+0E40-U+0E44) are above every consonant, so "โชติ" lands
after "ฮานา". Thai dictionaries (the Royal Institute's) sort by the initial consonant first, then the
vowel, and look at tone marks only when everything else is equal:

    >>> sort_thai_names(["โชติ", "กมล", "เกศินี", "ขวัญ", "แก้ว"])
    ['กมล', 'เกศินี', 'แก้ว', 'ขวัญ', 'โชติ']

The key is PyThaiNLP's algorithm (``pythainlp.util.collate``: move a leading vowel behind the consonant
after it, set tone marks aside) made multi-level the way ICU does it, plus what names need:

- ``normalise_thai`` first, so ำ typed as nikhahit + sara aa (U+0E4D U+0E32) equals U+0E33;
- primary level: letters only (tone marks ignored), secondary: the tone marks of each letter, tertiary:
  the exact text. So กา < ก่า < ก้า < กาล, as in the dictionary and ICU (a single-level key such as
  PyThaiNLP's puts กาล before ก่า);
- digits (Thai or Arabic) before letters, Thai before Latin, Latin case-insensitive: the order ICU's
  ``th`` locale gives.

tests/common/test_collation.py checks the key against PostgreSQL's ICU collation ``th-TH-x-icu``.
PyICU is not used: it has no official wheels and must be compiled against libicu-dev.

Ordering in SQL: a plain ``order_by("last_name_th")`` uses the database collation (code points on
SQLite, usually wrong for Thai on PostgreSQL too). Use ``sorted_by_thai(queryset, ...)``: on PostgreSQL
with ICU it orders in SQL with ``COLLATE "th-TH-x-icu"``, elsewhere it sorts in Python with this key.
"""

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from operator import attrgetter
from typing import Any, TypeVar

T = TypeVar("T")

THAI_ICU_COLLATION = "th-TH-x-icu"

_SARA_AM = "\u0e33"
# Nikhahit + (optional tone mark) + sara aa, the decomposed ways people type ำ (e.g. น ํ ้ า for น้ำ).
_DECOMPOSED_SARA_AM = re.compile("\u0e4d([\u0e48-\u0e4b]?)\u0e32")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_WHITESPACE = re.compile(r"\s+")

LEADING_VOWELS = frozenset("เแโใไ")  # U+0E40-U+0E44
# Marks that only matter at the secondary level: mai taikhu, the four tones, thanthakhat, nikhahit,
# yamakkan (U+0E47-U+0E4E).
_SECONDARY_MARKS = frozenset(chr(c) for c in range(0x0E47, 0x0E4F))
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")

# Primary weight groups: what sorts before what.
_SPACE, _PUNCTUATION, _DIGIT, _THAI, _OTHER_LETTER = range(5)


def normalise_thai(text: str) -> str:
    """NFC, ำ in its composed form, zero-width characters removed, whitespace collapsed and trimmed."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text).translate(_ZERO_WIDTH)
    text = _DECOMPOSED_SARA_AM.sub(lambda m: m.group(1) + _SARA_AM, text)
    return _WHITESPACE.sub(" ", text).strip()


def _is_thai_consonant(char: str) -> bool:
    return "\u0e01" <= char <= "\u0e2e"


def _primary_weight(char: str) -> int:
    if char.isspace():
        group = _SPACE
    elif "\u0e01" <= char <= "\u0e5b" and not char.isdigit():
        group = _THAI
    elif char.isdigit():
        group, char = _DIGIT, char.translate(_THAI_DIGITS)
    elif char.isalpha():
        group, char = _OTHER_LETTER, char.casefold()[0]
    else:
        group = _PUNCTUATION
    return (group << 21) | ord(char)


def thai_sort_key(text: str) -> tuple[tuple[int, ...], tuple[str, ...], str]:
    """A key for sorted(): Thai dictionary order (see the module docstring)."""
    text = normalise_thai(text)
    letters: list[list[str]] = []  # [letter, the marks written on it]
    for char in text:
        if char in _SECONDARY_MARKS and letters:
            letters[-1][1] += char
        else:
            letters.append([char, ""])
    i = 0
    while i < len(letters) - 1:
        if letters[i][0] in LEADING_VOWELS and _is_thai_consonant(letters[i + 1][0]):
            letters[i], letters[i + 1] = letters[i + 1], letters[i]
            i += 1  # the vowel moves behind one consonant only
        i += 1
    primary = tuple(_primary_weight(letter) for letter, _marks in letters)
    secondary = tuple(marks for _letter, marks in letters)
    return primary, secondary, text


def _compound_key(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return tuple(thai_sort_key(part or "") for part in value)
    return thai_sort_key(value or "")


def sort_thai_names(
    items: Iterable[T], key: Callable[[T], str | tuple[str, ...]] | None = None, reverse: bool = False
) -> list[T]:
    """Sort in Thai dictionary order. `key` may return a tuple, e.g. (last name, first name)."""
    if key is None:
        return sorted(items, key=_compound_key, reverse=reverse)
    return sorted(items, key=lambda item: _compound_key(key(item)), reverse=reverse)


@functools.cache
def thai_icu_collation_available(alias: str = "default") -> bool:
    """True on PostgreSQL built with ICU (the th-TH-x-icu collation exists); cached per alias."""
    from django.db import connections

    connection = connections[alias]
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_collation WHERE collname = %s", [THAI_ICU_COLLATION])
        return cursor.fetchone() is not None


def sorted_by_thai(queryset, *fields: str) -> list:
    """The rows of `queryset` in Thai order of `fields` (lookups such as "candidate__last_name_th").

    PostgreSQL with ICU orders in SQL (COLLATE "th-TH-x-icu"); other databases fetch the rows and sort
    them in Python with thai_sort_key (select_related the fields' relations to avoid extra queries).
    Returns a list either way.
    """
    if not fields:
        raise ValueError("sorted_by_thai needs at least one field")
    if thai_icu_collation_available(queryset.db):
        from django.db.models import F
        from django.db.models.functions import Collate

        return list(queryset.order_by(*(Collate(F(field), THAI_ICU_COLLATION) for field in fields), "pk"))
    getters = [attrgetter(field.replace("__", ".")) for field in fields]
    return sort_thai_names(queryset.order_by("pk"), key=lambda row: tuple(getter(row) for getter in getters))
