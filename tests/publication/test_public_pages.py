import hashlib

import pytest

from exam_platform.accounts.models import Candidate
from exam_platform.common.national_id import format_national_id
from exam_platform.publication.services import approve_and_publish, prepare_rank_list, publish_correction
from tests.delivery.roster_setup import make_officer
from tests.publication.list_setup import fresh_code, published_list, standard_round

pytestmark = pytest.mark.django_db


def test_lists_page_shows_published_lists_only(client):
    version, _preparer, _approver = published_list()
    scored, _entries = standard_round()
    prepare_rank_list(scored.round, actor=make_officer(), title="ร่างที่ยังไม่อนุมัติ")

    html = client.get("/lists/").content.decode()

    assert version.rank_list.title in html
    assert f'href="/lists/{version.rank_list_id}/v1/"' in html
    assert "ร่างที่ยังไม่อนุมัติ" not in html


def test_public_list_page_masks_national_ids(client):
    version, _preparer, _approver = published_list()

    html = client.get(f"/lists/{version.rank_list_id}/v1/").content.decode()

    national_ids = list(Candidate.objects.values_list("national_id", flat=True))
    assert len(national_ids) == 4
    for national_id in national_ids:
        assert national_id not in html
        assert format_national_id(national_id) not in html
    for row in version.rows:
        assert f'<td class="num">{row["national_id"]}</td>' in html
    assert html.count("x-xxxx-xxxx") == 3
    assert "ลายเซ็นถูกต้อง (signature valid)" in html
    for published in version.files.all():
        assert published.sha256 in html


def test_public_list_page_searches_by_name_and_exam_number(client):
    version, _preparer, _approver = published_list()
    first = version.rows[0]

    by_name = client.get(f"/lists/{version.rank_list_id}/v1/", {"q": "โชติ"}).content.decode()
    by_number = client.get(f"/lists/{version.rank_list_id}/v1/", {"q": first["exam_number"]}).content.decode()

    assert "นายโชติ ศรีสุข" in by_name
    assert "นายกมล เกศินี" not in by_name
    assert "นายกมล เกศินี" in by_number
    assert "นายขวัญ แก้วประเสริฐ" not in by_number


def test_public_file_download_is_the_published_bytes(client):
    version, _preparer, _approver = published_list()

    response = client.get(f"/lists/{version.rank_list_id}/v1/files/csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert hashlib.sha256(response.content).hexdigest() == version.files.get(kind="csv").sha256
    assert response["X-Content-SHA256"] == version.files.get(kind="csv").sha256


def test_prepared_version_is_not_public(client):
    scored, _entries = standard_round()
    version = prepare_rank_list(scored.round, actor=make_officer(), title="ร่าง")

    assert client.get(f"/lists/{version.rank_list_id}/v1/").status_code == 404
    assert client.get(f"/lists/{version.rank_list_id}/v1/files/pdf").status_code == 404


def test_superseded_version_stays_readable_and_the_new_one_shows_the_diff(client):
    scored, entries = standard_round()
    v1, preparer, approver = published_list(scored)
    scored.new_run()
    scored.set_result(entries["tie_b"], rank=3, total="69.00")
    v2 = approve_and_publish(
        publish_correction(v1.rank_list, actor=preparer, change_note="แก้ไขเฉลยข้อ 12"),
        actor=approver,
        code=fresh_code(approver),
    )

    old = client.get(f"/lists/{v1.rank_list_id}/v1/").content.decode()
    new = client.get(f"/lists/{v2.rank_list_id}/v2/").content.decode()

    assert "ถูกแทนที่ด้วยฉบับแก้ไข" in old
    assert f'href="/lists/{v1.rank_list_id}/v2/"' in old
    assert "ลายเซ็นถูกต้อง (signature valid)" in old
    assert "การเปลี่ยนแปลงจากฉบับที่ 1" in new
    assert "แก้ไขเฉลยข้อ 12" in new
    assert '<tr class="diff-changed">' in new
    assert "2 → 3" in new
    assert "70.00 → 69.00" in new


def test_public_pages_open_to_staff_without_two_factor(client):
    version, _preparer, _approver = published_list()
    client.force_login(make_officer())  # logged in, not verified

    assert client.get("/lists/").status_code == 200
    assert client.get(f"/lists/{version.rank_list_id}/v1/").status_code == 200
    assert client.get("/verify/").status_code == 200
    assert client.get("/publication/").status_code == 302  # officer pages still need two-factor


def test_lists_query_count_does_not_grow_with_lists(client, django_assert_max_num_queries):
    for _ in range(3):
        published_list()
    with django_assert_max_num_queries(4):
        client.get("/lists/")
