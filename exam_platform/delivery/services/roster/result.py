"""What an import reports (RosterImportResult, RowMessage) and the row it checks (ParsedRow)."""

import datetime as dt
from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class RowMessage:
    row: int  # spreadsheet row number; 1 is the header row (0: the file as a whole)
    message: str

    def __str__(self) -> str:
        return _("แถวที่ %(row)d (row %(row)d): %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class RosterImportResult:
    rows: int = 0
    created_entries: int = 0
    new_candidates: int = 0
    reused_candidates: int = 0
    activation_codes: int = 0
    errors: list[RowMessage] = field(default_factory=list)
    warnings: list[RowMessage] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        """JSON for Job.result (a background import); from_dict reads it back for the result page."""
        return {**asdict(self), "ok": self.ok}

    @classmethod
    def from_dict(cls, data: dict) -> "RosterImportResult":
        counts = {
            name: int(data.get(name) or 0)
            for name in ("rows", "created_entries", "new_candidates", "reused_candidates", "activation_codes")
        }
        return cls(
            **counts,
            errors=[RowMessage(int(m["row"]), str(m["message"])) for m in data.get("errors") or []],
            warnings=[RowMessage(int(m["row"]), str(m["message"])) for m in data.get("warnings") or []],
        )


@dataclass
class ParsedRow:
    number: int
    values: dict
    national_id: str = ""
    date_of_birth: dt.date | None = None
    title: str = ""
    position: object = None
    accommodations: dict = field(default_factory=dict)
