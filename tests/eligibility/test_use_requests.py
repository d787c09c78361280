"""Another unit asks to use the list: request, approval or rejection, audited; calls for it."""

import datetime as dt

import pytest
from django.utils import timezone

from exam_platform.common.models import AuditEntry
from exam_platform.eligibility.models import EligibilityList, UseRequest
from exam_platform.eligibility.services import (
    EligibilityError,
    call_next,
    decide_use_request,
    request_list_use,
)
from tests.delivery.roster_setup import make_officer
from tests.eligibility.list_setup import Arranged

pytestmark = pytest.mark.django_db


def _request(a, **fields):
    data = {
        "unit": "สำนักงานเขตบางรัก",
        "positions_count": 2,
        "reason": "อัตราว่าง 2 อัตรา",
        "post": "นักทรัพยากรบุคคล",
    }
    return request_list_use(a.elist, actor=a.officer, **{**data, **fields})


def test_use_request_approval_is_audited_with_who_and_what():
    a = Arranged()
    decider = make_officer()
    use_request = _request(a)

    decided = decide_use_request(use_request, True, actor=decider, note="อนุมัติตามหนังสือที่ กท 1234")

    assert decided.status == UseRequest.Status.APPROVED
    assert decided.decided_by == decider
    assert decided.decided_at is not None
    requested = AuditEntry.objects.get(action="eligibility.request_use")
    assert requested.actor == a.officer
    assert requested.after == {
        "list": a.elist.pk,
        "unit": "สำนักงานเขตบางรัก",
        "post": "นักทรัพยากรบุคคล",
        "positions_count": 2,
        "reason": "อัตราว่าง 2 อัตรา",
    }
    decision = AuditEntry.objects.get(action="eligibility.decide_use")
    assert decision.actor == decider
    assert decision.before == {"status": "requested"}
    assert decision.after["status"] == "approved"
    assert decision.after["note"] == "อนุมัติตามหนังสือที่ กท 1234"


def test_use_request_cannot_be_decided_twice():
    a = Arranged()
    use_request = _request(a)
    decide_use_request(use_request, False, actor=a.officer)

    with pytest.raises(EligibilityError) as error:
        decide_use_request(use_request, True, actor=a.officer)

    assert error.value.code == "decided"
    use_request.refresh_from_db()
    assert use_request.status == UseRequest.Status.REJECTED


def test_calls_for_an_approved_use_request_carry_its_unit():
    a = Arranged()
    use_request = decide_use_request(_request(a), True, actor=a.officer)

    (call,) = call_next(a.elist, actor=a.officer, post="นักทรัพยากรบุคคลปฏิบัติการ", use_request=use_request)

    assert call.unit == "สำนักงานเขตบางรัก"
    assert call.use_request == use_request


def test_calls_for_a_use_request_not_approved_are_refused():
    a = Arranged()
    use_request = _request(a)

    with pytest.raises(EligibilityError) as error:
        call_next(a.elist, actor=a.officer, post="x", use_request=use_request)

    assert error.value.code == "use_request"


def test_use_request_on_an_expired_list_is_refused():
    a = Arranged()
    EligibilityList.objects.filter(pk=a.elist.pk).update(valid_until=timezone.now() - dt.timedelta(days=1))
    a.elist.refresh_from_db()

    with pytest.raises(EligibilityError) as error:
        _request(a)

    assert error.value.code == "not_in_force"
    assert not UseRequest.objects.exists()
