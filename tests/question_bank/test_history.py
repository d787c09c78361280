"""An item's history page: versions listed with Buddhist-era dates, word-level Thai diffs, choices
compared by uid with correctness changes flagged, and the comment timeline."""

import pytest

from question_bank.services.items import edit_item, item_data_from_version
from question_bank.services.review import submit_for_review
from tests.factories import log_in, make_bank, make_examiner, make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def author():
    return make_examiner(username="author.history", display_name="สมหญิง เขียนดี")


@pytest.fixture
def bank(author):
    return make_bank(members={author: "author"})


def edit(item, author, *, stem=None, note="", correct=None, drop_last=False):
    data = item_data_from_version(item.current_version)
    if stem is not None:
        data.stem = stem
    if correct is not None:
        for i, choice in enumerate(data.choices):
            choice.is_correct = i == correct
    if drop_last:
        data.choices.pop()
    data.change_note = note
    edit_item(item, data, actor=author)
    item.refresh_from_db()
    return item


def test_history_lists_versions_newest_first_with_buddhist_era_dates(client, author, bank):
    item = make_item(bank, actor=author, stem="แม่น้ำเจ้าพระยาไหลผ่านกรุงเทพ")
    edit(item, author, stem="แม่น้ำเจ้าพระยาไหลผ่านกรุงเทพมหานคร", note="เติมชื่อเต็ม")
    log_in(client, author)
    response = client.get(f"/qb/items/{item.pk}/history/")
    html = response.content.decode()
    assert response.status_code == 200
    assert [v.number for v in response.context["versions"]] == [2, 1]
    assert "เติมชื่อเต็ม" in html
    year_be = item.current_version.created_at.year + 543
    assert f"{year_be} เวลา" in html


def test_history_diff_marks_inserted_and_deleted_thai_words(client, author, bank):
    item = make_item(bank, actor=author, stem="นักเรียนไปโรงเรียนทุกวัน")
    edit(item, author, stem="นักเรียนไปโรงพยาบาลทุกวัน")
    log_in(client, author)
    html = client.get(f"/qb/items/{item.pk}/history/").content.decode()
    assert "<del>โรงเรียน</del>" in html
    assert "<ins>โรงพยาบาล</ins>" in html
    assert "นักเรียนไป<del>" in html  # unchanged words stay plain


def test_history_diff_flags_choice_correctness_changes_and_removed_choices(client, author, bank):
    item = make_item(bank, actor=author, correct=0)
    edit(item, author, correct=1, drop_last=True)
    log_in(client, author)
    response = client.get(f"/qb/items/{item.pk}/history/")
    html = response.content.decode()
    statuses = [c.status for c in response.context["diff"].choices]
    assert statuses == ["changed", "changed", "same", "removed"]
    assert html.count("qb-correctness-changed") == 2
    assert "เปลี่ยนเป็นคำตอบที่ถูก" in html and "ไม่เป็นคำตอบที่ถูกอีกต่อไป" in html
    assert "<del>กระเพา</del>" in html


def test_history_compares_the_versions_asked_for(client, author, bank):
    item = make_item(bank, actor=author, stem="หนึ่ง")
    edit(item, author, stem="สอง")
    edit(item, author, stem="สาม")
    log_in(client, author)
    response = client.get(f"/qb/items/{item.pk}/history/", {"old": 1, "new": 3})
    diff = response.context["diff"]
    assert (diff.old.number, diff.new.number) == (1, 3)
    assert "<del>หนึ่ง</del><ins>สาม</ins>" in response.content.decode()


def test_history_of_a_single_version_has_no_diff(client, author, bank):
    item = make_item(bank, actor=author)
    log_in(client, author)
    response = client.get(f"/qb/items/{item.pk}/history/", {"old": "x"})
    assert response.status_code == 200
    assert response.context["diff"] is None
    assert "ข้อสอบนี้มีรุ่นเดียว" in response.content.decode()


def test_history_shows_the_transition_timeline(client, author, bank):
    item = make_item(bank, actor=author)
    submit_for_review(item, actor=author, comment="พร้อมให้พิจารณา")
    log_in(client, author)
    html = client.get(f"/qb/items/{item.pk}/history/").content.decode()
    assert "พร้อมให้พิจารณา" in html
    draft = '<span class="qb-status qb-status-draft">ฉบับร่าง</span>'
    in_review = '<span class="qb-status qb-status-in_review">รอพิจารณา</span>'
    assert f"{draft} → {in_review}" in html


def test_history_outsider_gets_404(client, author, bank):
    item = make_item(bank, actor=author)
    log_in(client, make_examiner(username="outsider.history"))
    assert client.get(f"/qb/items/{item.pk}/history/").status_code == 404
