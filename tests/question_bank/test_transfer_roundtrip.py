"""Every format: create items of each supported type → export → import into a fresh bank → same items."""

from decimal import Decimal

import pytest

from question_bank.models import Category, Item
from question_bank.services.items import ChoiceData, ItemData, create_item
from question_bank.text import html_to_text, normalise_answer, normalise_stem
from question_bank.transfer import export_items, import_items
from tests.factories import make_bank, make_examiner, topic_of

pytestmark = pytest.mark.django_db

SARA_AM = "น้ำ"  # ำ must survive every format


def _choices(texts, correct):
    return [ChoiceData(text=t, is_correct=i in correct) for i, t in enumerate(texts)]


def sample_items(bank) -> list[ItemData]:
    topic = topic_of(bank)
    subject = topic.parent
    return [
        ItemData(
            item_type="single",
            stem=f"<p>คำว่า <strong>{SARA_AM}</strong> ข้อใดสะกดถูก: a = b {{x}} ~ # ?</p>",
            category=topic,
            choices=_choices(["น้ำแข็ง", "น้ำแขง", "นำ้แข็ง", "น้ำเเข็ง"], {0}),
            default_points=Decimal("2"),
            difficulty="hard",
            explanation="คำว่า น้ำแข็ง สะกดด้วย ำ",
            tags=["สะกดคำ", "ภาษาไทย"],
        ),
        ItemData(
            item_type="multiple",
            stem="ข้อใดเป็นเขตของกรุงเทพมหานคร (เลือกได้หลายข้อ)",
            category=topic,
            choices=_choices(["บางรัก", "ปากเกร็ด", "ดุสิต", "บางบัวทอง"], {0, 2}),
            answer_spec={"partial_credit": "per_choice"},
            default_points=Decimal("1.5"),
            difficulty="easy",
        ),
        ItemData(
            item_type="multiple",
            stem="ข้อใดเป็นจำนวนเฉพาะ",
            category=subject,
            choices=_choices(["2", "4", "5"], {0, 2}),
            answer_spec={"partial_credit": "all_or_nothing"},
        ),
        ItemData(
            item_type="true_false",
            stem="กรุงเทพมหานครมี 40 เขต",
            category=topic,
            choices=_choices(["ถูก", "ผิด"], {1}),
        ),
        ItemData(
            item_type="numeric",
            stem="ค่าของ 7 ÷ 2 เท่ากับเท่าใด",
            category=topic,
            answer_spec={"value": "3.5", "tolerance": "0.05"},
        ),
        ItemData(
            item_type="short",
            stem="เมืองหลวงของประเทศไทยคือ",
            category=topic,
            answer_spec={"accepted": ["กรุงเทพมหานคร", "กทม."], "case_sensitive": False},
        ),
        ItemData(
            item_type="essay",
            stem="อธิบายบทบาทของข้าราชการกรุงเทพมหานคร",
            category=topic,
            answer_spec={"max_words": 300, "rubric": "ครบ 3 ประเด็น ได้เต็ม"},
            difficulty="easy",
        ),
    ]


# format → (types it carries, carries points, carries difficulty, carries tags/explanation)
CARRIES = {
    "gift": (None, True, True, True),
    "moodlexml": (None, True, True, True),
    "csv": (None, True, True, True),
    "xlsx": (None, True, True, True),
    "aiken": (("single",), False, False, False),
    "qti": (("single", "multiple"), True, False, False),
}


def snapshot(bank, *, points=True, difficulty=True, extras=True) -> list[tuple]:
    rows = []
    for item in Item.objects.filter(bank=bank).select_related("current_version", "category"):
        v = item.current_version
        rows.append(
            (
                v.item_type,
                normalise_stem(v.stem),
                [
                    (normalise_answer(html_to_text(c.text)), c.is_correct)
                    for c in v.choices.order_by("position")
                ],
                v.default_points if points else None,
                v.difficulty if difficulty else None,
                v.answer_spec,
                sorted(v.tags) if extras else None,
                normalise_stem(v.explanation) if extras else None,
                item.category.code,
            )
        )
    return sorted(rows, key=lambda r: r[1])


@pytest.mark.parametrize("fmt", list(CARRIES))
def test_transfer_roundtrip_export_then_import_gives_the_same_items(fmt):
    author = make_examiner()
    source = make_bank(members={author: "owner"})
    types, points, difficulty, extras = CARRIES[fmt]
    for data in sample_items(source):
        if types is None or data.item_type in types:
            create_item(source, data, actor=author)

    content = export_items(source, fmt)
    target = make_bank(members={author: "owner"})
    if fmt == "aiken":  # Aiken has no categories: use the same category codes via a default
        Category.objects.filter(bank=target).delete()
    report = import_items(
        target,
        content,
        fmt,
        actor=author,
        create_categories=True,
        default_category=_copy_category(topic_of(source), target) if fmt == "aiken" else None,
    )

    assert report.errors == []
    assert report.created == Item.objects.filter(bank=source).count()
    assert snapshot(target, points=points, difficulty=difficulty, extras=extras) == snapshot(
        source, points=points, difficulty=difficulty, extras=extras
    )


def _copy_category(category, bank):
    parent = Category.objects.create(bank=bank, code=category.parent.code, name=category.parent.name)
    return Category.objects.create(bank=bank, parent=parent, code=category.code, name=category.name)


def test_transfer_roundtrip_thai_sara_am_survives_every_text_format():
    author = make_examiner()
    source = make_bank(members={author: "owner"})
    create_item(source, sample_items(source)[0], actor=author)
    for fmt in ("gift", "aiken", "moodlexml", "csv", "xlsx", "qti"):
        target = make_bank(members={author: "owner"})
        report = import_items(
            target,
            export_items(source, fmt),
            fmt,
            actor=author,
            create_categories=True,
            default_category=topic_of(target),
        )
        assert report.created == 1, (fmt, report.errors)
        version = Item.objects.get(bank=target).current_version
        assert SARA_AM in html_to_text(version.stem), fmt
        assert version.choices.order_by("position").first().text == "น้ำแข็ง", fmt


def test_transfer_roundtrip_aiken_and_qti_leave_out_types_they_cannot_hold():
    from question_bank.transfer.exporter import export_with_counts

    author = make_examiner()
    source = make_bank(members={author: "owner"})
    for data in sample_items(source):
        create_item(source, data, actor=author)

    _content, aiken_count, aiken_skipped = export_with_counts(source, "aiken")
    _content, qti_count, qti_skipped = export_with_counts(source, "qti")

    assert (aiken_count, aiken_skipped) == (1, 6)
    assert (qti_count, qti_skipped) == (3, 4)


def test_transfer_xlsx_export_text_starting_like_a_formula_stays_text():
    import io

    from openpyxl import load_workbook

    author = make_examiner()
    bank = make_bank(members={author: "owner"})
    create_item(
        bank,
        ItemData(
            item_type="single",
            stem="=1+1 มีค่าเท่าใด",
            category=topic_of(bank),
            choices=_choices(["@2", "-3", "+4", "5"], {0}),
            default_points=Decimal("2"),
        ),
        actor=author,
    )

    sheet = load_workbook(io.BytesIO(export_items(bank, "xlsx"))).active
    cells = [cell for cell in sheet[2] if isinstance(cell.value, str) and cell.value[:1] in "=@-+"]

    assert sorted(cell.value for cell in cells) == ["+4", "-3", "=1+1 มีค่าเท่าใด", "@2"]
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in cells)
