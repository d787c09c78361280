"""The first-login page: national ID + activation code, then the candidate's own password."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from exam_platform.accounts.activation_codes import format_code
from exam_platform.accounts.models import ActivationCode, User
from exam_platform.accounts.services.activation import issue_activation_codes, usable_codes
from exam_platform.common.models import AuditEntry
from tests.factories import make_candidate

ACTIVATE = reverse("accounts:activate")
PASSWORD_STEP = reverse("accounts:activate_password")
NEW_PASSWORD = "ภูเขา-ทะเล-2569-x"
WRONG = "รหัสเปิดใช้งานไม่ถูกต้อง"


@pytest.fixture
def candidate(db):
    candidate = make_candidate()
    candidate.user.set_unusable_password()
    candidate.user.save()
    issue_activation_codes([candidate.user_id])
    return candidate


def code_of(candidate) -> str:
    return format_code(usable_codes([candidate.user_id])[candidate.user_id].code)


def activate(client, national_id, code, ip="203.0.113.10"):
    return client.post(ACTIVATE, {"username": national_id, "activation_code": code}, REMOTE_ADDR=ip)


def test_first_login_success_sets_password_and_logs_in(client, candidate):
    response = activate(client, candidate.national_id, code_of(candidate).lower())
    assert response.status_code == 302 and response.url == PASSWORD_STEP
    page = client.get(PASSWORD_STEP).content.decode()
    assert "ตั้งรหัสผ่าน" in page and candidate.national_id not in page

    response = client.post(PASSWORD_STEP, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert response.status_code == 302 and response.url == reverse(settings.LOGIN_REDIRECT_URL)
    assert client.session[SESSION_KEY] == str(candidate.user_id)
    user = User.objects.get(pk=candidate.user_id)
    assert user.check_password(NEW_PASSWORD)
    assert ActivationCode.objects.get(user=user).used_at is not None
    assert AuditEntry.objects.order_by("-seq").first().action == "accounts.activation_code.use"
    later = Client()
    login = later.post(
        reverse("accounts:login"), {"username": candidate.national_id, "password": NEW_PASSWORD}
    )
    assert login.status_code == 302 and later.session[SESSION_KEY] == str(user.pk)


def test_first_login_password_rules_shown_in_thai_and_code_kept(client, candidate):
    activate(client, candidate.national_id, code_of(candidate))

    response = client.post(PASSWORD_STEP, {"new_password1": "12345678", "new_password2": "12345678"})

    html = response.content.decode()
    assert response.status_code == 400
    assert "รหัสผ่านสั้นเกินไป ต้องมีอย่างน้อย 10 ตัวอักษร" in html
    assert "รหัสผ่านต้องไม่เป็นตัวเลขทั้งหมด" in html
    assert ActivationCode.objects.usable().filter(user=candidate.user).exists()  # not used up
    mismatch = client.post(
        PASSWORD_STEP, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"}
    )
    assert "รหัสผ่านทั้งสองช่องไม่ตรงกัน" in mismatch.content.decode()


def test_first_login_wrong_code_and_unknown_id_give_the_same_thai_error(client, candidate):
    wrong = activate(client, candidate.national_id, "ABCD-EFGH-JK")
    unknown = activate(Client(), "1101700203451", code_of(candidate))

    assert wrong.status_code == unknown.status_code == 400
    assert WRONG in wrong.content.decode() and WRONG in unknown.content.decode()
    assert SESSION_KEY not in client.session
    assert "accounts_activation" not in client.session


def test_first_login_expired_code_is_refused(client, candidate):
    code = code_of(candidate)
    ActivationCode.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))

    response = activate(client, candidate.national_id, code)

    assert response.status_code == 400 and WRONG in response.content.decode()


def test_first_login_used_code_is_refused(client, candidate):
    code = code_of(candidate)
    activate(client, candidate.national_id, code)
    client.post(PASSWORD_STEP, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    again = activate(Client(), candidate.national_id, code)

    assert again.status_code == 400 and WRONG in again.content.decode()


def test_first_login_password_step_without_code_goes_back(client, candidate):
    response = client.get(PASSWORD_STEP)
    assert response.status_code == 302 and response.url == ACTIVATE


def test_first_login_code_superseded_between_steps_stops_the_second(client, candidate):
    activate(client, candidate.national_id, code_of(candidate))
    issue_activation_codes([candidate.user_id])  # an officer issued a new one meanwhile

    response = client.post(PASSWORD_STEP, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert response.status_code == 302 and response.url == ACTIVATE
    assert not User.objects.get(pk=candidate.user_id).has_usable_password()


def test_first_login_locks_out_after_five_wrong_codes_even_with_the_right_one(client, candidate):
    for _i in range(settings.AXES_FAILURE_LIMIT):
        activate(client, candidate.national_id, "ABCD-EFGH-JK")

    response = activate(client, candidate.national_id, code_of(candidate))

    assert response.status_code == 429
    assert "ถูกระงับการเข้าสู่ระบบชั่วคราว" in response.content.decode()
    assert "accounts_activation" not in client.session
    other_address = activate(Client(), candidate.national_id, code_of(candidate), ip="198.51.100.7")
    assert other_address.status_code == 302  # the hall's NAT is not locked for everybody


def test_first_login_lockout_log_does_not_keep_the_code(client, candidate):
    from axes.models import AccessAttempt, AccessFailureLog

    activate(client, candidate.national_id, "ABCD-EFGH-JK")

    logged = " ".join(a.post_data for a in AccessAttempt.objects.all())
    logged += " ".join(getattr(f, "post_data", "") or "" for f in AccessFailureLog.objects.all())
    assert "ABCD-EFGH-JK" not in logged
    assert AccessAttempt.objects.get().username == candidate.national_id


def test_login_page_links_to_first_login(client):
    assert ACTIVATE in client.get(reverse("accounts:login")).content.decode()
