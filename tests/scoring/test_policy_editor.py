"""The pass-policy and tie-break editor: date of birth and exam number as tie-breaks, a live preview,
direct changes before a rank list exists, and afterwards a proposal approved by a second officer with
a fresh two-factor code (the proposer refused by the service and by the database)."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from exam_platform.accounts.models import Candidate
from exam_platform.common.models import AuditEntry
from exam_platform.scoring.models import PassPolicy, PolicyChange, Result
from exam_platform.scoring.services.policies import (
    apply_policy_change,
    preview_change,
    preview_policy,
    propose_policy_change,
    set_pass_policy,
)
from exam_platform.scoring.services.runs import ScoringError, score_round
from tests.delivery.roster_setup import verified_client
from tests.factories import make_staff

from .round_setup import ScoringRound, backup_code, totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def officers():
    return make_staff("exam_officer"), make_staff("exam_officer")


def tied_round(officer, **policy):
    """Three candidates with the same total (10/20); their sections differ; born 1990, 1985, 1995."""
    r = ScoringRound()
    r.add_section(1, "ภาษาไทย")
    r.add_section(2, "ภาษาอังกฤษ")
    r.add_item("q1", 1, "single", points="10", correct=(0,))
    r.add_item("q2", 2, "single", points="10", correct=(0,))
    set_pass_policy(r.round, actor=officer, min_total_percent="50", **policy)
    people = {}
    for name, app, exam, born, picks in (
        ("a", "APP-3", "EX-1", dt.date(1990, 1, 1), (0, 1)),
        ("b", "APP-1", "EX-3", dt.date(1985, 1, 1), (1, 0)),
        ("c", "APP-2", "EX-2", dt.date(1995, 1, 1), (0, 1)),
    ):
        entry = r.sit({"q1": r.pick("q1", picks[0]), "q2": r.pick("q2", picks[1])}, application_number=app)
        entry.exam_number = exam
        entry.save(update_fields=["exam_number"])
        Candidate.objects.filter(pk=entry.candidate_id).update(date_of_birth=born)
        people[name] = entry
    score_round(r.round, actor=officer)
    return r, people


def ranks(people) -> dict:
    return {name: Result.objects.get(entry=e).rank for name, e in people.items()}


def test_date_of_birth_tie_break_older_or_younger_first(officers):
    officer, _ = officers
    r, people = tied_round(officer, tie_break=[{"by": "date_of_birth", "order": "older_first"}])
    assert ranks(people) == {"b": 1, "a": 2, "c": 3}
    assert Result.objects.get(entry=people["a"]).rank_decided_by == "วันเกิด (อายุมากกว่าก่อน)"
    set_pass_policy(r.round, actor=officer, tie_break=[{"by": "date_of_birth", "order": "younger_first"}])
    score_round(r.round, actor=officer)
    assert ranks(people) == {"c": 1, "a": 2, "b": 3}


def test_section_then_exam_number_tie_break(officers):
    officer, _ = officers
    _r, people = tied_round(officer, tie_break=[{"by": "section", "section": 2}, {"by": "exam_number"}])
    assert ranks(people) == {"b": 1, "a": 2, "c": 3}


def test_invalid_and_duplicate_tie_breaks_are_refused(officers):
    officer, _ = officers
    r, _people = tied_round(officer)
    for chain in (
        [{"by": "date_of_birth", "order": "sideways"}],
        [{"by": "favourite_colour"}],
        [{"by": "application_number"}, {"by": "application_number"}],
    ):
        with pytest.raises(ScoringError):
            set_pass_policy(r.round, actor=officer, tie_break=chain)


def test_preview_names_who_changes_rank_and_writes_nothing(officers):
    officer, _ = officers
    r, people = tied_round(officer, tie_break=[{"by": "application_number"}])
    assert ranks(people) == {"b": 1, "c": 2, "a": 3}
    preview = preview_policy(r.round, {"tie_break": [{"by": "date_of_birth", "order": "younger_first"}]})
    changed = {row.application_number: (row.old_rank, row.new_rank) for row in preview.diff}
    assert changed == {"APP-1": (1, 3), "APP-2": (2, 1), "APP-3": (3, 2)}
    assert ranks(people) == {"b": 1, "c": 2, "a": 3}
    assert PassPolicy.objects.get(round=r.round).version == 1


def prepared_list(r, officer):
    from exam_platform.publication.services import prepare_rank_list

    return prepare_rank_list(r.round, actor=officer, title="ประกาศ")


def test_after_a_list_is_prepared_a_change_needs_a_second_officer_with_a_fresh_code(officers):
    proposer, approver = officers
    r, people = tied_round(proposer, tie_break=[{"by": "application_number"}])
    prepared_list(r, proposer)
    with pytest.raises(ScoringError) as error:
        set_pass_policy(r.round, actor=proposer, tie_break=[{"by": "exam_number"}])
    assert error.value.code == "needs_review"

    change = propose_policy_change(
        r.round, actor=proposer, values={"tie_break": [{"by": "exam_number"}]}, reason="ตามประกาศรับสมัคร"
    )
    digest = preview_change(change).inputs_digest
    with pytest.raises(ScoringError) as error:
        apply_policy_change(change, actor=proposer, expected_digest=digest, code=backup_code(proposer))
    assert error.value.code == "same_person"
    with pytest.raises(ScoringError) as error:
        apply_policy_change(change, actor=approver, expected_digest=digest, code="000000")
    assert error.value.code == "fresh_code"
    with pytest.raises(ScoringError) as error:
        apply_policy_change(change, actor=approver, expected_digest="e" * 64, code=backup_code(approver))
    assert error.value.code == "stale"
    assert PassPolicy.objects.get(round=r.round).version == 1

    apply_policy_change(change, actor=approver, expected_digest=digest, code=totp_code(approver))
    assert ranks(people) == {"a": 1, "c": 2, "b": 3}
    change.refresh_from_db()
    assert (change.status, change.applied_by) == ("applied", approver)
    assert PassPolicy.objects.get(round=r.round).version == 2
    actions = list(
        AuditEntry.objects.filter(action__startswith="scoring.policy.").values_list("action", flat=True)
    )
    assert actions[-2:] == ["scoring.policy.propose", "scoring.policy.apply"]


def test_the_database_refuses_a_policy_change_applied_by_its_proposer(officers):
    proposer, _ = officers
    r, _people = tied_round(proposer)
    prepared_list(r, proposer)
    change = propose_policy_change(r.round, actor=proposer, values={"rank_per_position": True}, reason="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        PolicyChange.objects.filter(pk=change.pk).update(status="applied", applied_by=proposer)


def test_editor_page_previews_and_saves_before_any_list(client, officers):
    officer, _ = officers
    r, _people = tied_round(officer, tie_break=[{"by": "application_number"}])
    verified_client(client, officer)
    url = reverse("scoring:policy", args=[r.round.code])
    page = client.get(url).content.decode()
    assert "ตอนที่ 2 ภาษาอังกฤษ" in page and "วันเกิด: อายุมากกว่าได้ลำดับก่อน" in page
    data = {
        "min_total_percent": "50",
        "min_total_points": "",
        "section_1_kind": "",
        "section_1_value": "",
        "section_2_kind": "percent",
        "section_2_value": "0",
        "absent_treatment": "absent",
        "terminated_treatment": "disqualify",
        "tie_1": "date_of_birth:younger_first",
        "tie_2": "",
        "tie_3": "",
        "tie_4": "",
    }
    response = client.post(url, {**data, "preview": "1"})
    html = response.content.decode()
    assert "ผลต่างหากใช้เกณฑ์นี้ (ยังไม่บันทึก)" in html
    assert "มีผู้เข้าสอบ 3 คนที่คะแนน ผลการสอบ หรือลำดับที่เปลี่ยน" in html
    assert PassPolicy.objects.get(round=r.round).version == 1
    response = client.post(url, {**data, "save": "1"})
    assert response.status_code == 302
    policy = PassPolicy.objects.get(round=r.round)
    assert (policy.version, policy.tie_break) == (2, [{"by": "date_of_birth", "order": "younger_first"}])
    assert policy.section_minimums == [{"section": 2, "title": "ภาษาอังกฤษ", "percent": "0"}]


def test_editor_after_a_list_proposes_and_a_second_officer_approves(client, officers):
    proposer, approver = officers
    r, people = tied_round(proposer, tie_break=[{"by": "application_number"}])
    prepared_list(r, proposer)
    verified_client(client, proposer)
    url = reverse("scoring:policy", args=[r.round.code])
    data = {
        "min_total_percent": "50",
        "absent_treatment": "absent",
        "terminated_treatment": "disqualify",
        "tie_1": "exam_number",
        "reason": "ตามประกาศ",
        "save": "1",
    }
    assert client.post(url, data).status_code == 302
    change = PolicyChange.objects.get()
    page = client.get(url).content.decode()
    assert "ต้องให้เจ้าหน้าที่สอบอีกคนตรวจผลต่างนี้และอนุมัติ" in page and 'name="code"' not in page
    verified_client(client, approver)
    page = client.get(url).content.decode()
    digest = page.split('<span class="digest">')[1].split("<")[0]
    response = client.post(
        reverse("scoring:policy_apply", args=[r.round.code, change.pk]),
        {"digest": digest, "confirm": "on", "code": totp_code(approver)},
    )
    assert response.status_code == 302
    assert ranks(people) == {"a": 1, "c": 2, "b": 3}
