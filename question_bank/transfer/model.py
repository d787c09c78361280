"""What every format parser produces: items as read from a file, each with where it came from.

A parser never touches the database. It turns bytes into `ParsedItem`s (plain values: category
references are the codes or names written in the file) and `TransferError`s, each carrying a
`Position` (line for text formats, row for CSV/Excel, file + line for XML). The importer resolves
categories, validates and writes.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Position:
    """Where an item (or a problem) is in the source file. kind: "line" | "row" | "item"."""

    kind: str
    number: int
    file: str = ""  # a member of a package (QTI), else ""

    def label(self) -> str:
        if self.kind == "row":
            text = _("แถว %(n)s (row %(n)s)") % {"n": self.number}
        elif self.kind == "line":
            text = _("บรรทัด %(n)s (line %(n)s)") % {"n": self.number}
        else:
            text = _("ข้อที่ %(n)s (item %(n)s)") % {"n": self.number}
        return f"{self.file}: {text}" if self.file else text

    def __str__(self) -> str:
        return self.label()


@dataclass
class TransferError:
    position: Position | None
    message: str

    def __str__(self) -> str:
        return f"{self.position.label()}: {self.message}" if self.position else self.message

    def as_dict(self) -> dict:
        return {"where": self.position.label() if self.position else "", "message": self.message}


class TransferFileError(ValueError):
    """The file as a whole cannot be read (encoding, not a zip, malformed XML...)."""

    def __init__(self, message: str, position: Position | None = None):
        super().__init__(message)
        self.error = TransferError(position, message)


@dataclass
class ParsedChoice:
    text: str  # HTML
    is_correct: bool


@dataclass
class ParsedItem:
    """One item as the file states it. `subject`/`topic` are codes or names (resolved later)."""

    position: Position
    item_type: str
    stem: str  # HTML
    choices: list[ParsedChoice] = field(default_factory=list)
    answer_spec: dict = field(default_factory=dict)
    points: str | None = None  # None: the format does not carry it (default 1)
    difficulty: str | None = None  # None: not carried (default medium)
    explanation: str = ""
    language: str | None = None
    tags: list[str] = field(default_factory=list)
    subject: str = ""
    topic: str = ""
    subject_name: str = ""  # used only when a missing category is created
    topic_name: str = ""
    identifier: str = ""  # the item's uid when exported (QTI identifiers)


@dataclass
class ParseResult:
    items: list[ParsedItem] = field(default_factory=list)
    errors: list[TransferError] = field(default_factory=list)

    def error(self, position: Position | None, message: str) -> None:
        self.errors.append(TransferError(position, message))


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) only; anything else is refused with the line that broke it."""
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise TransferFileError(
            _(
                "ไฟล์ไม่ได้เข้ารหัสแบบ UTF-8 กรุณาบันทึกไฟล์เป็น UTF-8 "
                "(The file is not UTF-8 encoded; save it as UTF-8, e.g. not TIS-620 or Windows-874)."
            ),
            Position("line", line),
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def html_escape_text(text: str) -> str:
    """Plain text from a file → the HTML our stems hold (line breaks kept)."""
    import html

    return html.escape(text, quote=False).replace("\n", "<br>")
