"""Scoring screens: officers only, the key-correction flow through the pages, results with a
constant query count, the Excel export with Thai headers, and the commands."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from exam_platform.common.models import Job
from exam_platform.scoring.essay_rule import final_essay_mark
from exam_platform.scoring.models import ItemAdjustment, Result
from exam_platform.scoring.services.policies import set_pass_policy
from exam_platform.scoring.services.runs import score_round
from tests.delivery.roster_setup import verified_client
from tests.factories import make_staff

from .round_setup import ScoringRound

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


def test_key_correction_flow_through_the_pages(client, officer, scored_round):
    verified_client(client, officer)
    code = scored_round.round.code
    url = reverse("scoring:adjustments", args=[code])
    response = client.post(
        url,
        {
            "item_uid": scored_round.items["q2"]["uid"],
            "action": "change_key",
            "new_choices": scored_round.choice("q2", 1),
            "reason": "เฉลยข้อ 2 ผิด",
        },
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "ผลต่างหากใช้การแก้ไขที่เสนอ" in page
    assert "มีผู้เข้าสอบ 4 คนที่คะแนน ผลการสอบ หรือลำดับที่เปลี่ยน" in page
    digest = page.split('name="digest" value="')[1].split('"')[0]
    response = client.post(reverse("scoring:adjustments_apply", args=[code]), {"digest": digest})
    assert response.status_code == 302
    assert ItemAdjustment.objects.get(round=scored_round.round).status == "applied"
    assert Result.objects.get(entry__candidate__first_name_th="ผู้สอบ1").total == 20


def test_propose_with_a_bad_key_shows_a_thai_and_english_error(client, officer, scored_round):
    verified_client(client, officer)
    response = client.post(
        reverse("scoring:adjustments", args=[scored_round.round.code]),
        {
            "item_uid": scored_round.items["q2"]["uid"],
            "action": "change_key",
            "new_choices": "nope",
            "reason": "x",
        },
    )
    assert response.status_code == 200
    assert "ตัวเลือกเฉลยใหม่ไม่ถูกต้อง (The new key&#x27;s choices are not valid)." in response.content.decode()


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
