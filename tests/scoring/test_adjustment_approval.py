"""Key corrections need a second exam officer with a fresh two-factor code: the service refuses the
proposer, a missing or wrong code and a stale digest; the database refuses the proposer too."""

import pytest
from django.db import IntegrityError, transaction

from exam_platform.common.models import AuditEntry
from exam_platform.scoring.item_catalogue import round_catalogue
from exam_platform.scoring.models import ItemAdjustment, Result
from exam_platform.scoring.services.adjustments import apply_adjustments, propose_adjustment
from exam_platform.scoring.services.runs import ScoringError, preview_rescore, score_round
from tests.factories import make_staff

from .round_setup import ScoringRound, backup_code, totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def officers():
    return make_staff("exam_officer"), make_staff("exam_officer")


@pytest.fixture
def proposed(officers):
    proposer, _approver = officers
    r = ScoringRound()
    r.add_section(1, "ความสามารถทั่วไป")
    r.add_section(2, "ภาษาอังกฤษ")
    r.add_item("q1", 1, "single", points="10", correct=(1,))
    r.add_item("q2", 2, "single", points="10", correct=(0,))
    r.sit({"q1": r.pick("q1", 1), "q2": r.pick("q2", 1)})
    score_round(r.round, actor=proposer)
    propose_adjustment(
        r.round,
        actor=proposer,
        item_uid=r.items["q2"]["uid"],
        action="change_key",
        new_key={"choices": [r.choice("q2", 1)]},
        reason="เฉลยผิด",
    )
    return r


def test_catalogue_numbers_items_continuously_across_sections_with_thai_labels(proposed):
    (form,) = round_catalogue(proposed.round).forms
    assert [(i.label, i.key_text) for i in form.items] == [("ตอนที่ 1 ข้อ 1", "ข"), ("ตอนที่ 2 ข้อ 2", "ก")]
    assert [c.label for c in form.items[1].choices] == ["ก", "ข", "ค", "ง"]
    assert ItemAdjustment.objects.get().item_label == "ตอนที่ 2 ข้อ 2"


def test_the_proposer_cannot_apply_even_with_a_good_code_and_digest(proposed, officers):
    proposer, _approver = officers
    digest = preview_rescore(proposed.round).inputs_digest
    with pytest.raises(ScoringError) as error:
        apply_adjustments(proposed.round, actor=proposer, expected_digest=digest, code=backup_code(proposer))
    assert error.value.code == "same_person"
    assert ItemAdjustment.objects.get().status == "proposed"


def test_the_database_refuses_an_adjustment_applied_by_its_proposer(proposed, officers):
    proposer, _approver = officers
    with pytest.raises(IntegrityError), transaction.atomic():
        ItemAdjustment.objects.filter(round=proposed.round).update(status="applied", applied_by=proposer)


@pytest.mark.parametrize("code", [None, "", "123456", "abcde-fghjk"])
def test_apply_without_a_valid_fresh_code_is_refused_and_nothing_changes(proposed, officers, code):
    _proposer, approver = officers
    totp_code(approver)  # the approver has a device; the code given is not from it
    digest = preview_rescore(proposed.round).inputs_digest
    with pytest.raises(ScoringError) as error:
        apply_adjustments(proposed.round, actor=approver, expected_digest=digest, code=code)
    assert error.value.code == "fresh_code"
    assert ItemAdjustment.objects.get().status == "proposed"
    assert Result.objects.get().total == 10
    assert not AuditEntry.objects.filter(action="scoring.adjustment.apply").exists()


def test_a_totp_code_is_accepted_once_only(proposed, officers):
    proposer, approver = officers
    code = totp_code(approver)
    digest = preview_rescore(proposed.round).inputs_digest
    apply_adjustments(proposed.round, actor=approver, expected_digest=digest, code=code)
    assert Result.objects.get().total == 20
    propose_adjustment(
        proposed.round, actor=proposer, item_uid=proposed.items["q1"]["uid"], action="drop", reason="x"
    )
    digest = preview_rescore(proposed.round).inputs_digest
    with pytest.raises(ScoringError) as error:
        apply_adjustments(proposed.round, actor=approver, expected_digest=digest, code=code)
    assert error.value.code == "fresh_code"


def test_a_digest_other_than_the_reviewed_one_applies_nothing(proposed, officers):
    _proposer, approver = officers
    with pytest.raises(ScoringError) as error:
        apply_adjustments(
            proposed.round, actor=approver, expected_digest="f" * 64, code=backup_code(approver)
        )
    assert error.value.code == "stale"
    assert ItemAdjustment.objects.get().status == "proposed"
    with pytest.raises(ScoringError) as error:
        apply_adjustments(proposed.round, actor=approver, expected_digest="", code=backup_code(approver))
    assert error.value.code == "no_digest"


def test_apply_by_the_second_officer_is_audited_with_the_reviewed_digest(proposed, officers):
    proposer, approver = officers
    digest = preview_rescore(proposed.round).inputs_digest
    apply_adjustments(proposed.round, actor=approver, expected_digest=digest, code=backup_code(approver))
    entry = AuditEntry.objects.get(action="scoring.adjustment.apply")
    assert (entry.actor_id, entry.after["proposed_by"], entry.after["reviewed_digest"]) == (
        approver.pk,
        proposer.pk,
        digest,
    )


def test_an_item_outside_the_round_cannot_be_proposed(proposed, officers):
    other = ScoringRound()
    other.add_section(1, "x")
    other.add_item("z", 1, "single")
    with pytest.raises(ScoringError) as error:
        propose_adjustment(
            proposed.round, actor=officers[0], item_uid=other.items["z"]["uid"], action="drop", reason="x"
        )
    assert error.value.code == "not_in_round"
