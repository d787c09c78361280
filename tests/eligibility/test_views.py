"""Eligibility screens: the officer's list page and actions, the candidate's รายงานตัว page (own
calls only), documents, the Excel export."""

import io

import pytest

from exam_platform.common.models import AuditEntry
from exam_platform.eligibility.models import Call, ReportingDocument, UseRequest
from exam_platform.eligibility.services import call_next, upload_reporting_document
from tests.delivery.roster_setup import make_officer, verified_client
from tests.eligibility.list_setup import Arranged, pdf_bytes, png_bytes, upload
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

POST = "นักทรัพยากรบุคคลปฏิบัติการ สำนักงานเขตพระนคร"


@pytest.fixture
def arranged():
    return Arranged()


def _called(a, count=1):
    return call_next(a.elist, actor=a.officer, count=count, post=POST, unit="สำนักงานเขตพระนคร")


def test_reporting_in_page_shows_the_call_with_a_buddhist_era_deadline(client, arranged):
    (call,) = _called(arranged)
    client.force_login(arranged.user_of("กมล"))

    html = client.get(f"/eligibility/my/{call.uid}/").content.decode()

    assert POST in html
    assert "สำนักงานเขตพระนคร" in html
    assert f"{call.respond_by.year + 543} เวลา 23.59 น." in html
    assert "สำเนาบัตรประจำตัวประชาชน" in html and "ใบรับรองแพทย์" in html
    assert f'action="/eligibility/my/{call.uid}/confirm"' in html


def test_another_candidates_call_is_404_to_see_confirm_decline_or_upload(client, arranged):
    first, second = _called(arranged, count=2)
    client.force_login(arranged.user_of("โชติ"))  # owns `second`, not `first`

    assert client.get(f"/eligibility/my/{first.uid}/").status_code == 404
    assert client.post(f"/eligibility/my/{first.uid}/confirm").status_code == 404
    assert client.post(f"/eligibility/my/{first.uid}/decline").status_code == 404
    response = client.post(
        f"/eligibility/my/{first.uid}/", {"doc_type": "id_card", "file": upload("id.pdf", pdf_bytes())}
    )
    assert response.status_code == 404
    assert client.get(f"/eligibility/my/{second.uid}/").status_code == 200
    first.refresh_from_db()
    assert first.outcome == "pending"
    assert not ReportingDocument.objects.exists()


