"""Successful imports: one transaction, one audit entry, duplicates reported, BOM, categories."""

from pathlib import Path

import pytest

from exam_platform.common.models import AuditEntry
from question_bank.models import Category, Item
from question_bank.transfer import import_items
from tests.factories import make_bank, make_examiner, make_item, topic_of

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def author():
    return make_examiner()


@pytest.fixture
def bank(author):
    return make_bank(members={author: "author"})


def test_transfer_import_gift_sample_creates_every_type_with_one_audit_entry(bank, author):
    data = (FIXTURES / "thai_sample.gift").read_bytes()
    audits = AuditEntry.objects.count()

    report = import_items(bank, data, "gift", actor=author, filename="thai_sample.gift")

    assert report.errors == [] and report.created == 6
    types = sorted(Item.objects.filter(bank=bank).values_list("current_version__item_type", flat=True))
    assert types == ["essay", "multiple", "numeric", "short", "single", "true_false"]
    assert set(Item.objects.filter(bank=bank).values_list("category", flat=True)) == {topic_of(bank).pk}
    assert AuditEntry.objects.count() == audits + 1
    entry = AuditEntry.objects.latest("seq")
    assert entry.action == "items.imported"
    assert entry.after["count"] == 6 and entry.after["format"] == "gift"
    assert entry.after["filename"] == "thai_sample.gift"
    assert entry.after["sha256"] == report.sha256 and len(report.sha256) == 64
    single = Item.objects.get(bank=bank, current_version__item_type="single").current_version
    assert single.explanation == "น้ำแข็ง สะกดด้วยสระอำ"
    assert single.tags == ["สะกดคำ"]
    numeric = Item.objects.get(bank=bank, current_version__item_type="numeric").current_version
    assert numeric.answer_spec == {"value": "3.5", "tolerance": "0.01"}


def test_transfer_import_duplicates_are_reported_with_lines_and_skipped(bank, author):
    make_item(bank, actor=author, stem="เมืองหลวงของไทยคือ")
    decomposed_sara_am = "ค\u0e4d\u0e32ใดสะกดถูกต้อง"  # same stem once ำ is unified
    data = (FIXTURES / "thai_sample.gift").read_bytes() + f"\n\n  {decomposed_sara_am}  {{=ก ~ข}}\n".encode()

    report = import_items(bank, data, "gift", actor=author)

    assert report.errors == []
    assert report.created == 5
    assert [(d.position.label(), d.existing_item_id is not None) for d in report.duplicates] == [
        ("บรรทัด 22 (line 22)", True),
        ("บรรทัด 27 (line 27)", False),
    ]
    assert "บรรทัด 5 (line 5)" in report.duplicates[1].message()


def test_transfer_import_fail_on_duplicates_makes_them_errors_and_writes_nothing(bank, author):
    make_item(bank, actor=author, stem="เมืองหลวงของไทยคือ")
    count = Item.objects.count()

    report = import_items(
        bank, (FIXTURES / "thai_sample.gift").read_bytes(), "gift", actor=author, fail_on_duplicates=True
    )

    assert [str(e.position) for e in report.errors] == ["บรรทัด 22 (line 22)"]
    assert "Same stem as an existing item" in report.errors[0].message
    assert Item.objects.count() == count


def test_transfer_import_accepts_utf8_with_bom(bank, author):
    data = b"\xef\xbb\xbf" + (FIXTURES / "thai_sample_aiken.txt").read_bytes()

    report = import_items(bank, data, "aiken", actor=author, default_category=topic_of(bank))

    assert report.errors == [] and report.created == 2
    stems = sorted(Item.objects.filter(bank=bank).values_list("current_version__stem", flat=True))
    assert stems == ["ข้อใดเป็นเขตของกรุงเทพมหานคร", "คำใดสะกดถูกต้อง"]


def test_transfer_import_csv_with_bom_and_english_headers(bank, author):
    data = "\ufeffsubject,topic,type,stem,choice_a,choice_b,answer,points,difficulty\n".encode()
    data += f"{topic_of(bank).parent.code},{topic_of(bank).code},single,ข้อหนึ่ง,หนึ่ง,สอง,B,2,hard\n".encode()

    report = import_items(bank, data, "csv", actor=author)

    assert report.errors == [] and report.created == 1
    version = Item.objects.get(bank=bank).current_version
    assert [c.is_correct for c in version.choices.all()] == [False, True]
    assert (str(version.default_points), version.difficulty) == ("2.00", "hard")


def test_transfer_import_unknown_categories_are_created_only_when_allowed(bank, author):
    data = "$CATEGORY: คณิตศาสตร์/เลขคณิต\n\nหนึ่งบวกหนึ่ง {#2}\n".encode()

    refused = import_items(bank, data, "gift", actor=author)
    created = import_items(bank, data, "gift", actor=author, create_categories=True)

    assert "ไม่พบวิชา 'คณิตศาสตร์'" in refused.errors[0].message
    assert created.errors == [] and created.created == 1
    topic = Item.objects.get(bank=bank).category
    assert (topic.name, topic.parent.name) == ("เลขคณิต", "คณิตศาสตร์")
    assert Category.objects.filter(bank=bank).count() == 4
    assert created.categories_created == [topic.parent.code, topic.code]


def test_transfer_import_dry_run_validates_and_writes_nothing(bank, author):
    report = import_items(
        bank, (FIXTURES / "thai_sample.gift").read_bytes(), "gift", actor=author, dry_run=True
    )

    assert report.errors == [] and report.would_create == 6 and report.created == 0
    assert Item.objects.filter(bank=bank).count() == 0


def test_transfer_import_default_category_of_another_bank_is_ignored(bank, author):
    other = make_bank()

    report = import_items(
        bank, "ข้อหนึ่ง {=ก ~ข}".encode(), "gift", actor=author, default_category=topic_of(other)
    )

    assert report.created == 0 and "No category" in report.errors[0].message
