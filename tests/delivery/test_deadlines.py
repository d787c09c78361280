"""Deadlines: the socket refuses saves after deadline + grace, the worker job submits expired
attempts only (restart-safe, all state in the database), and running workers schedule it."""

import datetime as dt

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.db import connections
from django.utils import timezone

from exam_platform.asgi import application
from exam_platform.common.jobs.registry import get_handler, load_handlers
from exam_platform.common.jobs.worker import Worker, enqueue_periodic_jobs
from exam_platform.common.models import AuditEntry, Job
from exam_platform.delivery.answers import close_writers
from exam_platform.delivery.models import Attempt, Response
from exam_platform.delivery.services.attempts import receipt_digest, start_attempt, submit_expired_attempts
from tests.delivery.exam_setup import (
    items_by_type,
    log_in,
    make_entry,
    make_session,
    save_message,
    socket_headers,
)


def _expire(attempt, seconds_ago: float) -> None:
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - dt.timedelta(seconds=seconds_ago))


@pytest.mark.django_db
def test_submit_expired_attempts_submits_only_past_deadline_plus_grace(settings):
    settings.ANSWER_GRACE_SECONDS = 10
    session = make_session()
    expired, in_grace, running = (start_attempt(make_entry(session)) for _ in range(3))
    _expire(expired, 11)
    _expire(in_grace, 5)
    item = items_by_type(expired)["single"]
    Response.objects.create(
        attempt=expired, item_uid=item["uid"], answer={"choice": "c"}, seq=3, saved_at=timezone.now()
    )

    count = submit_expired_attempts()

    statuses = dict(Attempt.objects.values_list("pk", "status"))
    assert count == 1
    assert statuses == {expired.pk: "submitted", in_grace.pk: "in_progress", running.pk: "in_progress"}
    expired.refresh_from_db()
    assert expired.submit_reason == "deadline"
    assert expired.submitted_at is not None
    assert expired.receipt_digest == receipt_digest(expired.uid, {item["uid"]: {"choice": "c"}})
    audit = AuditEntry.objects.get(action="attempt.auto_submit")
    assert audit.after["receipt_digests"] == {str(expired.uid): expired.receipt_digest}


@pytest.mark.django_db
def test_submit_expired_attempts_in_batches_and_again_is_a_no_op():
    session = make_session()
    attempts = [start_attempt(make_entry(session)) for _ in range(5)]
    for attempt in attempts:
        _expire(attempt, 60)

    first = submit_expired_attempts(batch_size=2)
    again = submit_expired_attempts(batch_size=2)  # e.g. a restarted worker runs it once more

    assert (first, again) == (5, 0)
    assert set(Attempt.objects.values_list("status", flat=True)) == {"submitted"}
    assert AuditEntry.objects.filter(action="attempt.auto_submit").count() == 3


@pytest.mark.django_db
def test_enforce_deadlines_job_handler_registered_and_runs():
    load_handlers()
    attempt = start_attempt(make_entry(make_session()))
    _expire(attempt, 60)

    result = get_handler("delivery.enforce_deadlines")(None)

    assert result == {"submitted": 1}


@pytest.mark.django_db
def test_enqueue_periodic_jobs_one_job_per_slot():
    load_handlers()

    enqueue_periodic_jobs(now=1000.0)
    enqueue_periodic_jobs(now=1001.9)  # same 2-second slot, e.g. a second worker
    enqueue_periodic_jobs(now=1002.0)

    keys = sorted(Job.objects.filter(kind="delivery.enforce_deadlines").values_list("dedupe_key", flat=True))
    assert keys == ["periodic:delivery.enforce_deadlines:500", "periodic:delivery.enforce_deadlines:501"]


@pytest.mark.django_db
def test_worker_with_periodic_submits_expired_attempt_with_nothing_else_enqueued():
    load_handlers()
    attempt = start_attempt(make_entry(make_session()))
    _expire(attempt, 60)
    worker = Worker("test-worker", heartbeat=False, periodic=True, poll_seconds=0.01)

    worker._enqueue_periodic_logging_errors()
    worker.run_due()

    attempt.refresh_from_db()
    assert attempt.status == "submitted"
    assert attempt.submit_reason == "deadline"


# --- the socket after the deadline --------------------------------------------------------------


@pytest.fixture
async def _writers():
    channel_layers.backends = {}
    yield
    await close_writers()
    channel_layers.backends = {}
    await sync_to_async(connections.close_all)()


@pytest.mark.django_db(transaction=True)
async def test_exam_socket_save_after_grace_nacked_deadline(_writers, settings):
    settings.ANSWER_GRACE_SECONDS = 2

    @database_sync_to_async
    def arrange():
        entry = make_entry(make_session())
        return start_attempt(entry), log_in(entry.candidate.user)

    attempt, client = await arrange()
    comm = WebsocketCommunicator(application, f"/ws/attempt/{attempt.uid}/", headers=socket_headers(client))
    assert (await comm.connect())[0]
    await comm.receive_json_from(timeout=5)
    item = items_by_type(attempt)["short"]
    await database_sync_to_async(_expire)(attempt, 1)
    await comm.send_json_to(save_message(1, item, {"text": "ในช่วงผ่อนผัน"}))
    in_grace = await comm.receive_json_from(timeout=5)
    await database_sync_to_async(_expire)(attempt, 3)

    await comm.send_json_to(save_message(2, item, {"text": "ช้าไป"}))
    late = await comm.receive_json_from(timeout=5)

    assert in_grace == {"type": "ack", "seq": 1}
    assert (late["type"], late["seq"], late["code"]) == ("nack", 2, "deadline")
    assert "หมดเวลา" in late["message"]
    answers = await database_sync_to_async(lambda: list(Response.objects.values_list("answer", flat=True)))()
    assert answers == [{"text": "ในช่วงผ่อนผัน"}]
    await comm.disconnect()
