"""Downloading a booklet or an answer key: render the watermarked copy, then audit who got which bytes.

The caller has already checked the role (question_bank.access: BOOKLET_READERS, ANSWER_KEY_READERS).
The audit entry records the form and the SHA-256 of the exact bytes handed out, so a leaked file can be
matched to its download even if the watermark were cropped.
"""

import hashlib
from dataclasses import dataclass

from django.db import transaction

from exam_platform.common.audit import record_audit
from question_bank.models import Paper

from .forms import load_printed_form
from .page import Downloader


@dataclass(frozen=True)
class PdfDownload:
    filename: str
    content: bytes
    sha256: str


def download_booklet(paper: Paper, *, form_number: int, user, request=None) -> PdfDownload:
    from .booklet import render_booklet

    return _download(paper, form_number, user, request, render_booklet, "booklet", "paper.booklet_downloaded")


def download_answer_key(paper: Paper, *, form_number: int, user, request=None) -> PdfDownload:
    from .answer_key import render_answer_key

    return _download(
        paper, form_number, user, request, render_answer_key, "answer-key", "paper.answer_key_downloaded"
    )


def _download(paper, form_number, user, request, render, kind: str, action: str) -> PdfDownload:
    form = load_printed_form(
        paper, form_number
    )  # FormUnavailable for drafts, per-candidate papers, bad numbers
    content = render(form, Downloader.of(user))
    digest = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        record_audit(
            action, actor=user, request=request, obj=paper, after={"form": form_number, "sha256": digest}
        )
    filename = f"{paper.code}-v{paper.version}-form{form_number}-{kind}.pdf"
    return PdfDownload(filename=filename, content=content, sha256=digest)
