"""Bulk workflow actions from the item list: the same review rules as one item, one comment and one
audit entry per item, all or nothing, select-all-matching respecting the filter, access."""

import pytest

from exam_platform.common.models import AuditEntry
from question_bank.models import Item, ItemComment
from question_bank.services import bulk, review
from question_bank.services.review import ReviewError, approve_item
from question_bank.views import review as review_views
from tests.factories import log_in, make_bank, make_examiner, make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def author():
    return make_examiner(username="author.bulk")


@pytest.fixture
def reviewer():
    return make_examiner(username="reviewer.bulk")


@pytest.fixture
def owner():
    return make_examiner(username="owner.bulk")


@pytest.fixture
def bank(author, reviewer, owner):
    return make_bank(members={author: "author", reviewer: "reviewer", owner: "owner"})


def statuses(items) -> list[str]:
    return list(
        Item.objects.filter(pk__in=[i.pk for i in items]).order_by("pk").values_list("status", flat=True)
    )


def post_bulk(client, bank, **data):
    return client.post(f"/qb/banks/{bank.pk}/items/bulk/", data)


def confirm(client, bank, response, **extra):
    """Press the confirmation page's button: post back exactly what the page carries."""
    plan = response.context["plan"]
    data = {
        "action": plan.action.name,
        "ids": response.context["ids"],
        "expected": plan.fingerprint,
        "filters": response.context["filters"],
        "confirm": "1",
        **extra,
    }
    return client.post(f"/qb/banks/{bank.pk}/items/bulk/", data)


# --- the service ----------------------------------------------------------------------------------


def test_bulk_approve_skips_the_owners_own_items_and_approves_the_rest(author, owner, bank):
    theirs = [make_item(bank, actor=author, status="in_review") for _ in range(3)]
    own = make_item(bank, actor=owner, status="in_review")
    ids = [i.pk for i in [*theirs, own]]

    plan = bulk.plan_bulk_transition(bank, ids, bulk.ACTIONS["approve"], actor=owner)
    assert [i.pk for i in plan.ready] == [i.pk for i in theirs]
    assert [(s.item.pk, s.reason) for s in plan.skipped] == [(own.pk, "คุณเป็นผู้เขียนข้อสอบข้อนี้ จึงอนุมัติเองไม่ได้")]

    bulk.apply_bulk_transition(bank, ids, bulk.ACTIONS["approve"], actor=owner, expected=plan.fingerprint)

    assert statuses(theirs) == ["approved"] * 3
    assert statuses([own]) == ["in_review"]


def test_bulk_refusal_predicts_the_single_item_rule_for_an_author_of_a_later_version(author, reviewer, bank):
    """The reviewer wrote version 2 of an author's item: single approval refuses, so bulk skips it."""
    from question_bank.services.items import edit_item, item_data_from_version

    item = make_item(bank, actor=author)
    bank.memberships.filter(user=reviewer).update(role="owner")
    reviewer.__dict__.pop("_bank_roles", None)
    edit_item(item, item_data_from_version(item.current_version), actor=reviewer)
    Item.objects.filter(pk=item.pk).update(status="in_review")
    item.refresh_from_db()

    reason = bulk.refusal(item, bulk.ACTIONS["approve"], actor=reviewer)
    with pytest.raises(ReviewError):
        approve_item(item, actor=reviewer)
    assert reason == "คุณเป็นผู้เขียนข้อสอบข้อนี้ จึงอนุมัติเองไม่ได้"


def test_bulk_approve_writes_one_comment_and_one_audit_entry_per_item(author, reviewer, bank):
    items = [make_item(bank, actor=author, status="in_review") for _ in range(4)]
    ids = [i.pk for i in items]
    before = AuditEntry.objects.count()
    plan = bulk.plan_bulk_transition(bank, ids, bulk.ACTIONS["approve"], actor=reviewer)

    bulk.apply_bulk_transition(
        bank, ids, bulk.ACTIONS["approve"], actor=reviewer, expected=plan.fingerprint, comment="ผ่าน"
    )

    audits = AuditEntry.objects.order_by("seq")[before:]
    assert AuditEntry.objects.count() - before == 4
    assert sorted(int(a.object_id) for a in audits) == ids
    assert {a.action for a in audits} == {"item.approved"}
    assert all(a.before == {"status": "in_review"} for a in audits)
    comments = ItemComment.objects.filter(item_id__in=ids, to_status="approved")
    assert sorted(comments.values_list("item_id", flat=True)) == ids
    assert set(comments.values_list("body", flat=True)) == {"ผ่าน"}


def test_bulk_apply_writes_nothing_when_one_item_fails_inside_the_transaction(
    author, reviewer, bank, monkeypatch
):
    items = [make_item(bank, actor=author, status="in_review") for _ in range(3)]
    ids = [i.pk for i in items]
    plan = bulk.plan_bulk_transition(bank, ids, bulk.ACTIONS["approve"], actor=reviewer)

    def audit_write_fails(entries):
        assert len(entries) == 3  # after the items' UPDATE and the comments' INSERT
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(bulk, "append_audit_entries", audit_write_fails)
    audits = AuditEntry.objects.count()

    with pytest.raises(RuntimeError):
        bulk.apply_bulk_transition(
            bank, ids, bulk.ACTIONS["approve"], actor=reviewer, expected=plan.fingerprint
        )

    assert statuses(items) == ["in_review"] * 3
    assert AuditEntry.objects.count() == audits
    assert not ItemComment.objects.filter(item_id__in=ids).exists()


