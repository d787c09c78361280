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
    user = User.objects.create_user(username=national_id, password=password, kind=User.Kind.CANDIDATE)
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
