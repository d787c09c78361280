"""Scoring a round from the database: explanations, statuses, ranking with tie-breaks, determinism,
key corrections with their diff, essays, automatic triggering and the audit trail."""

import pytest

from exam_platform.common.audit import verify_chain
from exam_platform.common.models import AuditEntry, Job
from exam_platform.scoring.models import ItemAdjustment, Result, ScoringRun
from exam_platform.scoring.services import on_attempt_submitted
from exam_platform.scoring.services.adjustments import (
    apply_adjustments,
    propose_adjustment,
    withdraw_adjustment,
)
from exam_platform.scoring.services.essays import mark_essay
from exam_platform.scoring.services.policies import set_pass_policy
from exam_platform.scoring.services.runs import ScoringError, preview_rescore, score_round
from tests.factories import make_staff

from .round_setup import ScoringRound, backup_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return make_staff("exam_officer")


@pytest.fixture
def approver():
    """The second exam officer, who approves what `officer` proposed."""
    return make_staff("exam_officer")


def approve(exam_round, approver, digest=None):
    if digest is None:
        digest = preview_rescore(exam_round).inputs_digest
    return apply_adjustments(exam_round, actor=approver, expected_digest=digest, code=backup_code(approver))


def two_section_round(officer, **policy):
    """Section 1 ความสามารถทั่วไป: q1 single (100), q2 numeric 3.5 ± 0.05 (50);
    section 2 ภาษาอังกฤษ: q3 multiple a+c per_choice (50). Maximum 200."""
    r = ScoringRound()
    r.add_section(1, "ความสามารถทั่วไป")
    r.add_section(2, "ภาษาอังกฤษ")
    r.add_item("q1", 1, "single", points="100", correct=(1,))
    r.add_item("q2", 1, "numeric", points="50", spec={"value": "3.5", "tolerance": "0.05"})
    r.add_item("q3", 2, "multiple", points="50", correct=(0, 2), spec={"partial_credit": "per_choice"})
    defaults = {"min_total_percent": "60", "section_minimums": [{"section": 2, "percent": 50}]}
    defaults.update(policy)
    set_pass_policy(r.round, actor=officer, **defaults)
    return r


def result_of(entry) -> Result:
    return Result.objects.get(entry=entry)


def test_score_round_explains_pass_and_fail_exactly(officer):
    r = two_section_round(officer)
    a = r.sit({"q1": r.pick("q1", 1), "q2": {"value": "9"}, "q3": r.pick("q3", 0)})
    b = r.sit({"q1": r.pick("q1", 1), "q2": {"value": "3.55"}})
    c = r.sit({"q1": r.pick("q1", 1), "q2": {"value": "3.5"}, "q3": r.pick("q3", 0, 2)})
    d = r.sit({})
    score_round(r.round, actor=officer)
    assert result_of(a).explanation == "ผ่าน: รวม 125/200 (62.5 %) ≥ 60 %; ภาษาอังกฤษ 25/50 ≥ 50 %"
    assert result_of(b).explanation == "ไม่ผ่าน: รวม 150/200 (75 %) ≥ 60 %; ภาษาอังกฤษ 0/50 < 50 %"
    assert result_of(c).explanation == "ผ่าน: รวม 200/200 (100 %) ≥ 60 %; ภาษาอังกฤษ 50/50 ≥ 50 %"
    assert result_of(d).explanation == "ไม่ผ่าน: รวม 0/200 (0 %) < 60 %; ภาษาอังกฤษ 0/50 < 50 %"
    assert [(result_of(e).rank, result_of(e).rank_decided_by) for e in (c, a, b, d)] == [
        (1, "คะแนนรวม"),
        (2, "คะแนนรวม"),
        (None, ""),
        (None, ""),
    ]


