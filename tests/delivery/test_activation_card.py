"""Admission cards print the activation code and first-login address for candidates who need them."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from exam_platform.accounts.activation_codes import format_code
from exam_platform.accounts.models import ActivationCode
from exam_platform.accounts.services.activation import issue_activation_codes, usable_codes
from exam_platform.delivery.admission_card import admission_cards_pdf
from exam_platform.delivery.models import RosterEntry
from tests.delivery.roster_setup import make_entry, make_officer, make_session, verified_client
from tests.factories import make_candidate


@pytest.fixture
def officer(db):
    return make_officer()


@pytest.fixture
def session(officer):
    return make_session(actor=officer, rooms=[("r1", 10)])


def _entry(session, *, activated: bool, number="00042"):
    candidate = make_candidate(first_name_th="กมลชนก", last_name_th="แสงอรุณ")
    if not activated:
        candidate.user.set_unusable_password()
        candidate.user.save()
        issue_activation_codes([candidate.user_id])
    return make_entry(session, candidate, exam_number=number, room=session.rooms.get(), seat=int(number))


def _text(entries) -> str:
    loaded = RosterEntry.objects.select_related("session__round", "candidate", "room", "position").filter(
        pk__in=[e.pk for e in entries]
    )
    pdf = PdfReader(io.BytesIO(admission_cards_pdf(loaded.order_by("pk"))))
    return "\n".join(page.extract_text() for page in pdf.pages)


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_card_with_the_code_still_fits_one_page(session):
    entry = _entry(session, activated=False)
    loaded = RosterEntry.objects.select_related("session__round", "candidate", "room", "position").get(
        pk=entry.pk
    )

    assert len(PdfReader(io.BytesIO(admission_cards_pdf([loaded]))).pages) == 1


def test_card_prints_the_activation_code_and_url_for_a_new_candidate(session):
    entry = _entry(session, activated=False)
    code = format_code(usable_codes([entry.candidate.user_id])[entry.candidate.user_id].code)

    text = _compact(_text([entry]))

    assert code in text
    assert "/accounts/activate/" in text


def test_card_reprint_shows_the_same_code(session):
    entry = _entry(session, activated=False)

    first, second = _compact(_text([entry])), _compact(_text([entry]))

    assert first == second
    assert ActivationCode.objects.filter(user=entry.candidate.user).count() == 1


def test_card_of_an_activated_candidate_has_no_code(session):
    entry = _entry(session, activated=True)

    text = _compact(_text([entry]))

    assert "รหัสเปิดใช้งาน" not in text and "/accounts/activate/" not in text


def test_card_of_a_candidate_whose_code_expired_says_ask_an_officer(session):
    entry = _entry(session, activated=False)
    ActivationCode.objects.update(superseded_at="2026-01-01T00:00:00Z")

    text = _compact(_text([entry]))

    assert "โปรดติดต่อเจ้าหน้าที่สอบเพื่อขอรหัสใหม่" in text or "ติดต่อเจ้าหน้าที่" in text


def test_room_cards_each_carry_their_own_code(client, session, officer):
    entries = [_entry(session, activated=False, number=f"0000{i}") for i in (1, 2)]
    verified_client(client, officer)

    response = client.get(reverse("delivery:room_cards", args=[session.rooms.get().pk]))

    pdf = PdfReader(io.BytesIO(response.content))
    codes = usable_codes([e.candidate.user_id for e in entries])
    for page, entry in zip(pdf.pages, entries, strict=True):
        assert format_code(codes[entry.candidate.user_id].code) in _compact(page.extract_text())
