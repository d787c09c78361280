"""Reporting-in documents: PDF/JPEG/PNG up to 5 MB judged by content, kept in private storage, and
confirming reporting-in before the deadline."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from exam_platform.common.models import AuditEntry
from exam_platform.eligibility.documents import MAX_BYTES, DocumentError, check_document
from exam_platform.eligibility.models import Call, ReportingDocument
from exam_platform.eligibility.services import (
    EligibilityError,
    call_next,
    confirm_reporting_in,
    upload_reporting_document,
)
from tests.eligibility.list_setup import Arranged, jpeg_bytes, pdf_bytes, png_bytes, upload

HTML = b"<!doctype html><html><script>alert(document.cookie)</script></html>"


def test_check_document_accepts_real_pdf_jpeg_and_png():
    assert check_document(upload("a.pdf", pdf_bytes())).content_type == "application/pdf"
    assert check_document(upload("b.JPG", jpeg_bytes())).content_type == "image/jpeg"
    assert check_document(upload("c.png", png_bytes())).content_type == "image/png"


def test_check_document_refuses_html_named_pdf_in_thai_and_english():
    with pytest.raises(DocumentError) as error:
        check_document(upload("ปริญญาบัตร.pdf", HTML))

    assert error.value.message == (
        "เนื้อหาไฟล์ไม่ใช่ PDF, JPEG หรือ PNG แม้ชื่อไฟล์จะลงท้ายเช่นนั้น "
        "(The file's content is not a PDF, JPEG or PNG, whatever its name says)."
    )


def test_check_document_takes_a_png_named_pdf_as_the_png_it_is():
    checked = check_document(upload("scan.pdf", png_bytes()))

    assert checked.content_type == "image/png"


def test_check_document_refuses_other_extensions_even_with_good_content():
    with pytest.raises(DocumentError) as error:
        check_document(upload("scan.gif", png_bytes()))

    assert "(Only PDF, JPEG or PNG files are accepted)" in error.value.message


def test_check_document_refuses_more_than_5_mb():
    big = pdf_bytes() + b"\n%" + b"x" * (MAX_BYTES)

    with pytest.raises(DocumentError) as error:
        check_document(upload("big.pdf", big))

    assert error.value.message == "ไฟล์ใหญ่เกิน 5 MB (The file is larger than 5 MB)."


def test_check_document_refuses_a_truncated_png_and_a_fake_pdf_header():
    with pytest.raises(DocumentError, match="The image is damaged"):
        check_document(upload("cut.png", png_bytes((400, 300))[:60]))
    with pytest.raises(DocumentError, match="The PDF is damaged"):
        check_document(upload("fake.pdf", b"%PDF-1.7\n<html>not really</html>"))


@pytest.mark.django_db
def test_upload_reporting_document_stores_the_file_privately_under_its_real_type():
    a = Arranged()
    (call,) = call_next(a.elist, actor=a.officer, post="x")

    document = upload_reporting_document(
        call, user=a.user_of("กมล"), doc_type="education", uploaded=upload("scan.pdf", png_bytes())
    )

    private_root = Path(settings.STORAGES["private"]["OPTIONS"]["location"])
    stored = Path(document.file.path)
    assert stored.is_relative_to(private_root)
    assert not stored.is_relative_to(Path(settings.MEDIA_ROOT))
    assert stored.suffix == ".png"
    assert stored.read_bytes() == png_bytes()
    assert (document.content_type, document.original_name) == ("image/png", "scan.pdf")
    audit = AuditEntry.objects.get(action="eligibility.upload_document")
    assert audit.after["sha256"] == document.sha256
    assert audit.after["content_type"] == "image/png"


@pytest.mark.django_db
def test_upload_reporting_document_refuses_html_and_stores_nothing():
    a = Arranged()
    (call,) = call_next(a.elist, actor=a.officer, post="x")

    with pytest.raises(EligibilityError) as error:
        upload_reporting_document(
            call, user=a.user_of("กมล"), doc_type="id_card", uploaded=upload("id.pdf", HTML)
        )

    assert error.value.message.startswith("สำเนาบัตรประจำตัวประชาชน: เนื้อหาไฟล์ไม่ใช่ PDF")
    assert "(The file's content is not a PDF, JPEG or PNG" in error.value.message
    assert not ReportingDocument.objects.exists()


@pytest.mark.django_db
def test_upload_of_a_type_not_requested_is_refused():
    a = Arranged()
    (call,) = call_next(a.elist, actor=a.officer, post="x")

    with pytest.raises(EligibilityError) as error:
        upload_reporting_document(
            call, user=a.user_of("กมล"), doc_type="photo", uploaded=upload("p.png", png_bytes())
        )

    assert error.value.code == "doc_type"


@pytest.mark.django_db
def test_confirm_reporting_in_needs_every_requested_document():
    a = Arranged()
    (call,) = call_next(a.elist, actor=a.officer, post="x")
    user = a.user_of("กมล")

    with pytest.raises(EligibilityError) as error:
        confirm_reporting_in(call, user=user, documents={"id_card": upload("id.pdf", pdf_bytes())})
    assert error.value.message == "ยังขาดเอกสาร: สำเนาวุฒิการศึกษา, ใบรับรองแพทย์ (Documents still missing)."

    reporting = confirm_reporting_in(
        call,
        user=user,
        documents={
            "id_card": upload("id.pdf", pdf_bytes()),
            "education": upload("edu.jpg", jpeg_bytes(), "image/jpeg"),
            "medical": upload("med.png", png_bytes(), "image/png"),
        },
    )

    assert reporting.completed is True
    assert reporting.confirmed_at is not None
    call.refresh_from_db()
    assert call.outcome == Call.Outcome.PENDING  # the officer records the appointment
    assert AuditEntry.objects.get(action="eligibility.confirm_reporting_in").after["documents"] == [
        "education",
        "id_card",
        "medical",
    ]


@pytest.mark.django_db
def test_confirm_reporting_in_after_the_deadline_is_refused():
    a = Arranged()
    (call,) = call_next(a.elist, actor=a.officer, post="x", required_documents=[])
    Call.objects.filter(pk=call.pk).update(respond_by=timezone.now() - dt.timedelta(minutes=1))

    with pytest.raises(EligibilityError) as error:
        confirm_reporting_in(call, user=a.user_of("กมล"))

    assert error.value.code == "deadline"


@pytest.mark.django_db
def test_a_candidate_cannot_act_on_another_candidates_call_through_the_services():
    a = Arranged()
    (call,) = call_next(a.elist, actor=a.officer, post="x", required_documents=[])

    with pytest.raises(EligibilityError) as error:
        confirm_reporting_in(call, user=a.user_of("โชติ"))

    assert error.value.code == "not_yours"