def test_result_stores_section_and_item_scores_with_why(officer):
    r = two_section_round(officer)
    a = r.sit({"q1": r.pick("q1", 0), "q2": {"value": "3.45"}, "q3": r.pick("q3", 0)})
    score_round(r.round, actor=officer)
    result = result_of(a)
    assert (str(result.total), str(result.max_total), result.status) == ("75.00", "200.00", "scored")
    assert result.section_scores == [
        {"section": 1, "title": "ความสามารถทั่วไป", "score": "50", "max": "150"},
        {"section": 2, "title": "ภาษาอังกฤษ", "score": "25", "max": "50"},
    ]
    assert result.item_scores == {
        r.items["q1"]["uid"]: {"points": "0", "max": "100", "why": "wrong"},
        r.items["q2"]["uid"]: {"points": "50", "max": "50", "why": "correct"},
        r.items["q3"]["uid"]: {"points": "25", "max": "50", "why": "partial"},
    }


def test_points_minimum_and_no_section_rule_explain_in_points(officer):
    r = two_section_round(officer, min_total_percent=None, min_total_points="120", section_minimums=[])
    a = r.sit({"q1": r.pick("q1", 1)})
    score_round(r.round, actor=officer)
    assert result_of(a).explanation == "ไม่ผ่าน: รวม 100/200 (50 %) < 120 คะแนน"


def test_absent_and_terminated_follow_the_policy(officer):
    r = two_section_round(officer)
    absent = r.entry()
    terminated = r.sit(
        {"q1": r.pick("q1", 1), "q2": {"value": "3.5"}, "q3": r.pick("q3", 0, 2)}, status="terminated"
    )
    unfinished = r.sit({}, status="in_progress")
    score_round(r.round, actor=officer)
    assert (result_of(absent).status, result_of(absent).passed, result_of(absent).explanation) == (
        "absent",
        False,
        "ขาดสอบ",
    )
    assert result_of(absent).total is None
    t = result_of(terminated)
    assert (t.status, t.passed, t.rank, t.explanation) == (
        "terminated",
        False,
        None,
        "ไม่ผ่าน: ถูกยุติการสอบ (ตัดสิทธิ์)",
    )
    assert (result_of(unfinished).status, result_of(unfinished).passed) == ("in_progress", None)

    set_pass_policy(r.round, actor=officer, absent_treatment="zero", terminated_treatment="score")
    score_round(r.round, actor=officer)
    assert (str(result_of(absent).total), result_of(absent).explanation) == (
        "0.00",
        "ไม่ผ่าน: ขาดสอบ นับเป็น 0 คะแนน",
    )
    t = result_of(terminated)
    assert (t.status, t.passed, t.rank) == ("terminated", True, 1)
    assert t.explanation == (
        "ผ่าน: รวม 200/200 (100 %) ≥ 60 %; ภาษาอังกฤษ 50/50 ≥ 50 %; ถูกยุติการสอบ ให้คะแนนตามคำตอบที่บันทึกไว้"
    )


def test_tie_break_chain_and_shared_rank_with_skip(officer):
    r = two_section_round(
        officer,
        section_minimums=[],
        tie_break=[{"by": "section", "section": 2}, {"by": "application_number"}],
    )
    # 150 each: x by section 2 (50) over y/z (section 2 = 0 + numeric); y and z only by application number
    x = r.sit({"q1": r.pick("q1", 1), "q3": r.pick("q3", 0, 2)}, application_number="APP-30")
    y = r.sit({"q1": r.pick("q1", 1), "q2": {"value": "3.5"}}, application_number="APP-20")
    z = r.sit({"q1": r.pick("q1", 1), "q2": {"value": "3.5"}}, application_number="APP-100")
    w = r.sit(
        {"q1": r.pick("q1", 1), "q2": {"value": "3.5"}, "q3": r.pick("q3", 0)}, application_number="APP-1"
    )
    score_round(r.round, actor=officer)
    assert [(result_of(e).rank, result_of(e).rank_decided_by) for e in (w, x, y, z)] == [
        (1, "คะแนนรวม"),
        (2, "คะแนนรวม"),
        (3, "คะแนนตอนที่ 2"),
        (4, "เลขที่ใบสมัคร"),
    ]

    set_pass_policy(r.round, actor=officer, tie_break=[{"by": "section", "section": 2}])
    v = r.sit({"q1": r.pick("q1", 0), "q2": {"value": "3.5"}, "q3": r.pick("q3", 0, 2)})
    score_round(r.round, actor=officer)
    assert [(result_of(e).rank, result_of(e).rank_decided_by) for e in (w, x, y, z, v)] == [
        (1, "คะแนนรวม"),
        (2, "คะแนนรวม"),
        (3, "เท่ากันทุกเกณฑ์ — ลำดับร่วม"),
        (3, "เท่ากันทุกเกณฑ์ — ลำดับร่วม"),
        (None, ""),  # 100/200 with 50 in section 2: below w..z, but passes? 50 % < 60 %: not ranked
    ]


