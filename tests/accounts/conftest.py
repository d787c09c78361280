import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from exam_platform.accounts.models import User
from exam_platform.common.national_id import make_valid

PASSWORD = "correct-horse-battery-9"
NATIONAL_ID = make_valid("110170020345")  # 13 digits with a valid check digit


def totp_code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now (or `steps_ahead` 30-second steps later)."""
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift + steps_ahead)
    return f"{value:0{device.digits}d}"


def verify_session(client, device) -> None:
    """Mark the client's session as having passed two-factor with `device`."""
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture
def make_user(db):
    def make(username: str, *, kind: str = User.Kind.STAFF, password: str = PASSWORD, **extra) -> User:
        return User.objects.create_user(username=username, password=password, kind=kind, **extra)

    return make


@pytest.fixture
def staff(make_user) -> User:
    return make_user("somchai.staff", display_name="สมชาย ใจดี")


@pytest.fixture
def candidate(make_user) -> User:
    return make_user(NATIONAL_ID, kind=User.Kind.CANDIDATE, display_name="กมลชนก แสงอรุณ")


@pytest.fixture
def staff_device(staff) -> TOTPDevice:
    return TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)


@pytest.fixture
def verified_staff_client(client, staff, staff_device):
    client.force_login(staff)
    verify_session(client, staff_device)
    return client
