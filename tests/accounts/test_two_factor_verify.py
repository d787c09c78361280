import datetime as dt

from django_otp import DEVICE_ID_SESSION_KEY

from exam_platform.accounts.models import BackupCodeDevice
from exam_platform.accounts.services import two_factor
from exam_platform.common.models import AuditEntry
from tests.accounts.conftest import totp_code

VERIFY = "/accounts/two-factor/verify/"
INVALID = "รหัสยืนยันไม่ถูกต้อง (Invalid code)."


def _wrong(device) -> str:
    return f"{(int(totp_code(device)) + 500000) % 1000000:06d}"


def _age_last_failure(device, seconds: int) -> None:
    device.throttling_failure_timestamp -= dt.timedelta(seconds=seconds)
    device.save(update_fields=["throttling_failure_timestamp"])


def test_otp_verify_page_accessible_markup(client, staff, staff_device):
    client.force_login(staff)

    response = client.get(VERIFY)

    html = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_token">รหัสยืนยัน 6 หลักจากแอป</label>' in html
    assert 'autocomplete="one-time-code"' in html
    assert 'inputmode="numeric"' in html
    assert 'aria-describedby="id_token_helptext"' in html


def test_otp_verify_right_code_verifies_and_redirects_next(client, staff, staff_device):
    client.force_login(staff)
    before_key = client.session.session_key

    response = client.post(VERIFY, {"token": totp_code(staff_device), "next": "/admin/"})

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.session[DEVICE_ID_SESSION_KEY] == staff_device.persistent_id
    assert client.session.session_key != before_key


def test_otp_verify_unsafe_next_goes_home(client, staff, staff_device):
    client.force_login(staff)

    response = client.post(VERIFY, {"token": totp_code(staff_device), "next": "https://evil.example/"})

    assert response["Location"] == "/"


def test_otp_verify_wrong_code_refused_thai_english(client, staff, staff_device):
    client.force_login(staff)

    response = client.post(VERIFY, {"token": _wrong(staff_device)})

    staff_device.refresh_from_db()
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"].errors == {"token": [INVALID]}
    assert 'class="error-summary" role="alert"' in html
    assert 'aria-invalid="true"' in html
    assert staff_device.throttling_failure_count == 1
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_otp_verify_throttle_refuses_right_code_right_after_failure(client, staff, staff_device):
    client.force_login(staff)
    client.post(VERIFY, {"token": _wrong(staff_device)})

    response = client.post(VERIFY, {"token": totp_code(staff_device)})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "ลองผิดหลายครั้งเกินไป กรุณารอ 1 วินาทีแล้วลองใหม่ (Too many wrong codes; wait 1 seconds and try again)."
    ]
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_otp_verify_throttle_delay_doubles(client, staff, staff_device):
    client.force_login(staff)
    for _i in range(3):
        client.post(VERIFY, {"token": _wrong(staff_device)})
        staff_device.refresh_from_db()
        _age_last_failure(staff_device, 3600)
    staff_device.refresh_from_db()
    assert staff_device.throttling_failure_count == 3
    client.post(VERIFY, {"token": _wrong(staff_device)})
    staff_device.refresh_from_db()
    _age_last_failure(staff_device, 7)  # fourth failure requires 8 s

    response = client.post(VERIFY, {"token": totp_code(staff_device)})

    assert "กรุณารอ 1 วินาที" in response.context["form"].non_field_errors()[0]


def test_otp_verify_throttle_lifts_after_delay(client, staff, staff_device):
    client.force_login(staff)
    client.post(VERIFY, {"token": _wrong(staff_device)})
    staff_device.refresh_from_db()
    _age_last_failure(staff_device, 2)

    response = client.post(VERIFY, {"token": totp_code(staff_device)})

    staff_device.refresh_from_db()
    assert response.status_code == 302
    assert staff_device.throttling_failure_count == 0


def test_otp_verify_same_code_not_accepted_twice(client, staff, staff_device):
    code = totp_code(staff_device)
    client.force_login(staff)
    client.post(VERIFY, {"token": code})
    client.post("/accounts/logout/")
    client.force_login(staff)

    response = client.post(VERIFY, {"token": code})

    assert response.status_code == 200
    assert response.context["form"].errors == {"token": [INVALID]}


def test_otp_verify_backup_code_option_shown_when_codes_exist(client, staff, staff_device):
    two_factor.regenerate_backup_codes(staff)
    client.force_login(staff)

    html = client.get(VERIFY + "?next=/x/").content.decode()

    assert "ไม่มีโทรศัพท์? ใช้รหัสสำรอง" in html
    assert 'href="/accounts/two-factor/verify/?method=backup&amp;next=%2Fx%2F"' in html


def test_otp_verify_backup_code_accepted_once(client, staff, staff_device):
    codes = two_factor.regenerate_backup_codes(staff)
    client.force_login(staff)

    first = client.post(VERIFY, {"method": "backup", "token": codes[3].upper().replace("-", " ")})

    backup = BackupCodeDevice.objects.get(user=staff)
    assert first.status_code == 302
    assert client.session[DEVICE_ID_SESSION_KEY] == backup.persistent_id
    assert backup.unused_codes().count() == 9
    entry = AuditEntry.objects.get(action="accounts.two_factor.backup_code_used")
    assert (entry.before, entry.after) == ({"unused_codes": 10}, {"unused_codes": 9})
    client.post("/accounts/logout/")
    client.force_login(staff)
    backup.refresh_from_db()
    backup.throttling_failure_timestamp = None
    backup.save()
    second = client.post(VERIFY, {"method": "backup", "token": codes[3]})
    assert second.status_code == 200
    assert second.context["form"].errors == {"token": [INVALID]}


def test_otp_verify_backup_code_wrong_is_throttled(client, staff, staff_device):
    codes = two_factor.regenerate_backup_codes(staff)
    client.force_login(staff)
    client.post(VERIFY, {"method": "backup", "token": "zzzzz-zzzzz"})

    response = client.post(VERIFY, {"method": "backup", "token": codes[0]})

    assert response.status_code == 200
    assert "กรุณารอ" in response.context["form"].non_field_errors()[0]
    assert BackupCodeDevice.objects.get(user=staff).unused_codes().count() == 10


def test_otp_verify_backup_only_user_sees_backup_form(client, staff):
    codes = two_factor.regenerate_backup_codes(staff)
    client.force_login(staff)

    page = client.get(VERIFY)
    response = client.post(VERIFY, {"token": codes[0]})

    assert page.context["method"] == "backup"
    assert response.status_code == 302


def test_otp_verify_already_verified_redirects(verified_staff_client):
    response = verified_staff_client.get(VERIFY + "?next=/admin/")

    assert response["Location"] == "/admin/"


def test_otp_verify_candidate_redirected(client, candidate):
    client.force_login(candidate)

    response = client.get(VERIFY)

    assert response["Location"] == "/"
