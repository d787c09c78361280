"""The paper page links every PDF a member may download: the booklet of each frozen form and, for
owners, its answer key; every link answers a PDF, and someone not allowed gets 403/404."""

import re

import pytest

from question_bank.services import papers as svc
from tests.factories import log_in, make_bank, make_examiner, make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    owner = make_examiner(username="owner.pdf")
    reviewer = make_examiner(username="reviewer.pdf")
    author = make_examiner(username="author.pdf")
    bank = make_bank(members={owner: "owner", reviewer: "reviewer", author: "author"})
    return {"owner": owner, "reviewer": reviewer, "author": author, "bank": bank}


def _locked(people, *, form_mode="parallel", form_count=2):
    bank, owner = people["bank"], people["owner"]
    for _ in range(8):
        make_item(bank, actor=owner, status="approved", difficulty="easy")
    paper = svc.create_paper(
        bank,
        actor=owner,
        code=f"pdf-{form_mode.replace('_', '-')}",
        title="ภาค ก ทดสอบ",
        form_mode=form_mode,
        form_count=form_count,
    )
    section = svc.add_section(paper, actor=owner, title="ความสามารถทั่วไป")
    subject = bank.categories.get(parent__isnull=True)
    svc.add_rule(
        section, actor=owner, category=subject, count=3, easy_percent=100, medium_percent=0, hard_percent=0
    )
    return svc.lock_paper(paper, actor=owner, seed=3)


def pdf_links(html: str) -> list[str]:
    return re.findall(r'href="(/qb/papers/\d+/(?:booklet|answer-key)\.pdf\?form=\d+)"', html)


def test_paper_page_links_each_forms_booklet_and_answer_key_for_the_owner(client, people):
    paper = _locked(people)
    html = log_in(client, people["owner"]).get(f"/qb/papers/{paper.pk}/").content.decode()

    links = pdf_links(html)
    assert links == [
        f"/qb/papers/{paper.pk}/booklet.pdf?form=1",
        f"/qb/papers/{paper.pk}/answer-key.pdf?form=1",
        f"/qb/papers/{paper.pk}/booklet.pdf?form=2",
        f"/qb/papers/{paper.pk}/answer-key.pdf?form=2",
    ]
    assert "สมุดข้อสอบ ชุดที่ 2 (PDF)" in html and "เฉลย ชุดที่ 2 (PDF)" in html
    for link in links:
        response = client.get(link)
        assert response.status_code == 200, link
        assert response["Content-Type"] == "application/pdf"
        assert response["Cache-Control"] == "private, no-store"
        assert response.content.startswith(b"%PDF-")


def test_paper_page_shows_a_reviewer_only_the_booklets(client, people):
    paper = _locked(people)
    log_in(client, people["reviewer"])
    html = client.get(f"/qb/papers/{paper.pk}/").content.decode()

    assert pdf_links(html) == [
        f"/qb/papers/{paper.pk}/booklet.pdf?form=1",
        f"/qb/papers/{paper.pk}/booklet.pdf?form=2",
    ]
    assert "เฉลยดาวน์โหลดได้เฉพาะเจ้าของคลัง" in html
    assert client.get(f"/qb/papers/{paper.pk}/booklet.pdf?form=2").status_code == 200
    assert client.get(f"/qb/papers/{paper.pk}/answer-key.pdf?form=1").status_code == 403


def test_paper_page_shows_an_author_no_pdf_and_the_pdfs_refuse_them(client, people):
    paper = _locked(people)
    log_in(client, people["author"])
    html = client.get(f"/qb/papers/{paper.pk}/").content.decode()

    assert pdf_links(html) == []
    assert client.get(f"/qb/papers/{paper.pk}/booklet.pdf?form=1").status_code == 403
    assert client.get(f"/qb/papers/{paper.pk}/answer-key.pdf?form=1").status_code == 403


def test_paper_pdfs_are_404_to_an_examiner_outside_the_bank(client, people):
    paper = _locked(people)
    stranger = make_examiner(username="stranger.pdf")
    make_bank(members={stranger: "owner"})
    log_in(client, stranger)

    assert client.get(f"/qb/papers/{paper.pk}/booklet.pdf?form=1").status_code == 404
    assert client.get(f"/qb/papers/{paper.pk}/answer-key.pdf?form=2").status_code == 404


def test_per_candidate_paper_says_what_can_be_printed_and_links_no_pdf(client, people):
    paper = _locked(people, form_mode="per_candidate", form_count=1)
    html = log_in(client, people["owner"]).get(f"/qb/papers/{paper.pk}/").content.decode()

    assert pdf_links(html) == []
    assert "จึงไม่มีสมุดข้อสอบหรือเฉลยชุดตายตัวให้พิมพ์" in html
    assert client.get(f"/qb/papers/{paper.pk}/booklet.pdf?form=1").status_code == 400
