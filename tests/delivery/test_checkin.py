import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse

from exam_platform.common.models import AuditEntry
from exam_platform.delivery.admission_card import make_card_token
from exam_platform.delivery.models import ExamSession, RosterEntry
from exam_platform.delivery.services.checkin import CHECKIN_MAX_FAILURES
from tests.delivery.roster_setup import make_entry, make_officer, make_session, verified_client
from tests.factories import make_candidate

SOON = dt.timedelta(hours=1)  # check-in opens one day before the session: open now


@pytest.fixture(autouse=True)
def _clear_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def officer(db):
    return make_officer()


@pytest.fixture
def session(officer):
    return make_session(actor=officer, opens_in=SOON, rooms=[("r1", 10), ("r2", 10)])


@pytest.fixture
def entry(session):
    candidate = make_candidate(
        first_name_th="กมลชนก", last_name_th="แสงอรุณ", date_of_birth=dt.date(1995, 5, 17)
    )
    return make_entry(
        session, candidate, application_number="APP-0042", room=session.rooms.get(code="r1"), seat=1
    )


def _identity(entry, **changes):
    data = {
        "national_id": entry.candidate.national_id_display,
        "date_of_birth": "17/05/2538",
        "application_number": "APP-0042",
        "accept_rules": "on",
    }
    data.update(changes)
    return data


def _check_in_url(entry):
    return reverse("delivery:candidate_check_in", args=[entry.pk])


def test_candidate_home_lists_own_sessions_with_checkin_action(client, entry):
    other = make_entry(entry.session, make_candidate(first_name_th="คนอื่น"))
    client.force_login(entry.candidate.user)

    page = client.get(reverse("delivery:candidate_home")).content.decode()

    assert _check_in_url(entry) in page
    assert reverse("delivery:candidate_card", args=[entry.pk]) in page
    assert _check_in_url(other) not in page
    assert "ยืนยันตัวตนได้แล้ว" in page


def test_candidate_checks_in_with_matching_identity_and_rules(client, entry):
    client.force_login(entry.candidate.user)
    audits = AuditEntry.objects.count()

    response = client.post(_check_in_url(entry), _identity(entry))

    entry.refresh_from_db()
    assert response.status_code == 302
    assert entry.checked_in_at is not None
    assert entry.identity_confirmed_at == entry.rules_accepted_at == entry.checked_in_at
    assert entry.checked_in_by == entry.candidate.user
    assert AuditEntry.objects.count() == audits + 1
    assert AuditEntry.objects.order_by("-seq").first().action == "delivery.checkin.self"


@pytest.mark.parametrize(
    "changes",
    [
        {"date_of_birth": "18/05/2538"},
        {"application_number": "APP-0043"},
        {"national_id": "1101700203451"},
    ],
)
def test_candidate_identity_mismatch_refused(client, entry, changes):
    client.force_login(entry.candidate.user)

    response = client.post(_check_in_url(entry), _identity(entry, **changes))

    entry.refresh_from_db()
    assert response.status_code == 400
    body = response.content.decode()
    assert "ข้อมูลไม่ตรงกับทะเบียนผู้เข้าสอบ" in body
    assert "The details do not match the roster" in body
    assert entry.checked_in_at is None


def test_candidate_rules_not_accepted_refused(client, entry):
    client.force_login(entry.candidate.user)

    response = client.post(_check_in_url(entry), _identity(entry, accept_rules=""))

    entry.refresh_from_db()
    assert response.status_code == 400
    assert "Please accept the exam rules" in response.content.decode()
    assert entry.checked_in_at is None


def test_candidate_checkin_throttled_after_repeated_failures(client, entry):
    client.force_login(entry.candidate.user)
    for _ in range(CHECKIN_MAX_FAILURES):
        client.post(_check_in_url(entry), _identity(entry, date_of_birth="01/01/2500"))

    response = client.post(_check_in_url(entry), _identity(entry))

    entry.refresh_from_db()
    assert response.status_code == 400
    assert "Too many failed attempts" in response.content.decode()
    assert entry.checked_in_at is None


def test_candidate_checkin_before_window_refused(client, officer):
    session = make_session(actor=officer, opens_in=dt.timedelta(days=3))
    entry = make_entry(
        session, make_candidate(date_of_birth=dt.date(1995, 5, 17)), application_number="APP-0042"
    )
    client.force_login(entry.candidate.user)

    response = client.post(_check_in_url(entry), _identity(entry))

    entry.refresh_from_db()
    assert response.status_code == 400
    assert "Check-in has not opened yet" in response.content.decode()
    assert entry.checked_in_at is None


