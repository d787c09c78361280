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


# --- officers' reporting-in page ---------------------------------------------------------------

DOCUMENTS_TO_CHECK = "to_check"  # at least one uploaded document not checked yet
DOCUMENTS_ALL_CHECKED = "all_checked"  # documents uploaded and every one checked
DOCUMENTS_NONE = "none"  # nothing uploaded yet


def reporting_calls(elist: EligibilityList, *, q: str = "", outcome: str = "", documents: str = ""):
    """The list's calls for the reporting-in page, each annotated with `document_count` and
    `unchecked_count`; the page's documents come from one prefetch (with who checked them)."""
    from django.db.models import Prefetch

    from .models import ReportingDocument

    calls = Call.objects.filter(eligibility_list=elist)
    for word in q.split():
        calls = calls.filter(
            Q(name__icontains=word) | Q(exam_number__icontains=word) | Q(application_number__icontains=word)
        )
    if outcome:
        calls = calls.filter(outcome=outcome)
    calls = calls.annotate(
        document_count=Count("reporting_in__documents", distinct=True),
        unchecked_count=Count(
            "reporting_in__documents",
            filter=Q(reporting_in__documents__checked_at__isnull=True),
            distinct=True,
        ),
    )
    if documents == DOCUMENTS_TO_CHECK:
        calls = calls.filter(unchecked_count__gt=0)
    elif documents == DOCUMENTS_ALL_CHECKED:
        calls = calls.filter(document_count__gt=0, unchecked_count=0)
    elif documents == DOCUMENTS_NONE:
        calls = calls.filter(document_count=0)
    return (
        calls.select_related("reporting_in")
        .prefetch_related(
            Prefetch(
                "reporting_in__documents",
                queryset=ReportingDocument.objects.select_related("checked_by").order_by("doc_type"),
            )
        )
        .order_by("list_order", "id")
    )


def unchecked_document_ids(calls) -> list[int]:
    """Ids of the not-yet-checked documents of every call in `calls` (all pages)."""
    from .models import ReportingDocument

    return list(
        ReportingDocument.objects.filter(
            reporting_in__call__in=calls.order_by().values("pk"), checked_at__isnull=True
        ).values_list("pk", flat=True)
    )
