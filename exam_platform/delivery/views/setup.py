"""Exam officers set up what the officer pages show: rounds and their positions, sessions, rooms with
their proctors, and a seat by hand. Thin: load through access.py, validate a form, call one service
(services/rounds.py, services/seating.py), show its refusal on the form."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import access
from ..forms import PositionForm, RoomForm, RoundForm, SeatForm, SessionForm
from ..models import Attempt
from ..services import rounds as round_services
from ..services.seating import assign_seat, first_free_seat

FORM_TEMPLATE = "delivery/officer/setup_form.html"


def _refused(form, exc: ValidationError) -> None:
    for message in exc.messages:
        form.add_error(None, message)


def _form_page(request, form, *, title, back_url, back_label, submit, lead="", notes=()):
    context = {
        "form": form,
        "title": title,
        "lead": lead,
        "back_url": back_url,
        "back_label": back_label,
        "submit_label": submit,
        "notes": notes,
    }
    return render(request, FORM_TEMPLATE, context, status=400 if form.errors else 200)


# --- rounds and positions -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def round_create(request):
    access.require_officer(request.user)
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            exam_round = round_services.create_round(actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("สร้างรอบการสอบ %(title)s แล้ว") % {"title": exam_round.title})
            return redirect("delivery:round_detail", round_id=exam_round.pk)
    return _form_page(
        request,
        form,
        title=_("สร้างรอบการสอบ"),
        back_url=reverse("delivery:rounds"),
        back_label=_("รอบการสอบ"),
        submit=_("สร้างรอบการสอบ"),
    )


@require_http_methods(["GET", "POST"])
def round_edit(request, round_id):
    exam_round = access.get_round_for_officer(request.user, round_id)
    form = RoundForm(request.POST or None, instance=exam_round)
    if request.method == "POST" and form.is_valid():
        try:
            round_services.update_round(exam_round, actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("บันทึกรอบการสอบแล้ว"))
            return redirect("delivery:round_detail", round_id=exam_round.pk)
    return _form_page(
        request,
        form,
        title=_("แก้ไขรอบการสอบ"),
        lead=exam_round.title,
        back_url=reverse("delivery:round_detail", args=[exam_round.pk]),
        back_label=exam_round.title,
        submit=_("บันทึก"),
    )


@require_http_methods(["GET", "POST"])
def position_create(request, round_id):
    exam_round = access.get_round_for_officer(request.user, round_id)
    form = PositionForm(request.POST or None, exam_round=exam_round)
    if request.method == "POST" and form.is_valid():
        try:
            round_services.add_position(exam_round, actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("เพิ่มตำแหน่ง %(title)s แล้ว") % {"title": form.cleaned_data["title"]})
            return redirect("delivery:round_detail", round_id=exam_round.pk)
    return _form_page(
        request,
        form,
        title=_("เพิ่มตำแหน่ง"),
        lead=exam_round.title,
        back_url=reverse("delivery:round_detail", args=[exam_round.pk]),
        back_label=exam_round.title,
        submit=_("เพิ่มตำแหน่ง"),
    )


@require_http_methods(["GET", "POST"])
def position_edit(request, position_id):
    position = access.get_position_for_officer(request.user, position_id)
    exam_round = position.round
    form = PositionForm(request.POST or None, exam_round=exam_round, instance=position)
    if request.method == "POST" and form.is_valid():
        try:
            round_services.update_position(
                position,
                actor=request.user,
                request=request,
                title=form.cleaned_data["title"],
                vacancies=form.cleaned_data["vacancies"],
            )
        except ValidationError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("บันทึกตำแหน่งแล้ว"))
            return redirect("delivery:round_detail", round_id=exam_round.pk)
    return _form_page(
        request,
        form,
        title=_("แก้ไขตำแหน่ง"),
        lead=f"{exam_round.title} · {position.code}",
        back_url=reverse("delivery:round_detail", args=[exam_round.pk]),
        back_label=exam_round.title,
        submit=_("บันทึก"),
    )


@require_http_methods(["GET", "POST"])
def position_remove(request, position_id):
    """GET asks to confirm; POST removes (or shows why not)."""
    position = access.get_position_for_officer(request.user, position_id)
    exam_round = position.round
    error = None
    if request.method == "POST":
        try:
            round_services.remove_position(position, actor=request.user, request=request)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("ลบตำแหน่ง %(title)s แล้ว") % {"title": position.title})
            return redirect("delivery:round_detail", round_id=exam_round.pk)
    return render(
        request,
        "delivery/officer/position_remove.html",
        {"position": position, "round": exam_round, "error": error},
        status=400 if error else 200,
    )


# --- sessions ----------------------------------------------------------------------------------


TIME_FIELDS = ("opens_at", "late_entry_until", "closes_at", "checkin_opens_at")


def _session_values(form, paper_default: int, session=None) -> dict:
    """The form's values; the form shows times to the minute, so a stored time with seconds that the
    officer left as shown is kept as stored (and is not a change the service would refuse)."""
    values = dict(form.cleaned_data)
    values["duration_minutes"] = values.get("duration_minutes") or paper_default
    if session is not None:
        for field in TIME_FIELDS:
            stored = getattr(session, field)
            if stored is not None and values[field] == stored.replace(second=0, microsecond=0):
                values[field] = stored
    return values


@require_http_methods(["GET", "POST"])
def session_create(request, round_id):
    exam_round = access.get_round_for_officer(request.user, round_id)
    form = SessionForm(request.POST or None, exam_round=exam_round)
    if request.method == "POST" and form.is_valid():
        values = _session_values(form, form.cleaned_data["paper"].duration_minutes)
        try:
            session = round_services.create_session(exam_round, actor=request.user, request=request, **values)
        except ValidationError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("สร้างรอบสอบ %(title)s แล้ว") % {"title": session.title})
            return redirect("delivery:session_detail", session_id=session.pk)
    return _form_page(
        request,
        form,
        title=_("สร้างรอบสอบ"),
        lead=exam_round.title,
        back_url=reverse("delivery:round_detail", args=[exam_round.pk]),
        back_label=exam_round.title,
        submit=_("สร้างรอบสอบ"),
    )


def _session_locks(session) -> list[str]:
    """What can no longer change, said before the officer tries (the service refuses it anyway)."""
    now = timezone.now()
    if now >= session.closes_at:
        return [_("รอบสอบปิดแล้ว แก้ไขได้เฉพาะชื่อรอบสอบ")]
    notes = []
    if now >= session.opens_at:
        notes.append(_("รอบสอบเปิดแล้ว: เวลาเริ่มเปิดให้เข้าสอบและเวลาเข้าสอบได้ไม่เกินเปลี่ยนไม่ได้"))
    if Attempt.objects.filter(entry__session=session).exists():
        notes.append(_("มีผู้เริ่มทำข้อสอบแล้ว: แบบทดสอบและเวลาสอบเปลี่ยนไม่ได้"))
    return notes


@require_http_methods(["GET", "POST"])
def session_edit(request, session_id):
    session = access.get_session_for_officer(request.user, session_id)
    form = SessionForm(request.POST or None, exam_round=session.round, instance=session)
    if request.method == "POST" and form.is_valid():
        values = _session_values(form, form.cleaned_data["paper"].duration_minutes, session)
        try:
            round_services.update_session(session, actor=request.user, request=request, **values)
        except ValidationError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("บันทึกรอบสอบแล้ว"))
            return redirect("delivery:session_detail", session_id=session.pk)
    return _form_page(
        request,
        form,
        title=_("แก้ไขรอบสอบ"),
        lead=f"{session.round.title} · {session.title}",
        back_url=reverse("delivery:session_detail", args=[session.pk]),
        back_label=session.title,
        submit=_("บันทึก"),
        notes=_session_locks(session),
    )


# --- rooms and seats ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def room_create(request, session_id):
    session = access.get_session_for_officer(request.user, session_id)
    form = RoomForm(request.POST or None, session=session)
    if request.method == "POST" and form.is_valid():
        try:
            room = round_services.add_room(session, actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("เพิ่มห้องสอบ %(name)s แล้ว") % {"name": room.name})
            return redirect("delivery:session_detail", session_id=session.pk)
    return _form_page(
        request,
        form,
        title=_("เพิ่มห้องสอบ"),
        lead=f"{session.round.title} · {session.title}",
        back_url=reverse("delivery:session_detail", args=[session.pk]),
        back_label=session.title,
        submit=_("เพิ่มห้องสอบ"),
    )


@require_http_methods(["GET", "POST"])
def room_edit(request, room_id):
    room = access.get_room_for_officer(request.user, room_id)
    session = room.session
    form = RoomForm(request.POST or None, session=session, instance=room)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        if values["position"] is None:
            values["position"] = room.position
        try:
            round_services.update_room(room, actor=request.user, request=request, **values)
        except ValidationError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("บันทึกห้องสอบแล้ว"))
            return redirect("delivery:session_detail", session_id=session.pk)
    return _form_page(
        request,
        form,
        title=_("แก้ไขห้องสอบ"),
        lead=f"{session.title} · {room.name}",
        back_url=reverse("delivery:session_detail", args=[session.pk]),
        back_label=session.title,
        submit=_("บันทึก"),
    )


@require_http_methods(["GET", "POST"])
def entry_seat(request, entry_id):
    """Seat one candidate by hand, or move them (a late addition after the automatic seating)."""
    entry = access.get_entry_for_officer(request.user, entry_id)
    session = entry.session
    initial = {}
    if entry.room_id:
        initial = {"room": entry.room_id, "seat_number": entry.seat_number}
    else:
        for room in session.rooms.order_by("position", "code"):
            seat = first_free_seat(room)
            if seat is not None:
                initial = {"room": room.pk, "seat_number": seat}
                break
    form = SeatForm(request.POST or None, session=session, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            assign_seat(
                entry,
                actor=request.user,
                request=request,
                room=form.cleaned_data["room"],
                seat_number=form.cleaned_data["seat_number"],
            )
        except ValidationError as exc:
            _refused(form, exc)
        else:
            messages.success(
                request,
                _("จัดที่นั่ง %(name)s: %(room)s ที่นั่ง %(seat)d แล้ว")
                % {
                    "name": entry.candidate.full_name_th,
                    "room": form.cleaned_data["room"].name,
                    "seat": form.cleaned_data["seat_number"],
                },
            )
            return redirect("delivery:session_roster", session_id=session.pk)
    if entry.room_id:
        current = _("ที่นั่งปัจจุบัน: %(room)s ที่นั่ง %(seat)s") % {
            "room": entry.room.name,
            "seat": entry.seat_number,
        }
    else:
        current = _("ยังไม่ได้จัดที่นั่ง")
    return _form_page(
        request,
        form,
        title=_("จัดที่นั่งรายบุคคล"),
        lead=f"{entry.candidate.full_name_th} · {entry.application_number} · {current}",
        back_url=reverse("delivery:session_roster", args=[session.pk]),
        back_label=_("รายชื่อผู้เข้าสอบ"),
        submit=_("บันทึกที่นั่ง"),
        notes=[_("ระบบเสนอที่นั่งว่างลำดับแรกให้ ที่นั่งที่มีผู้อื่นแล้วหรือเกินจำนวนที่นั่งของห้องจะถูกปฏิเสธ")],
    )
