"""Demo accounts: two logins per staff role and three candidates, for demonstrations and local
development only.

DEMO ONLY. Everything here is public on purpose: the password, the TOTP secrets (derived from the
username with a fixed, published salt) and the national IDs. `seed_demo` refuses to run when
DEBUG is off unless forced; never force it on a server that real people use.
"""

import datetime as dt
import hashlib
from base64 import b32encode
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import transaction

from exam_platform.accounts.models import Candidate, User
from exam_platform.accounts.roles import ROLE_LABELS, Role, sync_role_groups
from exam_platform.common.audit import record_audit
from exam_platform.common.national_id import format_national_id, make_valid

DEMO_PASSWORD = "demo-pass-2569"  # noqa: S105 - DEMO ONLY, public on purpose: printed by seed_demo.
DEMO_DEVICE_NAME = "DEMO ONLY authenticator"
_DEMO_TOTP_SALT = "exam-platform DEMO ONLY TOTP secret, published in the source code:"


@dataclass(frozen=True)
class DemoStaff:
    role: str
    username: str
    first_name: str
    last_name: str


@dataclass(frozen=True)
class DemoCandidate:
    first_twelve_digits: str
    title: str
    first_name_th: str
    last_name_th: str
    first_name_en: str
    last_name_en: str
    date_of_birth: dt.date
    disability_details: str = ""
    accommodation_needs: dict | None = None

    @property
    def national_id(self) -> str:
        return make_valid(self.first_twelve_digits)


DEMO_STAFF = (
    DemoStaff(Role.EXAMINER, "demo.examiner", "วิไลวรรณ", "ศรีสุข"),
    DemoStaff(Role.EXAM_OFFICER, "demo.officer", "ประเสริฐ", "มั่นคง"),
    DemoStaff(Role.PROCTOR, "demo.proctor", "สุนทร", "เฝ้าระวัง"),
    DemoStaff(Role.INTERVIEWER, "demo.interviewer", "จันทร์เพ็ญ", "รอบรู้"),
    DemoStaff(Role.PANEL_CHAIR, "demo.chair", "ชาญชัย", "ธรรมเที่ยง"),
    DemoStaff(Role.AUDITOR, "demo.auditor", "พิมพ์ชนก", "ตรวจตรา"),
    DemoStaff(Role.ADMINISTRATOR, "demo.admin", "อำนาจ", "ดูแลดี"),
    # A second account for each staff role: four-eyes review and two-person approval (an item's
    # author cannot approve it; a rank list or key correction needs a second officer) can be tried
    # at once, in two browsers.
    DemoStaff(Role.EXAMINER, "demo.examiner2", "สมศรี", "ตั้งใจ"),
    DemoStaff(Role.EXAM_OFFICER, "demo.officer2", "กิตติพงษ์", "ยุติธรรม"),
    DemoStaff(Role.PROCTOR, "demo.proctor2", "มาลัย", "ระวังภัย"),
    DemoStaff(Role.INTERVIEWER, "demo.interviewer2", "วีระ", "ซักถาม"),
    DemoStaff(Role.PANEL_CHAIR, "demo.chair2", "ประภา", "เที่ยงตรง"),
    DemoStaff(Role.AUDITOR, "demo.auditor2", "ธีรวัฒน์", "สอบทาน"),
    DemoStaff(Role.ADMINISTRATOR, "demo.admin2", "นงลักษณ์", "จัดการดี"),
)

DEMO_CANDIDATES = (
    DemoCandidate(
        "110170020345",
        Candidate.Title.MISS,
        "กมลชนก",
        "แสงอรุณ",
        "Kamonchanok",
        "Saeng-arun",
        dt.date(1998, 3, 14),
    ),
    DemoCandidate(
        "310050123456",
        Candidate.Title.MR,
        "ธนากร",
        "บุญประเสริฐ",
        "Thanakorn",
        "Boonprasert",
        dt.date(1995, 11, 2),
    ),
    DemoCandidate(
        "571020098765",
        Candidate.Title.MR,
        "อนุชา",
        "รักษ์ไทย",
        "Anucha",
        "Rakthai",
        dt.date(1992, 7, 28),
        disability_details="สายตาเลือนราง (low vision)",
        accommodation_needs={
            "extra_time_percent": 50,
            "large_text": True,
            "high_contrast": True,
            "breaks": True,
        },
    ),
)


