import random

import pytest
from django.db import connection

from exam_platform.accounts.models import Candidate
from exam_platform.common.thai_collation import (
    normalise_thai,
    sort_thai_names,
    sorted_by_thai,
    thai_icu_collation_available,
    thai_sort_key,
)
from tests.factories import make_candidate

# Royal Institute dictionary order: initial consonant first (ก < ข < ช), then the vowel; a consonant
# followed by another consonant (กมล) comes before any vowel (เกศินี); เ before แ before โ.
DICTIONARY_ORDER = ["กมล", "เกศินี", "แก้ว", "ขวัญ", "โชติ"]

# A wider list in the order PostgreSQL's ICU collation th-TH-x-icu gives (checked against it below).
ICU_ORDER = [
    "1ก", "2", "๓", "กก", "กง", "กมล", "กฤษณ์", "กะ", "กัก", "กา", "ก่า", "ก้า", "กาล", "กำ", "กุก", "กุ๊ก",
    "เก", "เกศินี", "เกิด", "แก", "แก้ว", "โก", "ใก", "ไก", "ไก่", "ขวัญ", "ขาว", "ข่าว", "ข้าว", "เขา",
    "เข่า", "เข้า", "คำ", "ค่ำ", "ค้ำ", "เคก", "เค้ก", "จันทร์", "จันทรา", "จิรา", "เจริญ", "เจริญชัย", "ใจ",
    "ใจดี", "ชัย", "ชาย", "ชื่น", "เชิด", "แช่ม", "โชค", "โชติ", "ไชยา", "ทองคำ", "ทองดี", "ทองแท้", "เทพ",
    "แท้", "บุญ", "บุญมี", "บุญเลิศ", "บุญส่ง", "เบญจ", "เบ็ญจ", "ประภา", "ประเสริฐ", "ปราณี", "ปรีชา",
    "ปิยพงศ์", "ปิยะ", "ปิยะพงษ์", "เป็ด", "พิมพ์", "พิมพ์ชนก", "พิมพา", "ไพโรจน์", "ไพลิน", "รัก", "ฤทธิ์",
    "ลม", "ฦ", "วิชัย", "วิโรจน์", "วิไล", "ศรี", "ศิริ", "ษมา", "สมชาย", "สมศรี", "สมศักดิ์", "สมหญิง",
    "เสาวภา", "เสาวลักษณ์", "หมู", "อมร", "อรุณ", "อัมพร", "อานนท์", "อ่ำ", "อำไพ", "อุไร", "อุษา", "เอก",
    "เอี่ยม", "เอื้อ", "ไอ", "ฮ่องกง", "ฮานา", "Anna", "bob", "Zed",
]  # fmt: skip

NAM_COMPOSED = "น\u0e49\u0e33"  # น้ำ as it should be typed: na, mai tho, sara am
NAM_NIKHAHIT_FIRST = "น\u0e4d\u0e49\u0e32"  # na, nikhahit, mai tho, sara aa
NAM_TONE_FIRST = "น\u0e49\u0e4d\u0e32"  # na, mai tho, nikhahit, sara aa


def test_sort_thai_names_leading_vowels_sort_by_consonant():
    names = ["โชติ", "กมล", "เกศินี", "ขวัญ", "แก้ว"]

    assert sort_thai_names(names) == DICTIONARY_ORDER
    assert sorted(names) != DICTIONARY_ORDER  # the control: code-point order gets it wrong


def test_sort_thai_names_matches_icu_thai_order():
    shuffled = ICU_ORDER[:]
    random.Random(2569).shuffle(shuffled)

    assert sort_thai_names(shuffled) == ICU_ORDER


def test_sort_thai_names_tone_marks_only_break_ties():
    assert sort_thai_names(["กาล", "ก้า", "ก่า", "กา"]) == ["กา", "ก่า", "ก้า", "กาล"]


def test_normalise_thai_decomposed_sara_am_becomes_composed():
    assert normalise_thai("ก\u0e4d\u0e32") == "ก\u0e33"
    assert normalise_thai(NAM_NIKHAHIT_FIRST) == NAM_COMPOSED
    assert normalise_thai(NAM_TONE_FIRST) == NAM_COMPOSED


def test_normalise_thai_whitespace_and_zero_width_characters():
    assert normalise_thai("  สมชาย\u200b \t ใจดี\u00a0 ") == "สมชาย ใจดี"
    assert normalise_thai("") == ""


