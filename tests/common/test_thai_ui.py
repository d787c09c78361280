import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.template import Context, Template, TemplateSyntaxError
from django.utils import translation
from django.utils.translation import gettext

from exam_platform.accounts.forms import LoginForm
from exam_platform.common.choice_labels import choice_index, choice_label
from exam_platform.common.context_processors import ui_preferences
from exam_platform.common.national_id import make_valid
from tests.factories import PASSWORD, make_candidate

LOGIN_URL = "/accounts/login/"
BASE_CSS = Path(django_settings.BASE_DIR) / "exam_platform" / "static" / "css" / "base.css"
SCREENSHOTS = Path(django_settings.BASE_DIR) / "var" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(autouse=True)
def _thai_again_afterwards():
    """LocaleMiddleware leaves the thread in the last request's language: do not leak English."""
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


class _Page(HTMLParser):
    """Collects what the accessibility checks need from a rendered page."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.label_for: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "label" and attrs.get("for"):
            self.label_for.add(attrs["for"])

    def first(self, tag):
        return next(attrs for name, attrs in self.tags if name == tag)

    def all(self, tag):
        return [attrs for name, attrs in self.tags if name == tag]


def parse(response) -> _Page:
    page = _Page()
    page.feed(response.content.decode())
    return page


def render(source: str, **context) -> str:
    return Template("{% load thai %}" + source).render(Context(context))


# --- Pages and languages ---------------------------------------------------------------------


@pytest.mark.django_db
def test_login_page_default_is_thai(client):
    response = client.get(LOGIN_URL)

    page = parse(response)
    assert page.first("html")["lang"] == "th"
    text = response.content.decode()
    assert '<h1 id="login-title">เข้าสู่ระบบ</h1>' in text
    assert "ข้ามไปยังเนื้อหาหลัก" in text
    assert "Skip to main content" not in text


@pytest.mark.django_db
def test_login_page_language_cookie_en_renders_english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(LOGIN_URL)

    assert parse(response).first("html")["lang"] == "en"
    text = response.content.decode()
    assert '<h1 id="login-title">Log in</h1>' in text
    assert "Skip to main content" in text
    assert "National ID or username" in text
    assert "ข้ามไปยังเนื้อหาหลัก" not in text


@pytest.mark.django_db
def test_login_page_accept_language_en_renders_english(client):
    response = client.get(LOGIN_URL, headers={"accept-language": "en-US,en;q=0.9"})

    assert parse(response).first("html")["lang"] == "en"
    assert "<title>Log in · Bangkok Metropolitan Administration Online Examinations</title>" in (
        response.content.decode()
    )


@pytest.mark.django_db
def test_set_language_post_sets_cookie_and_returns(client, settings):
    response = client.post("/i18n/setlang/", {"language": "en", "next": LOGIN_URL})

    assert response.status_code == 302
    assert response["Location"] == LOGIN_URL
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert parse(client.get(LOGIN_URL)).first("html")["lang"] == "en"


@pytest.mark.django_db
def test_language_switcher_one_button_per_language_current_marked(client):
    page = parse(client.get(LOGIN_URL))

    buttons = [b for b in page.all("button") if b.get("name") == "language"]
    assert [(b["value"], b["lang"], b.get("aria-current")) for b in buttons] == [
        ("th", "th", "true"),
        ("en", "en", None),
    ]
    assert not [
        tag for tag, attrs in page.tags if any(name.startswith("on") for name in attrs)
    ]  # no inline JS


@pytest.mark.django_db
def test_login_page_every_visible_input_has_a_label(client):
    page = parse(client.get(LOGIN_URL))

    controls = [
        attrs
        for tag, attrs in page.tags
        if tag in {"input", "select", "textarea"} and attrs.get("type") != "hidden"
    ]
    assert [c["id"] for c in controls] == ["id_username", "id_password"]
    assert all(c["id"] in page.label_for for c in controls)


@pytest.mark.django_db
def test_base_template_landmarks_and_skip_link(client):
    page = parse(client.get(LOGIN_URL))

    assert page.first("a") == {"class": "skip-link", "href": "#main"}  # the first link on the page
    assert page.first("main")["id"] == "main"
    assert page.first("header")["role"] == "banner"
    assert page.first("footer")["role"] == "contentinfo"
    assert page.first("nav")["aria-label"] == "เมนูหลัก"
    assert page.first("meta") == {"charset": "utf-8"}
    assert {"name": "viewport", "content": "width=device-width, initial-scale=1"} in page.all("meta")


@pytest.mark.django_db
def test_base_template_body_classes_follow_session_accommodations(client):
    session = client.session
    session["ui_accommodations"] = ["large_text", "high_contrast"]
    session.save()

    page = parse(client.get(LOGIN_URL))

    assert page.first("body")["class"] == " large-text high-contrast"


@pytest.mark.django_db
def test_home_page_candidate_sees_greeting_in_thai(client):
    candidate = make_candidate()
    candidate.user.display_name = "นางสาวเกศินี ใจดี"
    candidate.user.save()
    client.force_login(candidate.user)

    text = client.get("/", follow=True).content.decode()

    assert "นางสาวเกศินี ใจดี" in text  # the header names the candidate (never by national ID)
    assert "การสอบของฉัน" in text


def test_django_own_strings_are_thai_in_thai_ui():
    with translation.override("th"):
        assert gettext("This field is required.") == "ฟิลด์นี้จำเป็น"
        assert str(LoginForm(data={}).errors["password"][0]) == "ฟิลด์นี้จำเป็น"
    with translation.override("en"):
        assert str(LoginForm(data={}).errors["password"][0]) == "This field is required."


def test_django_strings_missing_from_djangos_thai_catalog_come_from_ours():
    from django import forms

    field = forms.CharField(max_length=3)
    with translation.override("th"):
        with pytest.raises(forms.ValidationError) as too_long:
            field.clean("abcd")
        assert too_long.value.messages == ["ต้องมีไม่เกิน 3 ตัวอักษร (ขณะนี้มี 4 ตัวอักษร)"]
        assert gettext("Enter a valid integer.") == "กรุณากรอกจำนวนเต็มที่ถูกต้อง"
    with translation.override("en"):
        with pytest.raises(forms.ValidationError) as too_long:
            field.clean("abcd")
        assert too_long.value.messages == ["Ensure this value has at most 3 characters (it has 4)."]


def test_english_catalog_translates_validation_messages():
    with translation.override("en"):
        assert gettext("รหัสผ่าน") == "Password"
        assert gettext("เลขประจำตัวประชาชนต้องมี 13 หลัก (National ID must have 13 digits).") == (
            "National ID must have 13 digits."
        )
    with translation.override("th"):
        assert gettext("รหัสผ่าน") == "รหัสผ่าน"


def _po_entries(path: Path) -> list[tuple[str, list[str]]]:
    """(msgid, [msgstr, ...]) for each live entry of a .po file (the header and obsolete ones left out)."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        fields: dict[str, str] = {}
        key = None
        for line in block.splitlines():
            match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line)
            if match:
                key = match.group(1)
                fields[key] = match.group(2)
            elif line.startswith('"') and key:
                fields[key] += line[1:-1]
        if fields.get("msgid"):
            entries.append((fields["msgid"], [v for k, v in fields.items() if k.startswith("msgstr")]))
    return entries


