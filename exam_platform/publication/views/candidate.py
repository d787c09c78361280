"""The candidate's own results (released once a list of the round is published) and score slips."""

from django.http import HttpResponse
from django.shortcuts import render

from exam_platform.accounts.access import get_own_candidate

from .. import access
from ..queries import results_released, standing_of
from ..slip import slip_pdf


def results(request):
    candidate = get_own_candidate(request.user)
    from exam_platform.scoring.models import Result

    rows = []
    for result in (
        Result.objects.filter(entry__candidate=candidate)
        .select_related("round", "entry__position", "entry__session")
        .order_by("-round__created_at")
    ):
        released = results_released(result.round_id)
        rows.append(
            {
                "result": result,
                "released": released,
                "standing": standing_of(result.entry) if released else None,
            }
        )
    return render(request, "publication/candidate/results.html", {"candidate": candidate, "rows": rows})


def slip(request, entry_id: int):
    result = access.get_own_result(request.user, entry_id)
    standing = standing_of(result.entry)
    content = slip_pdf(
        result,
        rank=standing.row["rank"] if standing else None,
        list_ref=standing.list_ref if standing else "",
        list_title=f"{standing.version.rank_list.title} (ฉบับที่ {standing.version.number})" if standing else "",
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="score-slip-{result.entry.exam_number or entry_id}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response
