"""Issue 10, "Done when": two examiners and two exam officers run a whole exam from the product's
own pages, in a real browser, each logged in through the login page with a password and a TOTP
code computed from their device key (no admin, no shell):

1. an examiner creates a bank, adds a reviewer, imports 24 Thai items (a GIFT file, two subjects);
   she sends them to review in bulk, the reviewer approves them in bulk; she builds a two-section
   paper and locks it;
2. an exam officer creates a round, a position, a session (opening two minutes from now, typed in
   the Buddhist-era date-time field), two rooms with a proctor each, imports a 5,000-row roster (a
   long-lane worker job: a real Worker per lane runs in background threads), assigns seats, sets
   the pass policy and a tie-break chain, and e-mails the activation codes (a worker job; the
   messages land in Django's locmem outbox, which is where the candidates read them);
3. four candidates activate their accounts with the code from their e-mail, check in, wait in the
   exam room until it opens, answer (some right, some wrong) and submit; everybody else is absent;
4. officer 1 scores the round and proposes a key correction by item number; officer 2 approves it
   with a fresh code and the diff shows who changes rank; officer 1 prepares the rank list,
   officer 2 approves and publishes it with a fresh code; the public list shows it and the
   verification page accepts its CSV.

The one shortcut: the clock. After the candidates submit, ONE database update moves the session's
window into the past (the session "is over"), because publication is refused while a session can
still start. Everything else goes through the pages.

Screenshots: var/screenshots/e2e_run_*.png.
"""

import re
import threading
import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from exam_platform.common.jobs.registry import load_handlers
from exam_platform.common.management.commands.run_worker import lane_workers
from exam_platform.common.national_id import make_valid
from tests.delivery.roster_setup import roster_csv
from tests.e2e.conftest import SCREENSHOT_DIR, VIEWPORT
from tests.factories import PASSWORD, make_staff

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROSTER_SIZE = 5000
CANDIDATE_PASSWORD = "ช้างเผือก-2570-สอบ"
CODE_IN_MAIL = re.compile(r"รหัสเปิดใช้งาน:\s*([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{2})")

# --- the bank's items -------------------------------------------------------------------------
# Section 1 (ความสามารถทั่วไป): 12 sums. Section 2 (ภาษาไทย): 12 spelling items. Each is
# (stem, right answer, three wrong answers); the file puts the right answer in varying places.
ARITHMETIC = [
    (f"{a} + {b} เท่ากับเท่าใด", str(a + b), [str(a + b + 1), str(a + b - 1), str(a + b + 10)])
    for a, b in [(12, 7), (25, 18), (33, 9), (41, 26), (58, 14), (67, 22), (73, 19), (84, 11), (96, 35),
                 (105, 47), (118, 26), (127, 64)]
]  # fmt: skip
SPELLING_WORDS = [
    ("กะทันหัน", ["กระทันหัน", "กะทันหันต์", "กระทันหันท์"]),
    ("อนุญาต", ["อนุญาติ", "อนุญาตย์", "อนุยาต"]),
    ("โอกาส", ["โอกาศ", "โอกาษ", "โอกาสน์"]),
    ("ลายเซ็น", ["ลายเซ็นต์", "ลายเซน", "ลายเซ็นท์"]),
    ("สังเกต", ["สังเกตุ", "สังเกด", "สังเกตย์"]),
    ("ผาสุก", ["ผาสุข", "ผาสุกข์", "พาสุก"]),
    ("บังสุกุล", ["บังสกุล", "บังสุกุลย์", "บังสุกูล"]),
    ("ปรากฏ", ["ปรากฎ", "ปรากด", "ปรากฏิ"]),
    ("อุบัติเหตุ", ["อุบัติเหต", "อุบัตเหตุ", "อุปัติเหตุ"]),
    ("เกร็ดความรู้", ["เกล็ดความรู้", "เกร็ดความรู", "เกร็ทความรู้"]),
    ("ศีรษะ", ["ศรีษะ", "ศีรษ", "ศีร์ษะ"]),
    ("ถั่วพู", ["ถั่วพลู", "ถั่วภู", "ถั่วพูล"]),
]
SPELLING = [(f"คำใดสะกดถูกต้อง ชุดคำที่ {n}", right, wrong) for n, (right, wrong) in enumerate(SPELLING_WORDS, 1)]
ITEMS = ARITHMETIC + SPELLING
DISPUTED = SPELLING[2]  # "โอกาส": the committee decides "โอกาศ" is accepted too (a key correction)


