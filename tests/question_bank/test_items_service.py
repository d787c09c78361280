"""services/items.py: validation per item type, versions, stable choice uids, bulk creation, sanitising."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exam_platform.common.models import AuditEntry
from question_bank.models import Choice, Item, ItemVersion, Tag
from question_bank.services.items import (
    ChoiceData,
    ItemDataError,
    create_item,
    create_items_bulk,
    edit_item,
    item_data_from_version,
    validate_item_data,
)
from question_bank.services.media import upload_media
from tests.factories import item_data, make_bank, make_examiner, make_item
from tests.question_bank.test_media import image_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def author():
    return make_examiner(username="author.items")


@pytest.fixture
def bank(author):
    return make_bank(members={author: "author"})


def choices(*texts, correct=(0,)):
    return [ChoiceData(text=t, is_correct=i in correct) for i, t in enumerate(texts)]


def errors_of(data) -> list[str]:
    with pytest.raises(ItemDataError) as caught:
        data.cleaned()
    return caught.value.errors


# --- validation, one rule at a time (each message is Thai + English) ---------------------------

INVALID = {
    "single_one_choice": (
        {"item_type": "single", "choices": choices("ก")},
        "ข้อสอบปรนัยต้องมี 2–5 ตัวเลือก (Single choice needs 2–5 choices).",
    ),
    "single_six_choices": (
        {"item_type": "single", "choices": choices("1", "2", "3", "4", "5", "6")},
        "ข้อสอบปรนัยต้องมี 2–5 ตัวเลือก (Single choice needs 2–5 choices).",
    ),
    "single_two_correct": (
        {"item_type": "single", "choices": choices("หนึ่ง", "สอง", "สาม", correct=(0, 1))},
        "ต้องมีคำตอบที่ถูกต้องหนึ่งข้อพอดี (Exactly one choice must be correct).",
    ),
    "single_none_correct": (
        {"item_type": "single", "choices": choices("หนึ่ง", "สอง", correct=())},
        "ต้องมีคำตอบที่ถูกต้องหนึ่งข้อพอดี (Exactly one choice must be correct).",
    ),
    "multiple_none_correct": (
        {"item_type": "multiple", "choices": choices("หนึ่ง", "สอง", correct=())},
        "ต้องมีคำตอบที่ถูกต้องอย่างน้อยหนึ่งข้อ (At least one choice must be correct).",
    ),
    "multiple_unknown_rule": (
        {"item_type": "multiple", "choices": choices("หนึ่ง", "สอง"), "answer_spec": {"partial_credit": "x"}},
        "วิธีให้คะแนนบางส่วนไม่ถูกต้อง (Unknown partial-credit rule).",
    ),
    "true_false_three_choices": (
        {"item_type": "true_false", "choices": choices("ถูก", "ผิด", "ไม่แน่ใจ")},
        "ข้อสอบถูก/ผิดต้องมี 2 ตัวเลือกและถูกหนึ่งข้อ (True/false needs two choices, one correct).",
    ),
    "numeric_no_value": (
        {"item_type": "numeric", "choices": [], "answer_spec": {}},
        "ต้องระบุคำตอบที่เป็นตัวเลข (A numeric answer value is required).",
    ),
    "numeric_negative_tolerance": (
        {"item_type": "numeric", "choices": [], "answer_spec": {"value": "3", "tolerance": "-1"}},
        "ค่าคลาดเคลื่อนต้องเป็นตัวเลขไม่ติดลบ (Tolerance must be a number ≥ 0).",
    ),
    "short_no_accepted": (
        {"item_type": "short", "choices": [], "answer_spec": {"accepted": ["  ", ""]}},
        "ต้องมีคำตอบที่ยอมรับอย่างน้อยหนึ่งคำตอบ (At least one accepted answer is required).",
    ),
    "essay_with_choices": (
        {"item_type": "essay", "choices": choices("ก", "ข")},
        "ข้อสอบชนิดนี้ไม่มีตัวเลือก (This item type has no choices).",
    ),
    "empty_stem": ({"stem": "<p> </p>"}, "โจทย์ต้องไม่ว่าง (The stem must not be empty)."),
    "script_only_stem": (
        {"stem": "<script>alert(1)</script>"},
        "โจทย์ต้องไม่ว่าง (The stem must not be empty).",
    ),
    "zero_points": ({"default_points": "0"}, "คะแนนต้องมากกว่า 0 (Points must be greater than 0)."),
    "bad_difficulty": (
        {"difficulty": "extreme"},
        "ระดับความยากไม่ถูกต้อง (Difficulty must be easy, medium or hard).",
    ),
    "bad_language": ({"language": "fr"}, "ภาษาต้องเป็น th หรือ en (Language must be th or en)."),
    "duplicate_choices": (
        {"choices": choices("น้ำ", "น\u0e49\u0e4d\u0e32 ")},  # the same word, two ำ encodings
        "มีตัวเลือกซ้ำกัน (Two choices are the same).",
    ),
    "empty_choice": ({"choices": choices("ก", "<b></b>")}, "ตัวเลือกต้องไม่ว่าง (Choices must not be empty)."),
    "unknown_type": (
        {"item_type": "matching", "choices": []},
        "ชนิดข้อสอบไม่ถูกต้อง: matching (Unknown item type)",
    ),
}


@pytest.mark.parametrize("case", INVALID)
def test_validate_item_data_refuses_with_thai_and_english_message(bank, case):
    fields, message = INVALID[case]

    assert message in errors_of(item_data(bank, **fields))


VALID = {
    "single": {"item_type": "single", "choices": choices("ก", "ข", "ค", "ง", "จ", correct=(4,))},
    "multiple": {
        "item_type": "multiple",
        "choices": choices("ก", "ข", "ค", correct=(0, 2)),
        "answer_spec": {"partial_credit": "per_choice"},
    },
    "true_false": {"item_type": "true_false", "choices": choices("ถูก", "ผิด", correct=(1,))},
    "numeric": {"item_type": "numeric", "choices": [], "answer_spec": {"value": "3.50", "tolerance": "0.05"}},
    "short": {"item_type": "short", "choices": [], "answer_spec": {"accepted": [" กรุงเทพฯ ", "bangkok"]}},
    "essay": {"item_type": "essay", "choices": [], "answer_spec": {"max_words": 300}},
}


@pytest.mark.parametrize("item_type", VALID)
def test_validate_item_data_accepts_every_item_type(bank, item_type):
    data = item_data(bank, **VALID[item_type])

    assert validate_item_data(data) == []


def test_validate_item_data_normalises_answer_specs(bank):
    numeric = item_data(bank, **VALID["numeric"]).cleaned()
    short = item_data(bank, **VALID["short"]).cleaned()
    multiple = item_data(bank, item_type="multiple", choices=choices("ก", "ข")).cleaned()

    assert numeric.answer_spec == {"value": "3.50", "tolerance": "0.05"}
    assert short.answer_spec == {"accepted": ["กรุงเทพฯ", "bangkok"], "case_sensitive": False}
    assert multiple.answer_spec == {"partial_credit": "all_or_nothing"}


# --- create and edit ----------------------------------------------------------------------------


def test_create_item_makes_version_1_with_choices_tags_and_an_audit_entry(bank, author):
    item = create_item(bank, item_data(bank, stem="<p>ข้อใดถูก</p>", tags=["สะกด", " สะกด "]), actor=author)

    version = item.current_version
    assert (version.number, version.item_type, version.stem) == (1, "single", "<p>ข้อใดถูก</p>")
    assert [c.text for c in version.choices.all()] == ["กะเพรา", "กระเพรา", "กะเพา", "กระเพา"]
    assert [c.is_correct for c in version.choices.all()] == [False, True, False, False]
    assert list(item.tags.values_list("name", flat=True)) == ["สะกด"]
    assert item.status == Item.Status.DRAFT
    entry = AuditEntry.objects.get(action="item.created")
    assert (entry.actor, entry.object_id, entry.after["version"]) == (author, str(item.pk), 1)


def test_create_item_refuses_a_category_of_another_bank(bank, author):
    other = make_bank()

    with pytest.raises(ItemDataError, match=r"\(The category belongs to another bank\)"):
        create_item(bank, item_data(other), actor=author)
    assert not Item.objects.exists()


def test_edit_item_creates_version_2_keeping_choice_uids(bank, author):
    item = make_item(bank, actor=author)
    first = item.current_version
    uids = [c.uid for c in first.choices.all()]
    data = item_data_from_version(first)
    data.stem = "<p>ข้อใดสะกดถูก (แก้ไข)</p>"
    data.choices.reverse()  # reorder: the uids travel with their texts
    data.choices.append(ChoiceData(text="กะเพล้า"))

    version = edit_item(item, data, actor=author)

    assert version.number == 2
    assert Item.objects.get(pk=item.pk).current_version == version
    new_choices = list(version.choices.all())
    assert [c.uid for c in new_choices[:4]] == list(reversed(uids))
    assert new_choices[4].uid not in uids
    assert ItemVersion.objects.get(pk=first.pk).stem == first.stem  # version 1 untouched
    assert [c.uid for c in first.choices.all()] == uids
    assert AuditEntry.objects.filter(action="item.edited", object_id=str(item.pk)).count() == 1


def test_edit_item_sends_an_approved_item_back_to_draft(bank, author):
    item = make_item(bank, actor=author, status="approved")

    edit_item(item, item_data_from_version(item.current_version), actor=author)

    item.refresh_from_db()
    assert item.status == Item.Status.DRAFT
    entry = AuditEntry.objects.get(action="item.edited")
    assert (entry.before["status"], entry.after["status"]) == ("approved", "draft")


def test_edit_item_cannot_adopt_another_items_choice_uid(bank, author):
    mine = make_item(bank, actor=author)
    theirs = make_item(bank, actor=author)
    stolen = theirs.current_version.choices.first().uid
    data = item_data_from_version(mine.current_version)
    data.choices[0].uid = str(stolen)

    version = edit_item(mine, data, actor=author)

    assert stolen not in set(version.choices.values_list("uid", flat=True))
    assert Choice.objects.filter(uid=stolen).count() == 1


def test_edit_item_refuses_a_retired_item(bank, author):
    item = make_item(bank, actor=author, status="retired")

    with pytest.raises(ItemDataError, match=r"\(A retired item cannot be edited\)"):
        edit_item(item, item_data_from_version(item.current_version), actor=author)
    assert item.versions.count() == 1


# --- sanitising ----------------------------------------------------------------------------------


def test_create_item_removes_script_and_foreign_images_but_keeps_bank_media(bank, author):
    media, _ = upload_media(bank, image_bytes(), actor=author)
    stem = (
        '<p onclick="steal()">ดูรูป<script>alert(1)</script></p>'
        '<img src="https://evil.example/x.png"><img src="data:image/png;base64,AAAA">'
        f'<img src="/qb/media/{media.uid}/" alt="แผนภูมิ">'
    )

    item = create_item(bank, item_data(bank, stem=stem), actor=author)

    saved = item.current_version.stem
    assert "<script" not in saved
    assert "alert" not in saved
    assert "onclick" not in saved
    assert "evil.example" not in saved
    assert "data:" not in saved
    assert f'<img src="/qb/media/{media.uid}/" alt="แผนภูมิ">' in saved
    assert list(item.current_version.media.all()) == [media]


def test_create_item_refuses_an_image_of_another_bank(bank, author):
    other = make_bank(members={author: "owner"})
    media, _ = upload_media(other, image_bytes(), actor=author)

    with pytest.raises(ItemDataError, match=r"\(An image does not belong to this bank\)"):
        create_item(bank, item_data(bank, stem=f'<p>ดูรูป</p><img src="/qb/media/{media.uid}/">'), actor=author)
    assert not Item.objects.exists()


def test_choice_html_is_sanitised(bank, author):
    data = item_data(bank, choices=choices('<b>ก</b><iframe src="x"></iframe>', "ข"))

    item = create_item(bank, data, actor=author)

    assert item.current_version.choices.first().text == "<b>ก</b>"


# --- bulk --------------------------------------------------------------------------------------


def _bulk_queries(bank, author, n) -> int:
    datas = [
        item_data(bank, tags=["bulk", f"t{i % 3}"], default_points=Decimal("2")).cleaned() for i in range(n)
    ]
    with CaptureQueriesContext(connection) as queries:
        create_items_bulk(bank, datas, actor=author, status=Item.Status.APPROVED)
    return len(queries)


def test_create_items_bulk_creates_items_versions_choices_and_tags(bank, author):
    datas = [item_data(bank, tags=["bulk"]).cleaned() for _ in range(3)]

    items = create_items_bulk(bank, datas, actor=author, status=Item.Status.APPROVED)

    assert len(items) == 3
    for item, data in zip(items, datas, strict=True):
        item = Item.objects.get(pk=item.pk)
        assert item.status == Item.Status.APPROVED
        assert item.current_version.number == 1
        assert item.current_version.stem == data.stem
        assert item.current_version.choices.count() == 4
        assert list(item.tags.values_list("name", flat=True)) == ["bulk"]
        assert item.search_text.startswith("ข้อใดเขียนถูกต้อง")
    assert Tag.objects.filter(bank=bank).count() == 1


def test_create_items_bulk_uses_a_bounded_number_of_queries(bank, author):
    # One insert per table per batch (SQLite splits large inserts at its variable limit); one query
    # per item would be 200 × 4 here.
    small = _bulk_queries(bank, author, 10)
    large = _bulk_queries(bank, author, 200)

    assert small <= 8
    assert large <= 20
    assert Item.objects.filter(bank=bank).count() == 210
