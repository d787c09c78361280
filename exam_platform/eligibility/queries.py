"""Reads for the eligibility screens."""

from django.db.models import Count, Q

from .models import Call, EligibilityList


def calls_of(elist: EligibilityList):
    """The list's calls in the order they were made (rank order within one batch)."""
    return (
        Call.objects.filter(eligibility_list=elist)
        .select_related("reporting_in", "replaces", "use_request")
        .annotate(document_count=Count("reporting_in__documents"))
        .order_by("called_at", "list_order", "id")
    )


def remaining_count(elist: EligibilityList) -> int:
    """How many passed rows of the list in force have not been called yet."""
    version = elist.current_version()
    if version is None:
        return 0
    called = set(elist.calls.values_list("application_number", "exam_number"))
    return sum(
        1
        for row in version.rows
        if row.get("passed", True) and (row["application_number"], row["exam_number"]) not in called
    )


def lists_overview():
    return (
        EligibilityList.objects.select_related("rank_list__round", "rank_list__position")
        .annotate(
            call_count=Count("calls"),
            appointed_count=Count("calls", filter=Q(calls__outcome=Call.Outcome.APPOINTED)),
            pending_count=Count("calls", filter=Q(calls__outcome=Call.Outcome.PENDING)),
        )
        .order_by("-valid_from", "-id")
    )