SINGLE = {
    "submit": review.submit_for_review,
    "approve": review.approve_item,
    "return": review.return_item,
    "retire": review.retire_item,
    "restore": review.restore_item,
}


@pytest.mark.parametrize("role", ["author", "reviewer", "owner"])
def test_bulk_refusal_refuses_exactly_what_the_single_transition_refuses(role, bank):
    """Every action × every status × written by the actor or not: refusal() is None exactly when
    the item page offers the action and services/review.py's single transition accepts it; then
    both write the same audit record."""
    from django.core.exceptions import PermissionDenied
    from django.db import transaction

    actor = bank.memberships.get(role=role).user
    other = bank.memberships.exclude(user=actor).first().user
    for name, action in bulk.ACTIONS.items():
        if not bulk.access.can(actor, bank.pk, action.roles):
            with pytest.raises(PermissionDenied):
                bulk.plan_bulk_transition(bank, [], action, actor=actor)
            continue
        for status in Item.Status.values:
            for writer in (actor, other):
                item = make_item(bank, actor=writer, status=status)
                predicted = bulk.refusal(item, action, actor=actor) is None
                button_shown = status in review_views.ACTIONS[name][0]  # the single page's rule
                try:
                    if not button_shown:
                        raise ReviewError("no such button")
                    with transaction.atomic():
                        SINGLE[name](item, actor=actor, comment="เหตุผล", request=None)
                        single = AuditEntry.objects.order_by("-seq").first()
                        single_record = (single.action, single.before, single.after)
                        raise _Undo
                except _Undo:
                    accepted = True
                except (ReviewError, PermissionDenied):
                    accepted = False
                assert predicted == accepted, (role, name, status, writer == actor)
                if accepted:
                    plan = bulk.plan_bulk_transition(bank, [item.pk], action, actor=actor)
                    bulk.apply_bulk_transition(
                        bank, [item.pk], action, actor=actor, expected=plan.fingerprint, comment="เหตุผล"
                    )
                    entry = AuditEntry.objects.order_by("-seq").first()
                    assert (entry.action, entry.before, entry.after) == single_record


class _Undo(Exception):
    pass


def test_bulk_apply_refuses_when_the_items_changed_since_the_confirmation(author, reviewer, bank):
    items = [make_item(bank, actor=author, status="in_review") for _ in range(2)]
    ids = [i.pk for i in items]
    plan = bulk.plan_bulk_transition(bank, ids, bulk.ACTIONS["approve"], actor=reviewer)
    Item.objects.filter(pk=items[0].pk).update(status="draft")  # someone returned it meanwhile

    with pytest.raises(bulk.PlanChanged) as changed:
        bulk.apply_bulk_transition(
            bank, ids, bulk.ACTIONS["approve"], actor=reviewer, expected=plan.fingerprint
        )

    assert statuses(items) == ["draft", "in_review"]
    assert [i.pk for i in changed.value.plan.ready] == [items[1].pk]


def test_bulk_plan_ignores_items_of_another_bank(author, reviewer, bank):
    other = make_bank(members={author: "author", reviewer: "reviewer"})
    foreign = make_item(other, actor=author, status="in_review")
    mine = make_item(bank, actor=author, status="in_review")

    plan = bulk.plan_bulk_transition(bank, [foreign.pk, mine.pk], bulk.ACTIONS["approve"], actor=reviewer)

    assert (plan.selected, [i.pk for i in plan.ready]) == (1, [mine.pk])


def test_bulk_return_needs_a_reason(author, reviewer, bank):
    item = make_item(bank, actor=author, status="in_review")
    plan = bulk.plan_bulk_transition(bank, [item.pk], bulk.ACTIONS["return"], actor=reviewer)

    with pytest.raises(bulk.BulkError):
        bulk.apply_bulk_transition(
            bank, [item.pk], bulk.ACTIONS["return"], actor=reviewer, expected=plan.fingerprint, comment=" "
        )
    assert statuses([item]) == ["in_review"]


def test_bulk_actions_follow_the_bank_role(author, reviewer, owner, bank):
    assert [a.name for a in bulk.actions_for(author, bank)] == ["submit"]
    assert [a.name for a in bulk.actions_for(reviewer, bank)] == ["approve", "return"]
    assert [a.name for a in bulk.actions_for(owner, bank)] == [
        "submit",
        "approve",
        "return",
        "retire",
        "restore",
    ]


# --- the views ------------------------------------------------------------------------------------


