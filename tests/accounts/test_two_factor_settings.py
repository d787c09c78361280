import time

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from exam_platform.accounts.models import BackupCodeDevice
from exam_platform.accounts.reauth import REAUTH_SESSION_KEY
from exam_platform.accounts.services import two_factor
from exam_platform.common.models import AuditEntry
from tests.accounts.conftest import PASSWORD

SETTINGS_PAGE = "/accounts/two-factor/"
REAUTH = "/accounts/two-factor/reauth/"
REGENERATE = "/accounts/two-factor/backup-codes/"


def _set_reauth(client, stamp: float) -> None:
    session = client.session
    session[REAUTH_SESSION_KEY] = stamp
    session.save()


def test_two_factor_settings_lists_devices_and_asks_password(verified_staff_client, staff):
    two_factor.regenerate_backup_codes(staff)

    response = verified_staff_client.get(SETTINGS_PAGE)

    html = response.content.decode()
    assert response.status_code == 200
    assert "phone" in html
    assert "เหลือ 10 จาก 10 รหัส" in html
    assert 'action="/accounts/two-factor/reauth/"' in html
    assert 'autocomplete="current-password"' in html
    assert 'action="/accounts/two-factor/backup-codes/"' not in html


def test_two_factor_regenerate_without_reauth_refused(verified_staff_client, staff):
    old = two_factor.regenerate_backup_codes(staff)

    response = verified_staff_client.post(REGENERATE)

    assert response.status_code == 302
    assert response["Location"] == SETTINGS_PAGE
    device = BackupCodeDevice.objects.get(user=staff)
    assert device.verify_token(old[0]) is True


def test_two_factor_reauth_wrong_password_refused(verified_staff_client):
    response = verified_staff_client.post(REAUTH, {"password": "not-my-password"})

    assert response.status_code == 400
    assert response.context["reauth_form"].errors == {"password": ["รหัสผ่านไม่ถูกต้อง (Incorrect password)."]}
    assert REAUTH_SESSION_KEY not in verified_staff_client.session


def test_two_factor_reauth_then_regenerate_shows_new_codes_and_audits(verified_staff_client, staff):
    old = two_factor.regenerate_backup_codes(staff)

    reauth = verified_staff_client.post(REAUTH, {"password": PASSWORD})
    response = verified_staff_client.post(REGENERATE)

    assert reauth.status_code == 302
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"].split(", ")
    new = response.context["codes"]
    assert len(new) == 10
    assert set(new).isdisjoint(old)
    device = BackupCodeDevice.objects.get(user=staff)
    assert device.verify_token(old[0]) is False
    device.throttle_reset()
    assert device.verify_token(new[0]) is True
    entry = AuditEntry.objects.filter(action="accounts.two_factor.backup_codes_generated").last()
    assert entry.actor_id == staff.pk
    assert entry.after == {"unused_codes": 10, "reason": "regenerated"}


def test_two_factor_reauth_window_expires(verified_staff_client, staff):
    _set_reauth(verified_staff_client, time.time() - settings.REAUTH_WINDOW_SECONDS - 1)

    regenerate = verified_staff_client.post(REGENERATE)
    enrol = verified_staff_client.get("/accounts/two-factor/setup/")

    assert regenerate["Location"] == SETTINGS_PAGE
    assert enrol["Location"] == SETTINGS_PAGE
    assert not BackupCodeDevice.objects.filter(user=staff).exists()
    assert TOTPDevice.objects.filter(user=staff, confirmed=False).count() == 0


def test_two_factor_reauth_within_window_allows_enrolment(verified_staff_client, staff):
    _set_reauth(verified_staff_client, time.time() - settings.REAUTH_WINDOW_SECONDS + 30)

    response = verified_staff_client.get("/accounts/two-factor/setup/")

    assert response.status_code == 200
    assert TOTPDevice.objects.filter(user=staff, confirmed=False).count() == 1


def test_two_factor_settings_unverified_staff_redirected(client, staff, staff_device):
    client.force_login(staff)

    response = client.get(SETTINGS_PAGE)

    assert response["Location"] == "/accounts/two-factor/verify/?next=%2Faccounts%2Ftwo-factor%2F"


def test_two_factor_settings_candidate_sent_home(client, candidate):
    client.force_login(candidate)

    response = client.get(SETTINGS_PAGE)

    assert response["Location"] == "/"


def test_two_factor_reauth_get_not_allowed(verified_staff_client):
    assert verified_staff_client.get(REAUTH).status_code == 405
