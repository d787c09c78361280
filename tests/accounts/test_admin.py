from django.contrib import admin
from django_otp.admin import OTPAdminSite
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.conftest import verify_session


def test_admin_site_is_otp_admin_site():
    assert isinstance(admin.site, OTPAdminSite)


def test_admin_unverified_staff_superuser_refused(client, make_user):
    boss = make_user("boss", is_staff=True, is_superuser=True)
    TOTPDevice.objects.create(user=boss, name="phone", confirmed=True)
    client.force_login(boss)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/verify/?next=%2Fadmin%2F"


def test_admin_verified_staff_superuser_enters(client, make_user):
    boss = make_user("boss", is_staff=True, is_superuser=True)
    device = TOTPDevice.objects.create(user=boss, name="phone", confirmed=True)
    client.force_login(boss)
    verify_session(client, device)

    response = client.get("/admin/")

    assert response.status_code == 200
    assert "ระบบสอบออนไลน์ กรุงเทพมหานคร" in response.content.decode()


def test_admin_otp_site_refuses_unverified_even_without_staff_middleware(client, make_user):
    # Defence in depth: a superuser who is not kind=staff slips past the middleware, not past the site.
    boss = make_user("odd.superuser", kind="candidate", is_staff=True, is_superuser=True)
    client.force_login(boss)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/"