def gift_file() -> bytes:
    lines = ["// คลังข้อสอบภาค ก ครั้งที่ 1/2570 (นำเข้าจากไฟล์ GIFT)"]
    for subject, topic, items in (
        ("ความสามารถทั่วไป", "การคิดคำนวณ", ARITHMETIC),
        ("ภาษาไทย", "การสะกดคำ", SPELLING),
    ):
        lines += ["", f"$CATEGORY: $course$/top/{subject}/{topic}", ""]
        for n, (stem, right, wrong) in enumerate(items):
            choices = [f"~{w}" for w in wrong]
            choices.insert(n % 4, f"={right}")
            lines += [f"{stem} {{", *choices, "}", ""]
    return "\n".join(lines).encode("utf-8")


# --- the candidates -------------------------------------------------------------------------------
# Four sit, one more has an e-mail address but stays home; 4,995 more are generated (absent).
# Answers: A all right; B wrong on two sums; C wrong on one sum and "โอกาศ" on the disputed item;
# D wrong on six of each. Totals 24, 22, 22, 12 of 24. Pass: 60 % overall. Ties: section 2 first,
# so B (section 2: 12) is ahead of C (11) until the correction gives C the disputed item.
SITTERS = [
    # key, title, first, last, date of birth (Buddhist era), wrong sums, wrong spellings
    ("A", "นางสาว", "กมลวรรณ", "เกษมสุข", "17/05/2538", 0, ()),
    ("B", "นาย", "ณัฐวุฒิ", "ศรีสุข", "02/11/2536", 2, ()),
    ("C", "นางสาว", "ปิยะฉัตร", "แก้วประเสริฐ", "21/03/2540", 1, (2,)),
    ("D", "นาย", "ธนพล", "บุญมี", "09/09/2539", 6, (0, 1, 3, 4, 5, 6)),
]
ABSENT_WITH_MAIL = ("E", "นาง", "ศิริพร", "ทองคำ", "30/01/2535", 0, ())


def national_id(n: int) -> str:
    return make_valid(f"3{n:011d}")


def roster_file(position_code: str) -> tuple[bytes, dict]:
    """The 5,000-row CSV an officer would export from the application system, and the known rows."""
    people = {}
    rows = []
    for n, (key, title, first, last, born, *_answers) in enumerate([*SITTERS, ABSENT_WITH_MAIL], 1):
        email = f"{key.lower()}.candidate@example.org"
        people[key] = {"national_id": national_id(n), "application": f"70-{n:05d}", "born": born,
                       "name": f"{title}{first} {last}", "email": email}  # fmt: skip
        rows.append([national_id(n), f"70-{n:05d}", title, first, last, born, position_code,
                     "0812345678", people[key]["email"], ""])  # fmt: skip
    for n in range(len(rows) + 1, ROSTER_SIZE + 1):
        rows.append([national_id(n), f"70-{n:05d}", "นาย", f"ผู้สมัคร{n}", "ทดสอบระบบ", "01/01/2540",
                     position_code, "", "", ""])  # fmt: skip
    return roster_csv(rows), people


# --- helpers ----------------------------------------------------------------------------------------


