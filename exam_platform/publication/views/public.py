"""Public pages (no login): published lists, one version with its files and diff, verification of a
file or a score slip. Only published and superseded versions are reachable here."""

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from exam_platform.common.thai_collation import normalise_thai

from .. import access
from ..forms import SlipCodeForm, VerifyFileForm
from ..models import PublishedFile, RankListVersion
from ..queries import PUBLIC, published_lists
from ..signing import platform_key
from ..slip import read_slip_token
from ..snapshot import diff_payloads
from ..verification import check_version, match_file

ROWS_PER_PAGE = 100


def lists_index(request):
    return render(request, "publication/public/lists.html", {"lists": published_lists()})


def _matches(row: dict, query: str) -> bool:
    return query in normalise_thai(row["name"]).casefold() or query in row["exam_number"].casefold()


def version_page(request, list_id: int, number: int):
    version = access.get_public_version(list_id, number)
    query = normalise_thai(request.GET.get("q", "")).casefold()
    rows = [row for row in version.rows if _matches(row, query)] if query else version.rows
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    siblings = list(
        RankListVersion.objects.filter(rank_list_id=list_id, status__in=PUBLIC)
        .defer("payload")
        .order_by("-number")
    )
    previous = version.previous if version.previous_id and version.previous.is_public else None
    context = {
        "version": version,
        "rank_list": version.rank_list,
        "meta": version.payload["list"],
        "page": page,
        "query": request.GET.get("q", ""),
        "row_count": len(version.rows),
        "files": version.files.defer("content"),
        "check": check_version(version),
        "siblings": siblings,
        "previous": previous,
        "diff": diff_payloads(previous.payload, version.payload) if previous else None,
        "current": next((v for v in siblings if v.status == RankListVersion.Status.PUBLISHED), None),
    }
    return render(request, "publication/public/version.html", context)


def version_file(request, list_id: int, number: int, kind: str):
    version = access.get_public_version(list_id, number)
    try:
        published = version.files.get(kind=kind)
    except PublishedFile.DoesNotExist:
        raise Http404 from None
    response = HttpResponse(bytes(published.content), content_type=published.content_type)
    response["Content-Disposition"] = f'attachment; filename="{published.filename}"'
    response["X-Content-SHA256"] = published.sha256
    response["Cache-Control"] = "public, max-age=86400, immutable"
    return response


@require_http_methods(["GET", "POST"])
def verify(request):
    file_form, code_form = VerifyFileForm(), SlipCodeForm()
    matches = None
    uploaded_digest = ""
    if request.method == "POST" and "code" in request.POST:
        code_form = SlipCodeForm(request.POST)
        if code_form.is_valid():
            return redirect("publication:verify_slip", token=code_form.cleaned_data["code"])
    elif request.method == "POST":
        file_form = VerifyFileForm(request.POST, request.FILES)
        if file_form.is_valid():
            import hashlib

            content = file_form.cleaned_data["file"].read()
            uploaded_digest = hashlib.sha256(content).hexdigest()
            matches = [(f, check_version(f.version)) for f in match_file(content)]
    key = platform_key()
    context = {
        "file_form": file_form,
        "code_form": code_form,
        "matches": matches,
        "uploaded_digest": uploaded_digest,
        "public_key": key.public_b64,
        "fingerprint": key.fingerprint,
        "key_id": key.key_id,
    }
    return render(request, "publication/public/verify.html", context)


def verify_slip(request, token: str):
    check = read_slip_token(token)
    version = None
    if check.valid and check.fields.get("l"):
        list_id, _sep, number = check.fields["l"].partition("/v")
        if list_id.isdigit() and number.isdigit():
            version = (
                RankListVersion.objects.filter(
                    rank_list_id=int(list_id), number=int(number), status__in=PUBLIC
                )
                .select_related("rank_list")
                .defer("payload")
                .first()
            )
    response = render(
        request,
        "publication/public/slip.html",
        {"check": check, "fields": check.fields, "version": version, "key_id": platform_key().key_id},
    )
    if not check.valid:
        response.status_code = 400
    return response
