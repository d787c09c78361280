"""Calling in rank order, outcomes, the next in rank after a decline or a missed deadline, validity."""

import datetime as dt

import pytest
from django.utils import timezone

from exam_platform.common.audit import verify_chain
from exam_platform.common.jobs import enqueue_job
from exam_platform.common.jobs.registry import load_handlers
from exam_platform.common.jobs.worker import Worker
from exam_platform.common.models import AuditEntry, Job
from exam_platform.eligibility.models import Call, EligibilityList, ReportingIn
from exam_platform.eligibility.services import (
    EligibilityError,
    call_next,
    cancel_eligibility_list,
    create_eligibility_list,
    decline_call,
    expire_overdue_calls,
    extend_validity,
    record_call_outcome,
    upload_reporting_document,
)
from tests.eligibility.list_setup import Arranged, called_names, pdf_bytes, upload

pytestmark = pytest.mark.django_db

POST = "นักทรัพยากรบุคคลปฏิบัติการ สำนักงานเขตพระนคร"


def _past_deadline(call, hours=1):
    Call.objects.filter(pk=call.pk).update(respond_by=timezone.now() - dt.timedelta(hours=hours))


def test_create_eligibility_list_runs_from_publication_for_two_years_by_default():
    a = Arranged()
    elist = a.elist

    assert elist.valid_from == a.version.published_at
    assert elist.validity_days == 730
    assert elist.valid_until == a.version.published_at + dt.timedelta(days=730)
    assert elist.status == EligibilityList.Status.ACTIVE
    assert AuditEntry.objects.filter(action="eligibility.create_list", object_id=str(elist.pk)).count() == 1


def test_create_eligibility_list_twice_is_refused():
    a = Arranged()

    with pytest.raises(EligibilityError) as error:
        create_eligibility_list(a.version.rank_list, actor=a.officer)

    assert error.value.code == "exists"


def test_call_next_follows_rank_then_list_order_for_shared_ranks():
    a = Arranged()

    first = call_next(a.elist, actor=a.officer, count=2, post=POST, unit="สำนักงานเขตพระนคร")
    second = call_next(a.elist, actor=a.officer, count=2, post=POST)

    assert [(c.rank, c.application_number) for c in first] == [(1, "A01"), (2, "A9")]
    assert [(c.rank, c.application_number) for c in second] == [(2, "A10"), (4, "A04")]
    assert [c.list_order for c in first + second] == [0, 1, 2, 3]
    assert first[0].called_by == a.officer
    assert first[0].unit == "สำนักงานเขตพระนคร"
    assert first[0].reporting_in.required_documents == ["id_card", "education", "medical"]


def test_call_next_never_calls_a_failed_candidate_and_refuses_when_the_list_is_exhausted():
    a = Arranged()
    call_next(a.elist, actor=a.officer, count=10, post=POST)

    with pytest.raises(EligibilityError) as error:
        call_next(a.elist, actor=a.officer, post=POST)

    assert error.value.code == "exhausted"
    assert called_names(a.elist) == ["กมล", "โชติ", "ขวัญ", "ดวงใจ", "เอกชัย"]


def test_call_next_after_validity_is_refused():
    a = Arranged()
    EligibilityList.objects.filter(pk=a.elist.pk).update(valid_until=timezone.now() - dt.timedelta(seconds=1))
    a.elist.refresh_from_db()

    with pytest.raises(EligibilityError) as error:
        call_next(a.elist, actor=a.officer, post=POST)

    assert error.value.code == "not_in_force"
    assert Call.objects.count() == 0


def test_call_next_on_a_cancelled_list_is_refused():
    a = Arranged()
    cancel_eligibility_list(a.elist, actor=a.officer, reason="ยุบตำแหน่ง")

    with pytest.raises(EligibilityError):
        call_next(a.elist, actor=a.officer, post=POST)

    assert AuditEntry.objects.filter(action="eligibility.cancel_list").get().after["reason"] == "ยุบตำแหน่ง"


