"""The candidate's exam: the waiting room, start, the exam page, HTTP save fallback and state,
submit, receipt.

The room and the attempt page are the SAME shell (delivery/exam/page.html): no question is rendered
on the server; exam.js builds them from the form, which the attempt page embeds in its
`exam-config` JSON and the room receives over the socket ws/exam/<entry>/ when the server starts
the attempt (protocol: delivery/consumers.py). Every view loads the attempt through
delivery.attempt_access (a candidate reaches only their own attempt; anything else is a 404). The
save endpoint is the WebSocket's fallback (DESIGN §3.4): same validation, same durable writer, same
ack/nack messages, CSRF-protected.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import json_script
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from exam_platform.common.audit import client_ip
from exam_platform.common.choice_labels import choice_labels

from ..access import get_own_entry
from ..answers import FormIndex, Refusal, ack_message, nack_message, parse_save, write_saves
from ..attempt_access import attempt_responses, attempt_urls, candidate_form, get_own_attempt, last_seq
from ..models import Attempt
from ..services.attempts import AttemptError, receipt_document, start_attempt, submit_attempt

MAX_SAVES_PER_REQUEST = 500
MAX_BODY_BYTES = 2_000_000
UI_FLAGS = ("large_text", "high_contrast", "screen_reader")


def _iso(value) -> str:
    return value.isoformat(timespec="milliseconds")


def _numbered_items(form: dict) -> list[dict]:
    """The form's items in order with their running number (1, 2, ... across sections)."""
    number = 0
    items = []
    for section in form["sections"]:
        for item in section["items"]:
            number += 1
            items.append({**item, "number": number, "section": section["position"]})
    return items


class _UnicodeJSONEncoder(DjangoJSONEncoder):
    """Thai as UTF-8 in the embedded config, not \\uXXXX escapes (half the bytes of a paper)."""

    def __init__(self, *args, **kwargs):
        kwargs["ensure_ascii"] = False
        super().__init__(*args, **kwargs)


def _page_texts() -> dict[str, str]:
    """Everything exam.js shows, translated here (the script has no catalog of its own)."""
    return {
        "saved": _("บันทึกแล้ว"),
        "saving": _("กำลังบันทึก…"),
        "offline": _("ออฟไลน์ — คำตอบยังอยู่ในเครื่องนี้"),
        "warn10": _("เหลือเวลาอีก 10 นาที"),
        "warn1": _("เหลือเวลาอีก 1 นาที"),
        "timeup": _("หมดเวลาสอบ ระบบกำลังส่งคำตอบของท่าน"),
        "answered": _("ตอบแล้ว"),
        "unanswered": _("ยังไม่ได้ตอบ"),
        "flagged": _("ทำเครื่องหมายไว้ทบทวน"),
        "item": _("ข้อ"),
        "show_all": _("แสดงทุกข้อ"),
        "show_one": _("แสดงทีละข้อ"),
        "not_number": _("กรุณากรอกเป็นตัวเลข เช่น 12 หรือ 3.5 (Enter a number, e.g. 12 or 3.5)."),
        "unsent": _(
            "ยังมีคำตอบที่ยังไม่ถึงเซิร์ฟเวอร์ โปรดรอให้ขึ้นว่า “บันทึกแล้ว” ก่อนส่ง "
            "(Some answers have not reached the server yet: wait for “saved”)."
        ),
        "forbidden": _("ไม่สามารถเชื่อมต่อการสอบนี้ได้ (This exam cannot be opened)."),
        "logged_out": _("ออกจากระบบแล้ว โปรดเข้าสู่ระบบอีกครั้ง คำตอบยังอยู่ในเครื่องนี้"),
        # the questions, built by exam.js (the same words the server-rendered page had)
        "multiple_hint": _("เลือกได้มากกว่าหนึ่งคำตอบ"),
        "numeric_label": _("คำตอบ (ตัวเลข)"),
        "answer_label": _("คำตอบ"),
        "max_words": _("ไม่เกิน %(n)s คำ"),
        "flag": _("ทำเครื่องหมายไว้ทบทวน"),
        "prev": _("‹ ข้อก่อนหน้า"),
        "next": _("ข้อถัดไป ›"),
        # the waiting room
        "starting": _("กำลังเริ่มการสอบ…"),
    }


def _body_classes(entry) -> str:
    """Roster accommodations as body classes (the candidate's own toggles override them in exam.js)."""
    accommodations = entry.accommodations or {}
    return " ".join(
        css
        for key, css in (("large_text", "large-text"), ("high_contrast", "high-contrast"))
        if accommodations.get(key)
    )


