"""The item list and its bulk confirmation at 5,000 items: a fixed, small number of queries whatever
the filter or the page, and select-all-matching takes exactly the filtered items."""

import pytest

from question_bank.models import Item
from tests.factories import log_in, make_bank, make_examiner
from tests.question_bank.scale_setup import bulk_items

pytestmark = pytest.mark.django_db

N_ITEMS = 5_000
# The list page: session, user, OTP device, groups, membership, bank, the filter form's choices
# (subjects, topics, tags, authors), count, page rows, tags prefetch, plus one for a tag, author or
# subject filter's lookup: 13-14 measured at 5,000 items, whatever the filter or the page.
MAX_LIST_QUERIES = 14
# The confirmation of select-all-matching (1,250 items): 6 for the request and the bank, 1 for
# the matching ids, 1 per 900 ids for the plan (SQLite's parameter limit): 9 measured.
MAX_CONFIRM_QUERIES = 9


@pytest.fixture
def big_bank():
    """5,000 items in one bank (tests/question_bank/scale_setup.py): a quarter in each status, in
    each status half by the owner and half by an author, three difficulties, eight tags."""
    owner = make_examiner(username="owner.scale")
    author = make_examiner(username="author.scale")
    bank = make_bank(members={owner: "owner", author: "author"})
    bulk_items(bank, N_ITEMS, authors=[owner, author])
    return {"bank": bank, "owner": owner, "author": author}


@pytest.fixture
def owner_client(client, big_bank):
    return log_in(client, big_bank["owner"])


def _cases(big_bank):
    bank = big_bank["bank"]
    return {
        "none": {},
        "100 per page": {"per_page": 100},
        "last page": {"per_page": 100, "page": N_ITEMS // 100},
        "status": {"status": "in_review"},
        "difficulty": {"difficulty": "hard", "sort": "oldest"},
        "tag": {"tag": bank.tags.order_by("pk").first().pk},
        "author": {"author": big_bank["author"].pk},
        "type": {"item_type": "single"},
        "search": {"q": "น้ำประปา"},
        "subject": {"subject": bank.categories.get(parent__isnull=True).pk},
    }


def test_item_list_at_5000_items_stays_within_a_fixed_number_of_queries(
    owner_client, big_bank, django_assert_max_num_queries
):
    url = f"/qb/banks/{big_bank['bank'].pk}/items/"
    assert Item.objects.filter(bank=big_bank["bank"]).count() == N_ITEMS
    for name, params in _cases(big_bank).items():
        with django_assert_max_num_queries(MAX_LIST_QUERIES):
            response = owner_client.get(url, params)
        assert response.status_code == 200, name
        assert response.context["page"].object_list, name


def test_item_list_at_5000_items_counts_and_pages_the_filtered_items(owner_client, big_bank):
    url = f"/qb/banks/{big_bank['bank'].pk}/items/"

    response = owner_client.get(url, {"status": "in_review", "per_page": 100, "page": 13})

    page = response.context["page"]
    assert page.paginator.count == 1_250
    assert (page.paginator.num_pages, len(page.object_list)) == (13, 50)
    assert {item.status for item in page.object_list} == {"in_review"}
    assert "พบ 1250 ข้อ" in response.content.decode()


def test_select_all_matching_at_5000_items_takes_exactly_the_filter(
    owner_client, big_bank, django_assert_max_num_queries
):
    bank = big_bank["bank"]
    with django_assert_max_num_queries(MAX_CONFIRM_QUERIES):
        response = owner_client.post(
            f"/qb/banks/{bank.pk}/items/bulk/",
            {"action": "approve", "scope_matching": "1", "filters": "status=in_review"},
        )

    plan = response.context["plan"]
    assert plan.selected == 1_250
    # the owner wrote half of them: those are skipped, the author's half is ready
    assert len(plan.ready) == 625 and len(plan.skipped) == 625
    assert {i.created_by_id for i in plan.ready} == {big_bank["author"].pk}
    assert Item.objects.filter(bank=bank, status="approved").count() == 1_250  # nothing written