def test_scoring_twice_gives_identical_results_and_digests(officer):
    r = two_section_round(officer)
    for k in range(6):
        r.sit({"q1": r.pick("q1", k % 4), "q2": {"value": str(3 + k / 10)}, "q3": r.pick("q3", k % 4)})
    first = score_round(r.round, actor=officer)
    snapshot = list(
        Result.objects.order_by("entry_id").values(
            "entry_id", "total", "passed", "rank", "explanation", "item_scores"
        )
    )
    second = score_round(r.round, actor=officer)
    again = list(
        Result.objects.order_by("entry_id").values(
            "entry_id", "total", "passed", "rank", "explanation", "item_scores"
        )
    )
    assert second.pk != first.pk
    assert (second.inputs_digest, second.results_digest, second.keys_digest) == (
        first.inputs_digest,
        first.results_digest,
        first.keys_digest,
    )
    assert again == snapshot
    assert score_round(r.round, force=False).pk == second.pk  # unchanged inputs: nothing written


def test_score_round_writes_one_audit_entry_with_digest_and_counts(officer):
    r = two_section_round(officer)
    r.sit({"q1": r.pick("q1", 1)})
    r.entry()
    before = AuditEntry.objects.filter(action="scoring.score_round").count()
    run = score_round(r.round, actor=officer)
    entries = AuditEntry.objects.filter(action="scoring.score_round")
    assert entries.count() == before + 1
    entry = entries.latest("seq")
    assert entry.after["inputs_digest"] == run.inputs_digest
    assert entry.after["counts"] == {
        "scored": 1,
        "absent": 1,
        "terminated": 0,
        "pending_manual": 0,
        "in_progress": 0,
        "passed": 0,
        "ranked": 0,
    }
    assert verify_chain().ok


def test_void_award_all_preview_diff_then_apply_audited(officer, approver):
    r = two_section_round(officer)
    a = r.sit({"q1": r.pick("q1", 1), "q2": {"value": "3.5"}})  # 150/200 but section 2 = 0: fails
    b = r.sit({"q1": r.pick("q1", 1), "q2": {"value": "3.5"}, "q3": r.pick("q3", 0, 2)})  # 200: rank 1
    c = r.sit({"q1": r.pick("q1", 0)})  # 0
    score_round(r.round, actor=officer)
    adjustment = propose_adjustment(
        r.round, actor=officer, item_uid=r.items["q3"]["uid"], action="award_all", reason="ข้อ 3 พิมพ์ผิด"
    )
    preview = preview_rescore(r.round)
    rows = {row.entry_id: row for row in preview.diff}
    assert set(rows) == {a.pk, c.pk}  # b already had the points: unchanged
    assert (str(rows[a.pk].old_total), str(rows[a.pk].new_total)) == ("150.00", "200.00")
    assert (rows[a.pk].old_passed, rows[a.pk].new_passed, rows[a.pk].old_rank, rows[a.pk].new_rank) == (
        False,
        True,
        None,
        1,
    )
    assert rows[a.pk].changes == ["score", "pass", "rank"]
    assert rows[c.pk].changes == ["score"]
    assert str(result_of(a).total) == "150.00"  # preview wrote nothing
    assert ItemAdjustment.objects.get(pk=adjustment.pk).status == "proposed"

    run = approve(r.round, approver, preview.inputs_digest)
    assert run.inputs_digest == preview.inputs_digest
    assert run.adjustment_ids == [adjustment.pk]
    assert (str(result_of(a).total), result_of(a).passed, result_of(a).rank) == ("200.00", True, 1)
    assert result_of(b).rank == 1
    assert result_of(a).item_scores[r.items["q3"]["uid"]] == {"points": "50", "max": "50", "why": "award_all"}
    actions = list(
        AuditEntry.objects.filter(
            object_type="scoring.itemadjustment", object_id=str(adjustment.pk)
        ).values_list("action", flat=True)
    )
    assert actions == ["scoring.adjustment.propose", "scoring.adjustment.apply"]
    applied = ItemAdjustment.objects.get(pk=adjustment.pk)
    assert (applied.status, applied.proposed_by, applied.applied_by) == ("applied", officer, approver)


