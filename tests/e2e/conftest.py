"""Browser end-to-end fixtures, shared by every tests/e2e module.

Debian's Chromium (/usr/bin/chromium, or $CHROMIUM_PATH) driven by Playwright's sync API against
pytest-django's `live_server`. Without the browser the e2e tests are skipped with the reason, unless
REQUIRE_BROWSER=1 (CI), where a missing browser is a failure.

Fixtures:
    browser            Chromium, one per test module
    page               a fresh context + page per test, base_url = live_server.url, Thai locale
    screenshot(name)   saves var/screenshots/<name>.png (full page) and returns the path
    login_as(user, device=None)
                       puts a logged-in session cookie (optionally two-factor verified with
                       `device`) into the page's context, without going through the login form
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio loop in this thread; Django would otherwise refuse ORM
# calls from the test body ("You cannot call this from an async context").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "var" / "screenshots"
VIEWPORT = {"width": 1280, "height": 900}


def _browser_required() -> bool:
    return os.environ.get("REQUIRE_BROWSER", "") == "1"


# Module scope, not session: Playwright's sync API keeps an asyncio loop running in this thread
# while it is open, and pytest-django runs database-free tests last, so a session-wide browser
# would still be open when plain async tests (pytest-asyncio) run, and they could not start a loop.
@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        reason = f"Chromium not found at {CHROMIUM} (apt install chromium, or set CHROMIUM_PATH)"
        if _browser_required():
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def browser_context(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="th-TH", timezone_id="Asia/Bangkok", viewport=VIEWPORT
    )
    context.set_default_timeout(10_000)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page(browser_context):
    return browser_context.new_page()


@pytest.fixture
def screenshot(page):
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)

    def take(name: str, *, full_page: bool = True) -> Path:
        path = SCREENSHOT_DIR / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


@pytest.fixture
def login_as(browser_context, live_server):
    """Log `user` in by cookie; with `device`, the session is also two-factor verified."""
    from django.conf import settings
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    def log_in(user, device=None) -> None:
        client = Client()
        client.force_login(user)
        if device is not None:
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        browser_context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )

    return log_in