def test_extend_validity_moves_the_end_and_is_audited_with_the_reason():
    a = Arranged()
    EligibilityList.objects.filter(pk=a.elist.pk).update(status="expired")
    a.elist.refresh_from_db()

    extended = extend_validity(a.elist, actor=a.officer, days=365, reason="ประกาศขยายอายุบัญชี ที่ 12/2571")

    assert extended.validity_days == 1095
    assert extended.valid_until == a.version.published_at + dt.timedelta(days=1095)
    assert extended.status == EligibilityList.Status.ACTIVE
    entry = AuditEntry.objects.get(action="eligibility.extend_validity")
    assert entry.actor == a.officer
    assert entry.before["validity_days"] == 730
    assert entry.after["validity_days"] == 1095
    assert entry.after["reason"] == "ประกาศขยายอายุบัญชี ที่ 12/2571"


def test_officer_recording_declined_calls_the_next_in_rank_for_the_same_post():
    a = Arranged()
    (first,) = call_next(a.elist, actor=a.officer, post=POST, unit="เขตพระนคร", respond_days=5)

    record_call_outcome(first, Call.Outcome.DECLINED, actor=a.officer, notes="แจ้งทางโทรศัพท์")

    first.refresh_from_db()
    successor = first.replaced_by
    assert first.outcome == "declined"
    assert first.notes == "แจ้งทางโทรศัพท์"
    assert successor.application_number == "A9"
    assert (successor.post, successor.unit, successor.respond_days) == (POST, "เขตพระนคร", 5)
    assert successor.called_by is None
    audit = AuditEntry.objects.get(action="eligibility.call", object_id=str(successor.pk))
    assert audit.after["automatic"] is True
    assert audit.after["replaces"] == first.pk
    assert audit.after["reason"] == f"{first.exam_number}: ไม่ประสงค์รับการบรรจุ"


def test_officer_recording_appointed_calls_no_one_else():
    a = Arranged()
    (first,) = call_next(a.elist, actor=a.officer, post=POST)

    record_call_outcome(first, Call.Outcome.APPOINTED, actor=a.officer)

    assert Call.objects.count() == 1
    with pytest.raises(EligibilityError) as error:
        record_call_outcome(first, Call.Outcome.WAIVED, actor=a.officer)
    assert error.value.code == "recorded"


def test_candidate_declining_online_calls_the_next_in_rank():
    a = Arranged()
    call_next(a.elist, actor=a.officer, count=2, post=POST)
    declined = a.call_of("โชติ")

    decline_call(declined, user=a.user_of("โชติ"), reason="ได้งานที่อื่นแล้ว")

    declined.refresh_from_db()
    assert declined.outcome == "declined"
    assert declined.reporting_in.decline_reason == "ได้งานที่อื่นแล้ว"
    assert declined.replaced_by.application_number == "A10"
    assert called_names(a.elist) == ["กมล", "โชติ", "ขวัญ"]
    assert AuditEntry.objects.get(action="eligibility.decline").actor == a.user_of("โชติ")


def test_decline_when_no_one_is_left_records_why_no_one_was_called():
    a = Arranged()
    call_next(a.elist, actor=a.officer, count=5, post=POST)
    last = a.call_of("เอกชัย")

    decline_call(last, user=a.user_of("เอกชัย"))

    assert not Call.objects.filter(replaces=last).exists()
    assert AuditEntry.objects.get(action="eligibility.no_successor").after["why_none"] == "exhausted"


def test_declining_after_the_list_expired_calls_no_one():
    a = Arranged()
    (first,) = call_next(a.elist, actor=a.officer, post=POST)
    EligibilityList.objects.filter(pk=a.elist.pk).update(valid_until=timezone.now() - dt.timedelta(seconds=1))

    decline_call(first, user=a.user_of("กมล"))

    assert Call.objects.count() == 1
    assert AuditEntry.objects.get(action="eligibility.no_successor").after["why_none"] == "not_in_force"


