"""Exam officer pages (rounds, sessions, roster import, seats, downloads, accommodations) and the room
page that officers and proctors use for check-in. Thin: load through access.py, call one service."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from exam_platform.common.thai_collation import sorted_by_thai

from .. import access
from ..admission_card import admission_cards_pdf
from ..forms import AccommodationsForm, AssignSeatsForm, RosterFilterForm, RosterImportForm, TokenCheckInForm
from ..models import ExamRound
from ..roster_search import filtered_roster, roster_page
from ..seat_list import checkin_list_csv, checkin_list_html, checkin_list_pdf, seat_list_csv, seat_list_pdf
from ..services.accommodations import FLAGS, update_accommodations
from ..services.checkin import CheckInError, check_in_by_staff, check_in_by_token, checkin_window
from ..services.roster import import_roster
from ..services.roster_upload import is_large_roster, start_roster_import
from ..services.seating import assign_seats

CARD_RELATED = ("session__round", "candidate", "room", "position")


def file_response(content, content_type: str, filename: str, *, inline: bool = True) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def rounds_list(request):
    access.require_officer(request.user)
    rounds = ExamRound.objects.annotate(
        session_count=Count("sessions", distinct=True), position_count=Count("positions", distinct=True)
    ).order_by("-created_at")
    return render(request, "delivery/officer/rounds.html", {"rounds": rounds})


def round_detail(request, round_id):
    exam_round = access.get_round_for_officer(request.user, round_id)
    sessions = (
        exam_round.sessions.select_related("paper")
        .annotate(roster_count=Count("roster", distinct=True), room_count=Count("rooms", distinct=True))
        .order_by("opens_at")
    )
    return render(
        request,
        "delivery/officer/round_detail.html",
        {"round": exam_round, "positions": exam_round.positions.order_by("code"), "sessions": sessions},
    )


def _session_context(session, **extra) -> dict:
    rooms = (
        session.rooms.annotate(
            seated=Count("seats"), checked_in=Count("seats", filter=Q(seats__checked_in_at__isnull=False))
        )
        .prefetch_related("proctors")
        .order_by("position", "code")
    )
    counts = session.roster.aggregate(
        total=Count("pk"),
        seated=Count("pk", filter=Q(room__isnull=False)),
        checked_in=Count("pk", filter=Q(checked_in_at__isnull=False)),
    )
    capacity = sum(room.capacity for room in rooms)
    context = {
        "session": session,
        "rooms": rooms,
        "counts": counts,
        "capacity": capacity,
        "seats_short": max(0, counts["total"] - capacity),
        "checkin_window": checkin_window(session),
        "has_opened": timezone.now() >= session.opens_at,
        "import_form": RosterImportForm(),
        "seats_form": AssignSeatsForm(),
    }
    context.update(extra)
    return context


def session_detail(request, session_id):
    session = access.get_session_for_officer(request.user, session_id)
    return render(request, "delivery/officer/session_detail.html", _session_context(session))


@require_POST
def session_import(request, session_id):
    session = access.get_session_for_officer(request.user, session_id)
    form = RosterImportForm(request.POST, request.FILES)
    result = None
    if form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        if is_large_roster(data, upload.name):  # a worker job (long lane) with a progress page
            job = start_roster_import(
                session, data, filename=upload.name, actor=request.user, request=request
            )
            return redirect("delivery:roster_import_job", job_id=job.pk)
        result = import_roster(session, data, filename=upload.name, actor=request.user, request=request)
        if result.ok:
            messages.success(
                request,
                _("นำเข้ารายชื่อ %(count)d คนแล้ว (%(count)d candidates imported).")
                % {"count": result.created_entries},
            )
            if not result.warnings:
                return redirect("delivery:session_detail", session_id=session.pk)
    status = 200 if result is None or result.ok else 400
    context = _session_context(session, import_form=form, import_result=result)
    return render(request, "delivery/officer/session_detail.html", context, status=status)


@require_POST
def session_assign_seats(request, session_id):
    session = access.get_session_for_officer(request.user, session_id)
    form = AssignSeatsForm(request.POST)
    if form.is_valid():
        try:
            seated = assign_seats(
                session, actor=request.user, order=form.cleaned_data["order"], request=request
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("จัดที่นั่งแล้ว %(count)d คน (Seats assigned).") % {"count": sum(seated.values())}
            )
    return redirect("delivery:session_detail", session_id=session.pk)


def room_detail(request, room_id):
    room = access.get_room_for_staff(request.user, room_id)
    token_form = TokenCheckInForm()
    if request.method == "POST":
        token_form = TokenCheckInForm(request.POST)
        if token_form.is_valid():
            try:
                entry, new = check_in_by_token(
                    room, token_form.cleaned_data["token"], actor=request.user, request=request
                )
            except CheckInError as exc:
                token_form.add_error("token", str(exc))
            else:
                _report_checkin(request, entry, new)
                return redirect("delivery:room_detail", room_id=room.pk)
    entries = sorted_by_thai(
        room.seats.select_related("candidate", "checked_in_by"),
        "candidate__first_name_th",
        "candidate__last_name_th",
    )
    context = {
        "room": room,
        "session": room.session,
        "entries": entries,
        "checked_in": sum(1 for e in entries if e.checked_in_at),
        "token_form": token_form,
        "is_officer": access.is_exam_officer(request.user),
        "proctors": list(room.proctors.order_by("display_name", "username")),
    }
    return render(request, "delivery/officer/room.html", context, status=400 if token_form.errors else 200)


def _report_checkin(request, entry, new: bool) -> None:
    name = entry.candidate.full_name_th
    if new:
        messages.success(request, _("เช็กอิน %(name)s แล้ว (Checked in).") % {"name": name})
    else:
        messages.info(request, _("%(name)s เช็กอินไว้แล้ว (Already checked in).") % {"name": name})


@require_POST
def room_check_in(request, room_id, entry_id):
    room = access.get_room_for_staff(request.user, room_id)
    entry = room.seats.select_related("session", "candidate").filter(pk=entry_id).first()
    if entry is None:
        raise Http404
    try:
        entry, new = check_in_by_staff(entry, actor=request.user, request=request)
    except CheckInError as exc:
        messages.error(request, str(exc))
    else:
        _report_checkin(request, entry, new)
    return redirect("delivery:room_detail", room_id=room.pk)


def room_seat_list(request, room_id, fmt):
    room = access.get_room_for_staff(request.user, room_id)
    if fmt not in ("pdf", "csv"):
        raise Http404
    if fmt == "csv":
        return file_response(
            seat_list_csv(room), "text/csv; charset=utf-8", f"seats-{room.code}.csv", inline=False
        )
    return file_response(seat_list_pdf(room), "application/pdf", f"seats-{room.code}.pdf")


def room_checkin_list(request, room_id, fmt):
    room = access.get_room_for_staff(request.user, room_id)
    if fmt not in ("pdf", "csv", "html"):
        raise Http404
    if fmt == "csv":
        return file_response(
            checkin_list_csv(room), "text/csv; charset=utf-8", f"checkin-{room.code}.csv", inline=False
        )
    if fmt == "html":
        return HttpResponse(checkin_list_html(room), content_type="text/html; charset=utf-8")
    return file_response(checkin_list_pdf(room), "application/pdf", f"checkin-{room.code}.pdf")


def room_cards(request, room_id):
    room = access.get_room_for_officer(request.user, room_id)
    entries = room.seats.select_related(*CARD_RELATED).order_by("seat_number")
    return file_response(admission_cards_pdf(entries), "application/pdf", f"cards-{room.code}.pdf")


def entry_card(request, entry_id):
    entry = access.get_entry_for_officer(request.user, entry_id)
    return file_response(admission_cards_pdf([entry]), "application/pdf", f"card-{entry.exam_number}.pdf")


@require_http_methods(["GET", "POST"])
def entry_accommodations(request, entry_id):
    entry = access.get_entry_for_officer(request.user, entry_id)
    current = entry.accommodations or {}
    if request.method == "POST":
        form = AccommodationsForm(request.POST)
        if form.is_valid():
            try:
                update_accommodations(
                    entry, actor=request.user, accommodations=form.cleaned_data, request=request
                )
            except ValidationError as exc:
                form.add_error(None, " ".join(exc.messages))
            else:
                messages.success(request, _("บันทึกการอำนวยความสะดวกแล้ว (Accommodations saved)."))
                return redirect("delivery:session_detail", session_id=entry.session_id)
    else:
        form = AccommodationsForm(
            initial={
                "extra_time_percent": current.get("extra_time_percent", 0),
                "extra_minutes": current.get("extra_minutes", 0),
                **{flag: bool(current.get(flag)) for flag in FLAGS},
            }
        )
    return render(
        request,
        "delivery/officer/accommodations.html",
        {"entry": entry, "form": form},
        status=400 if form.errors else 200,
    )


def session_roster(request, session_id):
    """The roster of a session (Thai name order), searchable and filtered, 50 a page, with links to each
    candidate's card, accommodations and seat (roster_search.py)."""
    session = access.get_session_for_officer(request.user, session_id)
    form = RosterFilterForm(request.GET or None, session=session)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = filtered_roster(session, **filters)
    page, rows = roster_page(entries, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "session": session,
        "form": form,
        "entries": rows,
        "page": page,
        "query": query.urlencode(),
        "filtered": any(filters.values()),
    }
    return render(request, "delivery/officer/roster.html", context)


def my_rooms(request):
    """A proctor's assigned rooms, those of sessions not yet closed first."""
    rooms = access.proctor_rooms(request.user)
    return render(request, "delivery/officer/my_rooms.html", {"rooms": rooms, "now": timezone.now()})
