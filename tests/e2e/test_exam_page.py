"""The exam page in a real browser against live_server (WSGI: no WebSocket, so every save goes
through the HTTP fallback): answer, see "saved", large text, submit, receipt. Screenshots in
var/screenshots/exam_page*.png and exam_receipt.png."""

import pytest

from exam_platform.delivery.models import Response
from exam_platform.delivery.services.attempts import start_attempt
from tests.delivery.exam_setup import items_by_type, make_entry, make_session

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_exam_page_http_fallback_saves_then_submit_and_receipt(page, login_as, screenshot):
    attempt = start_attempt(make_entry(make_session()))
    login_as(attempt.entry.candidate.user)
    single = items_by_type(attempt)["single"]

    page.goto(f"/exam/attempts/{attempt.uid}/")
    page.locator(f"#item-{single['uid']}").wait_for(state="attached")
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