def test_missed_deadline_is_expired_by_the_worker_job_and_the_next_is_called():
    load_handlers()
    a = Arranged()
    (first,) = call_next(a.elist, actor=a.officer, post=POST)
    _past_deadline(first)
    enqueue_job("eligibility.expire_calls")

    ran = Worker("test", heartbeat=False).run_due()

    assert ran == 1
    assert Job.objects.get(kind="eligibility.expire_calls").result == {"calls": 1, "lists": 0}
    first.refresh_from_db()
    assert first.outcome == "expired"
    assert first.replaced_by.application_number == "A9"
    assert first.replaced_by.respond_by > timezone.now()
    audit = AuditEntry.objects.get(action="eligibility.expire_call")
    assert audit.actor is None
    assert audit.after["outcome"] == "expired"


def test_expire_overdue_calls_marks_a_started_but_unconfirmed_reporting_in_as_no_show():
    a = Arranged()
    (first,) = call_next(a.elist, actor=a.officer, post=POST)
    upload_reporting_document(
        first, user=a.user_of("กมล"), doc_type="id_card", uploaded=upload("id.pdf", pdf_bytes())
    )
    _past_deadline(first)

    assert expire_overdue_calls() == 1
    assert expire_overdue_calls() == 0  # idempotent: a second worker finds nothing

    first.refresh_from_db()
    assert first.outcome == "no_show"
    assert Call.objects.filter(replaces=first).count() == 1


def test_expire_overdue_calls_leaves_confirmed_and_in_time_calls_alone():
    a = Arranged()
    confirmed, _in_time = call_next(a.elist, actor=a.officer, count=2, post=POST)
    ReportingIn.objects.filter(call=confirmed).update(confirmed_at=timezone.now(), completed=True)
    _past_deadline(confirmed)

    assert expire_overdue_calls() == 0
    assert set(Call.objects.values_list("outcome", flat=True)) == {"pending"}


def test_expire_calls_job_expires_lists_past_their_validity():
    load_handlers()
    a = Arranged()
    EligibilityList.objects.filter(pk=a.elist.pk).update(valid_until=timezone.now() - dt.timedelta(seconds=1))
    enqueue_job("eligibility.expire_calls")

    Worker("test", heartbeat=False).run_due()

    a.elist.refresh_from_db()
    assert a.elist.status == "expired"
    assert AuditEntry.objects.filter(action="eligibility.expire_list").count() == 1


def test_a_published_correction_changes_who_is_called_next_but_not_past_calls():
    from exam_platform.publication.services import approve_and_publish, publish_correction
    from exam_platform.scoring.models import Result
    from tests.publication.list_setup import fresh_code

    a = Arranged()
    (first,) = call_next(a.elist, actor=a.officer, post=POST)
    # the correction makes A10 the sole second place and A9 third
    Result.objects.filter(entry=a.entries["โชติ"]).update(rank=3)
    a.scored.new_run()
    correction = publish_correction(a.version.rank_list, actor=a.preparer, change_note="แก้ไขคะแนน")
    approve_and_publish(correction, actor=a.approver, code=fresh_code(a.approver))

    (second,) = call_next(a.elist, actor=a.officer, post=POST)

    assert (first.application_number, first.version_number) == ("A01", 1)
    assert (second.application_number, second.rank, second.version_number) == ("A10", 2, 2)


def test_every_eligibility_write_is_audited_and_the_chain_holds():
    a = Arranged()
    first, second = call_next(a.elist, actor=a.officer, count=2, post=POST)
    record_call_outcome(first, Call.Outcome.APPOINTED, actor=a.officer)
    decline_call(second, user=a.user_of("โชติ"))
    extend_validity(a.elist, actor=a.officer, days=30, reason="ขยาย")

    actions = list(
        AuditEntry.objects.filter(action__startswith="eligibility.")
        .order_by("seq")
        .values_list("action", flat=True)
    )

    assert actions == [
        "eligibility.create_list",
        "eligibility.call",
        "eligibility.call",
        "eligibility.outcome",
        "eligibility.decline",
        "eligibility.call",
        "eligibility.extend_validity",
    ]
    assert verify_chain().ok
