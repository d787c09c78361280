"""Reading a round from the database into engine matrices, with digests of everything read.

Candidates are the round's roster entries in id order; columns are the distinct (item uid, item
version, points) triples of their frozen forms, in order of first appearance. Keys come from the
referenced ItemVersion / Choice rows (choice bits in bank order); answers from Response rows; essay
marks from EssayMark rows through the essay rule. A handful of queries for the whole round.
"""

import hashlib
import json
from dataclasses import dataclass

import numpy as np
from django.core.serializers.json import DjangoJSONEncoder

from exam_platform.delivery.models import Response, RosterEntry

from .engine import CHOICE_TYPES, ItemKey, RoundMatrices, choice_mask, parse_number, to_cents
from .essay_rule import final_essay_mark
from .pass_rules import PassRules

ABSENT = "absent"


@dataclass
class RoundInputs:
    entry_ids: list[int]
    application_numbers: list[str]
    exam_numbers: list[str]
    birth_ordinals: np.ndarray  # date of birth as a day number (date.toordinal), for tie-breaks
    position_ids: np.ndarray  # 0 = no position
    states: list[str]  # "absent" or the attempt status
    matrices: RoundMatrices  # with the keys as in the bank (no adjustment)
    section_titles: dict[int, str]
    answers_digest: str


def load_round(exam_round, rules: PassRules) -> RoundInputs:
    rows = list(
        RosterEntry.objects.filter(session__round=exam_round)
        .order_by("id")
        .values_list(
            "id",
            "application_number",
            "position_id",
            "attempt__id",
            "attempt__status",
            "attempt__form",
            "exam_number",
            "candidate__date_of_birth",
        )
    )

    columns: dict[tuple, int] = {}
    columns_of_uid: dict[str, list[int]] = {}
    form_items: list[dict] = []
    placements: list[tuple[int, int, int]] = []  # (row, column, section)
    section_titles: dict[int, str] = {}
    attempt_row: dict[int, int] = {}
    for row, (_id, _app, _pos, attempt_id, _status, form, _exam, _born) in enumerate(rows):
        if attempt_id is None:
            continue
        attempt_row[attempt_id] = row
        for section in form.get("sections", []):
            position = int(section["position"])
            section_titles.setdefault(position, section.get("title", ""))
            for item in section["items"]:
                signature = (item["uid"], int(item["version"]), str(item["points"]))
                column = columns.get(signature)
                if column is None:
                    column = columns[signature] = len(form_items)
                    columns_of_uid.setdefault(item["uid"], []).append(column)
                    form_items.append(item)
                placements.append((row, column, position))

    items = _item_keys(form_items)
    matrices = RoundMatrices.empty(items, len(rows))
    if placements:
        where = np.array(placements, dtype=np.int64)
        matrices.section[where[:, 0], where[:, 1]] = where[:, 2]

    answers_hash = hashlib.sha256()
    texts: dict[int, tuple[list[int], list[str]]] = {}
    responses = (
        Response.objects.filter(attempt_id__in=list(attempt_row))
        .order_by("attempt_id", "item_uid")
        .values_list("attempt_id", "item_uid", "answer")
    )
    for attempt_id, item_uid, answer in responses.iterator(chunk_size=5000):
        answers_hash.update(_canonical([attempt_id, item_uid, answer]))
        row = attempt_row[attempt_id]
        column = _column_for(matrices.section, row, columns_of_uid.get(item_uid, ()))
        if column is None or not isinstance(answer, dict):
            continue
        _place_answer(matrices, texts, row, column, answer)
    matrices.texts = {j: (np.array(r, dtype=np.intp), t) for j, (r, t) in texts.items()}

    _place_essay_marks(matrices, attempt_row, columns_of_uid, rules, answers_hash)
    states = [ABSENT if row[3] is None else row[4] for row in rows]
    return RoundInputs(
        entry_ids=[r[0] for r in rows],
        application_numbers=[r[1] for r in rows],
        exam_numbers=[r[6] or "" for r in rows],
        birth_ordinals=np.array([r[7].toordinal() if r[7] else 0 for r in rows], dtype=np.int64),
        position_ids=np.array([r[2] or 0 for r in rows], dtype=np.int64),
        states=states,
        matrices=matrices,
        section_titles=section_titles,
        answers_digest=answers_hash.hexdigest(),
    )


