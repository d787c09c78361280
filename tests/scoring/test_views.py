"""Scoring screens: officers only, the key-correction flow through the pages, results with a
constant query count, the Excel export with Thai headers, and the commands."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from exam_platform.common.models import Job
from exam_platform.scoring.essay_rule import final_essay_mark
from exam_platform.scoring.models import ItemAdjustment, Result
from exam_platform.scoring.services.policies import set_pass_policy
from exam_platform.scoring.services.runs import score_round
from tests.delivery.roster_setup import verified_client
from tests.factories import make_staff

from .round_setup import ScoringRound, totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return make_staff("exam_officer")


@pytest.fixture
def scored_round(officer):
    r = ScoringRound()
    r.add_section(1, "ความสามารถทั่วไป")
    r.add_item("q1", 1, "single", points="10", correct=(1,))
    r.add_item("q2", 1, "single", points="10", correct=(0,))
    set_pass_policy(r.round, actor=officer, min_total_percent="50", tie_break=[{"by": "application_number"}])
    for k in range(4):
        r.sit({"q1": r.pick("q1", 1), "q2": r.pick("q2", k % 2)}, first_name=f"ผู้สอบ{k}")
    score_round(r.round, actor=officer)
    return r


def urls(code):
    return [
        reverse("scoring:status", args=[code]),
        reverse("scoring:adjustments", args=[code]),
        reverse("scoring:results", args=[code]),
        reverse("scoring:results_export", args=[code]),
    ]


def test_officer_opens_every_scoring_page(client, officer, scored_round):
    verified_client(client, officer)
    for url in [reverse("scoring:rounds"), *urls(scored_round.round.code)]:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ["examiner", "proctor", "auditor"])
def test_other_staff_roles_are_refused(client, scored_round, role):
    verified_client(client, make_staff(role))
    for url in urls(scored_round.round.code):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("scoring:score_now", args=[scored_round.round.code])).status_code == 403


def test_candidate_is_refused(client, scored_round):
    entry = scored_round.sit({})
    client.force_login(entry.candidate.user)
    for url in urls(scored_round.round.code):
        assert client.get(url).status_code == 403, url


def test_staff_without_two_factor_is_sent_to_verify(client, officer, scored_round):
    client.force_login(officer)
    response = client.get(reverse("scoring:status", args=[scored_round.round.code]))
    assert response.status_code == 302


def test_status_page_shows_counts_digest_and_score_now_enqueues(client, officer, scored_round):
    verified_client(client, officer)
    code = scored_round.round.code
    page = client.get(reverse("scoring:status", args=[code])).content.decode()
    run = scored_round.round.scoring_runs.first()
    assert run.inputs_digest in page
    assert "คิดคะแนนเดี๋ยวนี้" in page
    response = client.post(reverse("scoring:score_now", args=[code]))
    assert response.status_code == 302
    assert Job.objects.filter(kind="scoring.score_round", payload__round=scored_round.round.pk).count() == 1


def _uids(r) -> list[str]:
    return [r.items[name]["uid"] for name in r.items] + [c for i in r.items.values() for c in i["choices"]]


def test_key_correction_by_item_number_needs_a_second_officer(client, officer, scored_round):
    r, code = scored_round, scored_round.round.code
    verified_client(client, officer)
    page = client.get(reverse("scoring:adjustments", args=[code])).content.decode()
    assert "แก้ไขเฉลยข้อ 2" in page
    item_url = reverse("scoring:adjustment_item", args=[code, 1, 2])
    page = client.get(item_url).content.decode()
    assert "ตอนที่ 1 ข้อ 2" in page
    assert "ก. ตัวเลือก 1" in page and "ข. ตัวเลือก 2" in page
    assert "✓ เฉลยปัจจุบัน" in page
    assert not [uid for uid in _uids(r) if uid in page]  # no item or choice uid anywhere

    response = client.post(item_url, {"action": "change_key", "new_choices": ["1"], "reason": "เฉลยข้อ 2 ผิด"})
    assert response.status_code == 302
    adjustment = ItemAdjustment.objects.get(round=r.round)
    assert (adjustment.item_label, adjustment.new_key) == ("ตอนที่ 1 ข้อ 2", {"choices": [r.choice("q2", 1)]})

    page = client.get(reverse("scoring:adjustments", args=[code])).content.decode()
    assert "มีผู้เข้าสอบ 4 คนที่คะแนน ผลการสอบ หรือลำดับที่เปลี่ยน" in page
    assert "ต้องให้เจ้าหน้าที่สอบอีกคนตรวจผลต่างนี้และอนุมัติ" in page
    assert 'name="code"' not in page  # the proposer is not offered the approval
    digest = page.split('<span class="digest">')[1].split("<")[0]
    apply_url = reverse("scoring:adjustments_apply", args=[code])
    client.post(apply_url, {"digest": digest, "confirm": "on", "code": totp_code(officer)})
    assert ItemAdjustment.objects.get(pk=adjustment.pk).status == "proposed"

    second = make_staff("exam_officer")
    verified_client(client, second)
    page = client.get(reverse("scoring:adjustments", args=[code])).content.decode()
    assert 'name="code"' in page
    response = client.post(apply_url, {"digest": digest, "confirm": "on"}, follow=True)
    assert "กรุณากรอกรหัสยืนยันตัวตนสองขั้นตอน" in response.content.decode()
    response = client.post(apply_url, {"digest": digest, "confirm": "on", "code": "000000"}, follow=True)
    assert "รหัสยืนยันตัวตนไม่ถูกต้อง" in response.content.decode()
    assert ItemAdjustment.objects.get(pk=adjustment.pk).status == "proposed"
    response = client.post(
        apply_url, {"digest": digest, "confirm": "on", "code": totp_code(second)}, follow=True
    )
    assert "กรอกรหัสผิดหลายครั้ง กรุณารอจนถึงเวลา" in response.content.decode()  # django-otp's back-off
    TOTPDevice.objects.filter(user=second).update(throttling_failure_timestamp=None)  # ... waited
    response = client.post(apply_url, {"digest": digest, "confirm": "on", "code": totp_code(second)})
    assert response.status_code == 302
    applied = ItemAdjustment.objects.get(pk=adjustment.pk)
    assert (applied.status, applied.proposed_by, applied.applied_by) == ("applied", officer, second)
    assert Result.objects.get(entry__candidate__first_name_th="ผู้สอบ1").total == 20


def test_numeric_item_page_offers_value_fields_not_choices(client, officer):
    r = ScoringRound()
    r.add_section(1, "คณิต")
    r.add_item("n1", 1, "numeric", points="5", spec={"value": "3.5", "tolerance": "0.1"})
    verified_client(client, officer)
    page = client.get(reverse("scoring:adjustment_item", args=[r.round.code, 1, 1])).content.decode()
    assert "3.5 ± 0.1" in page and 'name="new_value"' in page and 'name="new_choices"' not in page


def test_unknown_item_number_is_404_and_the_picker_says_so(client, officer, scored_round):
    verified_client(client, officer)
    code = scored_round.round.code
    assert client.get(reverse("scoring:adjustment_item", args=[code, 1, 9])).status_code == 404
    response = client.get(
        reverse("scoring:adjustment_pick", args=[code]), {"form": 1, "number": 9}, follow=True
    )
    assert "ไม่พบข้อสอบหมายเลขนี้" in response.content.decode()
    response = client.get(reverse("scoring:adjustment_pick", args=[code]), {"form": 1, "number": 2})
    assert response.url == reverse("scoring:adjustment_item", args=[code, 1, 2])


def test_change_key_without_a_ticked_choice_is_refused(client, officer, scored_round):
    verified_client(client, officer)
    url = reverse("scoring:adjustment_item", args=[scored_round.round.code, 1, 2])
    response = client.post(url, {"action": "change_key", "reason": "x"})
    assert response.status_code == 200
    assert "ติ๊กตัวเลือกที่เป็นเฉลยใหม่อย่างน้อยหนึ่งตัวเลือก" in response.content.decode()
    assert not ItemAdjustment.objects.exists()


def test_results_page_query_count_does_not_grow_with_rows(client, officer, scored_round):
    verified_client(client, officer)
    url = reverse("scoring:results", args=[scored_round.round.code])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for k in range(6):
        scored_round.sit({"q1": scored_round.pick("q1", 1)}, first_name=f"เพิ่ม{k}")
    score_round(scored_round.round)
    with CaptureQueriesContext(connection) as large:
        page = client.get(url).content.decode()
    assert len(large) == len(small)
    assert "ผ่าน: รวม 20/20 (100 %) ≥ 50 %" in page
    assert "เลขที่ใบสมัคร" in page


def test_excel_export_has_thai_headers_and_rows(client, officer, scored_round):
    from openpyxl import load_workbook

    verified_client(client, officer)
    response = client.get(reverse("scoring:results_export", args=[scored_round.round.code]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:6] == ("ลำดับที่", "เลขที่ใบสมัคร", "เลขประจำตัวสอบ", "ชื่อ-นามสกุล", "ตำแหน่ง", "สถานะ")
    assert rows[1][6:] == (
        "ตอนที่ 1 ความสามารถทั่วไป",
        "คะแนนรวม",
        "คะแนนเต็ม",
        "ผลการสอบ",
        "คำอธิบาย",
        "ตัดสินลำดับโดย",
    )
    assert len(rows) == 2 + 4
    assert rows[2][0] == 1 and rows[2][7] == 20 and rows[2][9] == "ผ่าน"


def test_score_exam_and_rank_exam_commands_print_summaries(scored_round):
    out = io.StringIO()
    call_command("score_exam", scored_round.round.code, stdout=out)
    assert "scored                 4" in out.getvalue()
    out = io.StringIO()
    call_command("rank_exam", scored_round.round.code, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[-1] == "4 ranked"
    # two at 20 (separated by application number), two at 10 (likewise); 10 vs 20 by the total
    assert [line.split()[0] for line in lines[2:6]] == ["1", "2", "3", "4"]
    assert [line.rsplit("  ", 1)[1] for line in lines[2:6]] == [
        "เลขที่ใบสมัคร",
        "เลขที่ใบสมัคร",
        "คะแนนรวม",
        "เลขที่ใบสมัคร",
    ]


def test_commands_fail_on_unknown_round():
    with pytest.raises(CommandError):
        call_command("score_exam", "no-such-round")
    with pytest.raises(CommandError):
        call_command("rank_exam", "no-such-round")


@pytest.mark.parametrize(
    ("marks", "markers", "expected"),
    [
        ([], 1, None),
        ([700], 1, 700),
        ([700], 2, None),
        ([700, 800], 2, 750),  # within 2 points: mean
        ([700, 701], 2, 700),  # 700.5 → half to even
        ([300, 800], 2, None),  # disagreement: waits for the third
        ([300, 800, 700], 2, 750),  # nearest pair 800/700
        ([300, 800, 400], 2, 350),
        ([300, 900, 600], 2, 600),  # equally near: the middle mark
    ],
)
def test_essay_rule(marks, markers, expected):
    assert final_essay_mark(marks, markers=markers, threshold=200) == expected


def test_results_page_search_filters_and_pagination_at_5000_results(client, django_assert_max_num_queries):
    from tests.publication.list_setup import bulk_candidates, standard_round

    scored, entries = standard_round()
    bulk = bulk_candidates(scored, 5000, start_rank=4)
    verified_client(client, make_staff("exam_officer"))
    url = reverse("scoring:results", args=[scored.round.code])
    with django_assert_max_num_queries(20):
        page = client.get(url).content.decode()
    assert "พบ 5004 คน" in page and "หน้า 1 จาก 101" in page
    with django_assert_max_num_queries(20):
        page = client.get(url, {"outcome": "failed", "page": "3"}).content.decode()
    assert "พบ 1668 คน" in page and "outcome=failed&amp;page=4" in page
    national_id = entries["tie_a"].candidate.national_id
    dashed = f"{national_id[0]}-{national_id[1:5]}-{national_id[5:10]}-{national_id[10:12]}-{national_id[12]}"
    page = client.get(url, {"q": dashed}).content.decode()
    assert "พบ 1 คน" in page and "โชติ" in page
    page = client.get(url, {"q": "ขวัญ แก้ว"}).content.decode()
    assert "พบ 1 คน" in page
    page = client.get(url, {"q": bulk[42].application_number}).content.decode()
    assert "พบ 1 คน" in page
    page = client.get(url, {"position": str(scored.position.pk), "outcome": "passed"}).content.decode()
    assert "พบ 3336 คน" in page
