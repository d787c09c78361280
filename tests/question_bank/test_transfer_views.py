"""Import/export pages: permissions, results with errors, the worker-job path and its status."""

from pathlib import Path

import pytest
from django.urls import reverse

from exam_platform.common.jobs.registry import load_handlers
from exam_platform.common.jobs.worker import Worker
from exam_platform.common.models import AuditEntry, Job
from question_bank.models import Item
from question_bank.views import transfer as transfer_views
from tests.factories import log_in, make_bank, make_examiner, make_item

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def author():
    return make_examiner(username="author.transfer")


@pytest.fixture
def bank(author):
    return make_bank(members={author: "author"})


def upload(client, bank, name, fmt, **options):
    with open(FIXTURES / name, "rb") as handle:
        return client.post(reverse("qb:import", args=[bank.pk]), {"file": handle, "format": fmt, **options})


def test_transfer_views_import_page_shows_the_form_and_template_link(client, author, bank):
    response = log_in(client, author).get(reverse("qb:import", args=[bank.pk]))

    assert response.status_code == 200
    assert reverse("qb:excel_template", args=[bank.pk]) in response.content.decode()


def test_transfer_views_import_small_file_directly_and_lists_created_count(client, author, bank):
    log_in(client, author)

    response = upload(client, bank, "thai_sample.gift", "gift", default_category="")

    assert response.status_code == 200
    assert "นำเข้าแล้ว 6 ข้อ" in response.content.decode()
    assert Item.objects.filter(bank=bank).count() == 6


def test_transfer_views_import_errors_are_listed_with_lines_and_nothing_written(client, author, bank):
    log_in(client, author)

    response = upload(client, bank, "broken.gift", "gift")

    body = response.content.decode()
    assert response.status_code == 422
    for line in ("บรรทัด 8 (line 8)", "บรรทัด 10 (line 10)", "บรรทัด 12 (line 12)", "บรรทัด 14 (line 14)"):
        assert line in body
    assert "ไม่ได้นำเข้า: พบข้อผิดพลาด 4 รายการ" in body
    assert Item.objects.filter(bank=bank).count() == 0


@pytest.mark.parametrize(("role", "status"), [("reviewer", 403), (None, 404)])
def test_transfer_views_import_refuses_non_writers(client, bank, role, status):
    user = make_examiner()
    if role:
        bank.memberships.create(user=user, role=role)

    response = log_in(client, user).get(reverse("qb:import", args=[bank.pk]))

    assert response.status_code == status


def test_transfer_views_import_anonymous_is_sent_to_login(client, bank):
    response = client.get(reverse("qb:import", args=[bank.pk]))

    assert response.status_code == 302


def test_transfer_views_export_downloads_a_format_and_audits(client, author, bank):
    make_item(bank, actor=author)
    log_in(client, author)

    response = client.get(reverse("qb:export", args=[bank.pk]), {"format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf") and "ข้อใดเขียนถูกต้อง".encode() in content
    entry = AuditEntry.objects.latest("seq")
    assert (entry.action, entry.after["format"], entry.after["count"]) == ("items.exported", "csv", 1)


def test_transfer_views_export_is_404_for_non_members(client, author, bank):
    response = log_in(client, make_examiner()).get(reverse("qb:export", args=[bank.pk]), {"format": "gift"})

    assert response.status_code == 404


def test_transfer_views_excel_template_has_thai_headers_frozen_and_validation(client, author, bank):
    from io import BytesIO

    from openpyxl import load_workbook

    response = log_in(client, author).get(reverse("qb:excel_template", args=[bank.pk]))

    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).worksheets[0]
    headers = [c.value for c in sheet[1]]
    assert headers[:6] == ["รหัสวิชา", "ชื่อวิชา", "รหัสหัวข้อ", "ชื่อหัวข้อ", "ชนิดข้อสอบ", "โจทย์"]
    assert "ตัวเลือก จ" in headers and "คำอธิบายเฉลย" in headers and "ป้ายกำกับ" in headers
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["F"].width == 60
    assert len(sheet.data_validations.dataValidation) == 2
    assert sheet.max_row == 1


def test_transfer_views_large_import_runs_in_the_worker_with_status(
    client, author, bank, monkeypatch, settings
):
    monkeypatch.setattr(transfer_views, "LARGE_ITEMS", 2)  # the sample's 6 items count as "large"
    log_in(client, author)

    response = upload(client, bank, "thai_sample.gift", "gift")

    job = Job.objects.get(kind="question_bank.import_items")
    assert response.status_code == 302 and response["Location"] == reverse("qb:import_job", args=[job.pk])
    stored = transfer_views.import_upload_dir() / job.payload["file"]
    assert stored.is_file() and settings.MEDIA_ROOT not in stored.parents  # holds keys: never served
    assert Item.objects.filter(bank=bank).count() == 0
    pending = client.get(reverse("qb:import_status", args=[job.pk])).json()
    assert (pending["status"], pending["phase"]) == ("pending", "queued")
    page = client.get(reverse("qb:import_job", args=[job.pk])).content.decode()
    assert 'id="import-bar"' in page

    load_handlers()
    assert Worker(name="test", heartbeat=False).run_due() == 1

    done = client.get(reverse("qb:import_status", args=[job.pk])).json()
    assert (done["status"], done["phase"], done["created"], done["errors"]) == ("done", "done", 6, 0)
    assert Item.objects.filter(bank=bank).count() == 6
    assert AuditEntry.objects.latest("seq").after["job"] == job.pk
    assert "นำเข้าแล้ว 6 ข้อ" in client.get(reverse("qb:import_job", args=[job.pk])).content.decode()
    assert not list(transfer_views.import_upload_dir().iterdir())


def test_transfer_views_job_status_is_hidden_from_other_members_but_not_owners(
    client, author, bank, monkeypatch
):
    monkeypatch.setattr(transfer_views, "LARGE_ITEMS", 2)
    upload(log_in(client, author), bank, "thai_sample.gift", "gift")
    job = Job.objects.get(kind="question_bank.import_items")
    other_author, owner, outsider = make_examiner(), make_examiner(), make_examiner()
    bank.memberships.create(user=other_author, role="author")
    bank.memberships.create(user=owner, role="owner")
    url = reverse("qb:import_status", args=[job.pk])

    assert log_in(client, other_author).get(url).status_code == 404
    assert log_in(client, outsider).get(url).status_code == 404
    assert log_in(client, owner).get(url).status_code == 200