def _item_keys(form_items: list[dict]) -> list[ItemKey]:
    from question_bank.models import Choice, ItemVersion

    version_ids = {int(item["version"]) for item in form_items}
    specs = dict(ItemVersion.objects.filter(pk__in=version_ids).values_list("id", "answer_spec"))
    choices: dict[int, list[tuple[str, bool]]] = {}
    for version_id, uid, is_correct in (
        Choice.objects.filter(version_id__in=version_ids)
        .order_by("version_id", "position")
        .values_list("version_id", "uid", "is_correct")
    ):
        choices.setdefault(version_id, []).append((str(uid), is_correct))
    keys = []
    for item in form_items:
        version = int(item["version"])
        spec = specs.get(version) or {}
        own = choices.get(version, [])
        uids = tuple(uid for uid, _correct in own)
        kind = item["type"]
        if kind in CHOICE_TYPES and len(uids) > 8:
            raise ValueError(f"item {item['uid']} has more than 8 choices")
        keys.append(
            ItemKey(
                uid=item["uid"],
                version=version,
                type=kind,
                points=to_cents(item["points"]),
                choices=uids,
                key_mask=choice_mask(uids, [uid for uid, correct in own if correct]) or 0,
                partial_credit=spec.get("partial_credit", "all_or_nothing"),
                value=parse_number(spec.get("value")) if kind == "numeric" else None,
                tolerance=(parse_number(spec.get("tolerance") or "0") or 0) if kind == "numeric" else 0,
                accepted=tuple(spec.get("accepted", [])) if kind == "short" else (),
                case_sensitive=bool(spec.get("case_sensitive", False)),
            )
        )
    return keys


def _column_for(section: np.ndarray, row: int, candidates) -> int | None:
    for column in candidates:
        if section[row, column] > 0:
            return column
    return None


def _place_answer(matrices: RoundMatrices, texts: dict, row: int, column: int, answer: dict) -> None:
    item = matrices.items[column]
    if item.type in CHOICE_TYPES:
        chosen = [answer["choice"]] if answer.get("choice") else answer.get("choices") or []
        mask = choice_mask(item.choices, [str(uid) for uid in chosen])
        matrices.picked[row, column] = mask or 0
    elif item.type == "numeric":
        number = parse_number(answer.get("value"))
        if number is not None:
            matrices.numbers[row, column] = number
    elif item.type == "short":
        rows, values = texts.setdefault(column, ([], []))
        rows.append(row)
        values.append(str(answer.get("text") or ""))


def _place_essay_marks(matrices, attempt_row, columns_of_uid, rules: PassRules, digest) -> None:
    from .models import EssayMark

    marks: dict[tuple[int, str], list[int]] = {}
    for attempt_id, item_uid, points in (
        EssayMark.objects.filter(attempt_id__in=list(attempt_row))
        .order_by("attempt_id", "item_uid", "id")
        .values_list("attempt_id", "item_uid", "points")
    ):
        digest.update(_canonical(["essay", attempt_id, item_uid, str(points)]))
        marks.setdefault((attempt_id, item_uid), []).append(to_cents(points))
    threshold = to_cents(rules.essay_disagreement_threshold)
    for (attempt_id, item_uid), given in marks.items():
        row = attempt_row[attempt_id]
        column = _column_for(matrices.section, row, columns_of_uid.get(item_uid, ()))
        final = final_essay_mark(given, markers=rules.essay_markers, threshold=threshold)
        if column is not None and final is not None:
            matrices.essays[row, column] = final


def _canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder).encode() + b"\n"


def digest_of(value) -> str:
    return hashlib.sha256(_canonical(value)).hexdigest()
