"""403, 404 and 500 pages (DEBUG=False) and anonymous visitors of staff pages sent to the login."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import log_in, make_candidate, make_staff

pytestmark = pytest.mark.django_db

STAFF_PAGES = [
    "delivery:rounds",
    "scoring:rounds",
    "scoring:essay_rounds",
    "publication:officer_index",
    "qb:home",
    "eligibility:officer_index",
    "accounts:people",
    "audit:log",
]


@pytest.fixture(autouse=True)
def _no_debug(settings):
    settings.DEBUG = False


@pytest.mark.parametrize("url_name", STAFF_PAGES)
def test_staff_page_anonymous_goes_to_login_with_next(client, url_name):
    url = reverse(url_name)

    response = client.get(f"{url}?page=2")

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}%3Fpage%3D2"


def test_staff_page_anonymous_post_goes_to_login(client):
    response = client.post(reverse("audit:verify"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_403_page_styled_and_says_what_to_do(client):
    log_in(client, make_staff("proctor", display_name="สมหมาย คุมสอบ"))

    response = client.get(reverse("accounts:people"))

    assert response.status_code == 403
    body = response.content.decode()
    assert 'class="site-header"' in body  # extends base.html
    assert "ไม่มีสิทธิ์เข้าถึงหน้านี้" in body
    assert "คุณเข้าสู่ระบบในชื่อ สมหมาย คุมสอบ" in body
    assert "ออกจากระบบแล้วเข้าสู่ระบบด้วยบัญชีอื่น" in body
    assert f'href="{reverse("home")}"' in body
    assert "ติดต่อสำนักงานการสอบ" in body


def test_403_page_for_candidate_on_staff_page(client):
    client.force_login(make_candidate().user)

    response = client.get(reverse("delivery:rounds"))

    assert response.status_code == 403
    assert "ไม่มีสิทธิ์เข้าถึงหน้านี้" in response.content.decode()


def test_403_logout_button_returns_to_login_with_next(client):
    log_in(client, make_staff("proctor"))
    page = client.get(reverse("audit:log"))
    assert f'value="{reverse("accounts:login")}?next=/audit/"' in page.content.decode()

    response = client.post(reverse("accounts:logout"), {"next": f"{reverse('accounts:login')}?next=/audit/"})

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next=/audit/"


def test_404_page_styled_and_says_what_to_do(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    body = response.content.decode()
    assert 'class="site-header"' in body
    assert "ไม่พบหน้าที่ต้องการ" in body
    assert "ติดต่อสำนักงานการสอบ" in body
    assert f"{reverse('accounts:login')}?next=/no-such-page/" in body


def test_404_for_logged_in_staff_object(client):
    log_in(client, make_staff("administrator"))

    response = client.get(reverse("accounts:person", args=[999999]))

    assert response.status_code == 404
    assert "ไม่พบหน้าที่ต้องการ" in response.content.decode()


def test_500_page_styled_and_says_what_to_do(settings):
    settings.ROOT_URLCONF = "tests.common.error_urls"
    client = Client(raise_request_exception=False)

    response = client.get("/boom/")

    assert response.status_code == 500
    body = response.content.decode()
    assert 'class="site-header"' in body
    assert "ระบบขัดข้องชั่วคราว" in body
    assert "ติดต่อสำนักงานการสอบ" in body


def test_500_page_still_shown_when_context_processors_fail(settings, monkeypatch):
    settings.ROOT_URLCONF = "tests.common.error_urls"

    def broken(request):
        raise RuntimeError("the database is down too")

    monkeypatch.setattr("exam_platform.common.navigation.navigation", broken)
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "OPTIONS": {
                **settings.TEMPLATES[0]["OPTIONS"],
                "context_processors": [
                    *settings.TEMPLATES[0]["OPTIONS"]["context_processors"],
                    "tests.common.test_error_pages.failing_context_processor",
                ],
            },
        }
    ]
    client = Client(raise_request_exception=False)

    response = client.get("/boom/")

    assert response.status_code == 500
    assert "ระบบขัดข้องชั่วคราว" in response.content.decode()


def failing_context_processor(request):
    raise RuntimeError("a context processor that fails")


@pytest.mark.parametrize("path", ["/no-such-page/"])
def test_error_pages_english_ui(client, path):
    client.cookies["lang"] = "en"

    response = client.get(path)

    assert response.status_code == 404
    assert '<html lang="en"' in response.content.decode()
