"""A rank list is prepared only from a final result: refused (with the reasons) while a session can
still start or is in progress, while an attempt is unfinished or results are stale or a correction
waits; approve-and-publish needs a fresh two-factor code."""

import datetime as dt

import pytest
from django.utils import timezone

from exam_platform.common.models import AuditEntry
from exam_platform.delivery.models import Attempt, ExamSession, RosterEntry
from exam_platform.publication.models import RankList, RankListVersion
from exam_platform.publication.readiness import round_readiness
from exam_platform.publication.services import (
    PublicationError,
    approve_and_publish,
    prepare_rank_list,
    publish_correction,
)
from tests.factories import make_candidate
from tests.publication.list_setup import (
    bulk_candidates,
    fresh_code,
    published_list,
    standard_round,
    two_officers,
)
from tests.scoring.round_setup import totp_code

pytestmark = pytest.mark.django_db
NOW = timezone.now


def afternoon(scored, *, opens_in, late_in, closes_in):
    now = NOW()
    return ExamSession.objects.create(
        round=scored.round,
        code="pm",
        title="รอบบ่าย",
        paper=scored.session.paper,
        opens_at=now + dt.timedelta(minutes=opens_in),
        late_entry_until=now + dt.timedelta(minutes=late_in),
        closes_at=now + dt.timedelta(minutes=closes_in),
        duration_minutes=60,
    )


def seat(session, *, attempt_status=None, app="C1"):
    entry = RosterEntry.objects.create(
        session=session, candidate=make_candidate(), application_number=app, exam_number=app
    )
    if attempt_status:
        Attempt.objects.create(
            entry=entry,
            seed=1,
            form={"sections": []},
            started_at=NOW() - dt.timedelta(minutes=10),
            deadline=NOW() + dt.timedelta(minutes=50),
            status=attempt_status,
        )
    return entry


def refused(scored) -> PublicationError:
    preparer, _approver = two_officers()
    with pytest.raises(PublicationError) as error:
        prepare_rank_list(scored.round, actor=preparer, title="ประกาศ")
    assert error.value.code == "not_final"
    assert not RankList.objects.filter(round=scored.round).exists()
    assert not AuditEntry.objects.filter(action="publication.prepare").exists()
    return error.value


def test_a_scored_closed_round_is_ready():
    scored, _entries = standard_round()
    assert round_readiness(scored.round).ready


def test_prepare_is_refused_while_a_session_has_not_opened_yet():
    scored, _entries = standard_round()
    seat(afternoon(scored, opens_in=60, late_in=90, closes_in=150))
    error = refused(scored)
    assert len(error.reasons) == 1
    assert error.reasons[0].startswith("รอบบ่าย (pm): ยังไม่เริ่มสอบ")
    assert "ผู้เข้าสอบ 1 คนยังเข้าสอบได้" in error.reasons[0]
    assert "ผลการสอบยังไม่เป็นที่สิ้นสุด" in error.message


def test_prepare_is_refused_while_late_entry_is_open_and_while_attempts_are_in_progress():
    scored, _entries = standard_round()
    session = afternoon(scored, opens_in=-30, late_in=10, closes_in=60)
    seat(session, app="C1")
    seat(session, attempt_status="in_progress", app="C2")
    seat(session, attempt_status="in_progress", app="C3")
    (reason,) = refused(scored).reasons
    assert "ผู้เข้าสอบ 1 คนยังไม่ได้เริ่ม" in reason
    assert "กำลังสอบอยู่ 2 คน" in reason
    assert round_readiness(scored.round).in_progress == 2


def test_an_attempt_in_progress_after_late_entry_still_blocks():
    scored, _entries = standard_round()
    session = afternoon(scored, opens_in=-90, late_in=-30, closes_in=30)
    seat(session, app="C1")  # never started: can no longer start, does not block
    seat(session, attempt_status="in_progress", app="C2")
    reasons = refused(scored).reasons
    assert reasons[0] == "รอบบ่าย (pm): กำลังสอบอยู่ 1 คน"


def test_results_older_than_the_last_submission_or_missing_block():
    scored, _entries = standard_round()
    session = afternoon(scored, opens_in=-90, late_in=-60, closes_in=-30)
    entry = seat(session, attempt_status="submitted", app="C9")
    Attempt.objects.filter(entry=entry).update(submitted_at=scored.run.started_at + dt.timedelta(seconds=5))
    reasons = refused(scored).reasons
    assert "มีการส่งคำตอบหรือตรวจอัตนัยหลังการคิดคะแนนครั้งล่าสุด ต้องคิดคะแนนใหม่ก่อน" in reasons
    assert "ผลคะแนนไม่ครบ: มีผล 4 จากผู้มีสิทธิ์สอบ 5 คน ต้องคิดคะแนนใหม่ก่อน" in reasons


