"""The exam page in a real browser against live_server (WSGI: no WebSocket, so every save goes
through the HTTP fallback): the page built by exam.js, answer, see "saved", large text, submit,
receipt; the exam room's HTTP start when its socket cannot connect. Screenshots in
var/screenshots/exam_page*.png and exam_receipt.png."""

import pytest

from exam_platform.delivery.models import Attempt, Response
from exam_platform.delivery.services.attempts import start_attempt
from tests.delivery.exam_setup import items_by_type, make_entry, make_session

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_exam_page_http_fallback_saves_then_submit_and_receipt(page, login_as, screenshot):
    attempt = start_attempt(make_entry(make_session()))
    login_as(attempt.entry.candidate.user)
    single = items_by_type(attempt)["single"]

    page.goto(f"/exam/attempts/{attempt.uid}/")
    page.locator(f"#item-{single['uid']}").wait_for(state="attached")
    # built by exam.js from the config: the markup the server template used to render
    question = page.locator(f"#item-{single['uid']}")
    number = question.get_attribute("data-number")
    assert question.get_attribute("data-type") == "single"
    assert question.locator("legend").inner_text().split() == ["ข้อ", number, "/", "5"]
    assert (
        page.locator(".exam-question").count() == 5 and page.locator(".exam-nav-item[data-item]").count() == 5
    )
    assert question.locator(".candidate-choice-label").all_inner_texts() == ["ก.", "ข.", "ค.", "ง."]
    assert question.locator(f"#q-{number}-c2").get_attribute("value") == single["choices"][2]["uid"]
    assert (
        question.locator(f"label[for=q-{number}-c2] .candidate-choice-text").inner_text()
        == (single["choices"][2]["html"])
    )
    assert page.locator("#exam-nav-title").inner_text() == "ข้อสอบทั้งหมด (5 ข้อ)"
    page.locator(f'.exam-nav-item[data-item="{single["uid"]}"]').click()
    page.locator(f"#item-{single['uid']} input.exam-input").nth(2).check()
    page.locator(f"#item-{single['uid']} .exam-flag-input").check()
    page.wait_for_function("document.getElementById('exam-save-state').dataset.state === 'saved'")
    page.wait_for_function(
        f"Object.keys(JSON.parse(localStorage.getItem('exam-outbox:{attempt.uid}') || '{{}}')).length === 0"
    )
    screenshot("exam_page")

    stored = Response.objects.get(attempt=attempt, item_uid=single["uid"])
    assert stored.answer == {"choice": single["choices"][2]["uid"]}
    assert stored.flagged is True
    assert page.locator("#exam-save-state").inner_text() == "บันทึกแล้ว"

    page.locator("#exam-large-text").click()
    page.locator("#exam-mode").click()
    screenshot("exam_page_large_text", full_page=False)
    page.locator("#exam-large-text").click()

    page.locator(".exam-submit-link").click()
    page.wait_for_url(f"**/exam/attempts/{attempt.uid}/submit")
    assert page.locator(".exam-item-links").first.locator("li").count() == 4  # unanswered
    assert page.locator(".exam-item-links").nth(1).locator("li").count() == 1  # flagged
    page.get_by_role("button", name="ยืนยันส่งคำตอบ").click()
    page.wait_for_url(f"**/exam/attempts/{attempt.uid}/receipt")
    attempt.refresh_from_db()
    assert attempt.receipt_digest in page.locator(".exam-digest").inner_text()
    screenshot("exam_receipt")


def test_exam_page_reload_restores_unsent_outbox_and_sends_it(page, login_as):
    attempt = start_attempt(make_entry(make_session()))
    login_as(attempt.entry.candidate.user)
    short = items_by_type(attempt)["short"]
    page.goto(f"/exam/attempts/{attempt.uid}/")
    # An answer left in the outbox by a previous page that never reached the server.
    page.evaluate(
        """([attempt, item]) => {
            localStorage.setItem('exam-outbox:' + attempt, JSON.stringify({"7": {type: "save",
              seq: 7, item: item, answer: {text: "คำตอบค้าง"}, flagged: false,
              client_time: new Date().toISOString()}}));
            localStorage.setItem('exam-seq:' + attempt, '7');
        }""",
        [str(attempt.uid), short["uid"]],
    )

    page.reload()
    page.wait_for_function("document.getElementById('exam-save-state').dataset.state === 'saved'")

    assert page.locator(f"#item-{short['uid']} .exam-input").input_value() == "คำตอบค้าง"
    stored = Response.objects.get(attempt=attempt, item_uid=short["uid"])
    assert (stored.answer, stored.seq) == ({"text": "คำตอบค้าง"}, 7)


def test_exam_room_without_socket_falls_back_to_the_http_start(page, login_as):
    # live_server has no WebSocket: 5 s after opens_at (here: after loading) the room POSTs the start.
    entry = make_entry(make_session(opens=-1, late=20))
    login_as(entry.candidate.user)

    page.goto(f"/exam/entries/{entry.pk}/room")
    assert page.locator("#exam-waiting").is_visible()
    page.wait_for_url("**/exam/attempts/*/", timeout=20_000)

    attempt = Attempt.objects.get(entry=entry)
    assert page.url.endswith(f"/exam/attempts/{attempt.uid}/")
    page.locator(".exam-question").first.wait_for(state="visible")
    assert page.locator(".exam-question").count() == 5
