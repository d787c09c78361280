"""The English UI (cookie lang=en) shows Gregorian dates with English month names, never Buddhist-era
dates; the Thai UI keeps them (exam_platform/common/templatetags/thai.py: local_date/local_datetime)."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from exam_platform.common.thai_dates import THAI_MONTHS, THAI_MONTHS_SHORT
from exam_platform.eligibility.services import call_next
from tests.delivery.roster_setup import verified_client
from tests.eligibility.list_setup import Arranged

pytestmark = pytest.mark.django_db

POST = "นักทรัพยากรบุคคลปฏิบัติการ สำนักงานเขตพระนคร"
ENGLISH_MONTHS = (
    "January February March April May June July August September October November December".split()
)


def thai_month_names(html: str) -> list[str]:
    return [m for m in (*THAI_MONTHS, *THAI_MONTHS_SHORT) if m in html]


def english_date(value) -> str:
    local = timezone.localtime(value)
    return f"{local.day} {ENGLISH_MONTHS[local.month - 1]} {local.year}"


def be_dates(html: str) -> list[str]:
    """'21 November 2569'-like dates: a day, a month name and a Buddhist-era year."""
    months = "|".join(map(re.escape, (*ENGLISH_MONTHS, *THAI_MONTHS, *THAI_MONTHS_SHORT)))
    return re.findall(rf"\b\d{{1,2}} (?:{months}) 25\d\d\b", html)


@pytest.fixture
def arranged():
    a = Arranged()
    (a.call,) = call_next(a.elist, actor=a.officer, count=1, post=POST, unit="สำนักงานเขตพระนคร")
    return a


def pages(client, a):
    """Staff pages (officer with two-factor) and the candidate's pages showing dates."""
    verified_client(client, a.officer)
    staff = [
        client.get(f"/eligibility/lists/{a.elist.pk}/").content.decode(),
        client.get("/eligibility/").content.decode(),
        client.get(reverse("publication:officer_index")).content.decode(),
    ]
    lang = client.cookies.get("lang")
    client.logout()  # drops every cookie, the language one too
    if lang is not None:
        client.cookies["lang"] = lang.value
    client.force_login(a.user_of("กมล"))
    candidate = [
        client.get(f"/eligibility/my/{a.call.uid}/").content.decode(),
        client.get("/eligibility/my/").content.decode(),
    ]
    return staff, candidate


def test_english_ui_dates_are_gregorian_with_english_month_names(client, arranged):
    client.cookies["lang"] = "en"

    staff, candidate = pages(client, arranged)

    for html in (*staff, *candidate):
        assert thai_month_names(html) == []
        assert be_dates(html) == []
    assert english_date(arranged.elist.valid_until) in staff[0]
    assert english_date(arranged.call.respond_by) in candidate[0]


def test_thai_ui_dates_stay_buddhist_era(client, arranged):
    staff, candidate = pages(client, arranged)

    local = timezone.localtime(arranged.call.respond_by)
    assert f"{local.day} {THAI_MONTHS[local.month - 1]} {local.year + 543}" in candidate[0]
    assert thai_month_names(staff[0])
