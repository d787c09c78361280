"""start_attempt (window, check-in, frozen form, deadline), submit_attempt and extend_attempt."""

import datetime as dt
import hashlib
import json
import random

import pytest

from exam_platform.common.models import AuditEntry
from exam_platform.delivery.models import Attempt, Response
from exam_platform.delivery.services.attempts import (
    AttemptError,
    attempt_deadline,
    extend_attempt,
    freeze_form,
    start_attempt,
    submit_attempt,
)
from question_bank.models import Choice, PaperForm
from tests.delivery.exam_setup import make_entry, make_locked_paper, make_session
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 1, 2, 0, tzinfo=dt.UTC)  # 09:00 in Bangkok


@pytest.fixture
def paper():
    return make_locked_paper()


@pytest.fixture
def session(paper):
    return make_session(paper, now=NOW, duration=60, opens=-10, late=20, closes=90)


def _actions(obj) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type="delivery.attempt", object_id=str(obj.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


# --- window and check-in ---------------------------------------------------------------------


def test_start_attempt_checked_in_inside_window_freezes_deadline_and_audits(session):
    entry = make_entry(session)

    attempt = start_attempt(entry, now=NOW)

    assert attempt.status == Attempt.Status.IN_PROGRESS
    assert attempt.started_at == NOW
    assert attempt.deadline == NOW + dt.timedelta(minutes=60)
    assert _actions(attempt) == ["attempt.start"]


def test_start_attempt_second_call_resumes_same_attempt(session):
    entry = make_entry(session)
    first = start_attempt(entry, now=NOW)

    again = start_attempt(entry, now=NOW + dt.timedelta(minutes=45))  # even after late entry

    assert again.pk == first.pk
    assert Attempt.objects.count() == 1
    assert _actions(first) == ["attempt.start"]


def test_start_attempt_not_checked_in_refused(session):
    entry = make_entry(session, checked_in=False)

    with pytest.raises(AttemptError) as exc:
        start_attempt(entry, now=NOW)

    assert exc.value.code == "not_checked_in"
    assert Attempt.objects.count() == 0


@pytest.mark.parametrize(
    ("offset", "code"),
    [(dt.timedelta(minutes=-11), "not_open"), (dt.timedelta(minutes=20, seconds=1), "closed")],
)
def test_start_attempt_outside_entry_window_refused(session, offset, code):
    entry = make_entry(session)

    with pytest.raises(AttemptError) as exc:
        start_attempt(entry, now=NOW + offset)

    assert exc.value.code == code
    assert Attempt.objects.count() == 0


def test_start_attempt_at_window_edges_allowed(session):
    early = start_attempt(make_entry(session), now=NOW - dt.timedelta(minutes=10))
    late = start_attempt(make_entry(session), now=NOW + dt.timedelta(minutes=20))

    assert early.started_at == NOW - dt.timedelta(minutes=10)
    assert late.started_at == NOW + dt.timedelta(minutes=20)


# --- deadline --------------------------------------------------------------------------------


def test_start_attempt_late_starter_bounded_by_closes_at(session):
    attempt = start_attempt(make_entry(session), now=NOW + dt.timedelta(minutes=20))

    # 20 + 60 = 80 minutes would fit; closes at 90: not bounded.
    assert attempt.deadline == NOW + dt.timedelta(minutes=80)
    session.closes_at = NOW + dt.timedelta(minutes=70)
    session.save()

    bounded = start_attempt(make_entry(session), now=NOW + dt.timedelta(minutes=20))

    assert bounded.deadline == NOW + dt.timedelta(minutes=70)


def test_start_attempt_extra_time_percent_and_minutes(session):
    entry = make_entry(session, accommodations={"extra_time_percent": 50, "extra_minutes": 5})

    attempt = start_attempt(entry, now=NOW)

    # 60 + 30 + 5 = 95 minutes, but the window closes at 90 (no beyond_window).
    assert attempt.deadline == NOW + dt.timedelta(minutes=90)


def test_start_attempt_extra_time_inside_window_not_cut(session):
    entry = make_entry(session, accommodations={"extra_time_percent": 25})

    attempt = start_attempt(entry, now=NOW - dt.timedelta(minutes=10))

    assert attempt.deadline == NOW + dt.timedelta(minutes=65)  # -10 + 60 + 15


def test_start_attempt_beyond_window_extends_past_closes_at_by_accommodation_only(session):
    entry = make_entry(session, accommodations={"extra_time_percent": 50, "beyond_window": True})

    late = start_attempt(entry, now=NOW + dt.timedelta(minutes=20))

    # own: 20 + 60 + 30 = 110; window: 90 + 30 = 120 → 110
    assert late.deadline == NOW + dt.timedelta(minutes=110)
    session.closes_at = NOW + dt.timedelta(minutes=60)
    assert attempt_deadline(
        session, entry.accommodations, started_at=NOW + dt.timedelta(minutes=20)
    ) == NOW + dt.timedelta(minutes=90)  # 60 + 30


# --- the frozen form ---------------------------------------------------------------------------


def test_start_attempt_form_copies_exact_versions_without_key(session, paper):
    attempt = start_attempt(make_entry(session), now=NOW)
    form = attempt.form
    items = [item for section in form["sections"] for item in section["items"]]
    paper_form = PaperForm.objects.get(paper=paper, number=1).content

    assert form["paper"] == {"code": paper.code, "version": 1, "digest": paper.content_digest}
    assert form["form"] == 1
    assert form["seed"] == attempt.seed
    assert sorted((i["uid"], i["version"]) for i in items) == sorted(
        (e["item"], e["version"]) for e in paper_form["sections"][0]["items"]
    )
    single = next(i for i in items if i["type"] == "single")
    assert set(single) == {"uid", "version", "points", "type", "stem", "language", "choices"}
    assert all(set(c) == {"uid", "html"} for c in single["choices"])
    db_choices = {str(c.uid): c.text for c in Choice.objects.filter(version_id=single["version"])}
    assert {c["uid"]: c["html"] for c in single["choices"]} == db_choices
    text = json.dumps(form, ensure_ascii=False)
    assert "is_correct" not in text and "correct" not in text and "answer_spec" not in text


def test_freeze_form_orders_items_and_choices_by_seed(paper):
    first = freeze_form(paper, 1)
    same = freeze_form(paper, 1)
    orders = {
        tuple(i["uid"] for i in freeze_form(paper, seed)["sections"][0]["items"]) for seed in range(1, 30)
    }
    choice_orders = {
        tuple(
            c["uid"]
            for c in next(i for i in freeze_form(paper, s)["sections"][0]["items"] if i["type"] == "single")[
                "choices"
            ]
        )
        for s in range(1, 30)
    }

    assert first == same
    assert len(orders) > 5
    assert len(choice_orders) > 5


def test_freeze_form_without_shuffle_keeps_paper_order():
    paper = make_locked_paper(shuffle=False)
    content = PaperForm.objects.get(paper=paper, number=1).content
    form = freeze_form(paper, random.randrange(10**9))
    single = next(i for i in form["sections"][0]["items"] if i["type"] == "single")

    assert [i["uid"] for i in form["sections"][0]["items"]] == [
        e["item"] for e in content["sections"][0]["items"]
    ]
    assert [c["uid"] for c in single["choices"]] == [
        str(u)
        for u in Choice.objects.filter(version_id=single["version"])
        .order_by("position")
        .values_list("uid", flat=True)
    ]


def test_start_attempt_parallel_paper_picks_form_by_seed():
    paper = make_locked_paper(form_mode="parallel", form_count=2)
    session = make_session(paper, now=NOW)
    forms = {start_attempt(make_entry(session), now=NOW).form["form"] for _ in range(12)}
    attempts = list(Attempt.objects.all())

    assert forms == {1, 2}
    assert all(a.form["form"] == a.seed % 2 + 1 for a in attempts)


def test_start_attempt_per_candidate_paper_draws_from_frozen_pool():
    paper = make_locked_paper(form_mode="per_candidate")
    session = make_session(paper, now=NOW)

    attempt = start_attempt(make_entry(session), now=NOW)

    assert attempt.form["form"] == 0
    assert sorted(i["type"] for i in attempt.form["sections"][0]["items"]) == [
        "essay",
        "multiple",
        "numeric",
        "short",
        "single",
    ]


# --- submit and extend -------------------------------------------------------------------------


def test_submit_attempt_stores_digest_of_canonical_answers_and_is_idempotent(session):
    attempt = start_attempt(make_entry(session), now=NOW)
    Response.objects.create(attempt=attempt, item_uid="b-item", answer={"text": "ข"}, seq=3, saved_at=NOW)
    Response.objects.create(attempt=attempt, item_uid="a-item", answer={"choice": "c1"}, seq=2, saved_at=NOW)
    Response.objects.create(
        attempt=attempt, item_uid="c-item", answer=None, flagged=True, seq=4, saved_at=NOW
    )
    document = (
        '{"attempt":"' + str(attempt.uid) + '","responses":{"a-item":{"choice":"c1"},"b-item":{"text":"ข"}}}'
    )

    submitted = submit_attempt(attempt, now=NOW + dt.timedelta(minutes=5))
    again = submit_attempt(attempt, reason=Attempt.SubmitReason.DEADLINE)

    assert submitted.status == Attempt.Status.SUBMITTED
    assert submitted.submit_reason == Attempt.SubmitReason.CANDIDATE
    assert submitted.receipt_digest == hashlib.sha256(document.encode()).hexdigest()
    assert again.submit_reason == Attempt.SubmitReason.CANDIDATE
    assert _actions(attempt) == ["attempt.start", "attempt.submit"]


def test_extend_attempt_moves_deadline_and_audits_reason(session):
    proctor = make_staff("proctor")
    attempt = start_attempt(make_entry(session), now=NOW + dt.timedelta(minutes=20))  # deadline 80

    extended = extend_attempt(attempt, 15, actor=proctor, reason="ไฟดับ 15 นาที")

    assert extended.extension_minutes == 15
    assert extended.deadline == NOW + dt.timedelta(minutes=95)  # past closes_at: an explicit extension
    entry = AuditEntry.objects.filter(action="attempt.extend").get()
    assert entry.actor == proctor
    assert entry.after["reason"] == "ไฟดับ 15 นาที"
    assert entry.after["extension_minutes"] == 15


@pytest.mark.parametrize(("minutes", "reason"), [(0, "x"), (-5, "x"), (10, "  "), (True, "x")])
def test_extend_attempt_invalid_input_refused(session, minutes, reason):
    attempt = start_attempt(make_entry(session), now=NOW)

    with pytest.raises(AttemptError):
        extend_attempt(attempt, minutes, actor=make_staff("proctor"), reason=reason)

    attempt.refresh_from_db()
    assert attempt.extension_minutes == 0


def test_extend_attempt_submitted_refused(session):
    attempt = submit_attempt(start_attempt(make_entry(session), now=NOW))

    with pytest.raises(AttemptError) as exc:
        extend_attempt(attempt, 5, actor=make_staff("proctor"), reason="x")

    assert exc.value.code == "submitted"


@pytest.mark.django_db
def test_candidate_home_offers_start_then_continue_then_receipt():
    from django.urls import reverse

    from exam_platform.delivery.services.attempts import submit_attempt
    from tests.delivery.exam_setup import log_in, make_entry, make_locked_paper, make_session

    entry = make_entry(make_session(make_locked_paper()))
    client = log_in(entry.candidate.user)
    start_url = reverse("delivery:attempt_start", args=[entry.pk])

    assert "เริ่มทำข้อสอบ" in client.get(reverse("delivery:candidate_home")).content.decode()
    response = client.post(start_url)
    entry.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == reverse("delivery:attempt_page", args=[entry.attempt.uid])
    page = client.get(reverse("delivery:candidate_home")).content.decode()
    assert "ทำข้อสอบต่อ" in page
    assert "เริ่มทำข้อสอบ" not in page

    submit_attempt(entry.attempt, reason="candidate")
    page = client.get(reverse("delivery:candidate_home")).content.decode()
    assert reverse("delivery:attempt_receipt", args=[entry.attempt.uid]) in page
    assert "ทำข้อสอบต่อ" not in page