def _shell(request, entry, config: dict, *, attempt: Attempt | None = None):
    """The exam page shell: header, clock, tools, empty navigator and questions, waiting panel."""
    config = {
        **config,
        "entry": entry.pk,
        "ws_path": f"/ws/exam/{entry.pk}/",
        "login_url": reverse("accounts:login"),
        "texts": _page_texts(),
        "choice_labels": list(choice_labels("th")),
    }
    context = {
        "attempt": attempt,
        "session": entry.session,
        "entry": entry,
        "waiting": attempt is None,
        "config_script": json_script(config, "exam-config", encoder=_UnicodeJSONEncoder),
        "body_classes": _body_classes(entry),
    }
    return render(request, "delivery/exam/page.html", context)


@login_required
@require_GET
@never_cache
def room(request, entry_id: int):
    """The exam room: the shell in waiting mode until the server starts the attempt over the socket.

    Hit by every candidate in the minute before the start, so it only reads the entry (and its
    attempt, if any): no form, no item."""
    entry = get_own_entry(request.user, entry_id)
    attempt = getattr(entry, "attempt", None)
    if attempt is not None:
        if attempt.status == Attempt.Status.IN_PROGRESS:
            return redirect("delivery:attempt_page", attempt.uid)
        return redirect("delivery:attempt_receipt", attempt.uid)
    if entry.checked_in_at is None:
        messages.warning(request, _("ต้องยืนยันตัวตนและเช็กอินก่อนเริ่มสอบ (Check in before starting the exam)."))
        return redirect("delivery:candidate_check_in", entry.pk)
    session = entry.session
    now = timezone.now()
    if now > session.late_entry_until:
        error = AttemptError("closed", _("เลยเวลาที่อนุญาตให้เข้าสอบแล้ว (The late-entry time has passed)."))
        return render(request, "delivery/exam/not_started.html", {"entry": entry, "error": error}, status=409)
    config = {
        "mode": "waiting",
        "server_time": _iso(now),
        "opens_at": _iso(session.opens_at),
        "late_entry_until": _iso(session.late_entry_until),
        "start_url": reverse("delivery:attempt_start", args=[entry.pk]),
    }
    return _shell(request, entry, config)


@login_required
@require_POST
def start(request, entry_id: int):
    """Start (or resume) the attempt of the candidate's roster entry, then open the exam page.

    The HTTP fallback of the room (whose socket normally receives the started attempt)."""
    entry = get_own_entry(request.user, entry_id)
    try:
        attempt = start_attempt(entry, request=request)
    except AttemptError as exc:
        return render(request, "delivery/exam/not_started.html", {"entry": entry, "error": exc}, status=409)
    return redirect("delivery:attempt_page", attempt.uid)


@login_required
@require_GET
@never_cache
def page(request, attempt_uid):
    """The attempt page: the shell with the candidate's form and stored answers in its config."""
    attempt = get_own_attempt(request.user, attempt_uid)
    if attempt.status != Attempt.Status.IN_PROGRESS:
        return redirect("delivery:attempt_receipt", attempt.uid)
    config = {
        "mode": "attempt",
        "attempt": str(attempt.uid),
        "urls": attempt_urls(attempt.uid),
        "server_time": _iso(timezone.now()),
        "deadline": _iso(attempt.deadline),
        "last_seq": last_seq(attempt.pk),
        "form": candidate_form(attempt.form),
        "responses": attempt_responses(attempt.pk),
    }
    return _shell(request, attempt.entry, config, attempt=attempt)


@login_required
@require_GET
@never_cache
def state(request, attempt_uid):
    """The attempt's stored answers (resume on another device, or after a reload)."""
    attempt = get_own_attempt(request.user, attempt_uid)
    return JsonResponse(
        {
            "attempt": str(attempt.uid),
            "status": attempt.status,
            "server_time": _iso(timezone.now()),
            "deadline": _iso(attempt.deadline),
            "last_seq": last_seq(attempt.pk),
            "responses": attempt_responses(attempt.pk),
            "receipt_url": reverse("delivery:attempt_receipt", args=[attempt.uid]),
        }
    )