def test_bulk_view_select_all_matching_respects_the_filter(client, author, reviewer, bank):
    hard = [make_item(bank, actor=author, status="in_review", difficulty="hard") for _ in range(3)]
    easy = make_item(bank, actor=author, status="in_review", difficulty="easy")
    log_in(client, reviewer)

    response = post_bulk(
        client, bank, action="approve", scope_matching="1", filters="difficulty=hard&status=in_review"
    )

    assert response.status_code == 200
    assert [i.pk for i in response.context["plan"].ready] == [i.pk for i in hard]
    html = response.content.decode()
    assert "เลือกไว้ 3 ข้อ" in html and "จะอนุมัติ <strong>3</strong> ข้อ" in html
    assert statuses([*hard, easy]) == ["in_review"] * 4  # nothing written before the confirm

    done = confirm(client, bank, response)

    assert done.status_code == 302
    assert done["Location"] == f"/qb/banks/{bank.pk}/items/?difficulty=hard&status=in_review"
    assert statuses(hard) == ["approved"] * 3
    assert statuses([easy]) == ["in_review"]


def test_bulk_view_confirmation_lists_skipped_items_with_their_reason(client, author, owner, bank):
    theirs = make_item(bank, actor=author, status="in_review")
    own = make_item(bank, actor=owner, status="in_review")
    draft = make_item(bank, actor=author)
    log_in(client, owner)

    response = post_bulk(client, bank, action="approve", item=[theirs.pk, own.pk, draft.pk])

    html = response.content.decode()
    assert "ข้าม 2 ข้อที่ทำรายการนี้ไม่ได้" in html
    assert "คุณเป็นผู้เขียนข้อสอบข้อนี้ จึงอนุมัติเองไม่ได้" in html
    assert "สถานะปัจจุบันคือ ฉบับร่าง ซึ่งอนุมัติไม่ได้" in html
    confirm(client, bank, response)
    assert statuses([theirs, own, draft]) == ["approved", "in_review", "draft"]


def test_bulk_view_page_scope_takes_the_page_ids(client, author, bank):
    items = [make_item(bank, actor=author) for _ in range(3)]
    log_in(client, author)

    response = post_bulk(client, bank, action="submit", scope_page="1", page_ids=[i.pk for i in items[:2]])

    assert [i.pk for i in response.context["plan"].ready] == [i.pk for i in items[:2]]


def test_bulk_view_changed_selection_shows_the_new_plan_and_writes_nothing(client, author, reviewer, bank):
    items = [make_item(bank, actor=author, status="in_review") for _ in range(2)]
    log_in(client, reviewer)
    response = post_bulk(client, bank, action="approve", item=[i.pk for i in items])
    Item.objects.filter(pk=items[0].pk).update(status="draft")

    again = confirm(client, bank, response)

    assert again.status_code == 409
    assert [i.pk for i in again.context["plan"].ready] == [items[1].pk]
    assert statuses(items) == ["draft", "in_review"]


def test_bulk_view_reviewer_of_another_bank_gets_404(client, author, bank):
    stranger = make_examiner(username="stranger.bulk")
    make_bank(members={stranger: "reviewer"})
    item = make_item(bank, actor=author, status="in_review")
    log_in(client, stranger)

    response = post_bulk(client, bank, action="approve", item=[item.pk])

    assert response.status_code == 404
    assert statuses([item]) == ["in_review"]


def test_bulk_view_action_outside_the_role_is_403(client, author, bank):
    item = make_item(bank, actor=author, status="in_review")
    log_in(client, author)

    assert post_bulk(client, bank, action="approve", item=[item.pk]).status_code == 403
    assert statuses([item]) == ["in_review"]


def test_bulk_view_nothing_selected_goes_back_with_a_message(client, author, bank):
    log_in(client, author)

    response = post_bulk(client, bank, action="submit", filters="status=draft")

    assert response.status_code == 302
    assert response["Location"] == f"/qb/banks/{bank.pk}/items/?status=draft"


def test_item_list_rows_have_labelled_checkboxes_and_the_matching_count(client, author, bank):
    item = make_item(bank, actor=author, stem="<p>คำใดสะกดถูก</p>")
    log_in(client, author)

    html = client.get(f"/qb/banks/{bank.pk}/items/", {"status": "draft"}).content.decode()

    assert f'id="sel-{item.pk}"' in html
    assert (
        f'<label for="sel-{item.pk}" class="visually-hidden">เลือกข้อสอบรหัส {item.pk}: คำใดสะกดถูก</label>'
        in html
    )
    assert "เลือกทั้งหมด 1 ข้อที่ตรงกับตัวกรอง (ทุกหน้า)" in html
    assert '<input type="hidden" name="filters" value="status=draft">' in html
    assert '<option value="submit">ส่งพิจารณา</option>' in html
    assert '<option value="approve">' not in html


def test_single_transition_view_refuses_an_action_the_item_page_does_not_offer(client, author, owner, bank):
    """'return' posted for a retired item: the service alone would take it as a restore."""
    item = make_item(bank, actor=author, status="retired")
    log_in(client, owner)

    client.post(f"/qb/items/{item.pk}/transition/", {"action": "return", "comment": "ผิด"})

    assert statuses([item]) == ["retired"]
    assert not ItemComment.objects.filter(item=item).exists()
