import pytest

from exam_platform.publication.models import PublishedFile, RankListVersion
from exam_platform.publication.services import prepare_rank_list
from tests.delivery.roster_setup import make_officer, verified_client
from tests.publication.list_setup import published_list, standard_round
from tests.scoring.round_setup import totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def prepared():
    scored, _entries = standard_round()
    preparer, approver = make_officer(), make_officer()
    version = prepare_rank_list(scored.round, actor=preparer, title="ประกาศรายชื่อผู้สอบแข่งขันได้")
    return version, preparer, approver


def test_approval_page_hides_the_approve_button_from_the_preparer(client, prepared):
    version, preparer, _approver = prepared
    verified_client(client, preparer)

    html = client.get(f"/publication/versions/{version.pk}/").content.decode()

    assert f'action="/publication/versions/{version.pk}/approve"' not in html
    assert "ต้องให้เจ้าหน้าที่สอบอีกคนเป็นผู้อนุมัติ" in html


def test_preparer_posting_approve_is_refused_and_nothing_is_published(client, prepared):
    version, preparer, _approver = prepared
    verified_client(client, preparer)

    response = client.post(
        f"/publication/versions/{version.pk}/approve",
        {"confirm": "on", "code": totp_code(preparer)},
        follow=True,
    )

    assert "ผู้จัดเตรียมอนุมัติประกาศของตนเองไม่ได้" in response.content.decode()
    version.refresh_from_db()
    assert version.status == RankListVersion.Status.PREPARED
    assert PublishedFile.objects.count() == 0


def test_another_officer_approves_and_publishes(client, prepared):
    version, _preparer, approver = prepared
    verified_client(client, approver)

    html = client.get(f"/publication/versions/{version.pk}/").content.decode()
    assert f'action="/publication/versions/{version.pk}/approve"' in html
    assert 'name="code"' in html and 'name="confirm"' in html
    client.post(f"/publication/versions/{version.pk}/approve", {"confirm": "on", "code": totp_code(approver)})

    version.refresh_from_db()
    assert version.status == RankListVersion.Status.PUBLISHED
    assert version.approved_by == approver
    assert version.files.count() == 4


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"code": "123456"}, "กรุณายืนยันว่าได้ตรวจฉบับนี้แล้ว"),
        ({"confirm": "on"}, "กรุณากรอกรหัสยืนยันตัวตนสองขั้นตอน"),
        ({"confirm": "on", "code": "000000"}, "รหัสยืนยันตัวตนไม่ถูกต้อง"),
    ],
)
def test_approval_without_confirmation_or_a_fresh_code_publishes_nothing(client, prepared, data, message):
    version, _preparer, approver = prepared
    verified_client(client, approver)

    response = client.post(f"/publication/versions/{version.pk}/approve", data, follow=True)

    assert message in response.content.decode()
    version.refresh_from_db()
    assert version.status == RankListVersion.Status.PREPARED
    assert PublishedFile.objects.count() == 0


def test_preparation_page_lists_what_is_still_open_and_refuses(client):
    import datetime as dt

    from django.utils import timezone

    scored, entries = standard_round()
    later = scored.session.__class__.objects.create(
        round=scored.round,
        code="afternoon",
        title="รอบบ่าย",
        paper=scored.session.paper,
        opens_at=timezone.now() + dt.timedelta(hours=1),
        late_entry_until=timezone.now() + dt.timedelta(hours=2),
        closes_at=timezone.now() + dt.timedelta(hours=3),
        duration_minutes=60,
    )
    entries["first"].__class__.objects.create(
        session=later, candidate=entries["first"].candidate, application_number="B1", exam_number="B1"
    )
    officer = make_officer()
    verified_client(client, officer)

    page = client.get("/publication/").content.decode()
    assert "ยังไม่พร้อม" in page and "รอบสอบ รอบบ่าย (afternoon)" in page
    assert "ผู้เข้าสอบ 1 คนยังเข้าสอบได้" in page
    response = client.post(
        "/publication/",
        {"round": scored.round.pk, "position": "", "title": "ประกาศ", "announcement_number": ""},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "ผลการสอบยังไม่เป็นที่สิ้นสุด" in html and "รอบบ่าย (afternoon)" in html
    assert not RankListVersion.objects.exists()


def test_officer_prepares_a_list_through_the_form(client):
    scored, _entries = standard_round()
    officer = make_officer()
    verified_client(client, officer)

    response = client.post(
        "/publication/",
        {
            "round": scored.round.pk,
            "position": "",
            "title": "ประกาศรายชื่อผู้สอบแข่งขันได้",
            "announcement_number": "9/2569",
        },
    )

    version = RankListVersion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/publication/versions/{version.pk}/"
    assert version.prepared_by == officer
    assert version.rank_list.announcement_number == "9/2569"


def test_list_lifecycle_page_shows_versions_files_and_digests(client):
    version, preparer, _approver = published_list()
    verified_client(client, preparer)

    html = client.get(f"/publication/lists/{version.rank_list_id}/").content.decode()

    assert "ประกาศแล้ว" in html
    assert version.payload_sha256 in html
    for published in version.files.all():
        assert published.sha256 in html
    assert "จัดเตรียมฉบับแก้ไข" in html


def test_correction_form_prepares_version_two(client):
    version, preparer, _approver = published_list()
    verified_client(client, preparer)

    client.post(f"/publication/lists/{version.rank_list_id}/", {"change_note": "แก้ไขเฉลยข้อ 12"})

    v2 = RankListVersion.objects.get(number=2)
    assert v2.status == RankListVersion.Status.PREPARED
    assert v2.change_note == "แก้ไขเฉลยข้อ 12"


@pytest.mark.parametrize(
    "path", ["/publication/", "/publication/lists/{list}/", "/publication/versions/{version}/"]
)
def test_officer_pages_refuse_other_roles(client, prepared, path):
    version, _preparer, _approver = prepared
    verified_client(client, make_officer("proctor"))

    response = client.get(path.format(list=version.rank_list_id, version=version.pk))

    assert response.status_code == 403
