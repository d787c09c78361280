"""The item list: every filter returns exactly the expected items, Thai search, paging, query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from question_bank.models import Category, Item
from question_bank.queries import ItemFilters, item_list
from question_bank.services.items import ChoiceData, create_items_bulk
from tests.factories import item_data, log_in, make_bank, make_examiner, make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return make_examiner(username="owner.list")


@pytest.fixture
def bank(owner):
    return make_bank(members={owner: "owner"})


def listed(client, bank, **params) -> list[int]:
    response = client.get(f"/qb/banks/{bank.pk}/items/", params)
    assert response.status_code == 200
    return [item.pk for item in response.context["page"].object_list]


def test_item_list_without_filters_shows_every_item_of_the_bank_newest_first(client, owner, bank):
    first = make_item(bank, actor=owner)
    second = make_item(bank, actor=owner)
    other_bank = make_bank(members={owner: "owner"})
    make_item(other_bank, actor=owner)

    assert listed(log_in(client, owner), bank) == [second.pk, first.pk]


def test_item_list_sort_oldest_reverses_the_order(client, owner, bank):
    first = make_item(bank, actor=owner)
    second = make_item(bank, actor=owner)

    assert listed(log_in(client, owner), bank, sort="oldest") == [first.pk, second.pk]


def test_item_list_subject_filter_includes_its_topics_and_nothing_else(client, owner, bank):
    reading = bank.categories.get(parent__isnull=False)
    thai = reading.parent
    law = Category.objects.create(bank=bank, code="law", name="กฎหมาย")
    law_topic = Category.objects.create(bank=bank, code="law-admin", name="ระเบียบบริหาร", parent=law)
    in_subject = make_item(bank, actor=owner, category=thai)
    in_topic = make_item(bank, actor=owner, category=reading)
    make_item(bank, actor=owner, category=law_topic)

    assert sorted(listed(log_in(client, owner), bank, subject=thai.pk)) == [in_subject.pk, in_topic.pk]


def test_item_list_topic_filter_returns_only_that_topic(client, owner, bank):
    reading = bank.categories.get(parent__isnull=False)
    writing = Category.objects.create(bank=bank, code="writing", name="การเขียน", parent=reading.parent)
    wanted = make_item(bank, actor=owner, category=writing)
    make_item(bank, actor=owner, category=reading)

    assert listed(log_in(client, owner), bank, topic=writing.pk) == [wanted.pk]


def test_item_list_difficulty_filter_returns_only_that_difficulty(client, owner, bank):
    hard = make_item(bank, actor=owner, difficulty="hard")
    make_item(bank, actor=owner, difficulty="easy")
    make_item(bank, actor=owner, difficulty="medium")

    assert listed(log_in(client, owner), bank, difficulty="hard") == [hard.pk]


def test_item_list_status_filter_returns_only_that_status(client, owner, bank):
    approved = make_item(bank, actor=owner, status="approved")
    make_item(bank, actor=owner, status="draft")
    make_item(bank, actor=owner, status="in_review")

    assert listed(log_in(client, owner), bank, status="approved") == [approved.pk]


def test_item_list_tag_filter_returns_only_tagged_items(client, owner, bank):
    tagged = make_item(bank, actor=owner, tags=["ก.พ.66", "สะกดคำ"])
    make_item(bank, actor=owner, tags=["สะกดคำ"])
    make_item(bank, actor=owner)
    tag = bank.tags.get(name="ก.พ.66")

    assert listed(log_in(client, owner), bank, tag=tag.pk) == [tagged.pk]


def test_item_list_item_type_filter_returns_only_that_type(client, owner, bank):
    numeric = make_item(
        bank, actor=owner, item_type="numeric", choices=[], answer_spec={"value": "42", "tolerance": "0"}
    )
    true_false = make_item(
        bank,
        actor=owner,
        item_type="true_false",
        choices=[ChoiceData("ถูก", True), ChoiceData("ผิด", False)],
    )
    make_item(bank, actor=owner)

    client = log_in(client, owner)
    assert listed(client, bank, item_type="numeric") == [numeric.pk]
    assert listed(client, bank, item_type="true_false") == [true_false.pk]


def test_item_list_author_filter_returns_only_that_authors_items(client, owner, bank):
    author = make_examiner(username="author.list")
    bank.memberships.create(user=author, role="author")
    theirs = make_item(bank, actor=author)
    make_item(bank, actor=owner)

    assert listed(log_in(client, owner), bank, author=author.pk) == [theirs.pk]


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("น\u0e49\u0e33", "น\u0e49\u0e4d\u0e32"),  # stored with ำ, typed as nikhahit + sara aa
        ("น\u0e49\u0e4d\u0e32", "น\u0e49\u0e33"),  # and the other way round
    ],
)
def test_item_list_thai_search_finds_sara_am_in_both_encodings(client, owner, bank, stored, typed):
    wanted = make_item(bank, actor=owner, stem=f"<p>{stored}ประปาไหลแรงเพียงใด</p>")
    make_item(bank, actor=owner, stem="<p>ไฟฟ้าดับบ่อยเพียงใด</p>")

    assert listed(log_in(client, owner), bank, q=f"  {typed}ประปา ") == [wanted.pk]


def test_item_list_search_requires_every_word_and_matches_choices_and_tags(client, owner, bank):
    by_choice = make_item(bank, actor=owner, stem="ข้อใดสะกดถูก", tags=["Spelling"])
    make_item(bank, actor=owner, stem="ข้อใดสะกดผิด")

    client = log_in(client, owner)
    assert listed(client, bank, q="กะเพรา spelling") == [by_choice.pk]
    assert listed(client, bank, q="กะเพรา ไม่มีคำนี้") == []


def test_item_list_never_lists_another_banks_items_even_with_its_category(client, owner, bank):
    other_bank = make_bank(members={owner: "owner"})
    make_item(other_bank, actor=owner)
    foreign_topic = other_bank.categories.get(parent__isnull=False)
    mine = make_item(bank, actor=owner)

    # A foreign category is not a valid choice: the filter is ignored, the list stays this bank's.
    assert listed(log_in(client, owner), bank, topic=foreign_topic.pk) == [mine.pk]


def test_item_list_query_function_is_scoped_to_the_bank(owner, bank):
    other_bank = make_bank(members={owner: "owner"})
    foreign = make_item(other_bank, actor=owner)
    mine = make_item(bank, actor=owner)

    assert [i.pk for i in item_list(bank, ItemFilters())] == [mine.pk]
    assert foreign.pk not in [i.pk for i in item_list(bank, ItemFilters(q=""))]


def test_item_list_pages_with_selected_page_size(client, owner, bank):
    create_items_bulk(bank, [item_data(bank).cleaned() for _ in range(30)], actor=owner)
    client = log_in(client, owner)

    response = client.get(f"/qb/banks/{bank.pk}/items/", {"per_page": 25, "page": 2})

    page = response.context["page"]
    assert page.paginator.per_page == 25
    assert page.number == 2
    assert len(page.object_list) == 5
    assert "พบ 30 ข้อ" in response.content.decode()


def test_item_list_unknown_page_size_falls_back_to_25(client, owner, bank):
    response = log_in(client, owner).get(f"/qb/banks/{bank.pk}/items/", {"per_page": 1000})

    assert response.context["page"].paginator.per_page == 25


def test_item_list_row_shows_stem_category_type_status_version_tags_and_thai_date(client, owner, bank):
    item = make_item(
        bank, actor=owner, stem="<p>คำใดสะกด<b>ถูกต้อง</b></p>", tags=["สะกดคำ"], difficulty="hard"
    )
    Item.objects.filter(pk=item.pk).update(updated_at="2026-11-21T02:30:00Z")

    html = log_in(client, owner).get(f"/qb/banks/{bank.pk}/items/").content.decode()

    assert f'<a href="/qb/items/{item.pk}/">คำใดสะกด ถูกต้อง</a>' in html
    assert 'ภาษาไทย<br><span class="qb-muted">การอ่าน</span>' in html
    assert "ปรนัยเลือกตอบข้อเดียว" in html
    assert "ยาก" in html
    assert "ฉบับร่าง" in html
    assert '<span class="qb-tag">สะกดคำ</span>' in html
    assert '21 พ.ย. 2569<br><span class="qb-muted">เวลา 09.30 น.</span>' in html


def _list_queries(client, bank) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/qb/banks/{bank.pk}/items/", {"per_page": 100})
    assert response.status_code == 200
    return len(response.context["page"].object_list), len(queries)


def test_item_list_query_count_does_not_grow_with_rows_on_the_page(client, owner, bank):
    def datas(n):
        return [item_data(bank, tags=[f"tag-{i % 7}", "common"]).cleaned() for i in range(n)]

    create_items_bulk(bank, datas(20), actor=owner)
    client = log_in(client, owner)
    rows_small, queries_small = _list_queries(client, bank)
    create_items_bulk(bank, datas(80), actor=owner)
    rows_large, queries_large = _list_queries(client, bank)

    assert (rows_small, rows_large) == (20, 100)
    assert queries_large == queries_small


# --- examiner home ----------------------------------------------------------------------------


def _home_queries(client) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/qb/")
    assert response.status_code == 200
    return len(response.context["banks"]), len(queries)


def test_home_lists_my_banks_with_counts_per_status(client, owner, bank):
    make_item(bank, actor=owner, status="approved")
    make_item(bank, actor=owner, status="approved")
    make_item(bank, actor=owner, status="in_review")

    response = log_in(client, owner).get("/qb/")

    (shown,) = response.context["banks"]
    assert shown.pk == bank.pk
    assert shown.counts == {"draft": 0, "in_review": 1, "approved": 2, "retired": 0, "total": 3}
    assert shown.my_role_label == "เจ้าของคลัง"


def test_home_query_count_does_not_grow_with_the_number_of_banks(client, owner, bank):
    make_item(bank, actor=owner)
    client = log_in(client, owner)
    banks_small, queries_small = _home_queries(client)
    for _ in range(5):
        make_item(make_bank(members={owner: "author"}), actor=owner)
    banks_large, queries_large = _home_queries(client)

    assert (banks_small, banks_large) == (1, 6)
    assert queries_large == queries_small