def shot(page, step: str):
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"e2e_run_{step}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def authenticator_code(device: TOTPDevice) -> str:
    """What the person's authenticator app shows, never a code the server already accepted: if this
    step's code was used, wait for the next 30-second step (as a person would)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    while device.last_t is not None and totp.t() <= device.last_t:
        time.sleep(0.5)
        totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


class Person:
    """A staff member with a password and a phone, in a browser context of their own."""

    def __init__(self, browser, live_server, role: str, username: str, display_name: str):
        self.user = make_staff(role, username=username, display_name=display_name)
        self.device = TOTPDevice.objects.create(user=self.user, name="โทรศัพท์", confirmed=True)
        self.context = new_context(browser, live_server)
        self.page = self.context.new_page()

    def log_in(self, step: str | None = None):
        page = self.page
        page.goto("/accounts/login/")
        page.get_by_label("เลขประจำตัวประชาชน หรือ ชื่อผู้ใช้").fill(self.user.username)
        page.get_by_label("รหัสผ่าน").fill(PASSWORD)
        page.get_by_role("button", name="เข้าสู่ระบบ").click()
        page.wait_for_url(re.compile(r"/accounts/two-factor/verify/"))
        page.get_by_label("รหัสยืนยัน 6 หลักจากแอป").fill(authenticator_code(self.device))
        if step:
            shot(page, step)
        page.get_by_role("button", name="ยืนยัน", exact=True).click()
        page.wait_for_url(lambda url: "/accounts/" not in url)
        assert page.get_by_role("heading", name=f"สวัสดี {self.user.display_name}").is_visible()

    def code(self) -> str:
        return authenticator_code(self.device)


def new_context(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="th-TH", timezone_id="Asia/Bangkok", viewport=VIEWPORT
    )
    context.set_default_timeout(15_000)
    return context


def poll(page, done, *, timeout: float = 120, every: float = 0.5) -> None:
    """Reload `page` until `done()` is true (what a person waiting for a job does, only faster)."""
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, f"gave up waiting on {page.url}"
        time.sleep(every)
        page.reload()


@pytest.fixture
def workers():
    """`manage.py run_worker` as it runs beside the server: one worker thread per lane."""
    load_handlers()
    stop = threading.Event()
    running = lane_workers(poll_seconds=0.3, stop_event=stop, periodic=False)
    threads = [threading.Thread(target=w.run_forever, daemon=True, name=w.name) for w in running]
    for thread in threads:
        thread.start()
    yield running
    stop.set()
    for thread in threads:
        thread.join(30)


@pytest.fixture(autouse=True)
def _signing_key(settings):
    from tests.publication.conftest import TEST_SIGNING_KEY

    settings.PLATFORM_SIGNING_KEY = TEST_SIGNING_KEY
    settings.PLATFORM_SIGNING_KEY_FILE = ""
    settings.PUBLIC_BASE_URL = "https://exam.bangkok.go.th"


# --- the test -------------------------------------------------------------------------------------


def test_officers_and_examiners_run_a_whole_exam_from_the_pages(browser, live_server, workers):
    owner = Person(browser, live_server, "examiner", "somying.k", "สมหญิง ออกข้อสอบ")
    reviewer = Person(browser, live_server, "examiner", "wilai.p", "วิไล พิจารณา")
    officer1 = Person(browser, live_server, "exam_officer", "ekachai.y", "เอกชัย อยู่เย็น")
    officer2 = Person(browser, live_server, "exam_officer", "pimchanok.r", "พิมพ์ชนก รุ่งทิวา")
    try:
        build_the_paper(owner, reviewer)
        # TODO (not written yet, see the report): the officer's round, position, session,
        # two rooms with proctors, the 5,000-row roster job, seats, pass policy and tie-break
        # chain, activation e-mails; the candidates' activation, check-in and answers; the
        # clock update; scoring, the key correction, publication and verification.
    finally:
        for person in (owner, reviewer, officer1, officer2):
            person.context.close()


def build_the_paper(owner: Person, reviewer: Person) -> str:
    page = owner.page
    owner.log_in("01_login_two_factor")

    # A bank: its creator owns it.
    page.goto("/qb/")
    page.get_by_role("link", name="สร้างคลังข้อสอบ").click()
    page.get_by_label("รหัสคลัง").fill("part-a-2570")
    page.get_by_label("ชื่อคลังข้อสอบ").fill("คลังข้อสอบภาค ก ปี 2570")
    page.get_by_label("คำอธิบาย").fill("ความสามารถทั่วไปและภาษาไทย สำหรับการสอบแข่งขันครั้งที่ 1/2570")
    shot(page, "02_bank_new")
    page.get_by_role("button", name="สร้างคลัง").click()
    page.wait_for_url(re.compile(r"/qb/banks/\d+/$"))
    assert page.get_by_text("สร้างคลัง คลังข้อสอบภาค ก ปี 2570 แล้ว คุณเป็นเจ้าของคลังนี้").is_visible()
    bank_url = page.url
    shot(page, "03_bank")

    # A second examiner as reviewer.
    page.get_by_role("link", name=re.compile("สมาชิก")).first.click()
    page.wait_for_url("**/members/")
    page.get_by_label("ผู้ออกข้อสอบ").select_option(label="วิไล พิจารณา (wilai.p)")
    page.get_by_label("บทบาทในคลัง").last.select_option(label="ผู้พิจารณาข้อสอบ")
    page.get_by_role("button", name="เพิ่มสมาชิก").click()
    page.wait_for_url("**/members/")
    shot(page, "04_bank_members")
    assert page.locator("table").get_by_text("wilai.p", exact=True).is_visible()

    # Items from a GIFT file: 24 single-choice items in two subjects, created with the categories.
    page.get_by_role("link", name="นำเข้า/ส่งออก").click()
    page.wait_for_url("**/import/")
    page.set_input_files(
        "input[name=file]",
        files=[{"name": "part-a-2570.gift", "mimeType": "text/plain", "buffer": gift_file()}],
    )
    page.get_by_label("รูปแบบไฟล์").select_option("gift")
    page.get_by_label("สร้างวิชา/หัวข้อที่ยังไม่มีในคลัง").check()
    shot(page, "05_import")
    page.get_by_role("button", name="นำเข้า", exact=True).click()
    page.get_by_role("heading", name=f"นำเข้าแล้ว {len(ITEMS)} ข้อ").wait_for()
    assert page.get_by_text("ข้ามข้อซ้ำ 0 ข้อ · สร้างหมวดใหม่").is_visible()
    shot(page, "06_import_result")

    # The owner sends every draft to review in one go; the reviewer approves them in one go.
    page.goto(bank_url + "items/")
    page.get_by_label(f"เลือกทั้งหมด {len(ITEMS)} ข้อที่ตรงกับตัวกรอง (ทุกหน้า)").check()
    page.get_by_label("คำสั่ง").select_option("submit")
    page.get_by_role("button", name="ตรวจดูก่อนยืนยัน").click()
    page.wait_for_url(re.compile(r"/items/bulk/$"))
    shot(page, "07_bulk_submit_confirm")
    page.get_by_role("button", name=f"ยืนยันส่งพิจารณา {len(ITEMS)} ข้อ").click()
    page.wait_for_url(re.compile(r"/items/"))
    assert f"ส่งพิจารณา {len(ITEMS)} ข้อแล้ว" in page.locator("body").inner_text()

    reviewer.log_in()
    rpage = reviewer.page
    rpage.goto(bank_url + "items/")
    rpage.get_by_label(f"เลือกทั้งหมด {len(ITEMS)} ข้อที่ตรงกับตัวกรอง (ทุกหน้า)").check()
    rpage.get_by_label("คำสั่ง").select_option("approve")
    rpage.get_by_role("button", name="ตรวจดูก่อนยืนยัน").click()
    rpage.wait_for_url(re.compile(r"/items/bulk/$"))
    assert f"จะอนุมัติ {len(ITEMS)} ข้อ" in rpage.locator(".qb-bulk-summary").inner_text()
    shot(rpage, "08_bulk_approve_confirm")
    rpage.get_by_role("button", name=f"ยืนยันอนุมัติ {len(ITEMS)} ข้อ").click()
    rpage.wait_for_url(re.compile(r"/items/"))
    assert f"อนุมัติ {len(ITEMS)} ข้อแล้ว" in rpage.locator("body").inner_text()
    shot(rpage, "09_items_approved")

    # The owner builds a two-section paper that takes every item and locks it.
    page.goto(bank_url + "papers/")
    page.get_by_role("link", name="สร้างแบบทดสอบใหม่").click()
    page.get_by_label("รหัสแบบทดสอบ").fill("part-a-1-2570")
    page.get_by_label("ชื่อแบบทดสอบ").fill("สอบภาค ก ครั้งที่ 1/2570")
    page.get_by_label("เวลาสอบ (นาที)").fill("30")
    shot(page, "10_paper_new")
    page.get_by_role("button", name="สร้างแบบทดสอบ").click()
    page.wait_for_url(re.compile(r"/qb/papers/\d+/$"))
    for n, title in enumerate(("ความสามารถทั่วไป", "ภาษาไทย"), 1):
        add = page.locator("#add-section")
        add.get_by_label("ชื่อตอน").fill(title)
        add.get_by_role("button", name="เพิ่มตอน").click()
        page.wait_for_load_state()
        rule = page.locator("details[id^=add-rule-]").nth(n - 1)
        if not rule.get_by_label("วิชา/หัวข้อ").is_visible():
            rule.locator("summary").click()
        rule.get_by_label("วิชา/หัวข้อ").select_option(label=title)
        rule.locator(".qb-live-availability").filter(has_text="มีข้อสอบที่ใช้ได้").wait_for()
        rule.get_by_label("จำนวนข้อ").fill("12")
        rule.get_by_label("ง่าย (%)").fill("0")
        rule.get_by_label("ปานกลาง (%)").fill("100")
        rule.get_by_label("ยาก (%)").fill("0")
        rule.get_by_role("button", name="เพิ่มกฎ").click()
        page.wait_for_load_state()
    assert page.get_by_text("ตรวจแล้ว: คลังมีข้อสอบพอตามพิมพ์เขียว").is_visible()
    assert page.locator(".qb-rule").count() == 2
    shot(page, "11_paper_builder")
    page.get_by_label("ฉันตรวจทานแล้ว").check()
    page.get_by_role("button", name="ล็อกแบบทดสอบ").click()
    page.get_by_text("ล็อกแล้ว — แก้ไขไม่ได้").wait_for()
    shot(page, "12_paper_locked")
    page.get_by_role("link", name="ดูตัวอย่างแบบที่ผู้สอบเห็น").click()
    page.wait_for_url(re.compile(r"/preview/"))
    assert page.locator(".candidate-item").count() == len(ITEMS)
    assert page.get_by_role("heading", name="ตอนที่ 2: ภาษาไทย").is_visible()
    shot(page, "13_paper_preview")
    return bank_url
