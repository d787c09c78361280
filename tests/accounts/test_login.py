import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse

from tests.accounts.conftest import NATIONAL_ID, PASSWORD

LOGIN = "/accounts/login/"
WRONG_CREDENTIALS = "เลขประจำตัวประชาชน/ชื่อผู้ใช้ หรือรหัสผ่านไม่ถูกต้อง (Incorrect ID/username or password)."


def _dashed(digits: str) -> str:
    return f"{digits[0]}-{digits[1:5]}-{digits[5:10]}-{digits[10:12]}-{digits[12]}"


def _thai_digits(text: str) -> str:
    return text.translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))


@pytest.mark.parametrize(
    "spelling",
    [
        pytest.param(NATIONAL_ID, id="bare"),
        pytest.param(_dashed(NATIONAL_ID), id="dashed"),
        pytest.param(_dashed(NATIONAL_ID).replace("-", " "), id="spaced"),
        pytest.param(f"  {NATIONAL_ID}  ", id="padded"),
        pytest.param(_thai_digits(_dashed(NATIONAL_ID)), id="thai-digits"),
    ],
)
def test_login_candidate_any_national_id_spelling_logs_in(client, candidate, spelling):
    response = client.post(LOGIN, {"username": spelling, "password": PASSWORD}, REMOTE_ADDR="10.1.0.1")

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session[SESSION_KEY] == str(candidate.pk)


def test_login_candidate_never_asked_for_two_factor(client, candidate):
    client.post(LOGIN, {"username": NATIONAL_ID, "password": PASSWORD}, REMOTE_ADDR="10.1.0.1")

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("delivery:candidate_home")  # their exams, no two-factor step


@pytest.mark.parametrize("username", ["1-2345", "1234567890123", "๑๒๓", "not an id at all"])
def test_login_invalid_looking_id_says_only_wrong_credentials(client, candidate, username):
    response = client.post(LOGIN, {"username": username, "password": PASSWORD}, REMOTE_ADDR="10.1.0.2")

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors == {"__all__": [WRONG_CREDENTIALS]}
    assert SESSION_KEY not in client.session


def test_login_candidate_wrong_password_refused(client, candidate):
    response = client.post(LOGIN, {"username": NATIONAL_ID, "password": "wrong"}, REMOTE_ADDR="10.1.0.3")

    assert response.status_code == 200
    assert WRONG_CREDENTIALS in response.content.decode()
    assert SESSION_KEY not in client.session


def test_login_page_thai_and_accessible(client, db):
    response = client.get(LOGIN)

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="th"' in html
    assert '<label for="id_username">เลขประจำตัวประชาชน หรือ ชื่อผู้ใช้</label>' in html
    assert 'autocomplete="username"' in html
    assert 'autocomplete="current-password"' in html
    assert 'aria-describedby="id_username_helptext"' in html
    assert 'id="id_username_helptext"' in html


def test_login_error_summary_is_an_alert(client, candidate):
    response = client.post(LOGIN, {"username": NATIONAL_ID, "password": "wrong"}, REMOTE_ADDR="10.1.0.4")

    html = response.content.decode()
    assert 'class="error-summary" role="alert"' in html


def test_login_staff_lands_on_enrolment(client, staff):
    response = client.post(LOGIN, {"username": "somchai.staff", "password": PASSWORD}, follow=True)

    assert response.redirect_chain[-1][0] == "/accounts/two-factor/setup/?next=%2F"
    assert response.templates[0].name == "accounts/otp_setup.html"


def test_logout_flushes_session(client, candidate):
    client.post(LOGIN, {"username": NATIONAL_ID, "password": PASSWORD}, REMOTE_ADDR="10.1.0.5")
    session = client.session
    session["exam_note"] = "kept until logout"
    session.save()
    old_key = session.session_key

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert not SessionStore().exists(old_key)
    assert SESSION_KEY not in client.session
    assert "exam_note" not in client.session
    assert client.get(reverse("home")).status_code == 302
