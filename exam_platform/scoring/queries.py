"""Reads for the scoring screens and exports (a fixed number of queries, whatever the size)."""

from django.db.models import Count, F, Q

from .models import ItemAdjustment, Result, ScoringRun

RESULT_RELATED = ("entry__candidate", "entry__position")


def results_in_order(exam_round):
    """Ranked candidates first by rank, then everyone else by application number."""
    return (
        Result.objects.filter(round=exam_round)
        .select_related(*RESULT_RELATED)
        .order_by(F("rank").asc(nulls_last=True), "entry__application_number", "entry_id")
    )


RESULT_FILTERS = ("passed", "failed", "absent")


def search_results(exam_round, *, text: str = "", outcome: str = "", position_id=None):
    """results_in_order narrowed by a search (national ID with or without dashes, application
    number, exam number, Thai or English name, "first last"), an outcome and a position."""
    results = results_in_order(exam_round)
    text = " ".join((text or "").split())
    if text:
        digits = "".join(ch for ch in text if ch.isdigit())
        query = (
            Q(entry__application_number__icontains=text)
            | Q(entry__exam_number__icontains=text)
            | Q(entry__candidate__first_name_th__icontains=text)
            | Q(entry__candidate__last_name_th__icontains=text)
            | Q(entry__candidate__first_name_en__icontains=text)
            | Q(entry__candidate__last_name_en__icontains=text)
        )
        if len(digits) >= 4 and len(digits) == len(text.replace("-", "").replace(" ", "")):
            query |= Q(entry__candidate__national_id__contains=digits)
        first, _space, last = text.partition(" ")
        if last:
            query |= Q(
                entry__candidate__first_name_th__icontains=first,
                entry__candidate__last_name_th__icontains=last,
            )
        results = results.filter(query)
    if outcome == "passed":
        results = results.filter(passed=True)
    elif outcome == "failed":
        results = results.filter(passed=False).exclude(status=Result.Status.ABSENT)
    elif outcome == "absent":
        results = results.filter(status=Result.Status.ABSENT)
    if position_id:
        results = results.filter(entry__position_id=position_id)
    return results


def status_counts(exam_round) -> dict:
    counts = dict(
        Result.objects.filter(round=exam_round)
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    counts["passed"] = Result.objects.filter(round=exam_round, passed=True).count()
    counts["roster"] = exam_round.sessions.aggregate(n=Count("roster"))["n"]
    return counts


def last_run(exam_round) -> ScoringRun | None:
    return (
        ScoringRun.objects.filter(round=exam_round)
        .select_related("actor")
        .order_by("-started_at", "-id")
        .first()
    )


def adjustments_of(exam_round):
    return (
        ItemAdjustment.objects.filter(round=exam_round)
        .select_related("proposed_by", "applied_by")
        .order_by("id")
    )


def published_list_count(exam_round) -> int:
    """How many rank lists of the round are published (read through the app registry: scoring does
    not import publication, which depends on it)."""
    from django.apps import apps

    if not apps.is_installed("exam_platform.publication"):
        return 0
    version = apps.get_model("publication", "RankListVersion")
    return (
        version.objects.filter(rank_list__round=exam_round, status__in=version.FROZEN_STATUSES)
        .values("rank_list")
        .distinct()
        .count()
    )


def item_type_label(kind: str) -> str:
    from question_bank.models import ItemVersion

    return dict(ItemVersion.ItemType.choices).get(kind, kind)
