"""E-mailing activation codes: an officer's action queues one long-lane job; each not-yet-activated
candidate with an e-mail address gets the code their card prints; locmem and a real SMTP server."""

import email
import email.policy
import socket

import pytest
from django.core import mail
from django.urls import reverse

from exam_platform.accounts.activation_codes import format_code
from exam_platform.accounts.models import Candidate
from exam_platform.accounts.services.activation import usable_codes
from exam_platform.common.jobs.registry import LONG_LANE, load_handlers
from exam_platform.common.jobs.worker import Worker
from exam_platform.common.models import AuditEntry, Job
from exam_platform.delivery.services.activation_mail import EMAIL_CODES_JOB, request_activation_emails
from exam_platform.delivery.services.roster import import_roster
from tests.delivery.roster_rows import big_roster_csv
from tests.delivery.roster_setup import make_officer, make_session, verified_client


@pytest.fixture
def officer(db):
    load_handlers()
    return make_officer()


@pytest.fixture
def session(officer):
    session = make_session(actor=officer)
    result = import_roster(session, big_roster_csv(3, email=True), filename="r.csv", actor=officer)
    assert result.ok
    return session


def _run_long_lane() -> int:
    return Worker("long", heartbeat=False, lanes=(LONG_LANE,)).run_due()


def _codes() -> dict[str, str]:
    """e-mail address -> the formatted code that candidate holds now."""
    candidates = {c.user_id: c.email for c in Candidate.objects.all()}
    return {candidates[uid]: format_code(c.code) for uid, c in usable_codes(candidates).items()}


def test_officer_action_queues_a_long_lane_job_and_mails_each_candidate(client, session, officer):
    no_email = Candidate.objects.get(email="candidate0@example.org")
    Candidate.objects.filter(pk=no_email.pk).update(email="")
    activated = Candidate.objects.get(email="candidate1@example.org")
    activated.user.set_password("already-has-one-2569")
    activated.user.save()
    verified_client(client, officer)

    response = client.post(reverse("delivery:session_email_codes", args=[session.pk]))

    job = Job.objects.get(kind=EMAIL_CODES_JOB)
    assert response.status_code == 302 and job.lane == LONG_LANE
    assert mail.outbox == []  # nothing is sent in the request
    assert _run_long_lane() == 1
    assert [m.to for m in mail.outbox] == [["candidate2@example.org"]]
    message = mail.outbox[0]
    assert message.subject.startswith("รหัสเปิดใช้งานบัญชีผู้สมัครสอบ")
    assert _codes()["candidate2@example.org"] in message.body
    assert "/accounts/activate/" in message.body
    assert "เรียน นางสาวผู้สมัคร2 ทดสอบ" in message.body
    job.refresh_from_db()
    assert (job.status, job.result["sent"]) == ("done", 1)
    trail = " ".join(
        str(a.after) for a in AuditEntry.objects.filter(action__startswith="delivery.activation")
    )
    assert _codes()["candidate2@example.org"] not in trail + str(job.result)


def test_mail_repeats_the_code_the_card_prints(session, officer):
    before = _codes()
    request_activation_emails(session, actor=officer)

    _run_long_lane()

    assert len(mail.outbox) == 3
    for message in mail.outbox:
        assert before[message.to[0]] in message.body
    assert _codes() == before  # no code was replaced


def test_mail_job_retried_after_a_crash_mails_nobody_twice(session, officer):
    job = request_activation_emails(session, actor=officer)
    first = Candidate.objects.get(email="candidate0@example.org").user_id
    Job.objects.filter(pk=job.pk).update(result={"phase": "sending", "sent_user_ids": [first]})

    _run_long_lane()

    assert sorted(m.to[0] for m in mail.outbox) == ["candidate1@example.org", "candidate2@example.org"]


def test_mail_page_refuses_proctors(client, session):
    verified_client(client, make_officer("proctor"))
    assert client.post(reverse("delivery:session_email_codes", args=[session.pk])).status_code == 403
    assert not Job.objects.filter(kind=EMAIL_CODES_JOB).exists()


def test_mail_through_a_real_smtp_server_on_loopback(session, officer, settings):
    from aiosmtpd.controller import Controller

    received = []

    class Collect:
        async def handle_DATA(self, server, smtp_session, envelope):
            received.append(envelope)
            return "250 OK"

    with socket.socket() as probe:  # a free loopback port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Collect(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.DEFAULT_FROM_EMAIL = "exam@example.org"
        codes = _codes()
        request_activation_emails(session, actor=officer)

        _run_long_lane()
    finally:
        controller.stop()

    assert sorted(rcpt for e in received for rcpt in e.rcpt_tos) == sorted(codes)
    for envelope in received:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = message.get_body().get_content()
        assert str(message["Subject"]).strip().startswith("รหัสเปิดใช้งานบัญชีผู้สมัครสอบ")
        assert codes[envelope.rcpt_tos[0]] in body
        assert "รหัสเปิดใช้งาน:" in body