def test_a_correction_waiting_for_a_second_officer_blocks_and_a_correction_version_too():
    from exam_platform.scoring.models import ItemAdjustment

    scored, _entries = standard_round()
    version, preparer, _approver = published_list(scored)
    ItemAdjustment.objects.create(
        round=scored.round, item_uid="x", action="drop", reason="x", proposed_by=preparer
    )
    with pytest.raises(PublicationError) as error:
        publish_correction(version.rank_list, actor=preparer, change_note="แก้ไข")
    assert error.value.reasons == ["มีข้อเสนอแก้ไขเฉลย 1 รายการที่รอเจ้าหน้าที่อีกคนอนุมัติหรือถอน"]
    assert version.rank_list.versions.count() == 1


@pytest.mark.parametrize("code", [None, "", "000000", "abcde-fghjk"])
def test_approve_and_publish_without_a_fresh_code_is_refused(code):
    scored, _entries = standard_round()
    preparer, approver = two_officers()
    totp_code(approver)
    version = prepare_rank_list(scored.round, actor=preparer, title="ประกาศ")
    with pytest.raises(PublicationError) as error:
        approve_and_publish(version, actor=approver, code=code)
    assert error.value.code == "fresh_code"
    version.refresh_from_db()
    assert (version.status, version.files.count()) == (RankListVersion.Status.PREPARED, 0)
    assert not AuditEntry.objects.filter(action="publication.approve").exists()


def test_approve_and_publish_with_a_totp_code_of_the_approver():
    scored, _entries = standard_round()
    preparer, approver = two_officers()
    version = prepare_rank_list(scored.round, actor=preparer, title="ประกาศ")
    with pytest.raises(PublicationError) as error:
        approve_and_publish(version, actor=approver, code=totp_code(preparer))  # someone else's code
    assert error.value.code == "fresh_code"
    published = approve_and_publish(version, actor=approver, code=totp_code(approver))
    assert published.status == RankListVersion.Status.PUBLISHED


def test_readiness_and_preparation_page_query_counts_do_not_grow_with_5000_results(
    client, django_assert_max_num_queries
):
    from tests.delivery.roster_setup import verified_client

    scored, _entries = standard_round()
    bulk_candidates(scored, 5000, start_rank=4)
    with django_assert_max_num_queries(8):
        assert round_readiness(scored.round).ready
    verified_client(client, two_officers()[0])
    with django_assert_max_num_queries(40):
        assert client.get("/publication/").status_code == 200
    version = prepare_rank_list(scored.round, actor=two_officers()[0], title="ประกาศ")
    assert len(version.rows) == 3 + 3333
    with django_assert_max_num_queries(20):
        assert client.get(f"/publication/versions/{version.pk}/").status_code == 200


def test_a_correction_approved_after_publication_prepares_a_new_version_for_another_officer():
    """Officer A proposes, B approves the correction (a corrected list is prepared by B), and the
    corrected list is published only when someone other than B approves it with a fresh code."""
    from exam_platform.scoring.models import ItemAdjustment
    from exam_platform.scoring.services.adjustments import apply_adjustments, propose_adjustment
    from exam_platform.scoring.services.runs import preview_rescore, score_round
    from tests.scoring.round_setup import ScoringRound

    r = ScoringRound()
    r.add_section(1, "ภาษาไทย")
    r.add_item("q1", 1, "single", points="10", correct=(0,))
    r.add_item("q2", 1, "single", points="10", correct=(0,))
    r.sit({"q1": r.pick("q1", 0), "q2": r.pick("q2", 1)}, application_number="A1")
    r.sit({"q1": r.pick("q1", 0), "q2": r.pick("q2", 0)}, application_number="A2")
    proposer, approver = two_officers()
    score_round(r.round, actor=proposer)
    v1 = approve_and_publish(
        prepare_rank_list(r.round, actor=proposer, title="ประกาศ"), actor=approver, code=fresh_code(approver)
    )
    assert [row["application_number"] for row in v1.rows] == ["A2"]  # A1 has 50 %: fails 60 %

    propose_adjustment(
        r.round, actor=proposer, item_uid=r.items["q2"]["uid"], action="award_all", reason="พิมพ์ผิด"
    )
    apply_adjustments(
        r.round,
        actor=approver,
        expected_digest=preview_rescore(r.round).inputs_digest,
        code=fresh_code(approver),
    )

    v2 = v1.rank_list.versions.get(number=2)
    assert (v2.status, v2.prepared_by, v2.previous) == (RankListVersion.Status.PREPARED, approver, v1)
    assert v2.change_note == "แก้ไขเฉลย ตอนที่ 1 ข้อ 2: ยกเลิกข้อ ให้คะแนนทุกคน — พิมพ์ผิด"
    assert [(row["application_number"], row["rank"]) for row in v2.rows] == [("A1", 1), ("A2", 2)]
    v1.refresh_from_db()
    assert v1.status == RankListVersion.Status.PUBLISHED
    with pytest.raises(PublicationError) as error:
        approve_and_publish(v2, actor=approver, code=fresh_code(approver))
    assert error.value.code == "same_person"
    approve_and_publish(v2, actor=proposer, code=fresh_code(proposer))
    v1.refresh_from_db()
    assert v1.status == RankListVersion.Status.SUPERSEDED
    assert ItemAdjustment.objects.get().applied_by == approver