def test_void_drop_removes_the_item_from_the_maximum(officer, approver):
    r = two_section_round(officer, section_minimums=[])
    a = r.sit({"q1": r.pick("q1", 1), "q2": {"value": "1"}})
    score_round(r.round, actor=officer)
    assert result_of(a).explanation == "ผ่าน: รวม 100/200 (50 %) < 60 %".replace("ผ่าน", "ไม่ผ่าน")
    propose_adjustment(
        r.round, actor=officer, item_uid=r.items["q2"]["uid"], action="drop", reason="ไม่มีคำตอบถูก"
    )
    approve(r.round, approver)
    assert result_of(a).explanation == "ผ่าน: รวม 100/150 (66.67 %) ≥ 60 %"
    assert result_of(a).item_scores[r.items["q2"]["uid"]] == {"points": "0", "max": "0", "why": "dropped"}


def test_changed_key_diff_names_who_changes_score_pass_and_rank(officer):
    r = two_section_round(officer, section_minimums=[])
    old_key = r.sit({"q1": r.pick("q1", 1), "q2": {"value": "3.5"}}, application_number="APP-1")  # 150
    new_key = r.sit(
        {"q1": r.pick("q1", 2), "q2": {"value": "3.5"}, "q3": r.pick("q3", 0)}, application_number="APP-2"
    )
    untouched = r.sit({"q1": r.pick("q1", 3)}, application_number="APP-3")
    score_round(r.round, actor=officer)
    assert (result_of(old_key).rank, result_of(new_key).passed) == (1, False)  # 75 / 200
    propose_adjustment(
        r.round,
        actor=officer,
        item_uid=r.items["q1"]["uid"],
        action="change_key",
        new_key={"choices": [r.choice("q1", 2)]},
        reason="เฉลยเดิมผิด",
    )
    preview = preview_rescore(r.round)
    rows = {row.entry_id: row for row in preview.diff}
    assert set(rows) == {old_key.pk, new_key.pk}
    assert (rows[old_key.pk].old_rank, rows[old_key.pk].new_rank, rows[old_key.pk].new_passed) == (
        1,
        None,
        False,
    )
    assert (rows[new_key.pk].old_passed, rows[new_key.pk].new_passed, rows[new_key.pk].new_rank) == (
        False,
        True,
        1,
    )
    assert untouched.pk not in rows


def test_apply_refuses_when_inputs_changed_since_the_preview(officer, approver):
    r = two_section_round(officer)
    r.sit({"q1": r.pick("q1", 1)})
    score_round(r.round, actor=officer)
    propose_adjustment(r.round, actor=officer, item_uid=r.items["q2"]["uid"], action="award_all", reason="x")
    preview = preview_rescore(r.round)
    r.sit({"q1": r.pick("q1", 1)})  # a late auto-submit changes the inputs
    with pytest.raises(ScoringError) as error:
        approve(r.round, approver, preview.inputs_digest)
    assert error.value.code == "stale"
    assert ItemAdjustment.objects.get(round=r.round).status == "proposed"
    assert not AuditEntry.objects.filter(action="scoring.adjustment.apply").exists()


def test_withdrawn_and_invalid_adjustments(officer, approver):
    r = two_section_round(officer)
    adjustment = propose_adjustment(
        r.round, actor=officer, item_uid=r.items["q1"]["uid"], action="drop", reason="x"
    )
    withdraw_adjustment(adjustment, actor=officer)
    with pytest.raises(ScoringError) as error:
        approve(r.round, approver, "0" * 64)
    assert error.value.code == "nothing"
    with pytest.raises(ScoringError) as error:
        propose_adjustment(
            r.round,
            actor=officer,
            item_uid=r.items["q1"]["uid"],
            action="change_key",
            new_key={"choices": [r.choice("q3", 0)]},
            reason="x",
        )
    assert error.value.code == "bad_key"
    with pytest.raises(ScoringError):
        propose_adjustment(r.round, actor=officer, item_uid=r.items["q1"]["uid"], action="drop", reason=" ")