def test_english_catalog_complete_and_compiled():
    import gettext as gnu_gettext

    po = Path(django_settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
    with open(po.with_suffix(".mo"), "rb") as mo:
        compiled = gnu_gettext.GNUTranslations(mo)._catalog

    entries = _po_entries(po)
    assert len(entries) > 100
    assert [msgid for msgid, msgstrs in entries if not all(msgstrs)] == []  # every string has English
    compiled_ids = {key[0] if isinstance(key, tuple) else key for key in compiled}
    missing = [
        msgid for msgid, _ in entries if msgid.replace('\\"', '"').replace("\\n", "\n") not in compiled_ids
    ]
    assert missing == []  # compilemessages was run after the last edit


def _source_messages() -> set[str]:
    """Thai strings marked for translation in the code: `_("…")` calls with one literal, and
    `{% translate "…" %}` in templates (multi-line and block translations are not looked for)."""
    import ast

    root = Path(django_settings.BASE_DIR)
    python = re.compile(r'\b(?:_|gettext|gettext_lazy)\(\s*("(?:[^"\\\n]|\\.)*")\s*\)')
    templates = re.compile(r'{%\s*trans(?:late)?\s+"([^"]*)"')
    thai = re.compile("[\u0e00-\u0e7f]")
    found: set[str] = set()
    for top in ("exam_platform", "question_bank", "proctoring"):
        for path in (root / top).rglob("*"):
            if path.suffix == ".py":
                found |= {ast.literal_eval(m) for m in python.findall(path.read_text(encoding="utf-8"))}
            elif path.suffix in (".html", ".txt"):
                found |= set(templates.findall(path.read_text(encoding="utf-8")))
    return {m for m in found if thai.search(m)}


def test_every_thai_string_of_the_code_has_an_english_translation():
    """The catalog test above only sees what is in the .po: a string added to the code without
    running `make messages` would show in Thai in the English UI."""
    import gettext as gnu_gettext

    mo = Path(django_settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.mo"
    with open(mo, "rb") as f:
        catalog = gnu_gettext.GNUTranslations(f)._catalog
    translated = {key[0] if isinstance(key, tuple) else key for key, value in catalog.items() if value}

    messages = _source_messages()

    assert len(messages) > 300
    assert sorted(messages - translated) == []  # run `make messages` and translate the new strings


# --- Filters -----------------------------------------------------------------------------------


def test_thai_date_long_thai_digits():
    assert render('{{ d|thai_date:"long,thai" }}', d=dt.date(2026, 11, 21)) == "๒๑ พฤศจิกายน ๒๕๖๙"


def test_thai_date_short_and_default_long():
    assert render('{{ d|thai_date:"short" }}', d=dt.date(2026, 11, 21)) == "21 พ.ย. 2569"
    assert render("{{ d|thai_date }}", d=dt.date(2026, 11, 21)) == "21 พฤศจิกายน 2569"


def test_thai_date_weekday_option():
    assert render('{{ d|thai_date:"weekday" }}', d=dt.date(2026, 11, 21)) == "วันเสาร์ที่ 21 พฤศจิกายน 2569"


def test_thai_date_empty_value_renders_nothing():
    assert render("[{{ d|thai_date }}]", d=None) == "[]"


def test_thai_date_unknown_option_is_a_template_error():
    with pytest.raises(TemplateSyntaxError):
        render('{{ d|thai_date:"medium" }}', d=dt.date(2026, 11, 21))


def test_thai_datetime_aware_value_shown_in_bangkok_time():
    moment = dt.datetime(2026, 11, 20, 18, 30, tzinfo=dt.UTC)  # 01:30 on the 21st in Bangkok

    assert render("{{ t|thai_datetime }}", t=moment) == "21 พฤศจิกายน 2569 เวลา 01.30 น."
    assert render('{{ t|thai_datetime:"short,thai" }}', t=moment) == "๒๑ พ.ย. ๒๕๖๙ เวลา ๐๑.๓๐ น."


def test_thai_digits_always_or_when_argument_true():
    assert render("{{ n|thai_digits }}", n=2569) == "๒๕๖๙"
    assert render("{{ n|thai_digits:flag }}", n=87, flag=True) == "๘๗"
    assert render("{{ n|thai_digits:flag }}", n=87, flag=False) == "87"


def test_numerals_tag_follows_context_preference():
    source = "{% numerals d|thai_date:'short' %}"

    assert render(source, d=dt.date(2026, 11, 21), thai_numerals=True) == "๒๑ พ.ย. ๒๕๖๙"
    assert render(source, d=dt.date(2026, 11, 21), thai_numerals=False) == "21 พ.ย. 2569"
    assert render(source, d=dt.date(2026, 11, 21)) == "21 พ.ย. 2569"  # no preference in the context
    assert render("{% numerals s %}", s="<b>1</b>", thai_numerals=True) == "&lt;b&gt;๑&lt;/b&gt;"


@pytest.mark.django_db
def test_numerals_tag_reads_session_preference_through_request_context(rf, client):
    from django.contrib.sessions.backends.db import SessionStore

    request = rf.get("/")
    request.session = SessionStore()
    request.session["thai_numerals"] = True
    template = Template("{% load thai %}{% numerals n %}")

    from django.template import RequestContext

    assert template.render(RequestContext(request, {"n": 2569})) == "๒๕๖๙"


def test_local_date_english_ui_uses_gregorian_dates():
    with translation.override("en"):
        assert render("{{ d|local_date }}", d=dt.date(2026, 11, 21)) == "21 November 2026"
        assert render('{{ d|local_date:"short" }}', d=dt.date(2026, 11, 21)) == "21 Nov 2026"
    with translation.override("th"):
        assert render("{{ d|local_date }}", d=dt.date(2026, 11, 21)) == "21 พฤศจิกายน 2569"


def test_local_datetime_english_ui_uses_gregorian_dates_and_local_time():
    moment = dt.datetime(2026, 11, 21, 2, 30, tzinfo=dt.UTC)  # 09:30 in Bangkok
    with translation.override("en"):
        assert render("{{ d|local_datetime }}", d=moment) == "21 November 2026, 09:30"
        assert render('{{ d|local_datetime:"short" }}', d=moment) == "21 Nov 2026, 09:30"
    with translation.override("th"):
        assert render("{{ d|local_datetime }}", d=moment) == "21 พฤศจิกายน 2569 เวลา 09.30 น."


def test_choice_label_filter_thai_and_english():
    source = "{% for c in choices %}{{ forloop.counter0|choice_label }}{% endfor %}"
    source_en = "{% for c in choices %}{{ forloop.counter0|choice_label:'en' }}{% endfor %}"

    assert render(source, choices=range(5)) == "กขคงจ"
    assert render(source_en, choices=range(5)) == "ABCDE"
    assert render("[{{ i|choice_label }}]", i=99) == "[]"


def test_choice_label_functions_round_trip():
    assert [choice_label(i) for i in range(5)] == ["ก", "ข", "ค", "ง", "จ"]
    assert choice_label(4, "en-us") == "E"
    assert choice_index("ค") == 2
    assert choice_index("c.") == 2
    with pytest.raises(ValueError):
        choice_label(-1)
    with pytest.raises(ValueError):
        choice_index("ฮ")


def test_national_id_filter_formats_and_masks():
    nid = make_valid("110370012345")

    assert nid == "1103700123458"
    assert render("{{ n|national_id }}", n=nid) == "1-1037-00123-45-8"
    assert render('{{ n|national_id:"masked" }}', n=nid) == "x-xxxx-xxxx3-45-8"  # the last four digits
    assert render("[{{ n|national_id }}]", n="") == "[]"


def test_ui_preferences_reads_session_flags():
    request = SimpleNamespace(session={"thai_numerals": True, "ui_accommodations": ["high_contrast"]})

    assert ui_preferences(request) == {"thai_numerals": True, "ui_body_classes": "high-contrast"}
    assert ui_preferences(SimpleNamespace()) == {"thai_numerals": False, "ui_body_classes": ""}


# --- Colour contrast (WCAG 2.1: 4.5:1 for text, 3:1 for focus indicators and control borders) ---


def _css_variables(selector: str) -> dict[str, str]:
    css = BASE_CSS.read_text(encoding="utf-8")
    block = re.search(re.escape(selector) + r"\s*\{(.*?)\}", css, re.S).group(1)
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", block))


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(a: str, b: str) -> float:
    light, dark = sorted([_luminance(a), _luminance(b)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


TEXT_PAIRS = [
    ("ink", "paper"),
    ("ink", "page"),
    ("muted", "paper"),
    ("muted", "page"),
    ("band-ink", "band"),
    ("band", "band-ink"),  # the current language button, the brand mark
    ("accent-ink", "accent"),
    ("accent", "paper"),
    ("accent", "page"),
    ("danger", "paper"),
    ("danger", "danger-bg"),
    ("focus-ink", "focus"),
]
NON_TEXT_PAIRS = [
    ("focus", "band"),
    ("focus-halo", "paper"),
    ("focus-halo", "page"),
    ("control-line", "paper"),
]


def test_contrast_ratio_known_values():
    assert round(contrast_ratio("#000000", "#ffffff"), 2) == 21.0
    assert round(contrast_ratio("#777777", "#ffffff"), 2) == 4.48  # the classic just-failing grey


@pytest.mark.parametrize(("fg", "bg"), TEXT_PAIRS)
def test_base_css_text_colours_meet_aa(fg, bg):
    colours = _css_variables(":root")

    assert contrast_ratio(colours[fg], colours[bg]) >= 4.5


@pytest.mark.parametrize(("fg", "bg"), NON_TEXT_PAIRS)
def test_base_css_focus_and_control_colours_meet_3_to_1(fg, bg):
    colours = _css_variables(":root")

    assert contrast_ratio(colours[fg], colours[bg]) >= 3


@pytest.mark.parametrize(("fg", "bg"), TEXT_PAIRS)
def test_base_css_high_contrast_text_colours_meet_aaa(fg, bg):
    colours = _css_variables(":root") | _css_variables("body.high-contrast")

    assert contrast_ratio(colours[fg], colours[bg]) >= 7


def test_base_css_every_variable_used_is_defined():
    css = BASE_CSS.read_text(encoding="utf-8")

    used = set(re.findall(r"var\(--([\w-]+)\)", css))
    defined = set(re.findall(r"--([\w-]+):", css))
    assert used <= defined
    assert "prefers-reduced-motion: reduce" in css
    assert ":focus-visible" in css


# --- Browser: keyboard, phone width, screenshots ---------------------------------------------


def _launch(playwright):
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM),
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    )


@pytest.mark.e2e
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium")
def test_browser_keyboard_language_switch_and_screenshots(live_server):
    from playwright.sync_api import sync_playwright

    candidate = make_candidate(first_name_th="เกศินี", last_name_th="ใจดี")
    candidate.user.display_name = "นางสาวเกศินี ใจดี"
    candidate.user.save()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as p:
        browser = _launch(p)
        try:
            for width, height in [(360, 740), (1280, 800)]:
                context = browser.new_context(viewport={"width": width, "height": height}, locale="th-TH")
                page = context.new_page()
                page.goto(live_server.url + LOGIN_URL)
                assert page.locator("html").get_attribute("lang") == "th"
                page.evaluate("document.fonts.ready")
                assert page.evaluate("document.fonts.check('16px Sarabun', 'ก')")  # the web font loaded
                page.screenshot(path=SCREENSHOTS / f"login-th-{width}.png", full_page=True)

                # Keyboard only: focus the English button and press Enter.
                page.locator("button[value=en]").focus()
                with page.expect_navigation():
                    page.keyboard.press("Enter")
                assert page.locator("html").get_attribute("lang") == "en"
                assert page.locator("h1").inner_text() == "Log in"
                assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scroll
                page.screenshot(path=SCREENSHOTS / f"login-en-{width}.png", full_page=True)

                page.locator("button[value=th]").focus()
                with page.expect_navigation():
                    page.keyboard.press("Enter")
                assert page.locator("html").get_attribute("lang") == "th"
                page.fill("#id_username", candidate.national_id)
                page.fill("#id_password", PASSWORD)
                page.keyboard.press("Enter")
                page.wait_for_url(live_server.url + "/exam/")
                assert page.locator(".who").inner_text() == "นางสาวเกศินี ใจดี"
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                page.screenshot(path=SCREENSHOTS / f"home-candidate-th-{width}.png", full_page=True)
                # The skip link is the first stop for Tab, visible when focused, and lands on <main>.
                page.keyboard.press("Tab")
                assert page.evaluate("document.activeElement.className") == "skip-link"
                assert page.locator(".skip-link").is_visible()
                page.keyboard.press("Enter")
                assert page.evaluate("document.activeElement.id") == "main"

                # The accommodation hooks: large text scales the page and still fits the phone.
                page.evaluate("document.body.classList.add('large-text', 'high-contrast')")
                assert page.evaluate("getComputedStyle(document.body).fontSize") == "22px"
                assert (
                    page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
                )
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                page.screenshot(
                    path=SCREENSHOTS / f"home-candidate-th-large-contrast-{width}.png", full_page=True
                )
                context.close()
        finally:
            browser.close()
