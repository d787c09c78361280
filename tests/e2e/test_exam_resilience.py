"""The answer path in a real browser against a real daphne + worker (tests/e2e/daphne.py), on
PostgreSQL: a whole exam from check-in to receipt; the exam room waiting for the start (the paper
arrives over the socket, no reload); daphne SIGKILLed mid-exam and restarted on the same port; a
reload while answers are unsent; a browser closed before the deadline; Redis stopped
mid-exam. "Exactly the final choices" = the Response rows equal, item for item, the last thing the
candidate did on each item. Screenshots: var/screenshots/exam_offline.png, exam_room_waiting.png.

Playwright's offline emulation does not close an open WebSocket (DESIGN §10): the tests kill the
server instead. Every wait is for a state, with a timeout.
"""

import json
import time

import pytest
from playwright.sync_api import Error as PlaywrightError

from exam_platform.delivery.models import Attempt, Response
from exam_platform.delivery.services.attempts import receipt_digest, start_attempt
from tests.delivery.exam_setup import items_by_type, make_entry, make_locked_paper, make_session
from tests.e2e.conftest import SCREENSHOT_DIR
from tests.factories import make_candidate

pytest_plugins = ["tests.e2e.daphne"]
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OFFLINE_TEXT = "ออฟไลน์ — คำตอบยังอยู่ในเครื่องนี้"
SAVED_TEXT = "บันทึกแล้ว"
RECONNECT_TIMEOUT_MS = 45_000  # backoff tops out near 12 s after a few seconds down, plus jitter


# --- helpers ------------------------------------------------------------------------------------


class SocketLog:
    """Every WebSocket the page opens and every JSON message it receives on them."""

    def __init__(self, page):
        self.page = page
        self.sockets = 0
        self.received: list[dict] = []
        page.on("websocket", self._opened)

    def _opened(self, socket) -> None:
        self.sockets += 1
        socket.on("framereceived", self._frame)

    def _frame(self, payload) -> None:
        try:
            self.received.append(json.loads(payload))
        except (TypeError, ValueError):
            pass

    def count(self, kind: str) -> int:
        return sum(1 for m in self.received if m.get("type") == kind)

    def acked_seqs(self) -> set[int]:
        return {m["seq"] for m in self.received if m.get("type") == "ack"}

    def wait_for(self, kind: str, count: int = 1, timeout_ms: int = 20_000) -> None:
        """Wait until `count` messages of `kind` have arrived (events are delivered while waiting)."""
        end = time.monotonic() + timeout_ms / 1000
        while self.count(kind) < count:
            if time.monotonic() > end:
                raise AssertionError(f"waited {timeout_ms} ms for {count} {kind!r}; got {self.received[-5:]}")
            self.page.wait_for_timeout(100)


def outbox_size(page, attempt) -> int:
    return page.evaluate(
        "key => Object.keys(JSON.parse(localStorage.getItem(key) || '{}')).length",
        f"exam-outbox:{attempt.uid}",
    )


def wait_state(page, name: str, timeout_ms: int = 20_000) -> None:
    page.wait_for_function(
        "name => document.getElementById('exam-save-state').dataset.state === name",
        arg=name,
        timeout=timeout_ms,
    )


def wait_all_saved(page, attempt, timeout_ms: int = 30_000) -> None:
    """ "บันทึกแล้ว" shown AND the outbox empty: every save acked."""
    page.wait_for_function(
        """key => document.getElementById('exam-save-state').dataset.state === 'saved'
              && Object.keys(JSON.parse(localStorage.getItem(key) || '{}')).length === 0""",
        arg=f"exam-outbox:{attempt.uid}",
        timeout=timeout_ms,
    )
    assert page.locator("#exam-save-state").inner_text() == SAVED_TEXT


def open_exam(page, attempt) -> SocketLog:
    log = SocketLog(page)
    page.goto(f"/exam/attempts/{attempt.uid}/")
    log.wait_for("hello")
    if page.locator("#exam").get_attribute("data-mode") != "list":
        page.locator("#exam-mode").click()  # every question on one page
    return log


