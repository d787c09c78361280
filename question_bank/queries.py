"""Reads for the examiner pages: status counts per bank, the category tree, members and the item list.

Callers have already checked access (question_bank.access); these functions only shape queries.
Every list here costs a fixed number of queries whatever its length (select_related for the
single-valued relations, one prefetch for tags), which tests/question_bank/test_item_list.py guards.

Text search: Item.search_text holds the normalised text of the current version (stem, choices,
tags: NFC, ำ unified, whitespace collapsed, case-folded), and the query is normalised the same
way, so "น้ำ" typed with either ำ encoding finds both. Each space-separated word must occur
(a LIKE '%word%' on the normalised text, so no ILIKE needed): a sequential scan of the bank's rows.
bench/item_list.py on PostgreSQL with 20,000 items: count + page queries about 45 ms for a Thai
word, whole request about 85 ms (filters without text: 40-70 ms; 13-14 queries whatever the page
size). Acceptable at this size; a pg_trgm GIN index on search_text is the next step beyond it.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet

from .models import Bank, BankMembership, Category, Item
from .text import normalise_answer

SORTS = {
    "recent": ("-updated_at", "-id"),
    "oldest": ("updated_at", "id"),
}
DEFAULT_SORT = "recent"
PAGE_SIZES = (25, 50, 100)
DEFAULT_PAGE_SIZE = 25
STATUSES = tuple(Item.Status.values)


def status_counts(bank_ids) -> dict[int, dict[str, int]]:
    """{bank_id: {status: n, ..., "total": n}} for every id, in one aggregate query."""
    counts: dict[int, dict[str, int]] = {
        bank_id: dict.fromkeys((*STATUSES, "total"), 0) for bank_id in bank_ids
    }
    if not counts:
        return counts
    rows = (
        Item.objects.filter(bank_id__in=list(counts))
        .order_by()
        .values_list("bank_id", "status")
        .annotate(n=Count("id"))
    )
    for bank_id, status, n in rows:
        counts[bank_id][status] = n
        counts[bank_id]["total"] += n
    return counts


@dataclass
class Subject:
    category: Category
    topics: list[Category]


def category_tree(bank: Bank) -> list[Subject]:
    """Subjects with their topics, by name, from one query."""
    categories = list(Category.objects.filter(bank=bank).order_by("name", "pk"))
    subjects = {c.pk: Subject(category=c, topics=[]) for c in categories if c.parent_id is None}
    for category in categories:
        if category.parent_id is not None and category.parent_id in subjects:
            subjects[category.parent_id].topics.append(category)
    return list(subjects.values())


def members_of(bank: Bank) -> QuerySet[BankMembership]:
    return BankMembership.objects.filter(bank=bank).select_related("user").order_by("user__username")


def item_authors(bank: Bank):
    """Users who created items in this bank (the author filter's choices)."""
    user_model = get_user_model()
    created_by = Item.objects.filter(bank=bank, created_by__isnull=False).values("created_by_id")
    return user_model.objects.filter(pk__in=created_by).order_by("username")


@dataclass
class ItemFilters:
    """The item list's filters; empty values mean "any"."""

    q: str = ""
    subject: Category | None = None
    topic: Category | None = None
    difficulty: str = ""
    status: str = ""
    tag_id: int | None = None
    item_type: str = ""
    author_id: int | None = None
    sort: str = DEFAULT_SORT


def search_words(q: str) -> list[str]:
    return [word for word in normalise_answer(q).split(" ") if word]


def item_list(bank: Bank, filters: ItemFilters) -> QuerySet[Item]:
    """The bank's items matching `filters`, ready for a page: row data in one query plus tags."""
    items = Item.objects.filter(bank=bank)
    for word in search_words(filters.q):
        items = items.filter(search_text__contains=word)
    if filters.subject is not None:
        items = items.filter(Q(category=filters.subject) | Q(category__parent=filters.subject))
    if filters.topic is not None:
        items = items.filter(category=filters.topic)
    if filters.difficulty:
        items = items.filter(current_version__difficulty=filters.difficulty)
    if filters.status:
        items = items.filter(status=filters.status)
    if filters.tag_id:
        items = items.filter(tags__id=filters.tag_id)
    if filters.item_type:
        items = items.filter(current_version__item_type=filters.item_type)
    if filters.author_id:
        items = items.filter(created_by_id=filters.author_id)
    return (
        items.select_related("category__parent", "current_version", "created_by")
        .defer("search_text", "current_version__explanation", "current_version__answer_spec")
        .prefetch_related("tags")
        .order_by(*SORTS.get(filters.sort, SORTS[DEFAULT_SORT]))
    )