@login_required
@require_POST
def save(request, attempt_uid):
    """POST a JSON list of save messages → {"results": [ack/nack per message, in order]}.

    Everything valid is written in one transaction; results are sent only after the commit."""
    attempt = get_own_attempt(request.user, attempt_uid)
    if len(request.body) > MAX_BODY_BYTES:
        return HttpResponseBadRequest(_("คำขอใหญ่เกินไป (Request too large)."))
    try:
        messages = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return HttpResponseBadRequest(_("ข้อมูลไม่ใช่ JSON (The body is not JSON)."))
    if not isinstance(messages, list) or len(messages) > MAX_SAVES_PER_REQUEST:
        return HttpResponseBadRequest(
            _("ต้องเป็นรายการคำตอบไม่เกิน %(n)d รายการ (Send a list of at most %(n)d saves).")
            % {"n": MAX_SAVES_PER_REQUEST}
        )
    index = FormIndex(attempt.form)
    ip = client_ip(request)
    parsed = [parse_save(index, m, attempt_id=attempt.pk, channel="http", ip_address=ip) for m in messages]
    saves = [p for p in parsed if not isinstance(p, Refusal)]
    codes = iter(write_saves(saves))
    results = []
    for p in parsed:
        if isinstance(p, Refusal):
            results.append(nack_message(p.seq, p.code))
        else:
            code = next(codes)
            results.append(ack_message(p.seq) if code is None else nack_message(p.seq, code))
    return JsonResponse({"results": results, "server_time": _iso(timezone.now())})


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def submit(request, attempt_uid):
    """GET: the submit page (unanswered and flagged items listed). POST: submit, then the receipt."""
    attempt = get_own_attempt(request.user, attempt_uid)
    if attempt.status != Attempt.Status.IN_PROGRESS:
        return redirect("delivery:attempt_receipt", attempt.uid)
    if request.method == "POST":
        submit_attempt(attempt, reason=Attempt.SubmitReason.CANDIDATE, actor=request.user, request=request)
        return redirect("delivery:attempt_receipt", attempt.uid)
    responses = attempt_responses(attempt.pk)
    items = _numbered_items(attempt.form)
    unanswered = [i for i in items if (responses.get(i["uid"]) or {}).get("answer") is None]
    flagged = [i for i in items if (responses.get(i["uid"]) or {}).get("flagged")]
    return render(
        request,
        "delivery/exam/submit.html",
        {
            "attempt": attempt,
            "session": attempt.entry.session,
            "items": items,
            "unanswered": unanswered,
            "flagged": flagged,
            "answered_count": len(items) - len(unanswered),
        },
    )


@login_required
@require_GET
def receipt(request, attempt_uid):
    attempt = get_own_attempt(request.user, attempt_uid)
    if attempt.status == Attempt.Status.IN_PROGRESS:
        return redirect("delivery:attempt_page", attempt.uid)
    items = _numbered_items(attempt.form)
    answered = sum(1 for r in attempt_responses(attempt.pk).values() if r["answer"] is not None)
    return render(
        request,
        "delivery/exam/receipt.html",
        {
            "attempt": attempt,
            "session": attempt.entry.session,
            "entry": attempt.entry,
            "item_count": len(items),
            "answered_count": answered,
        },
    )


@login_required
@require_GET
def receipt_download(request, attempt_uid):
    """The receipt as a UTF-8 text file: the digest and the canonical JSON it was taken over."""
    attempt = get_own_attempt(request.user, attempt_uid)
    if attempt.status == Attempt.Status.IN_PROGRESS:
        return redirect("delivery:attempt_page", attempt.uid)
    answers = {uid: r["answer"] for uid, r in attempt_responses(attempt.pk).items()}
    document = receipt_document(attempt.uid, answers).decode()
    entry = attempt.entry
    lines = [
        _("ใบรับการส่งคำตอบ (Exam submission receipt)"),
        f"{_('การสอบ')}: {entry.session.title}",
        f"{_('เลขประจำตัวสอบ')}: {entry.exam_number or entry.application_number}",
        f"{_('รหัสการเข้าสอบ')}: {attempt.uid}",
        f"{_('ส่งเมื่อ')}: {timezone.localtime(attempt.submitted_at).strftime('%Y-%m-%d %H:%M:%S %z')}",
        f"{_('วิธีส่ง')}: {attempt.get_submit_reason_display()}",
        f"SHA-256: {attempt.receipt_digest}",
        "",
        _("ค่า SHA-256 ข้างต้นคำนวณจากข้อความ JSON บรรทัดถัดไป (UTF-8) ตรวจสอบได้ด้วย sha256sum"),
        _("(The SHA-256 above is the digest of the UTF-8 JSON on the next line.)"),
        document,
        "",
    ]
    response = HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="receipt-{attempt.uid}.txt"'
    return response
