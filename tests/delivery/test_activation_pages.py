"""Officer pages: a session's activation overview, one candidate's page where a new code is issued."""

import pytest
from django.urls import reverse

from exam_platform.accounts.activation_codes import format_code
from exam_platform.accounts.models import ActivationCode
from exam_platform.accounts.services.activation import find_activation_code, usable_codes
from exam_platform.common.models import AuditEntry
from exam_platform.delivery.models import RosterEntry
from exam_platform.delivery.services.roster import import_roster
from tests.delivery.roster_rows import big_roster_csv
from tests.delivery.roster_setup import make_officer, make_session, verified_client


@pytest.fixture
def officer(db):
    return make_officer()


@pytest.fixture
def entry(officer):
    session = make_session(actor=officer)
    import_roster(session, big_roster_csv(1, email=True), filename="r.csv", actor=officer)
    return RosterEntry.objects.select_related("candidate__user").get(session=session)


def test_officer_reissues_a_code_and_the_old_one_stops_working(client, officer, entry):
    old = usable_codes([entry.candidate.user_id])[entry.candidate.user_id].code
    verified_client(client, officer)

    response = client.post(reverse("delivery:entry_activation", args=[entry.pk]))

    new = usable_codes([entry.candidate.user_id])[entry.candidate.user_id].code
    html = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert new != old and format_code(new) in html
    assert find_activation_code(entry.candidate.national_id, old) is None
    assert AuditEntry.objects.order_by("-seq").first().action == "accounts.activation_code.issue"
    assert (
        format_code(new)
        not in client.get(reverse("delivery:entry_activation", args=[entry.pk])).content.decode()
    )


def test_session_activation_page_counts_and_offers_the_mail_button(client, officer, entry):
    verified_client(client, officer)

    html = client.get(reverse("delivery:session_activation", args=[entry.session_id])).content.decode()

    assert "ส่งรหัสเปิดใช้งานทางอีเมล" in html
    assert reverse("delivery:session_email_codes", args=[entry.session_id]) in html
    detail = client.get(reverse("delivery:session_detail", args=[entry.session_id])).content.decode()
    assert reverse("delivery:session_activation", args=[entry.session_id]) in detail
    assert "วันเดือนปีเกิด (ววดดปปปป" not in detail  # the old initial-password rule is gone


def test_activation_pages_refuse_proctors(client, entry):
    verified_client(client, make_officer("proctor"))

    assert client.post(reverse("delivery:entry_activation", args=[entry.pk])).status_code == 403
    assert client.get(reverse("delivery:session_activation", args=[entry.session_id])).status_code == 403
    assert ActivationCode.objects.count() == 1