def test_essays_stay_pending_until_marked_and_disagreement_needs_a_third(officer):
    r = ScoringRound()
    r.add_section(1, "เรียงความ")
    r.add_item("e", 1, "essay", points="10")
    set_pass_policy(r.round, actor=officer, essay_markers=2, essay_disagreement_threshold="2")
    entry = r.sit({"e": {"text": "เรียงความ"}})
    score_round(r.round, actor=officer)
    assert (result_of(entry).status, result_of(entry).passed) == ("pending_manual", None)
    markers = [make_staff("examiner") for _ in range(3)]
    mark_essay(entry.attempt, r.items["e"]["uid"], marker=markers[0], points="4")
    mark_essay(entry.attempt, r.items["e"]["uid"], marker=markers[1], points="9")  # differs by 5 > 2
    score_round(r.round, actor=officer)
    assert result_of(entry).status == "pending_manual"
    mark_essay(entry.attempt, r.items["e"]["uid"], marker=markers[2], points="8")  # nearest: 9 and 8
    with pytest.raises(ScoringError):
        mark_essay(entry.attempt, r.items["e"]["uid"], marker=make_staff("examiner"), points="1")
    score_round(r.round, actor=officer)
    assert (result_of(entry).status, str(result_of(entry).total)) == ("scored", "8.50")
    with pytest.raises(ScoringError):
        mark_essay(entry.attempt, r.items["e"]["uid"], marker=markers[0], points="11")


def test_submitted_attempt_enqueues_one_deduplicated_scoring_job(officer):
    r = two_section_round(officer)
    entries = [r.sit({"q1": r.pick("q1", 1)}) for _ in range(3)]
    for entry in entries:
        on_attempt_submitted(entry.attempt)
    jobs = Job.objects.filter(kind="scoring.score_round")
    assert jobs.count() == 1
    assert jobs.get().payload == {"round": r.round.pk, "reason": "submitted"}


def test_score_round_job_scores_and_is_idempotent(officer):
    from exam_platform.scoring.jobs import score_round_job

    r = two_section_round(officer)
    r.sit({"q1": r.pick("q1", 1)})
    job = Job(kind="scoring.score_round", payload={"round": r.round.pk})
    first = score_round_job(job)
    second = score_round_job(job)
    assert first == second
    assert ScoringRun.objects.filter(round=r.round).count() == 1


def test_policy_changes_are_versioned_and_audited(officer):
    r = two_section_round(officer)
    policy = set_pass_policy(r.round, actor=officer, min_total_percent="65")
    assert policy.version == 2
    entry = AuditEntry.objects.filter(action="scoring.policy.set").latest("seq")
    assert (entry.before["min_total_percent"], entry.after["min_total_percent"], entry.after["version"]) == (
        "60",
        "65",
        2,
    )
    with pytest.raises(ScoringError):
        set_pass_policy(r.round, actor=officer, tie_break=[{"by": "height"}])


def test_candidate_submit_and_deadline_sweep_request_scoring_through_the_signal():
    import datetime as dt

    from django.utils import timezone

    from exam_platform.delivery.services.attempts import (
        start_attempt,
        submit_attempt,
        submit_expired_attempts,
    )
    from tests.delivery.exam_setup import make_entry, make_locked_paper, make_session

    session = make_session(make_locked_paper())
    first, second = make_entry(session), make_entry(session)
    submit_attempt(start_attempt(first), reason="candidate")
    assert Job.objects.filter(kind="scoring.score_round", payload__round=session.round_id).count() == 1

    Job.objects.all().delete()
    start_attempt(second)
    later = timezone.now() + dt.timedelta(days=1)
    assert submit_expired_attempts(now=later) == 1
    assert Job.objects.filter(kind="scoring.score_round", payload__round=session.round_id).count() == 1
