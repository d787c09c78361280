"""Arrangement for the roster / seating / card / check-in tests: rounds, sessions and rooms made through
the services, a verified exam-officer client, and CSV files with Thai headers."""

import datetime as dt
import itertools

from django.utils import timezone

from exam_platform.delivery.models import RosterEntry
from exam_platform.delivery.services.rounds import add_room, create_round, create_session
from question_bank.models import Paper
from tests.factories import log_in as verified_client  # noqa: F401 - re-exported for the delivery tests
from tests.factories import make_bank, make_staff

_n = itertools.count(1)

THAI_HEADERS = [
    "เลขประจำตัวประชาชน",
    "เลขที่ใบสมัคร",
    "คำนำหน้า",
    "ชื่อ",
    "นามสกุล",
    "วันเกิด",
    "ตำแหน่ง",
    "โทรศัพท์",
    "อีเมล",
    "การอำนวยความสะดวก",
]


def make_officer(*roles):
    return make_staff(*(roles or ("exam_officer",)))


def make_paper(*, locked=True):
    n = next(_n)
    return Paper.objects.create(
        bank=make_bank(),
        code=f"paper-{n}",
        title=f"ภาค ก {n}",
        duration_minutes=60,
        status=Paper.Status.LOCKED if locked else Paper.Status.DRAFT,
    )


def make_round(*, actor=None, exam_type="competitive", eligibility=None, positions=("p1",)):
    from exam_platform.delivery.services.rounds import add_position

    actor = actor or make_officer()
    n = next(_n)
    exam_round = create_round(
        actor=actor,
        code=f"round-{n}",
        title=f"การสอบแข่งขัน ครั้งที่ {n}/2569",
        exam_type=exam_type,
        eligibility=eligibility,
    )
    for code in positions:
        add_position(exam_round, actor=actor, code=code, title=f"นักทรัพยากรบุคคล {code}")
    return exam_round


def make_session(
    exam_round=None, *, actor=None, opens_in=dt.timedelta(days=3), checkin_opens_at=None, rooms=()
):
    """A session opening `opens_in` from now (60-minute paper, 30 min late entry, 2 h window) with
    `rooms` = [(code, capacity), ...]."""
    actor = actor or make_officer()
    exam_round = exam_round or make_round(actor=actor)
    opens = timezone.now().replace(microsecond=0) + opens_in
    session = create_session(
        exam_round,
        actor=actor,
        code=f"s-{next(_n)}",
        title="ภาค ก รอบเช้า",
        paper=make_paper(),
        opens_at=opens,
        late_entry_until=opens + dt.timedelta(minutes=30),
        closes_at=opens + dt.timedelta(hours=2),
        checkin_opens_at=checkin_opens_at,
    )
    for i, (code, capacity) in enumerate(rooms, start=1):
        add_room(
            session,
            actor=actor,
            code=code,
            name=f"ห้อง {code}",
            building="อาคารธานีนพรัตน์",
            capacity=capacity,
            position=i,
        )
    return session


def make_entry(
    session, candidate, *, application_number=None, exam_number=None, room=None, seat=None, **fields
):
    n = next(_n)
    return RosterEntry.objects.create(
        session=session,
        candidate=candidate,
        application_number=application_number or f"A{n:05d}",
        exam_number=exam_number or f"{n:05d}",
        room=room,
        seat_number=seat,
        **fields,
    )


def roster_csv(rows, headers=THAI_HEADERS) -> bytes:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")
