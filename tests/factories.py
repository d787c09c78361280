"""Small factories for tests: plain functions, explicit arguments, valid Thai data by default."""

import datetime as dt
import itertools

from django.contrib.auth.models import Group

from exam_platform.accounts.models import Candidate, User
from exam_platform.common.national_id import make_valid

_counter = itertools.count(1)
PASSWORD = "correct-horse-2569"


def make_national_id() -> str:
    return make_valid(f"1{next(_counter):011d}")


def make_candidate(*, first_name_th="สมชาย", last_name_th="ใจดี", password=PASSWORD, **fields) -> Candidate:
    national_id = fields.pop("national_id", None) or make_national_id()
    user = User.objects.create_user(
        username=national_id,
        password=password,
        kind=User.Kind.CANDIDATE,
        display_name=f"{fields.get('title', Candidate.Title.MR)}{first_name_th} {last_name_th}",
    )
    user.groups.add(Group.objects.get_or_create(name="candidate")[0])
    defaults = {
        "title": Candidate.Title.MR,
        "date_of_birth": dt.date(1995, 5, 17),
    }
    defaults.update(fields)
    return Candidate.objects.create(
        user=user, national_id=national_id, first_name_th=first_name_th, last_name_th=last_name_th, **defaults
    )


def make_staff(*roles: str, username=None, password=PASSWORD, **fields) -> User:
    from exam_platform.accounts.roles import sync_role_groups

    sync_role_groups()
    user = User.objects.create_user(
        username=username or f"staff{next(_counter)}", password=password, kind=User.Kind.STAFF, **fields
    )
    for role in roles:
        user.groups.add(Group.objects.get(name=role))
    return user


# --- question bank ---------------------------------------------------------------------------


def make_examiner(username=None, **fields) -> User:
    return make_staff("examiner", username=username, **fields)


def make_bank(*, code=None, name=None, members: dict | None = None):
    """A bank with a subject → topic category pair; `members` maps user → "author"|"reviewer"|"owner"."""
    from question_bank.models import Bank, BankMembership, Category

    n = next(_counter)
    bank = Bank.objects.create(code=code or f"bank-{n}", name=name or f"คลังทดสอบ {n}")
    subject = Category.objects.create(bank=bank, code=f"subject-{n}", name="ภาษาไทย")
    Category.objects.create(bank=bank, parent=subject, code=f"topic-{n}", name="การอ่าน")
    for user, role in (members or {}).items():
        BankMembership.objects.create(bank=bank, user=user, role=role)
    return bank


def topic_of(bank):
    return bank.categories.filter(parent__isnull=False).first()


def item_data(bank, *, stem=None, correct=1, difficulty="medium", category=None, tags=(), **fields):
    from question_bank.services.items import ChoiceData, ItemData

    return ItemData(
        item_type=fields.pop("item_type", "single"),
        stem=stem or f"ข้อใดเขียนถูกต้อง {next(_counter)}",
        category=category or topic_of(bank),
        choices=fields.pop(
            "choices",
            [
                ChoiceData(text=t, is_correct=i == correct)
                for i, t in enumerate(["กะเพรา", "กระเพรา", "กะเพา", "กระเพา"])
            ],
        ),
        difficulty=difficulty,
        tags=list(tags),
        **fields,
    )


def make_item(bank, *, actor=None, status="draft", **kwargs):
    """An item created through the service (so it is audited and versioned like a real one)."""
    from question_bank.models import Item
    from question_bank.services.items import create_item

    item = create_item(bank, item_data(bank, **kwargs), actor=actor)
    if status != "draft":
        Item.objects.filter(pk=item.pk).update(status=status)
        item.refresh_from_db()
    return item


def log_in(client, user):
    """`client` logged in as `user`; staff also pass two-factor (a confirmed TOTP device recorded in
    the session, as django_otp.login() would), since the middleware demands it on every page."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    if user.requires_two_factor:
        device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client
