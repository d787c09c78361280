import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from exam_platform.common.models import AuditEntry
from exam_platform.delivery.models import ExamSession
from exam_platform.delivery.seat_list import seat_list_csv, seat_list_pdf
from exam_platform.delivery.services.seating import assign_seats
from tests.delivery.roster_setup import make_entry, make_officer, make_session, verified_client
from tests.factories import make_candidate


@pytest.fixture
def officer(db):
    return make_officer()


def _seat_map(session):
    return [
        (e.room.code, e.seat_number, e.candidate.first_name_th)
        for e in session.roster.select_related("room", "candidate").order_by("room__position", "seat_number")
    ]


def test_assign_seats_by_thai_name_sorts_leading_vowels_by_consonant(officer):
    session = make_session(actor=officer, rooms=[("r1", 3), ("r2", 3)])
    for name in ["โชติ", "กมล", "เกศินี", "ขวัญ", "แก้ว"]:
        make_entry(session, make_candidate(first_name_th=name))
    audits = AuditEntry.objects.count()

    seated = assign_seats(session, actor=officer, order="name")

    # Code-point order would be กมล ขวัญ เกศินี แก้ว โชติ; Thai dictionary order files เ/แ/โ by consonant.
    assert _seat_map(session) == [
        ("r1", 1, "กมล"),
        ("r1", 2, "เกศินี"),
        ("r1", 3, "แก้ว"),
        ("r2", 1, "ขวัญ"),
        ("r2", 2, "โชติ"),
    ]
    assert sorted(seated.values()) == [2, 3]
    assert AuditEntry.objects.count() == audits + 1


def test_assign_seats_by_application_number_is_numeric_and_rerunnable(officer):
    session = make_session(actor=officer, rooms=[("r1", 10)])
    for number, name in [("A-10", "ก"), ("A-9", "ข"), ("A-100", "ค")]:
        make_entry(session, make_candidate(first_name_th=name), application_number=number)
    assign_seats(session, actor=officer, order="name")

    assign_seats(session, actor=officer, order="application_number")

    assert _seat_map(session) == [("r1", 1, "ข"), ("r1", 2, "ก"), ("r1", 3, "ค")]


def test_assign_seats_capacity_shortage_says_how_many_seats_short(officer):
    session = make_session(actor=officer, rooms=[("r1", 2), ("r2", 1)])
    for _ in range(5):
        make_entry(session, make_candidate())

    with pytest.raises(ValidationError) as info:
        assign_seats(session, actor=officer)

    assert info.value.messages == [
        "ที่นั่งไม่พอ: ผู้เข้าสอบ 5 คน ที่นั่ง 3 ที่ ขาดอีก 2 ที่นั่ง (Not enough seats: 5 candidates, 3 seats, 2 seats short)."
    ]
    assert session.roster.filter(room__isnull=False).count() == 0


def test_assign_seats_refused_once_session_opened(officer):
    session = make_session(actor=officer, rooms=[("r1", 2)])
    make_entry(session, make_candidate())
    ExamSession.objects.filter(pk=session.pk).update(opens_at=session.opens_at - dt.timedelta(days=4))

    with pytest.raises(ValidationError, match="seats can no longer be changed"):
        assign_seats(session, actor=officer)


def test_seat_list_pdf_and_csv_twin(officer):
    session = make_session(actor=officer, rooms=[("r1", 5)])
    for name in ["สมหญิง", "กมล"]:
        make_entry(session, make_candidate(first_name_th=name, last_name_th="ใจดี"))
    assign_seats(session, actor=officer)
    room = session.rooms.get()

    pdf = PdfReader(io.BytesIO(seat_list_pdf(room)))
    csv_text = seat_list_csv(room).decode("utf-8-sig")

    assert len(pdf.pages) == 1
    assert "บัญชีรายชื่อผู้เข้าสอบ" in pdf.pages[0].extract_text()
    lines = csv_text.splitlines()
    assert lines[0] == "ที่นั่ง,เลขประจำตัวสอบ,ชื่อ–นามสกุล"
    assert [line.split(",")[2] for line in lines[1:]] == ["นายกมล ใจดี", "นายสมหญิง ใจดี"]


def test_assign_seats_button_and_session_page_queries_constant(
    client, officer, django_assert_max_num_queries
):
    session = make_session(actor=officer, rooms=[("r1", 30), ("r2", 30)])
    verified_client(client, officer)
    for _ in range(3):
        make_entry(session, make_candidate())
    response = client.post(reverse("delivery:session_assign_seats", args=[session.pk]), {"order": "name"})
    assert response.status_code == 302
    assert session.roster.filter(room__isnull=False).count() == 3

    url = reverse("delivery:session_detail", args=[session.pk])
    client.get(url)  # warm up session/auth caches
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for _ in range(20):
        make_entry(session, make_candidate())
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
