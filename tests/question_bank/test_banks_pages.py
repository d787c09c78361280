"""Creating banks and the bank members page: who may do what, the last owner, the audit entries."""

import pytest
from django.urls import reverse

from exam_platform.common.models import AuditEntry
from question_bank.models import Bank, BankMembership
from tests.factories import log_in, make_bank, make_examiner, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return make_examiner("owner.one", display_name="เจ้าของ หนึ่ง")


@pytest.fixture
def bank(owner):
    return make_bank(name="คลังภาษาไทย", members={owner: "owner"})


def _members(bank):
    return dict(bank.memberships.values_list("user__username", "role"))


# --- create ---------------------------------------------------------------------------------


def test_bank_new_examiner_creates_bank_and_owns_it(client, owner):
    log_in(client, owner)

    response = client.post(
        reverse("qb:bank_new"), {"code": "thai-2569", "name": "คลังภาษาไทย 2569", "description": "ภาค ก"}
    )

    bank = Bank.objects.get(code="thai-2569")
    assert response.status_code == 302 and response["Location"] == reverse("qb:bank", args=[bank.pk])
    assert (bank.name, bank.description) == ("คลังภาษาไทย 2569", "ภาค ก")
    assert _members(bank) == {"owner.one": "owner"}
    entry = AuditEntry.objects.get(action="question_bank.bank_created")
    assert (entry.actor_id, entry.object_id) == (owner.pk, str(bank.pk))
    assert entry.after == {
        "code": "thai-2569",
        "name": "คลังภาษาไทย 2569",
        "description": "ภาค ก",
        "user": "owner.one",
        "role": "owner",
    }
    assert client.get(reverse("qb:bank", args=[bank.pk])).status_code == 200


def test_bank_new_duplicate_code_refused_nothing_written(client, owner, bank):
    log_in(client, owner)
    count = Bank.objects.count()

    response = client.post(reverse("qb:bank_new"), {"code": bank.code, "name": "อีกคลังหนึ่ง"})

    assert response.status_code == 400
    assert "รหัสคลังนี้มีอยู่แล้ว" in response.content.decode()
    assert Bank.objects.count() == count
    assert not AuditEntry.objects.filter(action="question_bank.bank_created").exists()


def test_bank_new_bad_code_refused(client, owner):
    log_in(client, owner)

    response = client.post(reverse("qb:bank_new"), {"code": "ภาษาไทย", "name": "x"})

    assert response.status_code == 400
    assert "รหัสคลังใช้ได้เฉพาะ" in response.content.decode()


@pytest.mark.parametrize("role", ["exam_officer", "administrator", "auditor"])
def test_bank_new_non_examiner_refused(client, role):
    log_in(client, make_staff(role))

    assert client.get(reverse("qb:bank_new")).status_code == 403
    assert client.post(reverse("qb:bank_new"), {"code": "x", "name": "x"}).status_code == 403
    assert not Bank.objects.exists()


def test_bank_home_offers_new_bank(client, owner):
    log_in(client, owner)

    assert reverse("qb:bank_new") in client.get(reverse("qb:home")).content.decode()


# --- members page ---------------------------------------------------------------------------


def test_members_page_owner_manages_members(client, owner, bank):
    author = make_examiner("author.one")
    log_in(client, owner)

    page = client.get(reverse("qb:bank_members", args=[bank.pk]))
    assert page.status_code == 200
    assert "author.one" in page.content.decode()  # offered in the add form

    added = client.post(reverse("qb:member_add", args=[bank.pk]), {"user": author.pk, "role": "author"})
    assert added["Location"] == reverse("qb:bank_members", args=[bank.pk])
    membership = bank.memberships.get(user=author)
    client.post(
        reverse("qb:member_role", args=[bank.pk, membership.pk]), {f"m{membership.pk}-role": "reviewer"}
    )
    assert _members(bank) == {"owner.one": "owner", "author.one": "reviewer"}
    client.post(reverse("qb:member_remove", args=[bank.pk, membership.pk]))
    assert _members(bank) == {"owner.one": "owner"}

    actions = list(
        AuditEntry.objects.filter(object_type="question_bank.bank", object_id=str(bank.pk)).values_list(
            "action", flat=True
        )
    )
    assert actions == [
        "question_bank.member_added",
        "question_bank.member_role_changed",
        "question_bank.member_removed",
    ]


def test_members_page_last_owner_kept(client, owner, bank):
    log_in(client, owner)
    membership = bank.memberships.get(user=owner)

    page = client.get(reverse("qb:bank_members", args=[bank.pk]))
    demote = client.post(
        reverse("qb:member_role", args=[bank.pk, membership.pk]),
        {f"m{membership.pk}-role": "author"},
        follow=True,
    )
    remove = client.post(reverse("qb:member_remove", args=[bank.pk, membership.pk]), follow=True)

    assert "เจ้าของคนสุดท้าย: นำออกหรือเปลี่ยนบทบาทไม่ได้" in page.content.decode()
    assert "คลังต้องมีเจ้าของอย่างน้อยหนึ่งคน" in demote.content.decode()
    assert "คลังต้องมีเจ้าของอย่างน้อยหนึ่งคน" in remove.content.decode()
    assert _members(bank) == {"owner.one": "owner"}


def test_members_page_second_owner_lets_first_step_down(client, owner, bank):
    second = make_examiner("owner.two")
    BankMembership.objects.create(bank=bank, user=second, role="owner")
    log_in(client, owner)
    membership = bank.memberships.get(user=owner)

    response = client.post(
        reverse("qb:member_role", args=[bank.pk, membership.pk]), {f"m{membership.pk}-role": "author"}
    )

    assert response.status_code == 302
    assert _members(bank) == {"owner.one": "author", "owner.two": "owner"}


def test_members_page_author_sees_members_but_cannot_manage(client, owner, bank):
    author = make_examiner("author.two")
    BankMembership.objects.create(bank=bank, user=author, role="author")
    log_in(client, author)
    membership = bank.memberships.get(user=owner)

    page = client.get(reverse("qb:bank_members", args=[bank.pk]))
    refused = client.post(reverse("qb:member_remove", args=[bank.pk, membership.pk]))

    assert page.status_code == 200
    assert page.context["add_form"] is None
    assert reverse("qb:member_remove", args=[bank.pk, membership.pk]) not in page.content.decode()
    assert refused.status_code == 403
    assert _members(bank) == {"owner.one": "owner", "author.two": "author"}


def test_members_page_non_member_gets_404(client, bank):
    log_in(client, make_examiner("outsider"))

    assert client.get(reverse("qb:bank_members", args=[bank.pk])).status_code == 404


def test_members_page_query_count_does_not_grow_with_members(
    client, owner, bank, django_assert_max_num_queries
):
    log_in(client, owner)
    client.get(reverse("qb:bank_members", args=[bank.pk]))
    with django_assert_max_num_queries(30) as one_member:
        client.get(reverse("qb:bank_members", args=[bank.pk]))
    for n in range(15):
        BankMembership.objects.create(bank=bank, user=make_examiner(f"m{n:02d}"), role="author")

    with django_assert_max_num_queries(len(one_member.captured_queries)):
        response = client.get(reverse("qb:bank_members", args=[bank.pk]))

    assert len(response.context["members"]) == 16