class Candidate:
    """Does things on the exam page and remembers the last thing done to each item."""

    def __init__(self, page, attempt):
        self.page = page
        self.items = items_by_type(attempt)
        self.final: dict[str, dict] = {}  # item uid -> {"answer": ..., "flagged": ...}

    def _q(self, kind: str):
        return self.page.locator(f"#item-{self.items[kind]['uid']}")

    def _set(self, kind: str, answer=None, flagged=None) -> None:
        state = self.final.setdefault(self.items[kind]["uid"], {"answer": None, "flagged": False})
        if answer is not None:
            state["answer"] = answer
        if flagged is not None:
            state["flagged"] = flagged

    def choose(self, index: int) -> None:
        item = self.items["single"]
        self._q("single").locator("input.exam-input").nth(index).check()
        self._set("single", {"choice": item["choices"][index]["uid"]})

    def choose_many(self, *indexes: int) -> None:
        item = self.items["multiple"]
        inputs = self._q("multiple").locator("input.exam-input")
        for i in range(len(item["choices"])):
            inputs.nth(i).set_checked(i in indexes)
        self._set("multiple", {"choices": sorted(item["choices"][i]["uid"] for i in indexes)})

    def type_answer(self, kind: str, text: str) -> None:
        field = self._q(kind).locator(".exam-input")
        field.fill(text)
        field.press("Tab")  # change event: recorded at once
        self._set(kind, {"value": text} if kind == "numeric" else {"text": text})

    def flag(self, kind: str, on: bool = True) -> None:
        self._q(kind).locator(".exam-flag-input").set_checked(on)
        self._set(kind, flagged=on)


def stored(attempt) -> dict[str, dict]:
    return {
        r.item_uid: {"answer": r.answer, "flagged": r.flagged}
        for r in Response.objects.filter(attempt_id=attempt.pk)
    }


def wait_db(predicate, timeout: float, what: str):
    end = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"waited {timeout} s for {what}")
        time.sleep(0.25)


# --- tests --------------------------------------------------------------------------------------


def test_exam_resilience_check_in_sit_submit_and_receipt_over_websocket(server_context, server_login):
    import datetime as dt

    candidate = make_candidate(date_of_birth=dt.date(1995, 5, 17))
    entry = make_entry(make_session(), candidate=candidate, checked_in=False)
    server_login(candidate.user)
    page = server_context.new_page()

    page.goto("/exam/")
    page.get_by_role("link", name="ยืนยันตัวตนและเช็กอิน").click()
    page.get_by_label("เลขประจำตัวประชาชน").fill(candidate.national_id_display)
    page.get_by_label("วันเกิด").fill("17/05/2538")
    page.get_by_label("เลขที่ใบสมัคร").fill(entry.application_number)
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="ยืนยันและเช็กอิน").click()
    page.wait_for_url("**/exam/")
    log = SocketLog(page)
    page.get_by_role("link", name="เข้าห้องสอบ").click()
    # The window is open: the room's socket gets its attempt started at once and the paper arrives.
    log.wait_for("started")
    page.wait_for_url("**/exam/attempts/*/")
    attempt = Attempt.objects.get(entry=entry)
    page.locator("#exam-mode").click()

    sitter = Candidate(page, attempt)
    sitter.choose(1)
    sitter.choose_many(0, 2)
    sitter.type_answer("numeric", "42")
    sitter.type_answer("short", "กรุงเทพมหานคร")
    sitter.type_answer("essay", "คำตอบอัตนัยของผู้สอบ")
    sitter.flag("essay")
    sitter.choose(3)  # changed its mind
    wait_all_saved(page, attempt)
    assert stored(attempt) == sitter.final
    assert log.count("ack") >= 7  # over the socket, not the HTTP fallback
    assert log.sockets == 1

    page.locator(".exam-submit-link").click()
    page.wait_for_url(f"**/exam/attempts/{attempt.uid}/submit")
    page.get_by_role("button", name="ยืนยันส่งคำตอบ").click()
    page.wait_for_url(f"**/exam/attempts/{attempt.uid}/receipt")

    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.SUBMITTED
    assert attempt.submit_reason == Attempt.SubmitReason.CANDIDATE
    answers = {uid: state["answer"] for uid, state in sitter.final.items()}
    assert attempt.receipt_digest == receipt_digest(attempt.uid, answers)
    assert page.locator(".exam-digest").inner_text().strip() == attempt.receipt_digest


