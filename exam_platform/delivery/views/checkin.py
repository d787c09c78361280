"""The candidate's side: their sessions (/exam/), their admission card, and online check-in."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import access
from ..admission_card import EXAM_RULES, admission_cards_pdf, card_facts
from ..forms import IdentityCheckInForm
from ..services.checkin import CheckInError, check_in_candidate, checkin_window
from .officer import file_response


def _status(entry, now) -> tuple[str, str]:
    """(css class, Thai label) of where the candidate stands."""
    session = entry.session
    start, end = checkin_window(session)
    if entry.checked_in_at:
        if now > session.closes_at:
            return "done", _("สิ้นสุดการสอบแล้ว")
        return "ready", _("เช็กอินแล้ว พร้อมเข้าสอบ")
    if now < start:
        return "waiting", _("ยังไม่เปิดให้ยืนยันตัวตน")
    if now <= end:
        return "open", _("ยืนยันตัวตนได้แล้ว")
    return "closed", _("หมดเวลาเข้าสอบ")


def _exam_action(entry, now) -> str:
    """What the candidate can do about the exam itself: "room" (enter the exam room: before the
    start it waits there, the server starts the attempt), "continue" (also through the room, which
    redirects), "receipt" or ""."""
    attempt = getattr(entry, "attempt", None)
    if attempt is not None:
        return "continue" if attempt.status == attempt.Status.IN_PROGRESS else "receipt"
    if entry.checked_in_at and now <= entry.session.late_entry_until:
        return "room"
    return ""


@login_required
def candidate_home(request):
    if not request.user.is_candidate and access.is_exam_officer(request.user):
        return redirect("delivery:rounds")
    now = timezone.now()
    rows = []
    for entry in access.own_entries(request.user):
        start, end = checkin_window(entry.session)
        css, label = _status(entry, now)
        rows.append(
            {
                "entry": entry,
                "status_class": css,
                "status": label,
                "checkin_start": start,
                "checkin_end": end,
                "can_check_in": css == "open",
                "exam": _exam_action(entry, now),
                "facts": card_facts(entry),
            }
        )
    return render(request, "delivery/checkin/home.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def candidate_check_in(request, entry_id):
    entry = access.get_own_entry(request.user, entry_id)
    if entry.checked_in_at:
        messages.info(request, _("คุณเช็กอินแล้ว (You are already checked in)."))
        return redirect("delivery:candidate_home")
    form = IdentityCheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            check_in_candidate(
                entry,
                user=request.user,
                national_id=form.cleaned_data["national_id"],
                date_of_birth=form.cleaned_data["date_of_birth"],
                application_number=form.cleaned_data["application_number"],
                rules_accepted=form.cleaned_data["accept_rules"],
                request=request,
            )
        except CheckInError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("ยืนยันตัวตนและเช็กอินเรียบร้อยแล้ว (You are checked in)."))
            return redirect("delivery:candidate_home")
    start, end = checkin_window(entry.session)
    context = {
        "entry": entry,
        "form": form,
        "rules": EXAM_RULES,
        "checkin_start": start,
        "checkin_end": end,
        "is_open": start <= timezone.now() <= end,
        "facts": card_facts(entry),
    }
    return render(request, "delivery/checkin/confirm.html", context, status=400 if form.errors else 200)


@login_required
def candidate_card(request, entry_id):
    entry = access.get_own_entry(request.user, entry_id)
    return file_response(
        admission_cards_pdf([entry]), "application/pdf", f"admission-card-{entry.exam_number}.pdf"
    )
