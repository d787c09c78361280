import io
import re

import pytest
from django.core import signing
from django.urls import reverse
from pypdf import PdfReader

from exam_platform.common.national_id import mask_national_id
from exam_platform.delivery.admission_card import (
    CARD_TOKEN_SALT,
    BadCardToken,
    admission_cards_pdf,
    make_card_token,
    read_card_token,
)
from exam_platform.delivery.models import RosterEntry
from tests.delivery.roster_setup import make_entry, make_officer, make_session, verified_client
from tests.factories import make_candidate

TOKEN_LINE = re.compile(r"check-in code\):\s*(\S+)")


@pytest.fixture
def officer(db):
    return make_officer()


@pytest.fixture
def session(officer):
    return make_session(actor=officer, rooms=[("r1", 10)])


@pytest.fixture
def entry(session):
    candidate = make_candidate(first_name_th="กมลชนก", last_name_th="แสงอรุณ")
    return make_entry(session, candidate, exam_number="00042", room=session.rooms.get(), seat=7)


def _load(entry):
    return RosterEntry.objects.select_related("session__round", "candidate", "room", "position").get(
        pk=entry.pk
    )


def test_card_pdf_is_valid_and_carries_a_verifying_token(entry):
    pdf = PdfReader(io.BytesIO(admission_cards_pdf([_load(entry)])))

    text = pdf.pages[0].extract_text()
    token = TOKEN_LINE.search(text).group(1)

    assert len(pdf.pages) == 1
    assert "บัตรประจําตัวสอบ" in text or "บัตรประจำตัวสอบ" in text
    assert "00042" in text
    assert mask_national_id(entry.candidate.national_id) in text
    assert entry.candidate.national_id not in text  # the full ID is never printed
    assert "2569" in text or "2570" in text  # Buddhist-era year
    assert read_card_token(token) == (entry.pk, "00042")
    assert token == make_card_token(entry)


def test_card_token_tampered_or_foreign_salt_fails(entry):
    token = make_card_token(entry)
    forged_payload = signing.Signer(salt=CARD_TOKEN_SALT).sign_object({"e": entry.pk + 1, "n": "00042"})
    tampered = forged_payload.split(":")[0] + ":" + token.split(":")[1]
    other_salt = signing.Signer(salt="something.else").sign_object({"e": entry.pk, "n": "00042"})

    for bad in (tampered, other_salt, token[:-2] + "xx", "", "garbage"):
        with pytest.raises(BadCardToken):
            read_card_token(bad)


def test_room_cards_one_pdf_one_page_per_candidate(client, officer, session, entry):
    make_entry(session, make_candidate(), room=session.rooms.get(), seat=8)
    verified_client(client, officer)

    response = client.get(reverse("delivery:room_cards", args=[session.rooms.get().pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 2


def test_candidate_downloads_own_card_but_not_another(client, session, entry):
    other = make_entry(session, make_candidate(), room=session.rooms.get(), seat=9)
    client.force_login(entry.candidate.user)

    own = client.get(reverse("delivery:candidate_card", args=[entry.pk]))
    foreign = client.get(reverse("delivery:candidate_card", args=[other.pk]))
    officer_url = client.get(reverse("delivery:entry_card", args=[other.pk]))

    assert own.status_code == 200
    assert own.content.startswith(b"%PDF")
    assert foreign.status_code == 404
    assert officer_url.status_code == 403
