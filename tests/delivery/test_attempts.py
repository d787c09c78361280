"""start_attempt (window, check-in, frozen form, deadline), submit_attempt and extend_attempt; the
candidate's home buttons, the exam room (waiting shell) and the attempt page (shell + config)."""

import datetime as dt
import hashlib
import json
import random
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from exam_platform.common.models import AuditEntry
from exam_platform.delivery.attempt_access import attempt_urls, candidate_form
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
from tests.delivery.exam_setup import log_in, make_entry, make_locked_paper, make_session
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


# --- the candidate's home, the exam room and the attempt page (one shell, rendered by exam.js) ---


def page_config(html: str) -> dict:
    """The page's embedded `exam-config` JSON."""
    match = re.search(r'<script id="exam-config" type="application/json">(.*?)</script>', html, flags=re.S)
    assert match, "no exam-config"
    return json.loads(match.group(1))


def _same_ms(iso: str, value: dt.datetime) -> bool:
    return abs(dt.datetime.fromisoformat(iso) - value) < dt.timedelta(milliseconds=1)


def _room(entry):
    return reverse("delivery:exam_room", args=[entry.pk])


def test_candidate_home_offers_room_then_continue_through_room_then_receipt():
    entry = make_entry(make_session(make_locked_paper()))
    client = log_in(entry.candidate.user)
    home = reverse("delivery:candidate_home")

    page = client.get(home).content.decode()
    assert "เข้าห้องสอบ" in page and f'href="{_room(entry)}"' in page
    assert reverse("delivery:attempt_start", args=[entry.pk]) not in page  # a link (GET), no start form
    response = client.post(reverse("delivery:attempt_start", args=[entry.pk]))  # the fallback still works
    entry.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == reverse("delivery:attempt_page", args=[entry.attempt.uid])
    page = client.get(home).content.decode()
    assert "ทำข้อสอบต่อ" in page and f'href="{_room(entry)}"' in page
    assert "เข้าห้องสอบ" not in page

    submit_attempt(entry.attempt, reason="candidate")
    page = client.get(home).content.decode()
    assert reverse("delivery:attempt_receipt", args=[entry.attempt.uid]) in page
    assert "ทำข้อสอบต่อ" not in page and _room(entry) not in page


@pytest.mark.parametrize(
    ("checked_in", "opens", "late", "shown"),
    [(True, 30, 40, True), (True, -60, -1, False), (False, -10, 20, False)],
    ids=["before-opening", "after-late-entry", "not-checked-in"],
)
def test_candidate_home_room_link_only_for_checked_in_before_late_entry(checked_in, opens, late, shown):
    entry = make_entry(make_session(opens=opens, late=late), checked_in=checked_in)

    page = log_in(entry.candidate.user).get(reverse("delivery:candidate_home")).content.decode()

    assert (_room(entry) in page) is shown


def test_room_before_opening_renders_waiting_shell_without_any_question():
    entry = make_entry(make_session(opens=5, late=20), accommodations={"large_text": True})
    client = log_in(entry.candidate.user)

    response = client.get(_room(entry))

    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    html = response.content.decode()
    config = page_config(html)
    assert config["mode"] == "waiting"
    assert config["entry"] == entry.pk
    assert config["ws_path"] == f"/ws/exam/{entry.pk}/"
    assert config["start_url"] == reverse("delivery:attempt_start", args=[entry.pk])
    assert _same_ms(config["opens_at"], entry.session.opens_at)
    assert _same_ms(config["late_entry_until"], entry.session.late_entry_until)
    assert "form" not in config and "attempt" not in config and "responses" not in config
    assert config["choice_labels"][:4] == ["ก", "ข", "ค", "ง"]
    assert 'data-phase="waiting"' in html
    assert "รอเริ่มการสอบ" in html and "ข้อสอบจะแสดงเมื่อถึงเวลาเริ่มสอบ ไม่ต้องรีเฟรชหน้านี้" in html
    assert 'role="status" aria-live="polite"' in html
    assert f'action="{config["start_url"]}"' in html and "เริ่มทำข้อสอบ" in html  # the HTTP fallback
    assert "exam-question card" not in html and "candidate-item-stem" not in html
    assert re.search(r'<body class="[^"]*\blarge-text\b', html)
    assert not Attempt.objects.exists()


def test_room_inside_window_without_attempt_still_waits_for_the_socket():
    entry = make_entry(make_session(opens=-1, late=20))

    response = log_in(entry.candidate.user).get(_room(entry))

    assert response.status_code == 200
    assert page_config(response.content.decode())["mode"] == "waiting"
    assert not Attempt.objects.exists()  # the server starts it over the socket, or POST …/start


def test_room_is_cheap_no_paper_no_item_query(django_assert_max_num_queries):
    entry = make_entry(make_session(opens=5, late=20))
    client = log_in(entry.candidate.user)

    with django_assert_max_num_queries(5) as queries:
        client.get(_room(entry))

    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "question_bank_" not in sql


def test_room_not_checked_in_redirects_to_check_in_with_a_message():
    entry = make_entry(make_session(), checked_in=False)
    client = log_in(entry.candidate.user)

    response = client.get(_room(entry), follow=True)

    assert response.redirect_chain[0] == (reverse("delivery:candidate_check_in", args=[entry.pk]), 302)
    assert "ต้องยืนยันตัวตนและเช็กอินก่อนเริ่มสอบ" in response.content.decode()
    assert not Attempt.objects.exists()


def test_room_with_attempt_in_progress_redirects_to_attempt_page():
    attempt = start_attempt(make_entry(make_session()))

    response = log_in(attempt.entry.candidate.user).get(_room(attempt.entry))

    assert response.status_code == 302
    assert response["Location"] == reverse("delivery:attempt_page", args=[attempt.uid])


