"""The frozen payload of a rank-list version (format in models.py), read from the scoring results, and
the diff between two payloads.

Rows: the round's passed and ranked results (of the list's position, if it has one), in rank order,
then by application number in natural order (A9 before A10). National IDs are masked before they
enter the payload: the full number is never published, signed or stored in a public file.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from exam_platform.common.national_id import mask_national_id

PAYLOAD_FORMAT = 1
_DIGITS = re.compile(r"(\d+)")
_THAI_CONSONANT = re.compile("[\u0e01-\u0e2e]")


class SnapshotError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def natural_key(value: str) -> list:
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in _DIGITS.split(value or "")]


def mask_name(title: str, first_name: str, last_name: str) -> str:
    """'นายสมชาย ใ.' style: the first name and the first letter of the surname (through its first
    consonant, so a leading vowel is not left alone: เกศินี → เก.)."""
    last = last_name or ""
    match = _THAI_CONSONANT.search(last)
    initial = last[: match.end()] if match and match.start() <= 1 else last[:1]
    return f"{title}{first_name} {initial}.".strip()


def iso_utc(moment) -> str:
    from datetime import UTC

    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _decimal_text(value) -> str | None:
    return None if value is None else f"{value:.2f}"


def _section_rows(section_scores) -> list[dict]:
    return [
        {
            "section": s.get("section"),
            "title": s.get("title", ""),
            "score": str(s.get("score", "")),
            "max": str(s.get("max", "")),
        }
        for s in section_scores or []
    ]


def current_rows(exam_round, position=None) -> tuple[list[dict], object]:
    """(payload rows, the scoring run they come from) for the round's current results."""
    from exam_platform.scoring.models import Result, ScoringRun

    run = ScoringRun.objects.filter(round=exam_round).order_by("-started_at", "-id").first()
    if run is None:
        raise SnapshotError(_("รอบการสอบนี้ยังไม่มีผลคะแนน (This round has not been scored yet)."))
    pending = Result.objects.filter(
        round=exam_round, status__in=[Result.Status.PENDING_MANUAL, Result.Status.IN_PROGRESS]
    )
    if position is not None:
        pending = pending.filter(entry__position=position)
    if pending.exists():
        raise SnapshotError(
            _("ยังมีผลคะแนนที่ตรวจไม่เสร็จ (Some results are still pending: essays or unfinished attempts).")
        )
    results = Result.objects.filter(round=exam_round, passed=True, rank__isnull=False).select_related(
        "entry__candidate"
    )
    if position is not None:
        results = results.filter(entry__position=position)
    rows = []
    for result in results:
        entry, candidate = result.entry, result.entry.candidate
        rows.append(
            {
                "rank": result.rank,
                "exam_number": entry.exam_number,
                "application_number": entry.application_number,
                "national_id": mask_national_id(candidate.national_id),
                "name": candidate.full_name_th,
                "total": _decimal_text(result.total),
                "max_total": _decimal_text(result.max_total),
                "sections": _section_rows(result.section_scores),
                "passed": bool(result.passed),
                "rank_decided_by": result.rank_decided_by,
            }
        )
    rows.sort(key=lambda row: (row["rank"], natural_key(row["application_number"])))
    return rows, run


def build_payload(rank_list, *, number: int, previous_number, change_note: str, prepared_at) -> dict:
    exam_round, position = rank_list.round, rank_list.position
    rows, run = current_rows(exam_round, position)
    return {
        "format": PAYLOAD_FORMAT,
        "list": {
            "id": rank_list.pk,
            "title": rank_list.title,
            "announcement_number": rank_list.announcement_number,
            "version": number,
            "previous_version": previous_number,
            "change_note": change_note,
            "round": {
                "code": exam_round.code,
                "title": exam_round.title,
                "announcement_number": exam_round.announcement_number,
            },
            "position": {"code": position.code, "title": position.title} if position else None,
        },
        "scoring_run": {
            "id": run.pk,
            "results_digest": run.results_digest,
            "inputs_digest": run.inputs_digest,
            "keys_digest": run.keys_digest,
            "policy_version": run.policy_version,
        },
        "prepared_at": iso_utc(prepared_at),
        "rows": rows,
    }


@dataclass(frozen=True)
class RowChange:
    kind: str  # "added" | "removed" | "changed"
    application_number: str
    exam_number: str
    name: str
    old: dict | None
    new: dict | None
    fields: tuple[str, ...] = ()  # for "changed": which of rank, total, passed


DIFF_FIELDS = ("rank", "total", "passed")


def diff_payloads(old: dict, new: dict) -> list[RowChange]:
    """Rows added, removed, or changed in rank, total or pass, keyed by application number; in the new
    list's order, removed rows last."""
    before = {row["application_number"]: row for row in old.get("rows", [])}
    after = {row["application_number"]: row for row in new.get("rows", [])}
    changes = []
    for key, row in after.items():
        if key not in before:
            changes.append(RowChange("added", key, row["exam_number"], row["name"], None, row))
            continue
        fields = tuple(name for name in DIFF_FIELDS if before[key].get(name) != row.get(name))
        if fields:
            changes.append(
                RowChange("changed", key, row["exam_number"], row["name"], before[key], row, fields)
            )
    for key, row in before.items():
        if key not in after:
            changes.append(RowChange("removed", key, row["exam_number"], row["name"], row, None))
    return changes
