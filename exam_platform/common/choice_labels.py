"""Labels for the choices of a multiple-choice item: ก ข ค ง จ on Thai papers, A B C D E in English.

Labels are positions on the page, never identities: grading goes by choice id (DESIGN §3.7).

    >>> choice_label(0), choice_label(3), choice_label(3, "en")
    ('ก', 'ง', 'D')
"""

# The order Thai exam papers use: the alphabet without the obsolete ฃ and ฅ.
THAI_CHOICE_LABELS = ("ก", "ข", "ค", "ง", "จ", "ฉ", "ช", "ซ", "ฌ", "ญ")
LATIN_CHOICE_LABELS = tuple("ABCDEFGHIJ")


def choice_labels(language: str = "th") -> tuple[str, ...]:
    """All labels for `language` ("th", or any code starting with "en" for Latin letters)."""
    return LATIN_CHOICE_LABELS if (language or "").lower().startswith("en") else THAI_CHOICE_LABELS


def choice_label(index: int, language: str = "th") -> str:
    """The label of the choice at zero-based `index`: 0 → ก (or A)."""
    labels = choice_labels(language)
    if not 0 <= index < len(labels):
        raise ValueError(f"choice index {index} is outside 0..{len(labels) - 1}")
    return labels[index]


def choice_index(label: str) -> int:
    """The zero-based position a label stands for, Thai or Latin (case-insensitive): ค → 2, c → 2."""
    text = (label or "").strip().rstrip(".)")
    for labels in (THAI_CHOICE_LABELS, LATIN_CHOICE_LABELS):
        if text.upper() in labels:
            return labels.index(text.upper())
    raise ValueError(f"{label!r} is not a choice label")