def test_exam_room_waits_then_paper_appears_at_the_start_without_reload(server_context, server_login):
    import datetime as dt

    from django.utils import timezone

    from exam_platform.delivery.models import ExamSession

    session = make_session(make_locked_paper(), opens=10, late=30)
    entry = make_entry(session)
    server_login(entry.candidate.user)
    page = server_context.new_page()
    log = SocketLog(page)
    opens_at = timezone.now() + dt.timedelta(seconds=3)
    ExamSession.objects.filter(pk=session.pk).update(opens_at=opens_at)

    page.goto(f"/exam/entries/{entry.pk}/room")
    log.wait_for("hello")
    assert log.received[0]["status"] == "waiting"
    assert page.locator("#exam-waiting").is_visible()
    assert page.get_by_role("heading", name="รอเริ่มการสอบ").is_visible()
    assert page.get_by_text("ข้อสอบจะแสดงเมื่อถึงเวลาเริ่มสอบ ไม่ต้องรีเฟรชหน้านี้").is_visible()
    assert page.locator(".exam-question").count() == 0
    assert not Attempt.objects.filter(entry=entry).exists()
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / "exam_room_waiting.png"))
    page.evaluate("window.examRoomNotReloaded = true")  # a reload would lose this

    page.locator(".exam-question").first.wait_for(state="visible", timeout=20_000)

    assert page.evaluate("window.examRoomNotReloaded === true")
    assert timezone.now() >= opens_at
    attempt = Attempt.objects.get(entry=entry)
    assert attempt.started_at >= opens_at
    assert page.url.endswith(f"/exam/attempts/{attempt.uid}/")  # a reload now opens the attempt page
    assert page.locator("#exam-waiting").is_hidden()
    assert page.evaluate("document.activeElement.matches('#exam-questions legend')")  # focus on item 1
    assert log.count("started") == 1 and log.sockets == 1
    first = page.locator(".exam-question").first
    assert first.locator("legend").inner_text().startswith("ข้อ 1")
    assert page.locator(".exam-nav-item[data-item]").count() == 5

    sitter = Candidate(page, attempt)
    page.locator(f'.exam-nav-item[data-item="{sitter.items["single"]["uid"]}"]').click()
    sitter.choose(2)
    wait_all_saved(page, attempt)
    assert stored(attempt) == sitter.final
    assert log.acked_seqs() == {1}  # over the same socket that waited
    assert log.sockets == 1


def test_exam_resilience_server_killed_mid_exam_then_restarted_keeps_final_choices(
    server_context, server_login, exam_server
):
    attempt = start_attempt(make_entry(make_session()))
    server_login(attempt.entry.candidate.user)
    page = server_context.new_page()
    log = open_exam(page, attempt)
    sitter = Candidate(page, attempt)
    sitter.choose(0)
    wait_all_saved(page, attempt)

    exam_server.kill_daphne()
    sitter.choose(3)  # the socket is gone and the HTTP fallback fails: offline
    wait_state(page, "offline")
    sitter.choose_many(0, 1)
    sitter.type_answer("numeric", "7.5")
    sitter.flag("numeric")
    sitter.type_answer("short", "ตอบตอนออฟไลน์")
    sitter.choose(2)  # the last word on this item
    sitter.choose_many(1, 3)
    wait_state(page, "offline")
    assert page.locator("#exam-save-state").inner_text() == OFFLINE_TEXT
    assert outbox_size(page, attempt) == 9  # one save per change; each choose_many() is two
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / "exam_offline.png"))
    single = sitter.items["single"]
    first_choice = {"answer": {"choice": single["choices"][0]["uid"]}, "flagged": False}
    assert stored(attempt) == {single["uid"]: first_choice}  # nothing of the above reached it yet

    exam_server.start_daphne()
    log.wait_for("hello", count=2, timeout_ms=RECONNECT_TIMEOUT_MS)  # the page reconnected
    wait_all_saved(page, attempt)
    assert stored(attempt) == sitter.final
    assert log.sockets >= 2


