import pytest
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from exam_platform.accounts.models import BackupCode, BackupCodeDevice
from exam_platform.accounts.reauth import mark_reauthenticated
from exam_platform.accounts.services import two_factor
from exam_platform.common.models import AuditEntry
from tests.accounts.conftest import totp_code, verify_session

SETUP = "/accounts/two-factor/setup/"


def _pending(user) -> TOTPDevice:
    return TOTPDevice.objects.get(user=user, confirmed=False)


def test_otp_setup_get_creates_unconfirmed_device_and_shows_qr(client, staff):
    client.force_login(staff)

    response = client.get(SETUP)

    device = _pending(staff)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<svg") == 1
    assert 'class="qr-code"' in html
    assert 'role="img" aria-labelledby="qr-caption"' in html
    assert response.context["secret_grouped"] == " ".join(
        response.context["secret_grouped"].replace(" ", "")[i : i + 4] for i in range(0, 32, 4)
    )
    assert len(response.context["secret_grouped"].replace(" ", "")) == 32
    assert response.context["secret_grouped"] in html
    assert 'autocomplete="one-time-code"' in html
    assert 'inputmode="numeric"' in html
    assert device.config_url.startswith("otpauth://totp/")
    assert "no-store" in response["Cache-Control"].split(", ")


def test_otp_setup_reload_in_same_session_keeps_the_same_secret(client, staff):
    client.force_login(staff)
    first = client.get(SETUP).context["secret_grouped"]

    second = client.get(SETUP).context["secret_grouped"]

    assert first == second
    assert TOTPDevice.objects.filter(user=staff).count() == 1


def test_otp_setup_confirm_with_right_code_verifies_and_shows_backup_codes_once(client, staff):
    client.force_login(staff)
    client.get(SETUP + "?next=/exams/")
    device = _pending(staff)

    response = client.post(SETUP, {"token": totp_code(device), "next": "/exams/"})

    device.refresh_from_db()
    assert response.status_code == 200
    assert response.templates[0].name == "accounts/backup_codes.html"
    assert "no-store" in response["Cache-Control"].split(", ")
    codes = response.context["codes"]
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert all(len(c) == 11 and c[5] == "-" for c in codes)
    assert response.context["continue_url"] == "/exams/"
    assert device.confirmed is True
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get("/").status_code == 200
    backup = BackupCodeDevice.objects.get(user=staff)
    assert backup.unused_codes().count() == 10
    stored = list(BackupCode.objects.values_list("salt", "digest"))
    assert all(code.replace("-", "") not in salt + digest for code in codes for salt, digest in stored)
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert actions == ["accounts.two_factor.totp_enrolled", "accounts.two_factor.backup_codes_generated"]


def test_otp_setup_code_with_spaces_and_thai_digits_accepted(client, staff):
    client.force_login(staff)
    client.get(SETUP)
    device = _pending(staff)
    code = totp_code(device)
    spaced_thai = f"{code[:3]} {code[3:]}".translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))

    client.post(SETUP, {"token": spaced_thai})

    device.refresh_from_db()
    assert device.confirmed is True


def test_otp_setup_wrong_code_refused_with_thai_and_english_error(client, staff):
    client.force_login(staff)
    client.get(SETUP)
    device = _pending(staff)
    wrong = f"{(int(totp_code(device)) + 500000) % 1000000:06d}"

    response = client.post(SETUP, {"token": wrong})

    device.refresh_from_db()
    assert response.status_code == 200
    assert response.context["form"].errors == {"token": ["รหัสยืนยันไม่ถูกต้อง (Invalid code)."]}
    assert 'role="alert"' in response.content.decode()
    assert device.confirmed is False
    assert device.throttling_failure_count == 1
    assert DEVICE_ID_SESSION_KEY not in client.session
    assert AuditEntry.objects.count() == 0


def test_otp_setup_non_numeric_code_gets_format_error(client, staff):
    client.force_login(staff)
    client.get(SETUP)

    response = client.post(SETUP, {"token": "12ab56"})

    assert response.context["form"].errors == {
        "token": ["รหัสยืนยันต้องเป็นตัวเลข 6 หลัก (The code must be 6 digits)."]
    }


def test_otp_setup_secret_from_another_session_cannot_be_confirmed(staff):
    other = Client()
    other.force_login(staff)
    other.get(SETUP)
    stolen = _pending(staff)
    mine = Client()
    mine.force_login(staff)
    mine.get(SETUP)

    response = other.post(SETUP, {"token": totp_code(stolen)})

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=stolen.pk).exists()
    assert TOTPDevice.objects.filter(user=staff, confirmed=True).count() == 0


def test_otp_setup_unverified_staff_with_device_cannot_enrol_another(client, staff, staff_device):
    client.force_login(staff)

    response = client.get(SETUP)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/verify/")
    assert TOTPDevice.objects.filter(user=staff).count() == 1


def test_otp_setup_replacement_needs_recent_password(verified_staff_client, staff):
    response = verified_staff_client.get(SETUP)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:two_factor_settings")


def test_otp_setup_replacement_removes_old_device_and_keeps_backup_codes(
    verified_staff_client, staff, staff_device, rf
):
    client = verified_staff_client
    two_factor.regenerate_backup_codes(staff)
    session = client.session
    request = rf.get("/")
    request.session = session
    mark_reauthenticated(request)
    session.save()
    client.get(SETUP)
    new_device = _pending(staff)

    response = client.post(SETUP, {"token": totp_code(new_device)})

    assert response.status_code == 302
    assert list(TOTPDevice.objects.filter(user=staff).values_list("pk", flat=True)) == [new_device.pk]
    assert BackupCodeDevice.objects.get(user=staff).unused_codes().count() == 10
    entry = AuditEntry.objects.get(action="accounts.two_factor.totp_enrolled")
    assert entry.before == {"replaced_device_ids": [staff_device.pk]}
    assert client.session[DEVICE_ID_SESSION_KEY] == f"otp_totp.totpdevice/{new_device.pk}"


def test_otp_setup_candidate_sent_home(client, candidate):
    client.force_login(candidate)

    response = client.get(SETUP)

    assert response["Location"] == "/"
    assert not TOTPDevice.objects.exists()


def test_otp_setup_session_key_rotates_on_verification(client, staff):
    client.force_login(staff)
    client.get(SETUP)
    before = client.session.session_key

    client.post(SETUP, {"token": totp_code(_pending(staff))})

    assert client.session.session_key != before


@pytest.mark.parametrize("factor_setting", ["OTP_TOTP_THROTTLE_FACTOR", "OTP_BACKUP_THROTTLE_FACTOR"])
def test_otp_throttle_switched_on(factor_setting, settings):
    assert getattr(settings, factor_setting) >= 1


def test_verify_session_helper_marks_verified(client, staff, staff_device):
    client.force_login(staff)
    verify_session(client, staff_device)

    assert client.get("/").status_code == 200