@pytest.mark.parametrize("status", [Attempt.Status.SUBMITTED, Attempt.Status.TERMINATED])
def test_room_with_finished_attempt_redirects_to_receipt(status):
    entry = make_entry(make_session())
    attempt = start_attempt(entry)
    Attempt.objects.filter(pk=attempt.pk).update(status=status)
    entry.session.late_entry_until = timezone.now() - dt.timedelta(minutes=1)  # even after late entry
    entry.session.save()

    response = log_in(entry.candidate.user).get(_room(entry))

    assert response.status_code == 302
    assert response["Location"] == reverse("delivery:attempt_receipt", args=[attempt.uid])


def test_room_after_late_entry_without_attempt_is_closed_409():
    entry = make_entry(make_session(opens=-60, late=-1))

    response = log_in(entry.candidate.user).get(_room(entry))

    assert response.status_code == 409
    html = response.content.decode()
    assert "เลยเวลาที่อนุญาตให้เข้าสอบแล้ว" in html
    assert "exam-config" not in html
    assert not Attempt.objects.exists()


def test_room_of_another_candidates_entry_is_404_and_anonymous_goes_to_login():
    entry = make_entry(make_session())
    intruder = log_in(make_entry(entry.session).candidate.user)

    assert intruder.get(_room(entry)).status_code == 404
    assert intruder.get(reverse("delivery:exam_room", args=[999_999])).status_code == 404
    anonymous = Client().get(_room(entry))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login")


def test_attempt_page_is_the_shell_with_form_and_responses_in_its_config():
    entry = make_entry(make_session(), accommodations={"high_contrast": True})
    attempt = start_attempt(entry)
    single = next(i for s in attempt.form["sections"] for i in s["items"] if i["type"] == "single")
    answer = {"choice": single["choices"][1]["uid"]}
    Response.objects.create(
        attempt=attempt, item_uid=single["uid"], answer=answer, flagged=True, seq=3, saved_at=timezone.now()
    )
    client = log_in(entry.candidate.user)

    response = client.get(reverse("delivery:attempt_page", args=[attempt.uid]))

    assert response.status_code == 200
    html = response.content.decode()
    config = page_config(html)
    assert config["mode"] == "attempt"
    assert config["attempt"] == str(attempt.uid)
    assert config["ws_path"] == f"/ws/exam/{entry.pk}/"  # the page has the form: no ?form=1
    assert config["urls"] == attempt_urls(attempt.uid)
    assert config["form"] == candidate_form(attempt.form)
    assert config["responses"] == {single["uid"]: {"answer": answer, "flagged": True, "seq": 3}}
    assert _same_ms(config["deadline"], attempt.deadline)
    # the items in the candidate's order, every stem and choice as frozen
    frozen = [i for s in attempt.form["sections"] for i in s["items"]]
    shown = [i for s in config["form"]["sections"] for i in s["items"]]
    assert [i["uid"] for i in shown] == [i["uid"] for i in frozen]
    assert [(i["stem"], i["choices"]) for i in shown] == [(i["stem"], i["choices"]) for i in frozen]
    assert all(set(i) <= {"uid", "type", "stem", "language", "choices", "max_words"} for i in shown)
    for text in ("ข้อ", "เลือกได้มากกว่าหนึ่งคำตอบ", "คำตอบ (ตัวเลข)", "ไม่เกิน %(n)s คำ", "ข้อถัดไป ›"):
        assert text in config["texts"].values()
    # no server-side loop over the items any more; the stems are only inside the JSON
    assert "exam-question card" not in html and 'id="q-1-stem"' not in html
    assert 'data-phase="exam"' in html and "exam-waiting" not in html
    assert f'href="{reverse("delivery:attempt_submit", args=[attempt.uid])}"' in html
    assert re.search(r'<body class="[^"]*\bhigh-contrast\b', html)


def test_attempt_page_embeds_thai_as_utf8_and_escapes_markup():
    attempt = start_attempt(make_entry(make_session()))
    client = log_in(attempt.entry.candidate.user)

    html = client.get(reverse("delivery:attempt_page", args=[attempt.uid])).content.decode()

    script = re.search(r'<script id="exam-config" type="application/json">(.*?)</script>', html, re.S)[1]
    assert "บันทึกแล้ว" in script  # not \\u0e1a… escapes: half the bytes
    assert "<" not in script and ">" not in script  # json_script's escapes still apply


def test_attempt_page_of_submitted_attempt_redirects_to_receipt():
    attempt = submit_attempt(start_attempt(make_entry(make_session())))

    response = log_in(attempt.entry.candidate.user).get(reverse("delivery:attempt_page", args=[attempt.uid]))

    assert response["Location"] == reverse("delivery:attempt_receipt", args=[attempt.uid])


def test_room_and_receipt_in_english_show_gregorian_dates_thai_ones_in_thai():
    from django.conf import settings

    entry = make_entry(make_session(opens=5, late=20))
    client = log_in(entry.candidate.user)
    opens_at = timezone.localtime(entry.session.opens_at)

    thai = client.get(_room(entry)).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(_room(entry)).content.decode()

    assert f"{opens_at.day} {opens_at:%B %Y, %H:%M}" in english  # strftime: C locale, English month
    assert f"{opens_at.year + 543} เวลา {opens_at:%H.%M} น." in thai

    attempt = submit_attempt(start_attempt(entry, now=entry.session.opens_at), reason="candidate")
    receipt = client.get(reverse("delivery:attempt_receipt", args=[attempt.uid])).content.decode()
    submitted = timezone.localtime(attempt.submitted_at)
    assert f"{submitted.year}, {submitted:%H:%M}" in receipt
