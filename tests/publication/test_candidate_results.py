import pytest

from tests.factories import make_candidate
from tests.publication.list_setup import published_list, standard_round

pytestmark = pytest.mark.django_db


def test_results_page_before_publication_shows_no_scores(client):
    _scored, entries = standard_round()
    client.force_login(entries["first"].candidate.user)

    html = client.get("/results/").content.decode()

    assert "ยังไม่ประกาศผล" in html
    assert "85.00" not in html
    assert client.get(f"/results/{entries['first'].pk}/slip.pdf").status_code == 404


def test_results_page_shows_own_scores_rank_and_slip_link_only(client):
    scored, entries = standard_round()
    published_list(scored)
    mine = entries["tie_a"]
    client.force_login(mine.candidate.user)

    html = client.get("/results/").content.decode()

    assert "70.00" in html
    assert "ภาษาไทย" in html and "ภาษาอังกฤษ" in html
    assert "ผ่าน: รวม 70/100 (70 %) ≥ 60 %" in html
    assert "<strong>2</strong>" in html
    assert f'href="/results/{mine.pk}/slip.pdf"' in html
    assert "85.00" not in html  # the first-ranked candidate's total
    for other in ("first", "tie_b", "failed"):
        assert f"/results/{entries[other].pk}/slip.pdf" not in html


def test_failed_candidate_sees_their_result_without_rank(client):
    scored, entries = standard_round()
    published_list(scored)
    client.force_login(entries["failed"].candidate.user)

    html = client.get("/results/").content.decode()

    assert "ไม่ผ่าน: รวม 40/100" in html
    assert "ไม่อยู่ในบัญชีผู้สอบแข่งขันได้" in html


def test_slip_of_another_candidate_is_not_found(client):
    scored, entries = standard_round()
    published_list(scored)
    client.force_login(entries["tie_a"].candidate.user)

    assert client.get(f"/results/{entries['first'].pk}/slip.pdf").status_code == 404
    assert client.get("/results/999999/slip.pdf").status_code == 404


def test_candidate_without_results_sees_none(client):
    published_list()
    client.force_login(make_candidate().user)

    html = client.get("/results/").content.decode()

    assert "ยังไม่มีผลการสอบ" in html


def test_own_slip_pdf_carries_a_verifying_qr_token(client):
    import re

    from exam_platform.publication.slip import make_slip_token, read_slip_token, slip_fields

    scored, entries = standard_round()
    version, _preparer, _approver = published_list(scored)
    mine = entries["first"]
    client.force_login(mine.candidate.user)

    response = client.get(f"/results/{mine.pk}/slip.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    expected = make_slip_token(slip_fields(mine.result, rank=1, list_ref=f"{version.rank_list_id}/v1"))
    check = read_slip_token(expected)
    assert check.valid
    assert check.fields["k"] == 1
    assert check.fields["n"] == "นายกมล เก."
    assert re.match(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$", expected)


def test_staff_cannot_use_the_candidate_results_page(client):
    from tests.delivery.roster_setup import make_officer, verified_client

    verified_client(client, make_officer())

    assert client.get("/results/").status_code == 403