def test_candidate_checkin_after_late_entry_refused(client, entry):
    ExamSession.objects.filter(pk=entry.session_id).update(
        opens_at=dt.datetime(2020, 1, 1, 9, tzinfo=dt.UTC),
        late_entry_until=dt.datetime(2020, 1, 1, 9, 30, tzinfo=dt.UTC),
        closes_at=dt.datetime(2020, 1, 1, 12, tzinfo=dt.UTC),
    )
    client.force_login(entry.candidate.user)

    response = client.post(_check_in_url(entry), _identity(entry))

    assert response.status_code == 400
    assert "check-in is closed" in response.content.decode()


def test_candidate_cannot_check_in_to_another_entry(client, entry):
    intruder = make_candidate()
    make_entry(entry.session, intruder)
    client.force_login(intruder.user)

    get = client.get(_check_in_url(entry))
    post = client.post(_check_in_url(entry), _identity(entry))

    entry.refresh_from_db()
    assert (get.status_code, post.status_code) == (404, 404)
    assert entry.checked_in_at is None


def test_proctor_checks_in_by_button_audited(client, entry):
    proctor = make_officer("proctor")
    entry.room.proctors.add(proctor)  # proctors reach only their assigned rooms
    verified_client(client, proctor)

    response = client.post(reverse("delivery:room_check_in", args=[entry.room_id, entry.pk]))

    entry.refresh_from_db()
    assert response.status_code == 302
    assert entry.checked_in_by == proctor
    last = AuditEntry.objects.order_by("-seq").first()
    assert (last.action, last.after["via"]) == ("delivery.checkin.staff", "button")


def test_staff_token_checkin_valid_tampered_and_wrong_room(client, officer, entry, session):
    verified_client(client, officer)
    room_url = reverse("delivery:room_detail", args=[entry.room_id])
    other_room_url = reverse("delivery:room_detail", args=[session.rooms.get(code="r2").pk])
    token = make_card_token(entry)
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")

    bad = client.post(room_url, {"token": tampered})
    wrong_room = client.post(other_room_url, {"token": token})
    entry.refresh_from_db()
    assert entry.checked_in_at is None
    good = client.post(room_url, {"token": token})

    entry.refresh_from_db()
    assert bad.status_code == 400
    assert "The admission card code is invalid or was altered" in bad.content.decode()
    assert wrong_room.status_code == 400
    assert "This candidate is seated elsewhere" in wrong_room.content.decode()
    assert good.status_code == 302
    assert entry.checked_in_by == officer
    assert AuditEntry.objects.order_by("-seq").first().after["via"] == "qr"


def test_room_page_thai_order_status_and_constant_queries(
    client, officer, session, django_assert_max_num_queries
):
    room = session.rooms.get(code="r1")
    for seat, name in enumerate(["โชติ", "กมล", "เกศินี"], start=1):
        make_entry(session, make_candidate(first_name_th=name), room=room, seat=seat)
    verified_client(client, officer)
    url = reverse("delivery:room_detail", args=[room.pk])
    client.get(url)

    with django_assert_max_num_queries(12) as few:
        page = client.get(url).content.decode()
    for seat in range(4, 24):
        make_entry(session, make_candidate(), room=room, seat=seat)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)

    assert page.index("กมล") < page.index("เกศินี") < page.index("โชติ")
    assert "เช็กอินแล้ว 0 จาก 3 คน" in page


def test_room_page_refused_to_candidate_and_examiner(client, session):
    room = session.rooms.get(code="r1")
    verified_client(client, make_officer("examiner"))
    assert client.get(reverse("delivery:room_detail", args=[room.pk])).status_code == 403
    client.force_login(make_candidate().user)
    assert client.get(reverse("delivery:room_detail", args=[room.pk])).status_code == 403


def test_checkin_list_pdf_html_csv(client, officer, entry):
    verified_client(client, officer)
    urls = {
        fmt: reverse("delivery:room_checkin_list", args=[entry.room_id, fmt])
        for fmt in ("pdf", "html", "csv")
    }

    pdf, html, csv = (client.get(urls[f]) for f in ("pdf", "html", "csv"))

    assert pdf.content.startswith(b"%PDF")
    assert "นายกมลชนก แสงอรุณ" in html.content.decode()
    assert csv.content.decode("utf-8-sig").splitlines()[1].endswith("นายกมลชนก แสงอรุณ,ยังไม่เช็กอิน,,")


def test_accommodations_editor_saves_and_audits(client, officer, entry):
    verified_client(client, officer)
    url = reverse("delivery:entry_accommodations", args=[entry.pk])

    response = client.post(url, {"extra_time_percent": "50", "extra_minutes": "", "large_text": "on"})

    entry.refresh_from_db()
    assert response.status_code == 302
    assert entry.accommodations == {"extra_time_percent": 50, "large_text": True}
    last = AuditEntry.objects.order_by("-seq").first()
    assert last.action == "delivery.roster.accommodations"
    assert (last.before, last.after) == ({"accommodations": {}}, {"accommodations": entry.accommodations})
    assert RosterEntry.objects.get(pk=entry.pk).accommodations["extra_time_percent"] == 50