def test_thai_sort_key_sara_am_forms_compare_equal():
    assert thai_sort_key(NAM_NIKHAHIT_FIRST) == thai_sort_key(NAM_COMPOSED)
    assert thai_sort_key(NAM_TONE_FIRST) == thai_sort_key(NAM_COMPOSED)
    assert thai_sort_key("คำ") == thai_sort_key("ค\u0e4d\u0e32")


def test_sort_thai_names_mixed_thai_and_latin_thai_first_latin_case_insensitive():
    names = ["somchai", "วีระ", "Anan", "เกศินี", "Bee", "กมล"]

    assert sort_thai_names(names) == ["กมล", "เกศินี", "วีระ", "Anan", "Bee", "somchai"]


def test_sort_thai_names_thai_and_arabic_digits_sort_together():
    assert sort_thai_names(["ห้อง 3", "ห้อง ๒", "ห้อง 1"]) == ["ห้อง 1", "ห้อง ๒", "ห้อง 3"]


def test_sort_thai_names_key_tuple_sorts_by_last_then_first_name():
    people = [("สมชาย", "ใจดี"), ("กมล", "ใจดี"), ("อรุณ", "เกิดผล"), ("วิไล", "แก้วมณี")]

    result = sort_thai_names(people, key=lambda p: (p[1], p[0]))

    assert result == [("อรุณ", "เกิดผล"), ("วิไล", "แก้วมณี"), ("กมล", "ใจดี"), ("สมชาย", "ใจดี")]


def test_sort_thai_names_reverse_and_empty_values():
    assert sort_thai_names(["ขวัญ", "", "กมล"], reverse=True) == ["ขวัญ", "กมล", ""]
    assert sort_thai_names([None, "กมล"]) == [None, "กมล"]


@pytest.mark.django_db
def test_sorted_by_thai_orders_candidates_by_last_then_first_name():
    for first, last in [("สมชาย", "โชติช่วง"), ("กมล", "ใจดี"), ("อรุณ", "เกศแก้ว"), ("วิไล", "ใจดี")]:
        make_candidate(first_name_th=first, last_name_th=last)

    rows = sorted_by_thai(Candidate.objects.all(), "last_name_th", "first_name_th")

    assert [(c.last_name_th, c.first_name_th) for c in rows] == [
        ("เกศแก้ว", "อรุณ"),
        ("ใจดี", "กมล"),
        ("ใจดี", "วิไล"),
        ("โชติช่วง", "สมชาย"),
    ]


@pytest.mark.django_db
def test_sorted_by_thai_follows_relations():
    for last in ["แก้ว", "ขวัญ", "กมล"]:
        make_candidate(last_name_th=last)

    rows = sorted_by_thai(Candidate.objects.select_related("user").all(), "last_name_th")

    assert [c.last_name_th for c in rows] == ["กมล", "แก้ว", "ขวัญ"]
    with pytest.raises(ValueError):
        sorted_by_thai(Candidate.objects.all())


@pytest.mark.django_db
def test_thai_icu_collation_available_only_on_postgresql():
    thai_icu_collation_available.cache_clear()

    assert thai_icu_collation_available() is (connection.vendor == "postgresql")


@pytest.mark.django_db
def test_thai_sort_key_agrees_with_postgresql_icu():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL with ICU")
    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT w FROM unnest(%s::text[]) AS w ORDER BY w COLLATE "th-TH-x-icu"',
            [list(reversed(ICU_ORDER))],
        )
        database_order = [row[0] for row in cursor.fetchall()]

    assert database_order == ICU_ORDER
    assert sort_thai_names(database_order[::-1]) == database_order


@pytest.mark.django_db
def test_sorted_by_thai_orders_in_sql_only_where_icu_exists():
    from django.test.utils import CaptureQueriesContext

    make_candidate(last_name_th="แก้ว")
    make_candidate(last_name_th="กมล")
    thai_icu_collation_available.cache_clear()

    with CaptureQueriesContext(connection) as queries:
        rows = sorted_by_thai(Candidate.objects.all(), "last_name_th")

    assert [c.last_name_th for c in rows] == ["กมล", "แก้ว"]
    ordered_in_sql = any('COLLATE "th-TH-x-icu"' in q["sql"] for q in queries.captured_queries)
    assert ordered_in_sql is (connection.vendor == "postgresql")
