"""Reads of blind essay marking: a round's essays and where each stands, a marker's queue, the
officer's overview.

An essay is one essay item presented in one submitted (or terminated) attempt. Markers know it only
by an anonymous code: a keyed SHA-256 (HMAC with the site secret) of the attempt uid and the item
uid, so that nobody without the secret can link a code to an attempt, and the code stays the same for
every marker and officer who talks about it. Names, national IDs, exam and application numbers never
reach a marker's page; neither do other markers' marks.

An essay's marks are counted in the order given, against the round's pass policy (essay_rule.py):
one marker, or two with a third when the first two differ by more than the threshold.

A handful of queries per page whatever the size: the round's attempts (their frozen forms), its essay
marks, its pass policy; the text of one essay when it is shown.
"""

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.utils.crypto import salted_hmac

from exam_platform.delivery.models import Attempt, ExamRound, Response

from .engine import to_cents
from .essay_rule import marks_needed
from .models import EssayMark, EssayMarkerAssignment, PassPolicy
from .pass_rules import PassRules

CODE_LENGTH = 10  # hex digits: 40 bits, so codes do not collide in a round of any realistic size
MARKED_ATTEMPTS = (Attempt.Status.SUBMITTED, Attempt.Status.TERMINATED)

AWAITING_FIRST = "awaiting_first"
AWAITING_SECOND = "awaiting_second"
AWAITING_THIRD = "awaiting_third"
COMPLETE = "complete"


def anonymous_code(attempt_uid, item_uid) -> str:
    digest = salted_hmac("scoring.essay_marking", f"{attempt_uid}:{item_uid}", algorithm="sha256")
    return digest.hexdigest()[:CODE_LENGTH].upper()


@dataclass(frozen=True)
class EssayItem:
    uid: str
    points: Decimal
    stem: str  # sanitised HTML, as frozen in the attempt's form
    label: int  # 1, 2, ... in order of first appearance in the round


@dataclass(frozen=True)
class Essay:
    attempt_id: int
    code: str
    item: EssayItem
    markers: tuple[int, ...]  # marker ids, in the order they marked
    marks: tuple[int, ...]  # hundredths of a point, same order (never shown to markers)
    needed: int

    @property
    def state(self) -> str:
        given = len(self.marks)
        if given >= self.needed:
            return COMPLETE
        return (AWAITING_FIRST, AWAITING_SECOND, AWAITING_THIRD)[given]

    def open_to(self, marker_id: int) -> bool:
        return self.state != COMPLETE and marker_id not in self.markers


def round_essays(exam_round: ExamRound) -> list[Essay]:
    """Every essay of the round with its marks, ordered by item, then by code."""
    rules = PassRules.from_policy(PassPolicy.objects.filter(round=exam_round).first())
    threshold = to_cents(rules.essay_disagreement_threshold)
    given: dict[tuple[int, str], list[tuple[int, int]]] = {}
    for attempt_id, item_uid, marker_id, points in (
        EssayMark.objects.filter(attempt__entry__session__round=exam_round)
        .order_by("id")
        .values_list("attempt_id", "item_uid", "marker_id", "points")
    ):
        given.setdefault((attempt_id, item_uid), []).append((marker_id, to_cents(points)))

    items: dict[str, EssayItem] = {}
    essays = []
    attempts = (
        Attempt.objects.filter(entry__session__round=exam_round, status__in=MARKED_ATTEMPTS)
        .order_by("id")
        .values_list("id", "uid", "form")
    )
    for attempt_id, attempt_uid, form in attempts.iterator(chunk_size=500):
        for section in form.get("sections", []):
            for frozen in section.get("items", []):
                if frozen.get("type") != "essay":
                    continue
                item = items.get(frozen["uid"])
                if item is None:
                    item = items[frozen["uid"]] = EssayItem(
                        uid=frozen["uid"],
                        points=Decimal(str(frozen["points"])),
                        stem=frozen.get("stem", ""),
                        label=len(items) + 1,
                    )
                marks = given.get((attempt_id, item.uid), [])
                cents = [points for _marker, points in marks]
                essays.append(
                    Essay(
                        attempt_id=attempt_id,
                        code=anonymous_code(attempt_uid, item.uid),
                        item=item,
                        markers=tuple(marker for marker, _points in marks),
                        marks=tuple(cents),
                        needed=marks_needed(cents, markers=rules.essay_markers, threshold=threshold),
                    )
                )
    essays.sort(key=lambda essay: (essay.item.label, essay.code))
    return essays


@dataclass(frozen=True)
class MarkerQueue:
    essays: list[Essay]  # still needing this marker's mark: third marks (disagreements) first
    marked_by_you: int


def marker_queue(exam_round: ExamRound, marker) -> MarkerQueue:
    essays = round_essays(exam_round)
    waiting = [essay for essay in essays if essay.open_to(marker.pk)]
    waiting.sort(key=lambda essay: essay.state != AWAITING_THIRD)  # stable: keeps item, code order
    return MarkerQueue(essays=waiting, marked_by_you=sum(1 for essay in essays if marker.pk in essay.markers))


def essay_by_code(exam_round: ExamRound, code: str) -> Essay | None:
    code = code.upper()
    found = [essay for essay in round_essays(exam_round) if essay.code == code]
    return found[0] if len(found) == 1 else None


def essay_text(essay: Essay) -> str:
    answer = (
        Response.objects.filter(attempt_id=essay.attempt_id, item_uid=essay.item.uid)
        .values_list("answer", flat=True)
        .first()
    )
    return str(answer.get("text") or "") if isinstance(answer, dict) else ""


@dataclass(frozen=True)
class MarkerProgress:
    assignment: EssayMarkerAssignment
    marks_given: int


@dataclass(frozen=True)
class EssayOverview:
    total: int
    complete: int
    awaiting_first: int
    awaiting_second: int
    awaiting_third: int
    markers: list[MarkerProgress]
    markers_per_essay: int

    @property
    def percent_complete(self) -> int:
        """Rounded half up (2 of 3 → 67), not truncated; 100 only when every essay is marked."""
        if not self.total:
            return 0
        percent = (self.complete * 200 + self.total) // (self.total * 2)
        return 99 if percent == 100 and self.complete < self.total else percent


def essay_overview(exam_round: ExamRound) -> EssayOverview:
    essays = round_essays(exam_round)
    states = Counter(essay.state for essay in essays)
    given = Counter(marker for essay in essays for marker in essay.markers)
    assignments = (
        EssayMarkerAssignment.objects.filter(round=exam_round).select_related("marker").order_by("id")
    )
    policy = PassPolicy.objects.filter(round=exam_round).values_list("essay_markers", flat=True).first()
    return EssayOverview(
        total=len(essays),
        complete=states[COMPLETE],
        awaiting_first=states[AWAITING_FIRST],
        awaiting_second=states[AWAITING_SECOND],
        awaiting_third=states[AWAITING_THIRD],
        markers=[MarkerProgress(a, given[a.marker_id]) for a in assignments],
        markers_per_essay=policy or 1,
    )


def rounds_for_marker(marker) -> list[tuple[ExamRound, int]]:
    """The rounds `marker` is assigned to, each with the number of essays waiting for their mark."""
    rounds = ExamRound.objects.filter(essay_marker_assignments__marker=marker).order_by("-created_at")
    return [(exam_round, len(marker_queue(exam_round, marker).essays)) for exam_round in rounds]
