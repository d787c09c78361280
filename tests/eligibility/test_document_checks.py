"""Officers' reporting-in page: called candidates with search, filters and pages, documents opened
through the permission-checking view, marked checked one by one or in bulk after a confirmation,
one audit entry per document."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exam_platform.common.models import AuditEntry
from exam_platform.eligibility.models import ReportingDocument
from exam_platform.eligibility.services import EligibilityError, call_next, upload_reporting_document
from exam_platform.eligibility.services.checking import (
    check_reporting_document,
    check_reporting_documents,
    plan_document_checks,
)
from tests.eligibility.list_setup import Arranged, jpeg_bytes, pdf_bytes, png_bytes, upload
from tests.factories import log_in, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def arranged():
    return Arranged()


def _called_with_documents(a, names=("กมล", "ขวัญ", "โชติ"), doc_types=("id_card", "education")):
    """Call the first len(names) in rank order; each uploads `doc_types`. {name: [documents]}."""
    calls = call_next(a.elist, actor=a.officer, count=len(names), post="นักจัดการงานทั่วไป")
    by_user = {call.entry.candidate.user_id: call for call in calls}
    uploaded = {}
    for name in names:
        user = a.user_of(name)
        call = by_user[user.pk]
        uploaded[name] = [
            upload_reporting_document(
                call, user=user, doc_type=doc_type, uploaded=upload(f"{doc_type}.pdf", pdf_bytes())
            )
            for doc_type in doc_types
        ]
    return uploaded


def page_url(a, **params):
    from urllib.parse import urlencode

    url = f"/eligibility/lists/{a.elist.pk}/reporting-in/"
    return f"{url}?{urlencode(params)}" if params else url


def post_check(client, a, **data):
    return client.post(f"/eligibility/lists/{a.elist.pk}/reporting-in/check", data)


def confirm(client, a, response):
    plan = response.context["plan"]
    return post_check(
        client,
        a,
        ids=response.context["ids"],
        expected=plan.fingerprint,
        filters=response.context["filters"],
        confirm="1",
    )


def checked(documents) -> list[bool]:
    return [
        ReportingDocument.objects.get(pk=d.pk).checked_at is not None
        for d in sorted(documents, key=lambda d: d.pk)
    ]


# --- services -------------------------------------------------------------------------------------


def test_check_reporting_document_marks_it_and_writes_one_audit_entry(arranged):
    docs = _called_with_documents(arranged, names=("กมล",), doc_types=("id_card",))
    (document,) = docs["กมล"]

    check_reporting_document(document, actor=arranged.officer)

    document.refresh_from_db()
    assert document.checked_by == arranged.officer and document.checked_at is not None
    audit = AuditEntry.objects.get(action="eligibility.check_document")
    assert audit.before == {"checked": False}
    assert audit.after["doc_type"] == "id_card" and audit.after["sha256"] == document.sha256
    with pytest.raises(EligibilityError):
        check_reporting_document(document, actor=arranged.officer)
    assert AuditEntry.objects.filter(action="eligibility.check_document").count() == 1


def test_check_reporting_document_refuses_a_non_officer(arranged):
    docs = _called_with_documents(arranged, names=("กมล",), doc_types=("id_card",))
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        check_reporting_document(docs["กมล"][0], actor=make_staff("proctor"))


def test_bulk_check_marks_every_ready_document_with_one_audit_entry_each(arranged):
    docs = _called_with_documents(arranged)
    every = [d for documents in docs.values() for d in documents]
    check_reporting_document(docs["กมล"][0], actor=arranged.officer)
    audits = AuditEntry.objects.filter(action="eligibility.check_document").count()

    plan = plan_document_checks(arranged.elist, [d.pk for d in every], actor=arranged.officer)
    assert (len(plan.ready), len(plan.skipped)) == (5, 1)
    check_reporting_documents(
        arranged.elist, [d.pk for d in every], actor=arranged.officer, expected=plan.fingerprint
    )

    assert checked(every) == [True] * 6
    entries = AuditEntry.objects.filter(action="eligibility.check_document").order_by("seq")[audits:]
    assert sorted(int(e.object_id) for e in entries) == sorted(d.pk for d in plan.ready)


def test_bulk_check_writes_nothing_when_a_document_was_replaced_meanwhile(arranged):
    docs = _called_with_documents(arranged)
    every = [d for documents in docs.values() for d in documents]
    plan = plan_document_checks(arranged.elist, [d.pk for d in every], actor=arranged.officer)
    call = docs["ขวัญ"][0].reporting_in.call
    upload_reporting_document(
        call, user=arranged.user_of("ขวัญ"), doc_type="id_card", uploaded=upload("new.png", png_bytes())
    )

    with pytest.raises(EligibilityError) as error:
        check_reporting_documents(
            arranged.elist, [d.pk for d in every], actor=arranged.officer, expected=plan.fingerprint
        )

    assert error.value.code == "changed"
    assert not ReportingDocument.objects.filter(checked_at__isnull=False).exists()


def test_bulk_check_ignores_documents_of_another_list(arranged):
    docs = _called_with_documents(arranged, names=("กมล",), doc_types=("id_card",))
    other = Arranged()
    other_docs = _called_with_documents(other, names=("กมล",), doc_types=("id_card",))

    plan = plan_document_checks(
        arranged.elist, [docs["กมล"][0].pk, other_docs["กมล"][0].pk], actor=arranged.officer
    )

    assert [d.pk for d in plan.ready] == [docs["กมล"][0].pk]


# --- views ----------------------------------------------------------------------------------------


def test_reporting_page_requires_the_exam_officer_role(client, arranged):
    log_in(client, make_staff("proctor"))
    assert client.get(page_url(arranged)).status_code == 403
    client.force_login(arranged.user_of("กมล"))
    assert client.get(page_url(arranged)).status_code == 403
    assert post_check(client, arranged, document_one="1").status_code == 403


def test_reporting_page_lists_called_candidates_with_links_to_their_documents(client, arranged):
    docs = _called_with_documents(arranged, names=("กมล", "โชติ"), doc_types=("id_card",))
    log_in(client, arranged.officer)

    response = client.get(page_url(arranged))

    html = response.content.decode()
    assert [c.name for c in response.context["page"].object_list][:2] == [
        docs["กมล"][0].reporting_in.call.name,
        docs["โชติ"][0].reporting_in.call.name,
    ]
    assert f'href="/eligibility/documents/{docs["กมล"][0].uid}"' in html
    name = docs["กมล"][0].reporting_in.call.name
    assert f"เลือกสำเนาบัตรประจำตัวประชาชนของ {name}" in html
    assert "ส่งแล้ว 1/3 ฉบับ · รอตรวจ 1 ฉบับ" in html


def test_officer_opens_a_document_as_a_private_no_store_attachment(client, arranged):
    docs = _called_with_documents(arranged, names=("กมล",), doc_types=("id_card",))
    log_in(client, arranged.officer)

    response = client.get(f"/eligibility/documents/{docs['กมล'][0].uid}")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    call = docs["กมล"][0].reporting_in.call
    assert response["Content-Disposition"] == f'attachment; filename="{call.exam_number}-id_card.pdf"'
    assert b"".join(response.streaming_content) == pdf_bytes()


def test_reporting_page_filters_by_search_outcome_and_document_state(client, arranged):
    docs = _called_with_documents(arranged, names=("กมล", "โชติ"), doc_types=("id_card",))
    call_next(arranged.elist, actor=arranged.officer, count=1, post="x")  # ขวัญ: called, nothing uploaded
    check_reporting_document(docs["โชติ"][0], actor=arranged.officer)
    log_in(client, arranged.officer)

    def names(**params):
        return [c.name for c in client.get(page_url(arranged, **params)).context["page"].object_list]

    kamol = docs["กมล"][0].reporting_in.call
    chot = docs["โชติ"][0].reporting_in.call
    assert names(documents="to_check") == [kamol.name]
    assert names(documents="all_checked") == [chot.name]
    assert len(names(documents="none")) == 1 and names(documents="none")[0] not in (kamol.name, chot.name)
    assert names(q=kamol.exam_number) == [kamol.name]
    assert names(q=chot.application_number) == [chot.name]
    assert names(outcome="declined") == []
    assert len(names(outcome="pending")) == 3


def test_reporting_page_query_count_does_not_grow_with_rows(client, arranged):
    _called_with_documents(arranged, names=("กมล",))
    log_in(client, arranged.officer)
    client.get(page_url(arranged))
    with CaptureQueriesContext(connection) as small:
        client.get(page_url(arranged))
    _called_with_documents_more(arranged)
    with CaptureQueriesContext(connection) as large:
        response = client.get(page_url(arranged))

    assert len(response.context["page"].object_list) == 5
    assert len(large) == len(small)


def _called_with_documents_more(a):
    calls = call_next(a.elist, actor=a.officer, count=4, post="y")
    for call in calls:
        user = call.entry.candidate.user
        for doc_type in ("id_card", "medical"):
            upload_reporting_document(
                call, user=user, doc_type=doc_type, uploaded=upload("a.jpg", jpeg_bytes())
            )


def test_officer_marks_one_document_checked_with_its_button(client, arranged):
    docs = _called_with_documents(arranged, names=("กมล",))
    log_in(client, arranged.officer)

    response = post_check(client, arranged, document_one=str(docs["กมล"][1].pk), filters="documents=to_check")

    assert response.status_code == 302
    assert response["Location"] == page_url(arranged, documents="to_check")
    assert checked(docs["กมล"]) == [False, True]


def test_officer_bulk_checks_all_matching_after_the_confirmation(client, arranged):
    docs = _called_with_documents(arranged)
    kamol = docs["กมล"][0].reporting_in.call
    log_in(client, arranged.officer)

    response = post_check(client, arranged, scope_matching="1", filters=f"q={kamol.exam_number}")

    assert response.status_code == 200
    assert sorted(d.pk for d in response.context["plan"].ready) == sorted(d.pk for d in docs["กมล"])
    assert "จะบันทึกว่าตรวจแล้ว <strong>2</strong> ฉบับ ของผู้ถูกเรียก 1 คน" in response.content.decode()
    assert not ReportingDocument.objects.filter(checked_at__isnull=False).exists()

    done = confirm(client, arranged, response)

    assert done.status_code == 302
    assert checked(docs["กมล"]) == [True, True]
    assert checked(docs["ขวัญ"] + docs["โชติ"]) == [False] * 4
    assert AuditEntry.objects.filter(action="eligibility.check_document").count() == 2


def test_officer_bulk_check_of_ticked_documents_reports_the_already_checked(client, arranged):
    docs = _called_with_documents(arranged, names=("กมล",))
    check_reporting_document(docs["กมล"][0], actor=arranged.officer)
    log_in(client, arranged.officer)

    response = post_check(client, arranged, document=[d.pk for d in docs["กมล"]])

    html = response.content.decode()
    assert "ข้าม 1 ฉบับ" in html
    assert f"ตรวจแล้วโดย {arranged.officer}" in html
    confirm(client, arranged, response)
    assert checked(docs["กมล"]) == [True, True]
