"""services.attempts.start_attempts: a batch of starts in one transaction, and the per-process
cache of the locked paper that makes freezing a form free of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from exam_platform.common.audit import AuditEntry, verify_chain
from exam_platform.delivery.answers import FormIndex
from exam_platform.delivery.models import Attempt, PreparedForm
from exam_platform.delivery.services.attempts import (
    AttemptError,
    freeze_form,
    locked_papers,
    prepare_form,
    prepare_forms,
    start_attempt,
    start_attempts,
)
from exam_platform.delivery.starter import start_for_sockets
from tests.delivery.exam_setup import make_entry, make_locked_paper, make_session

pytestmark = pytest.mark.django_db


def test_batch_starts_the_ready_refuses_the_rest_and_resumes_the_started():
    session = make_session(make_locked_paper())
    ready = [make_entry(session) for _ in range(3)]
    unchecked = make_entry(session, checked_in=False)
    resumed = make_entry(session)
    earlier = start_attempt(resumed)
    before = AuditEntry.objects.count()

    ids = [e.pk for e in ready] + [unchecked.pk, resumed.pk, 987_654]
    results = start_attempts(ids)

    assert all(isinstance(results[e.pk], Attempt) for e in ready)
    assert results[unchecked.pk].code == "not_checked_in"
    assert results[resumed.pk] == earlier
    assert results[987_654].code == "not_found"
    assert Attempt.objects.filter(entry__in=ready).count() == 3
    assert AuditEntry.objects.count() == before + 1  # one entry for the batch
    entry = AuditEntry.objects.latest("pk")
    assert entry.action == "attempt.start"
    assert set(entry.after["attempts"]) == {str(results[e.pk].uid) for e in ready}
    assert entry.after["attempts"][str(results[ready[0].pk].uid)]["seed"] == results[ready[0].pk].seed
    assert verify_chain().ok


def test_batch_outside_the_window_refuses_every_entry_and_writes_nothing():
    session = make_session(make_locked_paper(), opens=10, late=20)
    entries = [make_entry(session) for _ in range(2)]
    before = AuditEntry.objects.count()

    results = start_attempts([e.pk for e in entries])
    late = start_attempts([e.pk for e in entries], now=timezone.now() + dt.timedelta(minutes=30))

    assert {r.code for r in results.values()} == {"not_open"}
    assert {r.code for r in late.values()} == {"closed"}
    assert not Attempt.objects.exists()
    assert AuditEntry.objects.count() == before


def test_socket_batch_returns_states_in_order_and_refusals_as_errors():
    session = make_session(make_locked_paper())
    first, second = make_entry(session), make_entry(session, checked_in=False)

    out = start_for_sockets([first.pk, second.pk, first.pk])

    assert out[0]["uid"] == out[2]["uid"] and out[0]["last_seq"] == 0
    assert out[0]["form"] == Attempt.objects.get(entry=first).form
    assert isinstance(out[1], AttemptError) and out[1].code == "not_checked_in"


@pytest.mark.parametrize("form_mode", ["fixed", "parallel", "per_candidate"])
def test_warm_paper_cache_freezes_a_form_without_queries_and_the_same_form(form_mode):
    paper = make_locked_paper(form_mode=form_mode, form_count=2 if form_mode == "parallel" else 1)
    cold = freeze_form(paper, 7)

    with CaptureQueriesContext(connection) as queries:
        warm = freeze_form(paper, 7)
    locked_papers.clear()
    again = freeze_form(paper, 7)

    assert len(queries) == 0
    assert warm == cold == again


def test_prepared_form_is_frozen_once_and_copied_into_the_attempt_at_the_start():
    session = make_session(make_locked_paper(), opens=10, late=20)
    entry = make_entry(session)

    first = prepare_form(entry.pk)
    second = prepare_form(entry.pk)  # another tab, a restarted server: the same form
    attempt = start_attempts([entry.pk], now=session.opens_at)[entry.pk]

    assert (second.seed, second.form) == (first.seed, first.form)
    assert attempt.form is None  # copied by the database, not sent through Python
    attempt.refresh_from_db()
    assert (attempt.seed, attempt.form) == (first.seed, first.form)
    assert not PreparedForm.objects.filter(entry_id=entry.pk).exists()
    audit = AuditEntry.objects.filter(action="attempt.start").latest("pk")
    assert audit.after["seed"] == first.seed and audit.after["form"] == first.form["form"]


def test_form_prepared_from_a_paper_the_session_no_longer_uses_is_not_used():
    session = make_session(make_locked_paper(), opens=10, late=20)
    entry = make_entry(session)
    stale = prepare_form(entry.pk)
    session.paper = make_locked_paper()
    session.save(update_fields=["paper"])

    attempt = start_attempt(entry, now=session.opens_at)
    fresh = prepare_form(make_entry(session).pk)

    assert attempt.form["paper"]["digest"] == session.paper.content_digest != stale.paper_digest
    assert fresh.paper_id == session.paper_id
    assert not PreparedForm.objects.filter(entry_id=entry.pk).exists()


def test_prepare_forms_in_one_batch_keeps_forms_already_prepared():
    session = make_session(make_locked_paper(), opens=10, late=20)
    entries = [make_entry(session) for _ in range(3)]
    early = prepare_form(entries[0].pk)

    batch = prepare_forms([e.pk for e in entries])

    assert batch[entries[0].pk].seed == early.seed
    assert len({p.seed for p in batch.values()}) == 3
    assert PreparedForm.objects.filter(entry__in=entries).count() == 3
    stored = PreparedForm.objects.get(entry_id=entries[2].pk)
    assert (stored.seed, stored.form) == (batch[entries[2].pk].seed, batch[entries[2].pk].form)


def test_attempts_of_one_numbered_form_share_one_form_index_per_candidate_forms_do_not():
    fixed = make_locked_paper()
    drawn = make_locked_paper(form_mode="per_candidate")

    first, second = FormIndex.of(freeze_form(fixed, 1)), FormIndex.of(freeze_form(fixed, 2))
    own = [FormIndex.of(freeze_form(drawn, seed)) for seed in (1, 2)]

    assert first is second  # same items, another order: one index
    assert own[0] is not own[1]
    assert first.items == FormIndex(freeze_form(fixed, 3)).items


def test_a_refused_start_keeps_the_prepared_form():
    session = make_session(make_locked_paper(), opens=10, late=20)
    entry = make_entry(session)
    prepared = prepare_form(entry.pk)

    refused = start_attempts([entry.pk])[entry.pk]  # before opens_at
    attempt = start_attempts([entry.pk], now=session.opens_at)[entry.pk]

    assert refused.code == "not_open"
    attempt.refresh_from_db()
    assert attempt.seed == prepared.seed  # the same form, copied at the real start
    assert not PreparedForm.objects.filter(entry_id=entry.pk).exists()
