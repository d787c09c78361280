"""An item's history: what changed between two versions, for the history page.

Text fields are compared word by word (Thai words found with pythainlp, so a change inside a
sentence with no spaces still shows as one word); choices are matched by their stable uid.
"""

import difflib
from dataclasses import dataclass, field

from .models import ItemVersion
from .text import html_to_text


@dataclass
class TextDiff:
    """Runs of ("equal" | "insert" | "delete", text)."""

    runs: list[tuple[str, str]]

    @property
    def changed(self) -> bool:
        return any(op != "equal" for op, _ in self.runs)


@dataclass
class ChoiceDiff:
    uid: str
    status: str  # "same" | "changed" | "added" | "removed"
    old_text: str = ""
    new_text: str = ""
    old_correct: bool | None = None
    new_correct: bool | None = None
    text: TextDiff | None = None


@dataclass
class VersionDiff:
    old: ItemVersion
    new: ItemVersion
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (label, old, new)
    stem: TextDiff | None = None
    explanation: TextDiff | None = None
    choices: list[ChoiceDiff] = field(default_factory=list)


def _words(text: str) -> list[str]:
    from pythainlp.tokenize import word_tokenize

    return word_tokenize(text, engine="newmm", keep_whitespace=True)


def diff_text(old: str, new: str) -> TextDiff:
    a, b = _words(html_to_text(old)), _words(html_to_text(new))
    runs: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            runs.append(("equal", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            runs.append(("delete", "".join(a[i1:i2])))
        if j2 > j1:
            runs.append(("insert", "".join(b[j1:j2])))
    return TextDiff(runs)


def diff_versions(old: ItemVersion, new: ItemVersion) -> VersionDiff:
    result = VersionDiff(old=old, new=new)
    for name in ("item_type", "default_points", "difficulty", "language", "answer_spec", "tags"):
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            label = str(ItemVersion._meta.get_field(name).verbose_name)
            result.fields.append((label, str(before), str(after)))
    result.stem = diff_text(old.stem, new.stem)
    result.explanation = diff_text(old.explanation, new.explanation)
    old_choices = {str(c.uid): c for c in old.choices.all()}
    new_choices = {str(c.uid): c for c in new.choices.all()}
    for uid, choice in new_choices.items():
        before = old_choices.get(uid)
        if before is None:
            result.choices.append(
                ChoiceDiff(uid, "added", new_text=choice.text, new_correct=choice.is_correct)
            )
            continue
        text = diff_text(before.text, choice.text)
        same = not text.changed and before.is_correct == choice.is_correct
        result.choices.append(
            ChoiceDiff(
                uid,
                "same" if same else "changed",
                old_text=before.text,
                new_text=choice.text,
                old_correct=before.is_correct,
                new_correct=choice.is_correct,
                text=text,
            )
        )
    for uid, choice in old_choices.items():
        if uid not in new_choices:
            result.choices.append(
                ChoiceDiff(uid, "removed", old_text=choice.text, old_correct=choice.is_correct)
            )
    return result