def test_exam_resilience_reload_with_unsent_answers_loses_nothing(server_context, server_login, exam_server):
    attempt = start_attempt(make_entry(make_session()))
    server_login(attempt.entry.candidate.user)
    page = server_context.new_page()
    open_exam(page, attempt)
    sitter = Candidate(page, attempt)
    sitter.choose(1)
    wait_all_saved(page, attempt)

    exam_server.kill_daphne()
    sitter.choose_many(2)
    wait_state(page, "offline")
    sitter.type_answer("short", "ยังไม่ถึงเซิร์ฟเวอร์")
    sitter.choose(0)
    assert outbox_size(page, attempt) == 3
    with pytest.raises(PlaywrightError):
        page.reload()  # the candidate reloads: the server is down, the browser shows its error page

    exam_server.start_daphne()
    log = open_exam(page, attempt)
    wait_all_saved(page, attempt)
    assert stored(attempt) == sitter.final
    single, multiple = sitter.items["single"], sitter.items["multiple"]
    assert page.locator(f"#item-{single['uid']} input.exam-input").nth(0).is_checked()
    assert page.locator(f"#item-{multiple['uid']} input.exam-input").nth(2).is_checked()
    assert log.sockets == 1


def test_exam_resilience_browser_closed_before_deadline_worker_submits_after_it(
    server_context, server_login, exam_server
):
    # The window closes in 25 s: the deadline is the end of the window (services/attempts.py).
    attempt = start_attempt(make_entry(make_session(late=0.2, closes=25 / 60)))
    server_login(attempt.entry.candidate.user)
    page = server_context.new_page()
    open_exam(page, attempt)
    sitter = Candidate(page, attempt)
    sitter.choose(2)
    sitter.type_answer("numeric", "42")
    sitter.flag("short")
    wait_all_saved(page, attempt)

    server_context.close()
    from django.utils import timezone

    assert timezone.now() < attempt.deadline
    assert Attempt.objects.get(pk=attempt.pk).status == Attempt.Status.IN_PROGRESS

    # deadline + ANSWER_GRACE_SECONDS (2) + the worker's 5 s period, with room to spare
    wait_db(
        lambda: Attempt.objects.filter(pk=attempt.pk, status=Attempt.Status.SUBMITTED).exists(),
        timeout=(attempt.deadline - timezone.now()).total_seconds() + 30,
        what="the worker to submit the attempt",
    )
    attempt.refresh_from_db()
    assert attempt.submit_reason == Attempt.SubmitReason.DEADLINE
    assert attempt.submitted_at > attempt.deadline
    assert stored(attempt) == sitter.final
    answers = {uid: state["answer"] for uid, state in sitter.final.items() if state["answer"] is not None}
    assert attempt.receipt_digest == receipt_digest(attempt.uid, answers)


def test_exam_resilience_redis_stopped_mid_exam_saves_still_acked(
    server_context, server_login, redis_process, exam_server
):
    import redis

    attempt = start_attempt(make_entry(make_session()))
    server_login(attempt.entry.candidate.user)
    page = server_context.new_page()
    log = open_exam(page, attempt)
    sitter = Candidate(page, attempt)
    sitter.choose(1)
    wait_all_saved(page, attempt)
    # The channel layer is really on this Redis: the socket joined its groups there.
    assert redis.Redis.from_url(redis_process.url).keys("asgi*")

    redis_process.stop()
    acked_before = log.acked_seqs()
    sitter.choose_many(0, 3)
    sitter.type_answer("numeric", "12")
    sitter.type_answer("essay", "Redis ล่มแต่คำตอบยังบันทึก")
    sitter.choose(2)
    wait_all_saved(page, attempt)

    assert stored(attempt) == sitter.final
    assert len(log.acked_seqs() - acked_before) == 5  # five changes, acked over the same socket...
    assert (log.sockets, log.count("hello")) == (1, 1)  # ...which never closed
