"""Large roster uploads run as long-lane worker jobs, and never hold back deadline enforcement."""

import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from exam_platform.accounts.models import ActivationCode
from exam_platform.common.jobs.registry import LONG_LANE, load_handlers
from exam_platform.common.jobs.worker import Worker
from exam_platform.common.management.commands.run_worker import lane_workers
from exam_platform.common.models import Job
from exam_platform.common.private_storage import private_files
from exam_platform.delivery.models import Attempt, RosterEntry
from exam_platform.delivery.services import roster_upload
from exam_platform.delivery.services.attempts import start_attempt
from exam_platform.delivery.services.roster_upload import IMPORT_JOB, start_roster_import
from tests.delivery import exam_setup
from tests.delivery.roster_rows import big_roster_csv
from tests.delivery.roster_setup import make_officer, make_session, verified_client


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {**settings.STORAGES["private"], "OPTIONS": {"location": tmp_path}},
    }
    load_handlers()


def test_large_upload_becomes_a_long_lane_job_with_a_result_page(client, db, settings):
    settings.ROSTER_INLINE_MAX_ROWS = 5
    officer = make_officer()
    session = make_session(actor=officer)
    verified_client(client, officer)
    upload = SimpleUploadedFile("big.csv", big_roster_csv(12), content_type="text/csv")

    response = client.post(reverse("delivery:session_import", args=[session.pk]), {"file": upload})

    job = Job.objects.get(kind=IMPORT_JOB)
    assert response.status_code == 302
    assert response.url == reverse("delivery:roster_import_job", args=[job.pk])
    assert (job.lane, job.status) == (LONG_LANE, "pending")
    assert RosterEntry.objects.count() == 0
    assert 'id="import-progress"' in client.get(response.url).content.decode()

    Worker("long", heartbeat=False, lanes=(LONG_LANE,)).run_due()

    job.refresh_from_db()
    assert job.status == "done"
    assert (job.result["created_entries"], job.result["new_candidates"], job.result["activation_codes"]) == (
        12,
        12,
        12,
    )
    assert RosterEntry.objects.filter(session=session).count() == 12
    assert not private_files.exists(job.payload["file"])  # the upload (IDs, birth dates) is gone
    page = client.get(response.url).content.decode()
    assert "นำเข้าแล้ว 12 คน" in page
    assert client.get(reverse("delivery:roster_import_status", args=[job.pk])).json()["status"] == "done"


def test_import_job_with_errors_shows_row_numbers_and_writes_nothing(client, db):
    officer = make_officer()
    session = make_session(actor=officer)
    data = big_roster_csv(3).replace(b"17/05/2538", b"31/02/2538", 1)
    job = start_roster_import(session, data, filename="bad.csv", actor=officer)

    Worker("long", heartbeat=False, lanes=(LONG_LANE,)).run_due()

    job.refresh_from_db()
    assert job.status == "done" and job.result["ok"] is False
    assert [e["row"] for e in job.result["errors"]] == [2]
    assert RosterEntry.objects.count() == 0 and ActivationCode.objects.count() == 0
    verified_client(client, officer)
    assert "แถวที่ 2" in client.get(reverse("delivery:roster_import_job", args=[job.pk])).content.decode()


def test_import_job_page_is_for_officers_only(client, db):
    officer = make_officer()
    job = start_roster_import(make_session(actor=officer), big_roster_csv(1), filename="r.csv", actor=officer)
    verified_client(client, make_officer("proctor"))

    assert client.get(reverse("delivery:roster_import_job", args=[job.pk])).status_code == 403
    verified_client(client, officer)
    other = Job.objects.create(kind="tests.echo", payload={"session_id": job.payload["session_id"]})
    assert client.get(reverse("delivery:roster_import_job", args=[other.pk])).status_code == 404


def test_default_lane_worker_never_takes_a_long_job(db):
    officer = make_officer()
    job = start_roster_import(make_session(actor=officer), big_roster_csv(1), filename="r.csv", actor=officer)

    assert Worker("default", heartbeat=False, lanes=("default",)).run_due() == 0
    job.refresh_from_db()
    assert job.status == "pending"


def _wait(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.django_db(transaction=True)
def test_deadline_is_enforced_while_a_roster_import_runs_in_the_long_lane(monkeypatch, settings):
    settings.ANSWER_GRACE_SECONDS = 0
    officer = make_officer()
    roster_session = make_session(actor=officer)
    attempt = start_attempt(exam_setup.make_entry(exam_setup.make_session()))
    started, release = threading.Event(), threading.Event()
    real_progress = roster_upload._progress

    def held_progress(job):
        report = real_progress(job)

        def hold(phase, done, total):
            report(phase, done, total)
            if phase == "writing":  # checked, about to write: the job is genuinely mid-run
                started.set()
                release.wait(60)

        return hold

    monkeypatch.setattr(roster_upload, "_progress", held_progress)
    job = start_roster_import(roster_session, big_roster_csv(50), filename="r.csv", actor=officer)
    stop = threading.Event()
    workers = lane_workers(poll_seconds=0.05, stop_event=stop)  # what run_worker starts by default
    for worker in workers:
        worker.heartbeat = False
    threads = [threading.Thread(target=w.run_forever, daemon=True) for w in workers]
    for thread in threads:
        thread.start()
    try:
        assert started.wait(30), "the roster import never started"
        Attempt.objects.filter(pk=attempt.pk).update(deadline=attempt.started_at)  # now past deadline

        submitted = _wait(lambda: Attempt.objects.get(pk=attempt.pk).status == "submitted", timeout=15)

        assert submitted, "the deadline was not enforced while the roster import ran"
        assert Attempt.objects.get(pk=attempt.pk).submit_reason == "deadline"
        assert Job.objects.get(pk=job.pk).status == "running"  # still held: both ran at once
    finally:
        release.set()
        assert _wait(lambda: Job.objects.get(pk=job.pk).status == "done", timeout=60)
        stop.set()
        for thread in threads:
            thread.join(10)
    assert RosterEntry.objects.filter(session=roster_session).count() == 50
