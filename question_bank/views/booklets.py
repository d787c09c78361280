"""Booklet and answer-key PDFs of a locked paper's form (?form=N, default 1).

Reviewers and owners may download the booklet, only owners the answer key (question_bank.access);
non-members get 404. Every download is watermarked with the downloader and audited by the service.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from question_bank import access


def _form_number(request) -> int | None:
    raw = request.GET.get("form", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 1000 else None


def _pdf_response(request, paper_id: int, roles, download):
    from question_bank.pdf.forms import FormUnavailable

    paper = access.get_paper_for(request.user, paper_id, roles)
    number = _form_number(request)
    if number is None:
        return _bad_request(_("หมายเลขชุดไม่ถูกต้อง (Invalid form number.)"))
    try:
        pdf = download(paper, form_number=number, user=request.user, request=request)
    except FormUnavailable as error:
        if error.missing:
            raise Http404(str(error)) from None
        return _bad_request(str(error))
    response = HttpResponse(pdf.content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf.filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _bad_request(message: str) -> HttpResponseBadRequest:
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


@login_required
@require_GET
def booklet_pdf(request, paper_id: int):
    from question_bank.pdf.downloads import download_booklet

    return _pdf_response(request, paper_id, access.BOOKLET_READERS, download_booklet)


@login_required
@require_GET
def answer_key_pdf(request, paper_id: int):
    from question_bank.pdf.downloads import download_answer_key

    return _pdf_response(request, paper_id, access.ANSWER_KEY_READERS, download_answer_key)