def test_another_candidates_document_is_404(client, arranged):
    first, _second = _called(arranged, count=2)
    document = upload_reporting_document(
        first, user=arranged.user_of("กมล"), doc_type="id_card", uploaded=upload("id.pdf", pdf_bytes())
    )
    client.force_login(arranged.user_of("โชติ"))

    assert client.get(f"/eligibility/documents/{document.uid}").status_code == 404

    client.force_login(arranged.user_of("กมล"))
    response = client.get(f"/eligibility/documents/{document.uid}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == pdf_bytes()


def test_candidate_uploads_documents_and_confirms_through_the_page(client, arranged):
    (call,) = _called(arranged)
    client.force_login(arranged.user_of("กมล"))
    url = f"/eligibility/my/{call.uid}/"

    for doc_type, name, content in (
        ("id_card", "id.pdf", pdf_bytes()),
        ("education", "edu.png", png_bytes()),
        ("medical", "med.pdf", pdf_bytes()),
    ):
        response = client.post(url, {"doc_type": doc_type, "file": upload(name, content)})
        assert response.status_code == 302
    client.post(f"{url}confirm")

    call.reporting_in.refresh_from_db()
    assert call.reporting_in.completed is True
    assert "รายงานตัวแล้ว" in client.get(url).content.decode()


def test_html_named_pdf_is_refused_on_the_page_with_thai_and_english(client, arranged):
    (call,) = _called(arranged)
    client.force_login(arranged.user_of("กมล"))

    response = client.post(
        f"/eligibility/my/{call.uid}/",
        {"doc_type": "id_card", "file": upload("id.pdf", b"<html><body>hi</body></html>")},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "เนื้อหาไฟล์ไม่ใช่ PDF, JPEG หรือ PNG" in html
    assert "The file&#x27;s content is not a PDF, JPEG or PNG" in html
    assert not ReportingDocument.objects.exists()


def test_candidate_declines_on_the_page_and_the_next_is_called(client, arranged):
    (call,) = _called(arranged)
    client.force_login(arranged.user_of("กมล"))

    client.post(f"/eligibility/my/{call.uid}/decline", {"reason": "ย้ายภูมิลำเนา"})

    call.refresh_from_db()
    assert call.outcome == "declined"
    assert call.replaced_by.application_number == "A9"


def test_officer_list_page_requires_the_exam_officer_role(client, arranged):
    verified_client(client, make_staff("proctor"))
    assert client.get(f"/eligibility/lists/{arranged.elist.pk}/").status_code == 403

    client.force_login(arranged.user_of("กมล"))
    assert client.get(f"/eligibility/lists/{arranged.elist.pk}/").status_code == 403


def test_officer_calls_next_n_and_sees_them_in_rank_order(client, arranged):
    verified_client(client, arranged.officer)

    client.post(
        f"/eligibility/lists/{arranged.elist.pk}/call",
        {"count": "3", "post": POST, "unit": "เขตพระนคร", "respond_days": "7"},
    )
    html = client.get(f"/eligibility/lists/{arranged.elist.pk}/").content.decode()

    assert list(Call.objects.order_by("pk").values_list("application_number", flat=True)) == [
        "A01",
        "A9",
        "A10",
    ]
    positions = [html.index(name) for name in ("กมล", "โชติ", "ขวัญ")]
    assert positions == sorted(positions)
    assert "ยังไม่ได้เรียก" in html


def test_officer_records_an_outcome_and_decides_a_use_request_on_the_page(client, arranged):
    (call,) = _called(arranged)
    verified_client(client, arranged.officer)
    list_url = f"/eligibility/lists/{arranged.elist.pk}/"

    client.post(f"/eligibility/calls/{call.pk}/outcome", {"outcome": "waived", "notes": "สละสิทธิ์เป็นหนังสือ"})
    client.post(
        f"{list_url}use-requests",
        {"unit": "สำนักงานเขตบางรัก", "post": "", "positions_count": "1", "reason": "อัตราว่าง"},
    )
    use_request = UseRequest.objects.get()
    client.post(f"/eligibility/use-requests/{use_request.pk}/decide", {"decision": "approve"})

    call.refresh_from_db()
    use_request.refresh_from_db()
    assert call.outcome == "waived"
    assert Call.objects.filter(replaces=call).count() == 1
    assert use_request.status == "approved"
    assert AuditEntry.objects.get(action="eligibility.decide_use").actor == arranged.officer


def test_officer_extends_validity_on_the_page(client, arranged):
    verified_client(client, arranged.officer)

    client.post(f"/eligibility/lists/{arranged.elist.pk}/extend", {"days": "365", "reason": "ประกาศขยาย"})

    arranged.elist.refresh_from_db()
    assert arranged.elist.validity_days == 1095


def test_officer_opens_an_eligibility_list_from_the_index(client):
    from tests.publication.list_setup import published_list, standard_round

    scored, _entries = standard_round()
    version, _preparer, _approver = published_list(scored)
    officer = make_officer()
    verified_client(client, officer)

    response = client.post("/eligibility/", {"rank_list": version.rank_list_id, "validity_days": "730"})

    elist = version.rank_list.eligibility_list
    assert response.status_code == 302
    assert response["Location"] == f"/eligibility/lists/{elist.pk}/"
    assert elist.created_by == officer


def test_calls_export_has_thai_headers_and_excel_dates(client, arranged):
    from django.utils import timezone
    from openpyxl import load_workbook

    _called(arranged, count=2)
    verified_client(client, arranged.officer)

    response = client.get(f"/eligibility/lists/{arranged.elist.pk}/calls.xlsx")

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:6] == (
        "ครั้งที่เรียก",
        "ลำดับที่สอบได้",
        "เลขประจำตัวสอบ",
        "เลขที่ใบสมัคร",
        "ชื่อ-นามสกุล",
        "ตำแหน่ง/หน่วยงาน",
    )
    assert [row[3] for row in rows[2:]] == ["A01", "A9"]
    assert rows[2][10] == "รอการตอบรับ"
    call = Call.objects.order_by("pk").first()
    called, respond_by = sheet.cell(row=3, column=8), sheet.cell(row=3, column=9)
    assert called.is_date and called.number_format == "dd/mm/yyyy hh:mm"
    assert called.value == timezone.localtime(call.called_at).replace(tzinfo=None, microsecond=0)
    assert respond_by.is_date and respond_by.value.date() == timezone.localtime(call.respond_by).date()
    assert rows[2][9] is None and rows[2][11] is None  # not confirmed, not answered yet
    assert sheet.cell(row=3, column=2).data_type == "n"  # the rank is a number


def test_officer_outcome_without_a_choice_records_nothing(client, arranged):
    (call,) = _called(arranged)
    verified_client(client, arranged.officer)

    client.post(f"/eligibility/calls/{call.pk}/outcome", {"outcome": ""})

    call.refresh_from_db()
    assert call.outcome == "pending"
    assert Call.objects.count() == 1
