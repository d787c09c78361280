import threading

import pytest
from django.db import connection
from django_otp import devices_for_user, verify_token

from exam_platform.accounts.models import BackupCode, BackupCodeDevice, normalise_backup_code
from exam_platform.accounts.services import two_factor
from exam_platform.common.models import AuditEntry


def test_backup_codes_ten_distinct_codes_stored_as_salted_hashes(staff):
    codes = two_factor.regenerate_backup_codes(staff)

    rows = list(BackupCode.objects.filter(device__user=staff))
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert len(rows) == 10
    assert len({r.salt for r in rows}) == 10
    for code in codes:
        assert not any(normalise_backup_code(code) in r.digest + r.salt for r in rows)
        assert sum(r.matches(normalise_backup_code(code)) for r in rows) == 1


def test_backup_codes_found_by_devices_for_user(staff, staff_device):
    two_factor.regenerate_backup_codes(staff)

    devices = list(devices_for_user(staff))

    assert {type(d).__name__ for d in devices} == {"TOTPDevice", "BackupCodeDevice"}


def test_backup_codes_regenerate_invalidates_old(staff):
    old = two_factor.regenerate_backup_codes(staff)
    new = two_factor.regenerate_backup_codes(staff)
    device = BackupCodeDevice.objects.get(user=staff)

    assert device.verify_token(old[0]) is False
    device.throttle_reset()
    assert device.verify_token(new[0]) is True
    assert BackupCodeDevice.objects.filter(user=staff).count() == 1
    assert AuditEntry.objects.filter(action="accounts.two_factor.backup_codes_generated").count() == 2


def test_backup_codes_usable_through_django_otp_verify_token(staff):
    codes = two_factor.regenerate_backup_codes(staff)
    device = BackupCodeDevice.objects.get(user=staff)

    accepted = verify_token(staff, device.persistent_id, codes[0])

    assert accepted == device


def test_backup_codes_race_control_both_requests_find_the_same_unused_row(staff):
    # Control: the window exists. Two requests that read before either writes both see the code unused.
    codes = two_factor.regenerate_backup_codes(staff)
    code = normalise_backup_code(codes[0])
    device_a = BackupCodeDevice.objects.get(user=staff)
    device_b = BackupCodeDevice.objects.get(user=staff)

    row_a = device_a.match_unused_code(code)
    row_b = device_b.match_unused_code(code)

    assert row_a is not None
    assert row_b is not None
    assert row_a.pk == row_b.pk
    # A naive "read, check used_at, save" would now accept the code twice:
    assert row_a.used_at is None
    assert row_b.used_at is None


def test_backup_codes_race_conditional_update_lets_only_one_consume(staff):
    codes = two_factor.regenerate_backup_codes(staff)
    code = normalise_backup_code(codes[0])
    row_a = BackupCodeDevice.objects.get(user=staff).match_unused_code(code)
    row_b = BackupCodeDevice.objects.get(user=staff).match_unused_code(code)

    results = [row_a.consume(), row_b.consume()]

    assert results == [True, False]
    assert BackupCode.objects.filter(used_at__isnull=False).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrent transactions need PostgreSQL")
def test_backup_codes_concurrent_use_accepted_once_on_postgresql(make_user):
    staff = make_user("race.staff")
    codes = two_factor.regenerate_backup_codes(staff)
    device_id = BackupCodeDevice.objects.get(user=staff).persistent_id
    barrier = threading.Barrier(4)
    results = []

    def use_code():
        try:
            barrier.wait()
            results.append(verify_token(staff, device_id, codes[0]) is not None)
        finally:
            connection.close()

    threads = [threading.Thread(target=use_code) for _i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(results) == [False, False, False, True]
    assert BackupCode.objects.filter(used_at__isnull=False).count() == 1