@dataclass(frozen=True)
class DemoLogin:
    """What seed_demo prints for one demo account."""

    role: str
    role_label: str
    username: str
    login: str  # what to type on the login page
    password: str
    created: bool
    totp_secret: str = ""  # base32, staff only
    otpauth_uri: str = ""


def demo_totp_key(username: str) -> str:
    """DEMO ONLY: the fixed hex TOTP key of a demo staff user (20 bytes, derived from the username)."""
    return hashlib.sha1((_DEMO_TOTP_SALT + username).encode(), usedforsecurity=False).hexdigest()


def create_demo_accounts() -> list[DemoLogin]:
    """Create the demo staff (with a confirmed TOTP device) and demo candidates; rerunning changes nothing."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    sync_role_groups()
    logins = []
    with transaction.atomic():
        groups = {group.name: group for group in Group.objects.filter(name__in=ROLE_LABELS)}
        for staff in DEMO_STAFF:
            is_admin = staff.role == Role.ADMINISTRATOR
            user, created = _get_or_create_user(
                staff.username,
                staff.role,
                kind=User.Kind.STAFF,
                first_name=staff.first_name,
                last_name=staff.last_name,
                display_name=f"{staff.first_name} {staff.last_name}",
                is_staff=is_admin,
                is_superuser=is_admin,
            )
            user.groups.add(groups[staff.role])
            device, device_created = TOTPDevice.objects.get_or_create(
                user=user,
                name=DEMO_DEVICE_NAME,
                defaults={"key": demo_totp_key(staff.username), "confirmed": True},
            )
            logins.append(
                DemoLogin(
                    role=staff.role,
                    role_label=str(ROLE_LABELS[staff.role]),
                    username=staff.username,
                    login=staff.username,
                    password=DEMO_PASSWORD,
                    created=created or device_created,
                    totp_secret=b32encode(device.bin_key).decode(),
                    otpauth_uri=device.config_url,
                )
            )
        for person in DEMO_CANDIDATES:
            national_id = person.national_id
            user, created = _get_or_create_user(
                national_id,
                Role.CANDIDATE,
                kind=User.Kind.CANDIDATE,
                first_name=person.first_name_th,
                last_name=person.last_name_th,
                display_name=f"{person.title}{person.first_name_th} {person.last_name_th}",
            )
            user.groups.add(groups[Role.CANDIDATE])
            _candidate, candidate_created = Candidate.objects.get_or_create(
                user=user,
                defaults={
                    "national_id": national_id,
                    "title": person.title,
                    "first_name_th": person.first_name_th,
                    "last_name_th": person.last_name_th,
                    "first_name_en": person.first_name_en,
                    "last_name_en": person.last_name_en,
                    "date_of_birth": person.date_of_birth,
                    "has_disability": bool(person.disability_details),
                    "disability_details": person.disability_details,
                    "accommodation_needs": person.accommodation_needs or {},
                },
            )
            logins.append(
                DemoLogin(
                    role=Role.CANDIDATE,
                    role_label=str(ROLE_LABELS[Role.CANDIDATE]),
                    username=national_id,
                    login=format_national_id(national_id),
                    password=DEMO_PASSWORD,
                    created=created or candidate_created,
                )
            )
    return logins


def _get_or_create_user(username: str, role: str, **fields) -> tuple[User, bool]:
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user, False
    user = User.objects.create_user(username=username, password=DEMO_PASSWORD, **fields)
    record_audit(
        "accounts.demo_account_created",
        obj=user,
        after={"username": username, "kind": user.kind, "role": role, "demo": True},
    )
    return user, True


def demo_totp_code(username: str) -> str:
    """The current 6-digit code of a demo staff user's DEMO ONLY device.

    Raises LookupError for anyone else: a user that is not a demo account, or whose device does not
    carry the published demo key, is never helped.
    """
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if username not in {staff.username for staff in DEMO_STAFF}:
        raise LookupError(f"{username} ไม่ใช่ผู้ใช้ตัวอย่าง ({username} is not a demo staff user).")
    device = TOTPDevice.objects.filter(
        user__username=username, name=DEMO_DEVICE_NAME, key=demo_totp_key(username), confirmed=True
    ).first()
    if device is None:
        raise LookupError(
            f"{username} ไม่มีอุปกรณ์ยืนยันตัวตนแบบตัวอย่าง ({username} has no demo TOTP device); run seed_demo first."
        )
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return str(totp.token()).zfill(device.digits)
