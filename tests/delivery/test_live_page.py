"""The live panel page (/exam/officer/sessions/<id>/live/): who may open it and what it shows
before the socket says anything."""

import pytest
from django.test import Client
from django.urls import reverse

from exam_platform.delivery.models import Room
from tests.delivery.exam_setup import make_entry, make_session
from tests.factories import log_in, make_staff

pytestmark = pytest.mark.django_db


def arrange():
    session = make_session()
    room_a = Room.objects.create(session=session, code="a", name="ห้อง ก", capacity=10)
    room_b = Room.objects.create(session=session, code="b", name="ห้อง ข", capacity=10, position=1)
    for room, checked_in in ((room_a, True), (room_a, False), (room_b, True)):
        entry = make_entry(session, checked_in=checked_in)
        entry.room = room
        entry.save(update_fields=["room"])
    return session, room_a, room_b


def page_of(session, user):
    return log_in(Client(), user).get(reverse("delivery:session_live", args=[session.pk]))


def test_live_page_officer_sees_counts_rooms_and_the_socket_config(django_assert_max_num_queries):
    session, _a, _b = arrange()
    client = log_in(Client(), make_staff("exam_officer"))

    with django_assert_max_num_queries(12):
        response = client.get(reverse("delivery:session_live", args=[session.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-count="total">3<' in html
    assert 'data-count="waiting">2<' in html
    assert 'data-count="not_checked_in">1<' in html
    assert "ห้อง ก" in html and "ห้อง ข" in html
    assert f"/ws/officer/sessions/{session.pk}/live/" in html
    assert 'aria-live="polite"' in html


def test_live_page_proctor_sees_only_their_room():
    session, room_a, room_b = arrange()
    proctor = make_staff("proctor")
    room_b.proctors.add(proctor)

    response = page_of(session, proctor)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-count="total">1<' in html
    assert "ห้อง ข" in html and room_a.name not in html


def test_live_page_proctor_of_another_session_gets_404():
    session, _a, _b = arrange()
    proctor = make_staff("proctor")
    Room.objects.create(session=make_session(), code="x", name="x", capacity=5).proctors.add(proctor)

    assert page_of(session, proctor).status_code == 404


def test_live_page_refuses_other_roles_with_403():
    session, _a, _b = arrange()

    assert page_of(session, make_staff("examiner")).status_code == 403


def test_session_page_links_to_the_live_panel():
    session, _a, _b = arrange()

    response = page_of(session, make_staff("exam_officer"))
    detail = log_in(Client(), make_staff("exam_officer")).get(
        reverse("delivery:session_detail", args=[session.pk])
    )

    assert response.status_code == 200
    assert reverse("delivery:session_live", args=[session.pk]) in detail.content.decode()
