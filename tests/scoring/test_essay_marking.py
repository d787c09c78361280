"""Blind essay marking screens: assigned markers only, nothing identifying on a marker's page, marks
through the view (once per marker, a third marker on disagreement), the officer's exact counts and
audited marker assignment."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from exam_platform.common.models import AuditEntry
from exam_platform.scoring.essay_queue import anonymous_code, round_essays
from exam_platform.scoring.models import EssayMark, EssayMarkerAssignment
from exam_platform.scoring.services.essay_markers import assign_essay_marker
from exam_platform.scoring.services.essays import mark_essay
from exam_platform.scoring.services.policies import set_pass_policy
from exam_platform.scoring.services.runs import ScoringError
from tests.delivery.roster_setup import verified_client
from tests.factories import make_staff

from .round_setup import ScoringRound

pytestmark = pytest.mark.django_db

STEM = "<p>จงอธิบายหลักธรรมาภิบาลในการบริหารราชการกรุงเทพมหานคร</p>"
NAMES = ["บุญเรือนลับ", "ประภาพรลับ", "ชาญณรงค์ลับ", "วาสนาลับ"]


class EssayRound:
    """A round with one choice item and one 10-point essay, two markers per essay (threshold 2)."""

    def __init__(self, officer, *, sitters=3, code=None):
        self.r = ScoringRound(code=code)
        self.r.add_section(1, "ความสามารถทั่วไป")
        self.r.add_item("q1", 1, "single", points="1", correct=(0,))
        self.r.add_item("e", 1, "essay", points="10")
        set_pass_policy(self.r.round, actor=officer, essay_markers=2, essay_disagreement_threshold="2")
        self.entries = [self.sit(NAMES[k % len(NAMES)], k) for k in range(sitters)]

    def sit(self, name, k):
        entry = self.r.sit(
            {"q1": self.r.pick("q1", 0), "e": {"text": f"คำตอบเรียงความของผู้สอบที่ {k + 1}\nย่อหน้าที่สอง"}},
            first_name=name,
        )
        attempt = entry.attempt
        for section in attempt.form["sections"]:
            for item in section["items"]:
                if item["type"] == "essay":
                    item["stem"] = STEM
        attempt.save(update_fields=["form"])
        return entry

    @property
    def round(self):
        return self.r.round

    @property
    def item_uid(self):
        return self.r.items["e"]["uid"]

    def code_of(self, entry):
        return anonymous_code(entry.attempt.uid, self.item_uid)

    def mark_url(self, entry):
        return reverse("scoring:essay_mark", args=[self.round.code, self.code_of(entry)])


@pytest.fixture
def officer():
    return make_staff("exam_officer")


@pytest.fixture
def essays(officer):
    return EssayRound(officer)


def assigned_marker(essays, officer):
    marker = make_staff("examiner")
    assign_essay_marker(essays.round, marker=marker, actor=officer)
    return marker


def identifying_strings(entry):
    candidate = entry.candidate
    return [
        candidate.first_name_th,
        candidate.national_id,
        candidate.national_id_display,
        entry.exam_number,
        entry.application_number,
        str(entry.attempt.uid),
    ]


def test_assigned_marker_queue_and_mark_page_are_blind(client, essays, officer):
    marker = assigned_marker(essays, officer)
    verified_client(client, marker)

    queue = client.get(reverse("scoring:essay_queue", args=[essays.round.code]))
    mark_page = client.get(essays.mark_url(essays.entries[0]))

    assert queue.status_code == 200
    assert mark_page.status_code == 200
    queue_html, mark_html = queue.content.decode(), mark_page.content.decode()
    assert [e.code for e in queue.context["queue"].essays] == sorted(
        essays.code_of(e) for e in essays.entries
    )
    for entry in essays.entries:
        assert essays.code_of(entry) in queue_html
        for secret in identifying_strings(entry):
            assert secret not in queue_html, secret
            assert secret not in mark_html, secret
    assert "จงอธิบายหลักธรรมาภิบาล" in queue_html
    assert STEM in mark_html
    assert "คำตอบเรียงความของผู้สอบที่ 1\nย่อหน้าที่สอง" in mark_html


def test_unassigned_examiner_gets_404_and_other_roles_403(client, essays, officer):
    assigned_marker(essays, officer)
    urls = [
        reverse("scoring:essay_queue", args=[essays.round.code]),
        essays.mark_url(essays.entries[0]),
    ]
    verified_client(client, make_staff("examiner"))
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(urls[1], {"points": "5"}).status_code == 404
    for role in ("proctor", "exam_officer"):
        verified_client(client, make_staff(role))
        for url in urls:
            assert client.get(url).status_code == 403, (role, url)
    assert EssayMark.objects.count() == 0


def test_candidate_is_refused_marking_and_overview(client, essays, officer):
    assigned_marker(essays, officer)
    client.force_login(essays.entries[0].candidate.user)
    for url in [
        reverse("scoring:essay_rounds"),
        reverse("scoring:essay_queue", args=[essays.round.code]),
        essays.mark_url(essays.entries[0]),
        reverse("scoring:essay_overview", args=[essays.round.code]),
    ]:
        assert client.get(url).status_code == 403, url


def test_marker_sees_only_rounds_assigned_to_them(client, essays, officer):
    marker = assigned_marker(essays, officer)
    other = EssayRound(officer, sitters=1)
    verified_client(client, marker)
    response = client.get(reverse("scoring:essay_rounds"))
    assert response.status_code == 200
    assert [(r.code, n) for r, n in response.context["rounds"]] == [(essays.round.code, 3)]
    assert other.round.title not in response.content.decode()


def test_mark_through_the_view_records_an_essay_mark_and_moves_on(client, essays, officer):
    marker = assigned_marker(essays, officer)
    verified_client(client, marker)
    first, *rest = sorted(essays.entries, key=essays.code_of)

    response = client.post(essays.mark_url(first), {"points": "7.5", "comment": "ตอบครบประเด็น"})

    assert response.status_code == 302
    assert response.url == essays.mark_url(rest[0])
    mark = EssayMark.objects.get()
    assert (mark.attempt_id, mark.item_uid, mark.marker_id) == (first.attempt.pk, essays.item_uid, marker.pk)
    assert (mark.points, mark.comment) == (Decimal("7.50"), "ตอบครบประเด็น")
    assert AuditEntry.objects.filter(action="scoring.essay.mark", actor=marker).count() == 1
    queue = client.get(reverse("scoring:essay_queue", args=[essays.round.code])).context["queue"]
    assert [e.code for e in queue.essays] == [essays.code_of(e) for e in rest]
    assert queue.marked_by_you == 1


def test_last_mark_in_queue_returns_to_the_queue(client, officer):
    essays = EssayRound(officer, sitters=1)
    verified_client(client, assigned_marker(essays, officer))
    response = client.post(essays.mark_url(essays.entries[0]), {"points": "0"})
    assert response.status_code == 302
    assert response.url == reverse("scoring:essay_queue", args=[essays.round.code])
    page = client.get(response.url).content.decode()
    assert "ไม่มีข้อสอบอัตนัยรอท่านตรวจ" in page


def test_same_marker_cannot_mark_twice(client, essays, officer):
    marker = assigned_marker(essays, officer)
    verified_client(client, marker)
    url = essays.mark_url(essays.entries[0])
    client.post(url, {"points": "6"})

    again = client.post(url, {"points": "2"})

    assert again.status_code == 200
    assert "ท่านตรวจข้อนี้แล้ว" in again.content.decode()
    assert 'name="points"' not in again.content.decode()
    assert list(EssayMark.objects.values_list("points", flat=True)) == [Decimal("6.00")]
    with pytest.raises(ScoringError) as error:
        mark_essay(essays.entries[0].attempt, essays.item_uid, marker=marker, points="2")
    assert error.value.code == "already_marked"


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ("10.5", "คะแนนต้องอยู่ระหว่าง 0 ถึง 10 (Points must be 0 to 10)."),
        ("-1", "คะแนนต้องอยู่ระหว่าง 0 ถึง 10 (Points must be 0 to 10)."),
        ("7.3", "คะแนนให้ได้ทีละครึ่งคะแนน (Points go in steps of 0.5)."),
        ("เจ็ด", "คะแนนต้องเป็นตัวเลข (Points must be a number)."),
        ("", "กรุณากรอกคะแนน (Enter the points)."),
    ],
)
def test_bad_points_are_refused_in_thai_and_english(client, essays, officer, points, message):
    verified_client(client, assigned_marker(essays, officer))
    response = client.post(essays.mark_url(essays.entries[0]), {"points": points})
    assert response.status_code == 200
    assert response.context["form"].errors["points"] == [message]
    assert EssayMark.objects.count() == 0


def test_disagreement_sends_the_essay_to_a_third_marker(client, essays, officer):
    first, second, third = (assigned_marker(essays, officer) for _ in range(3))
    entry = essays.entries[0]
    code = essays.code_of(entry)
    verified_client(client, first)
    client.post(essays.mark_url(entry), {"points": "4", "comment": "ความเห็นผู้ตรวจคนแรก"})
    verified_client(client, second)
    client.post(essays.mark_url(entry), {"points": "9", "comment": "ความเห็นผู้ตรวจคนที่สอง"})

    verified_client(client, third)
    queue = client.get(reverse("scoring:essay_queue", args=[essays.round.code]))
    page = client.get(essays.mark_url(entry))

    assert queue.context["queue"].essays[0].code == code  # disagreements first
    assert queue.context["queue"].essays[0].state == "awaiting_third"
    assert "ตรวจครั้งที่สาม" in queue.content.decode()
    html = page.content.decode()
    assert page.context["open_to_marker"] is True
    assert "ความเห็นผู้ตรวจคนแรก" not in html and "ความเห็นผู้ตรวจคนที่สอง" not in html
    points_inputs = re.findall(r'<input[^>]*name="points"[^>]*>', html)
    assert points_inputs and all("value=" not in tag for tag in points_inputs)  # no earlier mark shown
    verified_client(client, first)
    first_queue = client.get(reverse("scoring:essay_queue", args=[essays.round.code])).context["queue"]
    assert code not in [e.code for e in first_queue.essays]

    verified_client(client, third)
    assert client.post(essays.mark_url(entry), {"points": "8"}).status_code == 302
    assert [m.points for m in EssayMark.objects.filter(attempt=entry.attempt)] == [4, 9, 8]
    fourth = assigned_marker(essays, officer)
    verified_client(client, fourth)
    queue = client.get(reverse("scoring:essay_queue", args=[essays.round.code])).context["queue"]
    assert code not in [e.code for e in queue.essays]
    assert "ข้อนี้ตรวจครบแล้ว" in client.get(essays.mark_url(entry)).content.decode()


def test_agreeing_marks_need_no_third_marker(essays, officer):
    markers = [assigned_marker(essays, officer) for _ in range(3)]
    attempt = essays.entries[0].attempt
    mark_essay(attempt, essays.item_uid, marker=markers[0], points="4")
    mark_essay(attempt, essays.item_uid, marker=markers[1], points="6")  # differs by 2 = threshold
    essay = next(e for e in round_essays(essays.round) if e.attempt_id == attempt.pk)
    assert essay.state == "complete"
    assert not essay.open_to(markers[2].pk)


def test_overview_counts_are_exact(client, officer):
    essays = EssayRound(officer, sitters=5)
    essays.r.sit({"q1": essays.r.pick("q1", 0)}, status="in_progress")  # not yet submitted: no essay
    a, b, c = (assigned_marker(essays, officer) for _ in range(3))
    done, second, third, _untouched, disagreed_done = (e.attempt for e in essays.entries)
    uid = essays.item_uid
    mark_essay(done, uid, marker=a, points="5")
    mark_essay(done, uid, marker=b, points="6")
    mark_essay(second, uid, marker=a, points="5")
    mark_essay(third, uid, marker=a, points="1")
    mark_essay(third, uid, marker=b, points="9")
    mark_essay(disagreed_done, uid, marker=b, points="0")
    mark_essay(disagreed_done, uid, marker=c, points="10")
    mark_essay(disagreed_done, uid, marker=a, points="4")
    verified_client(client, officer)

    response = client.get(reverse("scoring:essay_overview", args=[essays.round.code]))

    assert response.status_code == 200
    overview = response.context["overview"]
    assert (
        overview.total,
        overview.complete,
        overview.awaiting_first,
        overview.awaiting_second,
        overview.awaiting_third,
    ) == (5, 2, 1, 1, 1)
    assert overview.percent_complete == 40
    assert [(m.assignment.marker_id, m.marks_given) for m in overview.markers] == [
        (a.pk, 4),
        (b.pk, 3),
        (c.pk, 1),
    ]
    html = response.content.decode()
    for name, n in [("total", 5), ("complete", 2), ("awaiting_first", 1), ("awaiting_second", 1)]:
        assert f'data-count="{name}">{n}<' in html
    assert 'data-count="awaiting_third">1<' in html
    assert reverse("scoring:status", args=[essays.round.code]) in html


def test_overview_is_for_exam_officers_only(client, essays, officer):
    marker = assigned_marker(essays, officer)
    url = reverse("scoring:essay_overview", args=[essays.round.code])
    verified_client(client, marker)
    assert client.get(url).status_code == 403
    assert client.post(url, {"marker": marker.pk}).status_code == 403


def test_assignment_changes_are_audited(client, essays, officer):
    examiner = make_staff("examiner")
    verified_client(client, officer)
    url = reverse("scoring:essay_overview", args=[essays.round.code])

    added = client.post(url, {"marker": examiner.pk})

    assert added.status_code == 302
    assignment = EssayMarkerAssignment.objects.get(round=essays.round)
    assert (assignment.marker_id, assignment.assigned_by_id) == (examiner.pk, officer.pk)
    entry = AuditEntry.objects.get(action="scoring.essay_marker.assign")
    assert (entry.actor_id, entry.after) == (
        officer.pk,
        {"round": essays.round.code, "marker": examiner.username},
    )

    removed = client.post(reverse("scoring:essay_marker_remove", args=[essays.round.code, assignment.pk]))

    assert removed.status_code == 302
    assert not EssayMarkerAssignment.objects.exists()
    entry = AuditEntry.objects.get(action="scoring.essay_marker.unassign")
    assert (entry.actor_id, entry.before) == (
        officer.pk,
        {"round": essays.round.code, "marker": examiner.username},
    )
    verified_client(client, examiner)
    assert client.get(reverse("scoring:essay_queue", args=[essays.round.code])).status_code == 404


def test_only_examiners_can_be_assigned(client, essays, officer):
    proctor = make_staff("proctor")
    verified_client(client, officer)
    url = reverse("scoring:essay_overview", args=[essays.round.code])
    response = client.post(url, {"marker": proctor.pk})
    assert response.status_code == 200
    assert response.context["form"].errors["marker"] == ["ไม่พบผู้ออกข้อสอบนี้ (No such examiner)."]
    with pytest.raises(ScoringError) as error:
        assign_essay_marker(essays.round, marker=proctor, actor=officer)
    assert error.value.code == "not_examiner"
    assert not EssayMarkerAssignment.objects.exists()
    assert not AuditEntry.objects.filter(action="scoring.essay_marker.assign").exists()


def test_queue_query_count_does_not_grow_with_the_round(client, officer):
    small, large = EssayRound(officer, sitters=2), EssayRound(officer, sitters=6)
    marker = make_staff("examiner")
    for essays in (small, large):
        assign_essay_marker(essays.round, marker=marker, actor=officer)
    verified_client(client, marker)
    counts = []
    for essays in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("scoring:essay_queue", args=[essays.round.code])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
