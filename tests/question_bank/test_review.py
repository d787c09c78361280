"""The review workflow through the views: the queue, its buttons per role, transitions and their
errors, comments and audit entries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exam_platform.common.models import AuditEntry
from question_bank.models import Item, ItemComment
from tests.factories import log_in, make_bank, make_examiner, make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def author():
    return make_examiner(username="author.review")


@pytest.fixture
def reviewer():
    return make_examiner(username="reviewer.review")


@pytest.fixture
def owner():
    return make_examiner(username="owner.review")


@pytest.fixture
def bank(author, reviewer, owner):
    return make_bank(members={author: "author", reviewer: "reviewer", owner: "owner"})


def transition(client, item, action, comment=""):
    return client.post(
        f"/qb/items/{item.pk}/transition/", {"action": action, "comment": comment}, follow=True
    )


def test_submit_by_author_moves_draft_to_review_with_a_comment_record(client, author, bank):
    item = make_item(bank, actor=author)
    log_in(client, author)
    response = transition(client, item, "submit")
    item.refresh_from_db()
    assert item.status == "in_review"
    assert response.redirect_chain == [(f"/qb/items/{item.pk}/", 302)]
    assert "ส่งข้อสอบเข้าพิจารณาแล้ว" in response.content.decode()
    assert list(ItemComment.objects.filter(item=item).values_list("from_status", "to_status", "author")) == [
        ("draft", "in_review", author.pk)
    ]


def test_approve_by_reviewer_approves_and_records_comment_and_audit(client, author, reviewer, bank):
    item = make_item(bank, actor=author, status="in_review")
    log_in(client, reviewer)
    transition(client, item, "approve", "ถูกต้องตามหลักเกณฑ์")
    item.refresh_from_db()
    assert item.status == "approved"
    comment = ItemComment.objects.get(item=item)
    assert (comment.author, comment.body, comment.from_status, comment.to_status) == (
        reviewer,
        "ถูกต้องตามหลักเกณฑ์",
        "in_review",
        "approved",
    )
    entry = AuditEntry.objects.filter(action="item.approved").get()
    assert (entry.actor_id, entry.object_id) == (reviewer.pk, str(item.pk))


def test_approve_by_the_items_own_writer_is_refused_with_a_message(client, owner, bank):
    item = make_item(bank, actor=owner, status="in_review")  # an owner may approve, but not their own item
    log_in(client, owner)
    response = transition(client, item, "approve")
    item.refresh_from_db()
    assert item.status == "in_review"
    assert "ผู้เขียนข้อสอบอนุมัติข้อสอบของตนเองไม่ได้ (Authors cannot approve their own items)." in (
        response.content.decode()
    )
    assert not ItemComment.objects.filter(item=item).exists()
    assert not AuditEntry.objects.filter(action="item.approved").exists()


def test_approve_by_an_author_role_is_forbidden(client, author, bank):
    item = make_item(bank, actor=author, status="in_review")
    log_in(client, author)
    response = client.post(f"/qb/items/{item.pk}/transition/", {"action": "approve"})
    item.refresh_from_db()
    assert response.status_code == 403
    assert item.status == "in_review"


def test_return_requires_a_comment(client, author, reviewer, bank):
    item = make_item(bank, actor=author, status="in_review")
    log_in(client, reviewer)
    response = transition(client, item, "return", "   ")
    item.refresh_from_db()
    assert item.status == "in_review"
    assert "กรุณาระบุเหตุผลที่ส่งกลับ (Please say why the item is returned)." in response.content.decode()


def test_return_with_a_comment_sends_the_item_back_to_draft(client, author, reviewer, bank):
    item = make_item(bank, actor=author, status="in_review")
    log_in(client, reviewer)
    transition(client, item, "return", "ตัวเลือก ข กำกวม")
    item.refresh_from_db()
    assert item.status == "draft"
    assert ItemComment.objects.get(item=item).body == "ตัวเลือก ข กำกวม"
    assert AuditEntry.objects.filter(action="item.draft").count() == 1


def test_retire_then_edit_is_refused_and_restore_allows_it_again(client, author, owner, bank):
    item = make_item(bank, actor=author, status="approved")
    log_in(client, owner)
    transition(client, item, "retire", "ล้าสมัย")
    item.refresh_from_db()
    assert item.status == "retired"
    assert client.get(f"/qb/items/{item.pk}/edit/").status_code == 302
    transition(client, item, "restore")
    item.refresh_from_db()
    assert item.status == "draft"
    assert client.get(f"/qb/items/{item.pk}/edit/").status_code == 200


def test_transition_outsider_gets_404_and_unknown_action_a_message(client, author, bank):
    item = make_item(bank, actor=author)
    log_in(client, make_examiner(username="outsider.review"))
    assert client.post(f"/qb/items/{item.pk}/transition/", {"action": "submit"}).status_code == 404
    log_in(client, author)
    response = transition(client, item, "publish")
    assert "ไม่รู้จักคำสั่งนี้ (Unknown action)." in response.content.decode()
    item.refresh_from_db()
    assert item.status == "draft"


def test_transition_ignores_an_offsite_next(client, author, bank):
    item = make_item(bank, actor=author)
    log_in(client, author)
    response = client.post(
        f"/qb/items/{item.pk}/transition/", {"action": "submit", "next": "https://evil.example/"}
    )
    assert response["Location"] == f"/qb/items/{item.pk}/"


def test_comment_action_adds_a_plain_comment(client, author, reviewer, bank):
    item = make_item(bank, actor=author)
    log_in(client, reviewer)
    transition(client, item, "comment", "ควรเพิ่มรูปประกอบ")
    comment = ItemComment.objects.get(item=item)
    assert (comment.body, comment.to_status) == ("ควรเพิ่มรูปประกอบ", "")


def test_item_page_buttons_follow_the_role(client, author, reviewer, owner, bank):
    draft = make_item(bank, actor=author)
    in_review = make_item(bank, actor=author, status="in_review")
    log_in(client, author)
    assert [a["action"] for a in client.get(f"/qb/items/{draft.pk}/").context["actions"]] == [
        "submit",
    ]
    assert client.get(f"/qb/items/{in_review.pk}/").context["actions"] == []
    log_in(client, reviewer)
    assert client.get(f"/qb/items/{draft.pk}/").context["actions"] == []
    assert [a["action"] for a in client.get(f"/qb/items/{in_review.pk}/").context["actions"]] == [
        "approve",
        "return",
    ]
    log_in(client, owner)
    assert [a["action"] for a in client.get(f"/qb/items/{in_review.pk}/").context["actions"]] == [
        "approve",
        "return",
        "retire",
    ]


# --- the queue ----------------------------------------------------------------------------------


def test_review_queue_lists_only_in_review_items_of_the_bank_with_key_and_buttons(
    client, author, reviewer, bank
):
    waiting = make_item(bank, actor=author, status="in_review", correct=2)
    make_item(bank, actor=author)  # draft
    make_item(bank, actor=author, status="approved")
    make_item(make_bank(members={reviewer: "reviewer"}), actor=author, status="in_review")  # other bank
    log_in(client, reviewer)
    response = client.get(f"/qb/banks/{bank.pk}/review/")
    html = response.content.decode()
    assert response.status_code == 200
    assert [row["item"].pk for row in response.context["rows"]] == [waiting.pk]
    assert 'class="qb-key-choice">ค.</strong> กะเพา' in html
    assert 'name="action" value="approve"' in html and 'name="action" value="return"' in html
    assert f'id="r{waiting.pk}-1-stem"' in html


def test_review_queue_author_sees_no_review_buttons(client, author, bank):
    make_item(bank, actor=author, status="in_review")
    log_in(client, author)
    html = client.get(f"/qb/banks/{bank.pk}/review/").content.decode()
    assert 'value="approve"' not in html and 'value="return"' not in html


def test_review_queue_outsider_gets_404(client, bank):
    log_in(client, make_examiner(username="outsider.queue"))
    assert client.get(f"/qb/banks/{bank.pk}/review/").status_code == 404


def test_review_queue_query_count_does_not_grow_with_the_page(client, author, reviewer, bank):
    log_in(client, reviewer)
    make_item(bank, actor=author, status="in_review", tags=["ก"])
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(f"/qb/banks/{bank.pk}/review/").context["rows"]) == 1
    for i in range(9):
        make_item(bank, actor=author, status="in_review", tags=[f"ป้าย{i}"])
    with CaptureQueriesContext(connection) as ten:
        assert len(client.get(f"/qb/banks/{bank.pk}/review/").context["rows"]) == 10
    assert len(ten) == len(one)


def test_review_queue_pages_after_twenty(client, author, reviewer, bank):
    for _ in range(21):
        make_item(bank, actor=author, status="in_review")
    log_in(client, reviewer)
    first = client.get(f"/qb/banks/{bank.pk}/review/")
    second = client.get(f"/qb/banks/{bank.pk}/review/", {"page": 2})
    assert len(first.context["rows"]) == 20
    assert [row["number"] for row in second.context["rows"]] == [21]
    assert Item.objects.filter(bank=bank, status="in_review").count() == 21
