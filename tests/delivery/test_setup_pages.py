"""Exam officers set up rounds, positions, sessions, rooms (with proctors) and seats from the product's
pages (views/setup.py, services/rounds.py, services/seating.assign_seat); proctors see only their
rooms; the roster page searches, filters and pages 5,000 entries in a bounded number of queries."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from exam_platform.accounts.models import Candidate, User
from exam_platform.common.forms.thai_datetime import format_local_datetime
from exam_platform.common.models import AuditEntry
from exam_platform.delivery.models import Attempt, ExamRound, ExamSession, Position, RosterEntry
from exam_platform.delivery.services.rounds import update_room, update_session
from exam_platform.delivery.services.seating import assign_seat
from exam_platform.delivery.views.officer import my_rooms  # noqa: F401 - the page exists
from tests.delivery.roster_setup import (
    make_entry,
    make_officer,
    make_paper,
    make_round,
    make_session,
    verified_client,
)
from tests.factories import make_candidate, make_national_id, make_staff

pytestmark = pytest.mark.django_db


def be(value: dt.datetime) -> str:
    return format_local_datetime(value, buddhist_era=True)


def last_audit(action: str) -> AuditEntry:
    return AuditEntry.objects.filter(action=action).latest("seq")


@pytest.fixture
def officer():
    return make_officer()


@pytest.fixture
def client(officer):
    return verified_client(Client(), officer)


# --- rounds and positions -----------------------------------------------------------------------


def test_round_create_page_stores_the_announcement_number_as_number_slash_be_year(client, officer):
    response = client.post(
        reverse("delivery:round_create"),
        {
            "code": "bma-2569-7",
            "title": "การสอบแข่งขันเพื่อบรรจุ ครั้งที่ 7/2569",
            "exam_type": "competitive",
            "announcement_number": "ครั้งที่ ๗/๒๕๖๙",
        },
    )
    exam_round = ExamRound.objects.get(code="bma-2569-7")
    assert response.status_code == 302
    assert response["Location"] == reverse("delivery:round_detail", args=[exam_round.pk])
    assert exam_round.announcement_number == "7/2569"
    entry = last_audit("delivery.round.create")
    assert entry.actor == officer and entry.after["code"] == "bma-2569-7"


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("7/2026", "ปี 2026 เป็นปี ค.ศ. เลขที่ประกาศใช้ปี พ.ศ. เช่น 1/2569"),
        ("ประกาศเจ็ด", "เลขที่ประกาศต้องเป็น ครั้งที่/ปี พ.ศ. เช่น 1/2569"),
    ],
)
def test_round_create_page_refuses_a_malformed_announcement_number(client, number, message):
    response = client.post(
        reverse("delivery:round_create"),
        {"code": "r-bad", "title": "การสอบ", "exam_type": "competitive", "announcement_number": number},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ExamRound.objects.filter(code="r-bad").exists()


def test_round_edit_page_audits_the_changed_fields_before_and_after(client):
    exam_round = make_round()
    old_title = exam_round.title
    response = client.post(
        reverse("delivery:round_edit", args=[exam_round.pk]),
        {
            "code": exam_round.code,
            "title": "การสอบแข่งขัน (แก้ไข)",
            "exam_type": "competitive",
            "announcement_number": "2/2569",
        },
    )
    assert response.status_code == 302
    entry = last_audit("delivery.round.update")
    assert entry.before == {"title": old_title, "announcement_number": ""}
    assert entry.after == {"title": "การสอบแข่งขัน (แก้ไข)", "announcement_number": "2/2569"}


def test_position_pages_add_edit_and_remove_with_audit(client):
    exam_round = make_round(positions=())
    response = client.post(
        reverse("delivery:position_create", args=[exam_round.pk]),
        {"code": "hr", "title": "นักทรัพยากรบุคคลปฏิบัติการ", "vacancies": "3"},
    )
    assert response.status_code == 302
    position = exam_round.positions.get(code="hr")

    response = client.post(
        reverse("delivery:position_edit", args=[position.pk]),
        {"code": "ignored", "title": "นักทรัพยากรบุคคลชำนาญการ", "vacancies": "5"},
    )
    assert response.status_code == 302
    position.refresh_from_db()
    assert (position.code, position.title, position.vacancies) == ("hr", "นักทรัพยากรบุคคลชำนาญการ", 5)
    entry = last_audit("delivery.position.update")
    assert entry.before == {"title": "นักทรัพยากรบุคคลปฏิบัติการ", "vacancies": 3}
    assert entry.after == {"title": "นักทรัพยากรบุคคลชำนาญการ", "vacancies": 5}

    assert client.get(reverse("delivery:position_remove", args=[position.pk])).status_code == 200
    response = client.post(reverse("delivery:position_remove", args=[position.pk]))
    assert response.status_code == 302
    assert not Position.objects.filter(pk=position.pk).exists()
    assert last_audit("delivery.position.remove").before["code"] == "hr"


def test_position_remove_is_refused_while_a_roster_entry_uses_it(client):
    session = make_session()
    position = session.round.positions.get()
    make_entry(session, make_candidate(), position=position)
    response = client.post(reverse("delivery:position_remove", args=[position.pk]))
    assert response.status_code == 400
    assert f"ลบตำแหน่ง {position.title} ไม่ได้: มีผู้เข้าสอบในรายชื่อ 1 คนที่สมัครตำแหน่งนี้" in response.content.decode()
    assert Position.objects.filter(pk=position.pk).exists()
    assert not AuditEntry.objects.filter(action="delivery.position.remove").exists()


# --- sessions ----------------------------------------------------------------------------------


def session_post(paper, opens: dt.datetime, **overrides) -> dict:
    data = {
        "code": "morning",
        "title": "ภาค ก รอบเช้า",
        "paper": str(paper.pk),
        "checkin_opens_at": be(opens - dt.timedelta(hours=1)),
        "opens_at": be(opens),
        "late_entry_until": be(opens + dt.timedelta(minutes=30)),
        "closes_at": be(opens + dt.timedelta(hours=2)),
        "duration_minutes": "",
    }
    data.update(overrides)
    return data


def test_session_create_page_offers_only_locked_papers_by_name_code_and_version(client):
    exam_round = make_round()
    locked = make_paper()
    draft = make_paper(locked=False)
    html = client.get(reverse("delivery:session_create", args=[exam_round.pk])).content.decode()
    assert f"{locked.title} · รหัส {locked.code} · ฉบับที่ 1 · 60 นาที" in html
    assert draft.code not in html

    response = client.post(
        reverse("delivery:session_create", args=[exam_round.pk]),
        session_post(draft, timezone.now() + dt.timedelta(days=3)),
    )
    assert response.status_code == 400
    assert not exam_round.sessions.exists()


def test_session_create_page_reads_buddhist_era_times_in_bangkok(client):
    exam_round = make_round()
    paper = make_paper()
    response = client.post(
        reverse("delivery:session_create", args=[exam_round.pk]),
        session_post(
            paper,
            timezone.now(),
            opens_at="15/01/2570 09:00",
            late_entry_until="15/01/2570 09:30",
            closes_at="15/01/2570 11:00",
            checkin_opens_at="15/01/2570 08:00",
        ),
    )
    session = exam_round.sessions.get()
    assert response.status_code == 302
    assert session.opens_at == dt.datetime(2027, 1, 15, 2, 0, tzinfo=dt.UTC)
    assert session.closes_at == dt.datetime(2027, 1, 15, 4, 0, tzinfo=dt.UTC)
    assert session.duration_minutes == paper.duration_minutes == 60
    assert last_audit("delivery.session.create").after["paper"] == paper.pk


def test_session_create_page_refuses_a_window_shorter_than_the_duration(client):
    exam_round = make_round()
    opens = timezone.now() + dt.timedelta(days=3)
    response = client.post(
        reverse("delivery:session_create", args=[exam_round.pk]),
        session_post(make_paper(), opens, closes_at=be(opens + dt.timedelta(minutes=45))),
    )
    assert response.status_code == 400
    assert "The window is shorter than the 60-minute duration" in response.content.decode()
    assert not exam_round.sessions.exists()


def test_session_edit_page_audits_before_and_after(client, officer):
    session = make_session()
    new_paper = make_paper()
    data = session_post(
        new_paper, session.opens_at + dt.timedelta(hours=1), code=session.code, duration_minutes="90"
    )
    data["closes_at"] = be(session.opens_at + dt.timedelta(hours=4))
    response = client.post(reverse("delivery:session_edit", args=[session.pk]), data)
    assert response.status_code == 302, response.content.decode()
    entry = last_audit("delivery.session.update")
    assert entry.actor == officer
    assert entry.before["paper"] == session.paper_id and entry.after["paper"] == new_paper.pk
    assert entry.before["duration_minutes"] == 60 and entry.after["duration_minutes"] == 90
    moved = (session.opens_at + dt.timedelta(hours=1)).replace(second=0)  # the form shows minutes
    assert entry.after["opens_at"] == moved.isoformat().replace("+00:00", "Z")
    assert "code" not in entry.after


def started_attempt(session) -> Attempt:
    entry = make_entry(session, make_candidate())
    now = timezone.now()
    return Attempt.objects.create(
        entry=entry, seed=1, form={}, started_at=now, deadline=now + dt.timedelta(hours=1)
    )


def test_update_session_refuses_paper_or_duration_once_an_attempt_started(officer):
    session = make_session()
    started_attempt(session)
    with pytest.raises(ValidationError) as caught:
        update_session(session, actor=officer, paper=make_paper())
    assert caught.value.messages == ["มีผู้เริ่มทำข้อสอบแล้ว 1 คน เปลี่ยนแบบทดสอบหรือเวลาสอบไม่ได้"]
    with pytest.raises(ValidationError):
        update_session(session, actor=officer, duration_minutes=45)
    update_session(session, actor=officer, title="รอบเช้า (ห้องใหม่)")  # the title still may change
    assert ExamSession.objects.get(pk=session.pk).title == "รอบเช้า (ห้องใหม่)"


def test_update_session_refuses_moving_the_opening_once_opened(officer):
    session = make_session(opens_in=dt.timedelta(minutes=-5))
    with pytest.raises(ValidationError) as caught:
        update_session(
            session, actor=officer, late_entry_until=session.late_entry_until + dt.timedelta(minutes=10)
        )
    assert caught.value.messages == ["รอบสอบเปิดแล้ว แก้ไขเวลาเริ่มเปิดให้เข้าสอบและเวลาเข้าสอบได้ไม่เกินไม่ได้"]
    update_session(session, actor=officer, closes_at=session.closes_at + dt.timedelta(minutes=15))
    assert last_audit("delivery.session.update").after == {
        "closes_at": (session.closes_at + dt.timedelta(minutes=15)).isoformat().replace("+00:00", "Z")
    }


def test_update_session_after_closing_changes_only_the_title(officer):
    session = make_session(opens_in=dt.timedelta(hours=-3))
    with pytest.raises(ValidationError) as caught:
        update_session(session, actor=officer, code="renamed")
    assert caught.value.messages == ["รอบสอบปิดแล้ว แก้ไขได้เฉพาะชื่อรอบสอบ"]
    update_session(session, actor=officer, title="ภาค ก (ปิดแล้ว)")
    assert last_audit("delivery.session.update").before == {"title": "ภาค ก รอบเช้า"}


def test_session_edit_page_keeps_stored_seconds_when_only_the_title_changes(client):
    session = make_session(opens_in=dt.timedelta(minutes=-5))  # opened; its times carry seconds
    data = session_post(
        session.paper, session.opens_at, code=session.code, title="ชื่อใหม่", duration_minutes="60"
    )
    data["checkin_opens_at"] = ""
    response = client.post(reverse("delivery:session_edit", args=[session.pk]), data)
    assert response.status_code == 302, response.content.decode()
    assert last_audit("delivery.session.update").after == {"title": "ชื่อใหม่"}


def test_session_edit_page_shows_the_refusal_and_changes_nothing(client):
    session = make_session(opens_in=dt.timedelta(minutes=-5))
    data = session_post(session.paper, session.opens_at + dt.timedelta(minutes=10), code=session.code)
    response = client.post(reverse("delivery:session_edit", args=[session.pk]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "รอบสอบเปิดแล้ว แก้ไขเวลาเริ่มเปิดให้เข้าสอบและเวลาเข้าสอบได้ไม่เกินไม่ได้" in html
    assert ExamSession.objects.get(pk=session.pk).opens_at == session.opens_at
    assert not AuditEntry.objects.filter(action="delivery.session.update").exists()


# --- rooms, proctors and access ------------------------------------------------------------------


def make_proctor(**fields):
    return make_staff("proctor", **fields)


def test_room_create_and_edit_pages_assign_proctors_with_audit(client):
    session = make_session()
    first = make_proctor(display_name="สมศรี คุมสอบ")
    second = make_proctor(display_name="สมหมาย คุมสอบ")
    make_proctor(display_name="ปิดบัญชี", is_active=False)
    make_staff("examiner", display_name="ผู้ออกข้อสอบ")
    html = client.get(reverse("delivery:room_create", args=[session.pk])).content.decode()
    assert f"สมศรี คุมสอบ ({first.username})" in html
    assert "ปิดบัญชี" not in html and "ผู้ออกข้อสอบ" not in html

    response = client.post(
        reverse("delivery:room_create", args=[session.pk]),
        {"code": "r201", "name": "ห้อง 201", "building": "อาคาร 2", "capacity": "30", "proctors": [first.pk]},
    )
    assert response.status_code == 302
    room = session.rooms.get(code="r201")
    assert list(room.proctors.all()) == [first]
    assert last_audit("delivery.room.add").after["proctors"] == [first.pk]

    response = client.post(
        reverse("delivery:room_edit", args=[room.pk]),
        {
            "code": "r201",
            "name": "ห้อง 201",
            "building": "อาคาร 2",
            "capacity": "35",
            "position": "1",
            "proctors": [second.pk],
        },
    )
    assert response.status_code == 302
    entry = last_audit("delivery.room.update")
    assert entry.before == {"capacity": 30, "position": 1, "proctors": [first.pk]} or entry.before == {
        "capacity": 30,
        "proctors": [first.pk],
    }
    assert entry.after["capacity"] == 35 and entry.after["proctors"] == [second.pk]


def test_update_room_refuses_a_capacity_below_the_seats_taken(officer):
    session = make_session(rooms=[("r101", 10)])
    room = session.rooms.get()
    for seat in (1, 2, 8):
        make_entry(session, make_candidate(), room=room, seat=seat)
    with pytest.raises(ValidationError) as caught:
        update_room(room, actor=officer, capacity=5)
    assert caught.value.messages == [
        "ลดจำนวนที่นั่งเหลือ 5 ไม่ได้: ห้องนี้จัดที่นั่งแล้ว 3 คน เลขที่นั่งสูงสุด 8 ต้องมีอย่างน้อย 8 ที่นั่ง"
    ]
    update_room(room, actor=officer, capacity=8)
    room.refresh_from_db()
    assert room.capacity == 8


def test_update_room_refuses_someone_who_is_not_an_active_proctor(officer):
    room = make_session(rooms=[("r101", 10)]).rooms.get()
    with pytest.raises(ValidationError):
        update_room(room, actor=officer, proctors=[make_staff("examiner")])
    assert not room.proctors.exists()


@pytest.mark.parametrize(
    "url_name",
    [
        "round_create",
        "round_edit",
        "position_create",
        "session_create",
        "session_edit",
        "room_create",
        "room_edit",
    ],
)
def test_setup_pages_are_forbidden_to_a_proctor(url_name):
    session = make_session(rooms=[("r101", 10)])
    room = session.rooms.get()
    args = {
        "round_create": [],
        "round_edit": [session.round_id],
        "position_create": [session.round_id],
        "session_create": [session.round_id],
        "session_edit": [session.pk],
        "room_create": [session.pk],
        "room_edit": [room.pk],
    }[url_name]
    proctor = make_proctor()
    room.proctors.add(proctor)
    response = verified_client(Client(), proctor).get(reverse(f"delivery:{url_name}", args=args))
    assert response.status_code == 403


def test_proctor_opens_only_the_rooms_assigned_to_them():
    session = make_session(rooms=[("r101", 10), ("r102", 10)])
    mine, other = session.rooms.order_by("code")
    proctor = make_proctor()
    mine.proctors.add(proctor)
    client = verified_client(Client(), proctor)
    assert client.get(reverse("delivery:room_detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("delivery:room_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("delivery:room_checkin_list", args=[other.pk, "csv"])).status_code == 404
    assert client.post(reverse("delivery:room_check_in", args=[other.pk, 1])).status_code == 404


def test_officer_still_opens_every_room(client):
    room = make_session(rooms=[("r101", 10)]).rooms.get()
    assert client.get(reverse("delivery:room_detail", args=[room.pk])).status_code == 200


def test_my_rooms_lists_the_proctors_rooms_upcoming_first():
    proctor = make_proctor()
    past = make_session(opens_in=dt.timedelta(days=-2), rooms=[("old", 5)]).rooms.get()
    later = make_session(opens_in=dt.timedelta(days=5), rooms=[("later", 5)]).rooms.get()
    soon = make_session(opens_in=dt.timedelta(days=1), rooms=[("soon", 5)]).rooms.get()
    not_mine = make_session(opens_in=dt.timedelta(days=1), rooms=[("else", 5)]).rooms.get()
    for room in (past, later, soon):
        room.proctors.add(proctor)
    response = verified_client(Client(), proctor).get(reverse("delivery:my_rooms"))
    assert response.status_code == 200
    assert [room.code for room in response.context["rooms"]] == ["soon", "later", "old"]
    assert reverse("delivery:room_detail", args=[soon.pk]) in response.content.decode()
    assert reverse("delivery:room_detail", args=[not_mine.pk]) not in response.content.decode()
    live = reverse("delivery:session_live", args=[soon.session_id])
    assert live in response.content.decode()  # the proctor reaches the live panel of their rooms
    assert verified_client(Client(), proctor).get(live).status_code == 200


def test_my_rooms_is_forbidden_to_a_candidate():
    candidate = make_candidate()
    client = Client()
    client.force_login(candidate.user)
    assert client.get(reverse("delivery:my_rooms")).status_code == 403


# --- seats --------------------------------------------------------------------------------------


def test_entry_seat_page_seats_a_late_addition_in_the_first_free_seat(client, officer):
    session = make_session(rooms=[("r101", 3)])
    room = session.rooms.get()
    make_entry(session, make_candidate(), room=room, seat=1)
    late = make_entry(session, make_candidate())
    response = client.get(reverse("delivery:entry_seat", args=[late.pk]))
    assert response.context["form"].initial == {"room": room.pk, "seat_number": 2}
    response = client.post(
        reverse("delivery:entry_seat", args=[late.pk]), {"room": room.pk, "seat_number": "2"}
    )
    assert response.status_code == 302
    late.refresh_from_db()
    assert (late.room, late.seat_number) == (room, 2)
    entry = last_audit("delivery.seat.assign")
    assert entry.before == {"room": None, "seat_number": None}
    assert entry.after == {"room": room.pk, "seat_number": 2}


def test_assign_seat_refuses_a_taken_seat_and_one_beyond_capacity(officer):
    session = make_session(rooms=[("r101", 3)])
    room = session.rooms.get()
    holder = make_entry(session, make_candidate(), room=room, seat=1, exam_number="00099")
    late = make_entry(session, make_candidate())
    with pytest.raises(ValidationError) as caught:
        assign_seat(late, actor=officer, room=room, seat_number=1)
    assert caught.value.messages == ["ห้อง r101 ที่นั่งเลขที่ 1 มีผู้เข้าสอบแล้ว (00099)"]
    with pytest.raises(ValidationError) as caught:
        assign_seat(late, actor=officer, room=room, seat_number=4)
    assert caught.value.messages == ["ห้อง r101 มีที่นั่งเลขที่ 1 ถึง 3 เท่านั้น"]
    assign_seat(holder, actor=officer, room=room, seat_number=3)  # a move
    holder.refresh_from_db()
    assert holder.seat_number == 3


def test_session_page_warns_when_there_are_more_candidates_than_seats(client):
    session = make_session(rooms=[("r101", 2)])
    for _ in range(3):
        make_entry(session, make_candidate())
    html = client.get(reverse("delivery:session_detail", args=[session.pk])).content.decode()
    assert "ผู้เข้าสอบ 3 คน มากกว่าที่นั่ง 2 ที่ ขาดอีก 1 ที่นั่ง" in html


def test_session_page_has_no_warning_when_seats_suffice(client):
    session = make_session(rooms=[("r101", 3)])
    make_entry(session, make_candidate())
    html = client.get(reverse("delivery:session_detail", args=[session.pk])).content.decode()
    assert "มากกว่าที่นั่ง" not in html


# --- the roster page at scale --------------------------------------------------------------------


def test_roster_page_searches_and_filters(client):
    session = make_session(rooms=[("r101", 10)])
    room = session.rooms.get()
    kanya = make_entry(
        session,
        make_candidate(first_name_th="กัญญา", last_name_th="ศรีสุข"),
        room=room,
        seat=1,
        application_number="69-0001",
        exam_number="10001",
        checked_in_at=timezone.now(),
    )
    somchai = make_entry(
        session, make_candidate(first_name_th="สมชาย", last_name_th="ใจดี"), application_number="69-0002"
    )
    url = reverse("delivery:session_roster", args=[session.pk])

    def found(**params):
        return [e.pk for e in client.get(url, params).context["entries"]]

    assert found() == [kanya.pk, somchai.pk]
    assert found(q="สมชาย") == [somchai.pk]
    assert found(q="กัญญา ศรีสุข") == [kanya.pk]
    assert found(q="69-0002") == [somchai.pk]
    assert found(q="10001") == [kanya.pk]
    national_id = kanya.candidate.national_id
    assert found(
        q=f"{national_id[0]}-{national_id[1:5]}-{national_id[5:10]}-{national_id[10:12]}-{national_id[12]}"
    ) == [kanya.pk]
    assert found(checked_in="yes") == [kanya.pk]
    assert found(checked_in="no") == [somchai.pk]
    assert found(seated="no") == [somchai.pk]
    assert found(room=str(room.pk)) == [kanya.pk]


def bulk_roster(session, count: int) -> None:
    users = User.objects.bulk_create(
        [User(username=f"bulk{i}", kind=User.Kind.CANDIDATE, password="!") for i in range(count)]
    )
    candidates = Candidate.objects.bulk_create(
        [
            Candidate(
                user=user,
                national_id=make_national_id(),
                title="นาย",
                first_name_th=f"ผู้สมัคร{i:05d}",
                last_name_th="ทดสอบ",
                date_of_birth=dt.date(1995, 1, 1),
            )
            for i, user in enumerate(users)
        ]
    )
    RosterEntry.objects.bulk_create(
        [
            RosterEntry(session=session, candidate=c, application_number=f"B{i:05d}", exam_number=f"{i:05d}")
            for i, c in enumerate(candidates)
        ]
    )


def test_roster_page_with_5000_entries_shows_50_in_few_queries(client, django_assert_max_num_queries):
    session = make_session(rooms=[("r101", 10)])
    bulk_roster(session, 5000)
    url = reverse("delivery:session_roster", args=[session.pk])
    with django_assert_max_num_queries(12):
        response = client.get(url, {"page": "3"})
    assert response.status_code == 200
    assert len(response.context["entries"]) == 50
    assert response.context["page"].paginator.num_pages == 100
    assert "หน้า 3 จาก 100" in response.content.decode()
    with django_assert_max_num_queries(12):
        response = client.get(url, {"q": "ผู้สมัคร04999", "seated": "no"})
    assert [e.exam_number for e in response.context["entries"]] == ["04999"]
