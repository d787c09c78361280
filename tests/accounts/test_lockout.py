import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client

from tests.accounts.conftest import NATIONAL_ID, PASSWORD

LOGIN = "/accounts/login/"
HALL_NAT = "203.0.113.10"  # the exam hall: every candidate behind one address
HOME_WIFI = "198.51.100.7"


def _login(username, password, ip, **extra):
    client = Client()
    response = client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip, **extra)
    return client, response


def _fail_five_times(username, ip, **extra):
    for _i in range(settings.AXES_FAILURE_LIMIT):
        _login(username, "wrong-password", ip, **extra)


@pytest.fixture
def user_a(make_user):
    return make_user(NATIONAL_ID, kind="candidate")


@pytest.fixture
def user_b(make_user):
    return make_user("3100501234567", kind="candidate")


def test_lockout_settings_key_on_username_and_ip_together():
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AXES_FAILURE_LIMIT == 5


def test_lockout_five_failures_lock_user_from_that_ip_even_with_right_password(user_a):
    _fail_five_times(NATIONAL_ID, HALL_NAT)

    client, response = _login(NATIONAL_ID, PASSWORD, HALL_NAT)

    assert response.status_code == 429
    html = response.content.decode()
    assert "ถูกระงับการเข้าสู่ระบบชั่วคราว" in html
    assert "กรุณารอ 15 นาทีแล้วลองใหม่" in html
    assert '<html lang="th"' in html
    assert SESSION_KEY not in client.session


def test_lockout_four_failures_do_not_lock(user_a):
    for _i in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(NATIONAL_ID, "wrong-password", HALL_NAT)

    client, response = _login(NATIONAL_ID, PASSWORD, HALL_NAT)

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(user_a.pk)


def test_lockout_other_user_behind_same_nat_still_logs_in(user_a, user_b):
    _fail_five_times(NATIONAL_ID, HALL_NAT)

    client, response = _login("3100501234567", PASSWORD, HALL_NAT)

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(user_b.pk)


def test_lockout_same_user_from_other_ip_still_logs_in(user_a):
    _fail_five_times(NATIONAL_ID, HALL_NAT)

    client, response = _login(NATIONAL_ID, PASSWORD, HOME_WIFI)

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(user_a.pk)


def test_lockout_lifts_after_cool_off(user_a):
    _fail_five_times(NATIONAL_ID, HALL_NAT)
    assert _login(NATIONAL_ID, PASSWORD, HALL_NAT)[1].status_code == 429
    cool_off = dt.timedelta(hours=settings.AXES_COOLOFF_TIME)
    # Age the recorded failures past the cool-off instead of sleeping 15 minutes.
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= cool_off + dt.timedelta(seconds=1)
        attempt.save(update_fields=["attempt_time"])

    client, response = _login(NATIONAL_ID, PASSWORD, HALL_NAT)

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(user_a.pk)


def test_lockout_national_id_spellings_count_as_one_username(user_a):
    dashed = f"{NATIONAL_ID[0]}-{NATIONAL_ID[1:5]}-{NATIONAL_ID[5:10]}-{NATIONAL_ID[10:12]}-{NATIONAL_ID[12]}"
    thai = NATIONAL_ID.translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    for spelling in [NATIONAL_ID, dashed, dashed.replace("-", " "), thai, f" {NATIONAL_ID}"]:
        _login(spelling, "wrong-password", HALL_NAT)

    _client, response = _login(NATIONAL_ID, PASSWORD, HALL_NAT)

    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {NATIONAL_ID}


def test_lockout_spoofed_forwarded_for_does_not_escape(user_a):
    _fail_five_times(NATIONAL_ID, HALL_NAT)

    _client, response = _login(NATIONAL_ID, PASSWORD, HALL_NAT, HTTP_X_FORWARDED_FOR="192.0.2.99")

    assert response.status_code == 429


def test_lockout_successful_login_resets_failures(user_a):
    for _i in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(NATIONAL_ID, "wrong-password", HALL_NAT)
    assert _login(NATIONAL_ID, PASSWORD, HALL_NAT)[1].status_code == 302

    for _i in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(NATIONAL_ID, "wrong-password", HALL_NAT)
    _client, response = _login(NATIONAL_ID, PASSWORD, HALL_NAT)

    assert response.status_code == 302
