"""Thousands of items quickly, for query-count guards and benchmarks: bulk_create of Item,
ItemVersion, Choice and the tag links directly (no cleaning, no sanitising, no audit), about a
second per 5,000 items on SQLite. Row i cycles through the statuses, difficulties, authors, topics
and tags given, so every filter value matches a known share of the rows."""

from django.db.models import OuterRef, Subquery

from question_bank.models import Category, Choice, Item, ItemVersion, Tag
from question_bank.text import normalise_answer

WORDS = ("น้ำประปา", "กรุงเทพมหานคร", "ราชการ", "งบประมาณ", "การจราจร", "ขยะ", "คลอง", "โรงเรียน")
STATUSES = ("draft", "in_review", "approved", "retired")
DIFFICULTIES = ("easy", "medium", "hard")


def bulk_items(bank, n: int, *, authors, statuses=STATUSES, n_tags: int = 8, batch_size: int = 1000) -> int:
    """Create `n` items in `bank`; returns how many. Row i: status statuses[i % len],
    difficulty DIFFICULTIES[i % 3], author authors[i // len(statuses) % len(authors)] (so every
    author has items in every status), topic and tag cycling, WORDS[i % 8] in the stem."""
    topics = list(Category.objects.filter(bank=bank, parent__isnull=False).order_by("pk"))
    tags = [Tag.objects.get_or_create(bank=bank, name=f"ปี {2560 + t}")[0] for t in range(n_tags)]
    start_at = Item.objects.filter(bank=bank).count()
    for start in range(0, n, batch_size):
        rows = range(start_at + start, start_at + min(n, start + batch_size))
        items = Item.objects.bulk_create(
            Item(
                bank=bank,
                category=topics[i % len(topics)],
                status=statuses[i % len(statuses)],
                created_by=authors[i // len(statuses) % len(authors)],
                stem_key=f"scale-{bank.pk}-{i}",
                search_text=normalise_answer(
                    f"ข้อ {i} เรื่อง{WORDS[i % len(WORDS)]} ข้อใดถูกต้อง {tags[i % n_tags].name}"
                ),
            )
            for i in rows
        )
        versions = ItemVersion.objects.bulk_create(
            ItemVersion(
                item=item,
                number=1,
                item_type="single",
                stem=f"<p>ข้อ {i}: เรื่อง{WORDS[i % len(WORDS)]} ข้อใดถูกต้องที่สุด</p>",
                difficulty=DIFFICULTIES[i % 3],
                tags=[tags[i % n_tags].name],
                created_by=item.created_by,
            )
            for i, item in zip(rows, items, strict=True)
        )
        Choice.objects.bulk_create(
            Choice(version=version, position=c, text=f"ตัวเลือก {c + 1}", is_correct=c == 0)
            for version in versions
            for c in range(4)
        )
        Item.objects.filter(pk__in=[item.pk for item in items]).update(
            current_version=Subquery(
                ItemVersion.objects.filter(item=OuterRef("pk"), number=1).values("pk")[:1]
            )
        )
        links = Item.tags.through
        links.objects.bulk_create(
            links(item_id=item.pk, tag_id=tags[i % n_tags].pk) for i, item in zip(rows, items, strict=True)
        )
    return n
