"""Booklet and answer-key PDFs: content, watermark, permissions, audit."""

import hashlib
import io
import json
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from pypdf import PdfReader

from exam_platform.common.models import AuditEntry
from question_bank.models import MediaFile, Paper, PaperForm
from question_bank.services.items import ChoiceData
from tests.factories import log_in as login
from tests.factories import make_bank, make_candidate, make_examiner, make_item

WATERMARK_NAME = "วิมลรัตน์ ตรวจสอบ"


# --- arrange -----------------------------------------------------------------------------------------


def lock_form(
    bank, sections, *, code="part-a-1-2569", form_mode=Paper.FormMode.FIXED, status="locked", title=None
):
    """A Paper with one PaperForm in the frozen JSON format; `sections` is [(title, [item, ...]), ...]."""
    paper = Paper.objects.create(
        bank=bank,
        code=code,
        title=title or "ภาคความรู้ความสามารถทั่วไป (ภาค ก) ครั้งที่ 1/2569",
        duration_minutes=90,
        form_mode=form_mode,
        status=status,
    )
    content = {
        "paper": {"code": code, "version": 1},
        "form": 1,
        "sections": [
            {
                "position": n,
                "title": title,
                "time_limit_minutes": None,
                "shuffle_items": True,
                "shuffle_choices": True,
                "items": [
                    {
                        "item": str(i.uid),
                        "version": i.current_version_id,
                        "points": str(i.current_version.default_points),
                    }
                    for i in items
                ],
            }
            for n, (title, items) in enumerate(sections, start=1)
        ],
    }
    digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
    PaperForm.objects.create(paper=paper, number=1, content=content, digest=digest)
    return paper


def png_bytes(width=400, height=200) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 90, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def people(db):
    owner = make_examiner(username="owner.one", display_name=WATERMARK_NAME)
    reviewer = make_examiner(username="reviewer.one", display_name="ผู้ทบทวน หนึ่ง")
    author = make_examiner(username="author.one")
    outsider = make_examiner(username="outsider.one")
    bank = make_bank(members={owner: "owner", reviewer: "reviewer", author: "author"})
    return {"owner": owner, "reviewer": reviewer, "author": author, "outsider": outsider, "bank": bank}


@pytest.fixture
def paper(people):
    """Six items of every type; the single-choice keys are ค and ก, the multiple-response key ข, ง."""
    bank, owner = people["bank"], people["owner"]
    media = MediaFile(bank=bank, content_type="image/png", size=1, sha256="0" * 64, original_name="chart.png")
    media.file.save("chart.png", ContentFile(png_bytes()), save=False)
    media.save()
    stem = f'<p>ข้อใด<b>เขียนถูกต้อง</b>ตามพจนานุกรม</p><img src="/qb/media/{media.uid}/">'
    single_c = make_item(
        bank, actor=owner, status="approved", correct=2, stem=stem, explanation="กะเพรา สะกดถูกตามพจนานุกรม"
    )
    single_a = make_item(bank, actor=owner, status="approved", correct=0, stem="ข้อใดเป็นคำราชาศัพท์")
    multiple = make_item(
        bank,
        actor=owner,
        status="approved",
        item_type="multiple",
        stem="ข้อใดเป็นจำนวนเฉพาะ",
        choices=[ChoiceData("4"), ChoiceData("5", True), ChoiceData("9"), ChoiceData("7", True)],
        answer_spec={"partial_credit": "per_choice"},
    )
    numeric = make_item(
        bank,
        actor=owner,
        status="approved",
        item_type="numeric",
        stem="15 × 4 มีค่าเท่าใด",
        choices=[],
        answer_spec={"value": "60", "tolerance": "0.5"},
    )
    short = make_item(
        bank,
        actor=owner,
        status="approved",
        item_type="short",
        stem="เมืองหลวงของไทยคือ",
        choices=[],
        answer_spec={"accepted": ["กรุงเทพมหานคร", "กรุงเทพฯ"]},
    )
    essay = make_item(
        bank,
        actor=owner,
        status="approved",
        item_type="essay",
        choices=[],
        stem="อธิบายหลักธรรมาภิบาล",
        answer_spec={"max_words": 200},
    )
    return lock_form(
        bank, [("ภาษาไทย", [single_c, single_a, multiple]), ("ความรู้ทั่วไป", [numeric, short, essay])]
    )


def pages_text(content: bytes) -> list[str]:
    """Each page's text, ำ recomposed (extraction gives the shaped glyphs' nikhahit + sara aa) and every
    run of whitespace (table cells come out one per line) a single space."""
    pages = PdfReader(io.BytesIO(content)).pages
    return [" ".join(page.extract_text().replace("\u0e4d\u0e32", "\u0e33").split()) for page in pages]


def booklet_url(paper, form=None):
    url = reverse("qb:booklet", args=[paper.pk])
    return f"{url}?form={form}" if form is not None else url


def key_url(paper, form=None):
    url = reverse("qb:answer_key", args=[paper.pk])
    return f"{url}?form={form}" if form is not None else url


# --- booklet -----------------------------------------------------------------------------------------


def test_booklet_owner_gets_watermarked_attachment(client, people, paper):
    response = login(client, people["owner"]).get(booklet_url(paper))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="part-a-1-2569-v1-form1-booklet.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    reader = PdfReader(io.BytesIO(response.content))
    assert 2 <= len(reader.pages) <= 4
    texts = pages_text(response.content)
    watermark = f"part-a-1-2569 v1 ชุดที่ 1 — {WATERMARK_NAME} (owner.one)"
    for number, text in enumerate(texts, start=1):
        assert watermark in text, f"page {number} lacks the watermark"
        assert f"ดาวน์โหลดโดย {WATERMARK_NAME} (owner.one) เมื่อ" in text
        assert f"หน้า {number} จาก {len(texts)}" in text  # DOCUMENT_DIGITS booklet: arabic
    assert reader.metadata.author == f"{WATERMARK_NAME} (owner.one)"
    assert "downloaded-by owner.one" in reader.metadata["/Keywords"]


def test_booklet_content_has_cover_items_and_choices_in_version_order(client, people, paper):
    text = "\n".join(pages_text(login(client, people["reviewer"]).get(booklet_url(paper)).content))

    assert "กรุงเทพมหานคร" in text
    assert "ภาคความรู้ความสามารถทั่วไป (ภาค ก) ครั้งที่ 1/2569" in text
    assert "รหัส part-a-1-2569 ฉบับที่ 1 ชุดที่ 1" in text
    assert "เลขประจำตัวสอบ" in text
    assert "ตอนที่ 1 ภาษาไทย" in text and "ตอนที่ 2 ความรู้ทั่วไป" in text
    assert "ข้อใดเขียนถูกต้องตามพจนานุกรม" in text  # tone marks survive extraction (ได้, ถูก, ต้อง)
    first = text.index("ข้อใดเขียนถูกต้องตามพจนานุกรม")
    labels = [
        text.index(f"{label}. {choice}", first)
        for label, choice in zip("กขคง", ["กะเพรา", "กระเพรา", "กะเพา", "กระเพา"], strict=True)
    ]
    assert labels == sorted(labels)
    assert "(เลือกได้มากกว่าหนึ่งคำตอบ)" in text
    for number in range(1, 7):
        assert f"{number}." in text
    assert "— หมดข้อสอบ —" in text


def test_booklet_never_shows_key_or_explanation(client, people, paper):
    text = "\n".join(pages_text(login(client, people["owner"]).get(booklet_url(paper)).content))

    assert "พจนานุกรม" in text  # the stem is there ...
    assert "กะเพรา สะกดถูกตามพจนานุกรม" not in text  # ... its explanation is not
    for marker in ("เฉลย", "ตรวจโดยกรรมการ", "กรุงเทพฯ", "60 ±", "ลับที่สุด", "per_choice"):
        assert marker not in text


def test_booklet_draws_bank_image(client, people, paper):
    reader = PdfReader(io.BytesIO(login(client, people["owner"]).get(booklet_url(paper)).content))

    images = [image for page in reader.pages for image in page.images]
    assert len(images) == 1
    assert images[0].image.size == (400, 200)


# --- answer key --------------------------------------------------------------------------------------


def test_answer_key_lists_keys_in_version_order(client, people, paper):
    response = login(client, people["owner"]).get(key_url(paper, form=1))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="part-a-1-2569-v1-form1-answer-key.pdf"'
    texts = pages_text(response.content)
    text = "\n".join(texts)
    assert "เฉลยข้อสอบ — ลับที่สุด" in text
    squashed = text.replace(" ", "")  # cells wrap: compare without the spaces line breaks leave
    uids = [
        entry["item"][:8] for section in paper.forms.get().content["sections"] for entry in section["items"]
    ]
    assert f"1ค1{uids[0]}v1กะเพราสะกดถูกตามพจนานุกรม" in squashed
    assert f"2ก1{uids[1]}v1" in squashed
    assert f"3ข,ง1{uids[2]}v1เลือกได้หลายคำตอบ:คิดคะแนนรายตัวเลือก" in squashed
    assert f"460±0.51{uids[3]}v1" in squashed
    assert f"5กรุงเทพมหานคร/กรุงเทพฯ1{uids[4]}v1" in squashed
    assert f"6ตรวจโดยกรรมการ1{uids[5]}v1" in squashed
    for page_text in texts:
        assert f"ชุดที่ 1 — {WATERMARK_NAME} (owner.one)" in page_text


# --- permissions -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "booklet", "answer_key"),
    [("owner", 200, 200), ("reviewer", 200, 403), ("author", 403, 403), ("outsider", 404, 404)],
)
def test_pdf_access_by_bank_role(client, people, paper, who, booklet, answer_key):
    login(client, people[who])

    assert client.get(booklet_url(paper)).status_code == booklet
    assert client.get(key_url(paper)).status_code == answer_key


def test_pdf_candidate_is_forbidden(client, paper):
    client.force_login(make_candidate().user)

    assert client.get(booklet_url(paper)).status_code == 403
    assert client.get(key_url(paper)).status_code == 403


def test_pdf_anonymous_is_sent_to_login(client, paper):
    response = client.get(booklet_url(paper))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_pdf_refused_denials_are_not_audited(client, people, paper):
    login(client, people["reviewer"]).get(key_url(paper))

    assert not AuditEntry.objects.filter(action__startswith="paper.").exists()


# --- refusals ----------------------------------------------------------------------------------------


def test_pdf_draft_paper_is_refused_in_thai_and_english(client, people):
    bank, owner = people["bank"], people["owner"]
    draft = lock_form(bank, [("ตอน", [make_item(bank, actor=owner, status="approved")])], status="draft")

    response = login(client, owner).get(booklet_url(draft))

    assert response.status_code == 400
    body = response.content.decode()
    assert "ยังไม่ได้ล็อก" in body and "Only a locked paper can be printed." in body
    assert client.get(key_url(draft)).status_code == 400
    assert not AuditEntry.objects.filter(action__startswith="paper.").exists()


def test_pdf_per_candidate_paper_is_refused(client, people):
    bank, owner = people["bank"], people["owner"]
    per_candidate = lock_form(
        bank,
        [("ตอน", [make_item(bank, actor=owner, status="approved")])],
        form_mode=Paper.FormMode.PER_CANDIDATE,
    )

    response = login(client, owner).get(booklet_url(per_candidate))

    assert response.status_code == 400
    assert "no fixed form to print" in response.content.decode()


def test_pdf_unknown_form_is_404_and_bad_form_400(client, people, paper):
    login(client, people["owner"])

    assert client.get(booklet_url(paper, form=2)).status_code == 404
    assert client.get(booklet_url(paper, form="abc")).status_code == 400
    assert client.get(key_url(paper, form=0)).status_code == 400


# --- audit -------------------------------------------------------------------------------------------


def test_pdf_downloads_are_audited_with_digest(client, people, paper):
    login(client, people["owner"])

    booklet = client.get(booklet_url(paper, form=1)).content
    key = client.get(key_url(paper)).content

    entries = list(AuditEntry.objects.filter(action__startswith="paper.").order_by("seq"))
    assert [e.action for e in entries] == ["paper.booklet_downloaded", "paper.answer_key_downloaded"]
    assert entries[0].after == {"form": 1, "sha256": hashlib.sha256(booklet).hexdigest()}
    assert entries[1].after == {"form": 1, "sha256": hashlib.sha256(key).hexdigest()}
    assert {e.actor_id for e in entries} == {people["owner"].pk}
    assert {(e.object_type, e.object_id) for e in entries} == {("question_bank.paper", str(paper.pk))}


def test_pdf_each_download_is_a_distinct_copy(client, people, paper, monkeypatch):
    import datetime as dt

    from django.utils import timezone

    login(client, people["owner"])
    first = client.get(booklet_url(paper)).content
    later = timezone.now() + dt.timedelta(minutes=7)
    monkeypatch.setattr(timezone, "now", lambda: later)
    second = client.get(booklet_url(paper)).content

    assert hashlib.sha256(first).digest() != hashlib.sha256(second).digest()
    digests = set(
        AuditEntry.objects.filter(action="paper.booklet_downloaded").values_list("after__sha256", flat=True)
    )
    assert len(digests) == 2


# --- a realistic paper -------------------------------------------------------------------------------


def demo_paper(*, per_section=10):
    """A locked paper of 2 × `per_section` demo-bank items (Thai language and analytical reasoning)."""
    from exam_platform.demo.bank import load_demo_bank
    from question_bank.models import Category, Item

    bank = load_demo_bank().bank
    sections = []
    for code, title in (
        ("thai-language", "ความสามารถทางภาษาไทย"),
        ("analytical", "ความสามารถในการคิดวิเคราะห์"),
    ):
        subject = Category.objects.get(bank=bank, code=code)
        items = (
            Item.objects.filter(bank=bank, category__parent=subject)
            .select_related("current_version")
            .order_by("category__code", "id")
        )
        picked = list(items.filter(current_version__stem__contains="<table")[:2]) + list(
            items[: per_section * 2]
        )
        unique = list({item.pk: item for item in picked}.values())[:per_section]
        sections.append((title, unique))
    return lock_form(bank, sections, code="part-a-demo-2569", title="แบบทดสอบภาค ก ตัวอย่าง ครั้งที่ 1/2569")


def test_booklet_demo_paper_lays_out_twenty_items(people):
    from question_bank.pdf.answer_key import render_answer_key
    from question_bank.pdf.booklet import render_booklet
    from question_bank.pdf.forms import load_printed_form
    from question_bank.pdf.page import Downloader

    paper = demo_paper()
    form = load_printed_form(paper, 1)
    downloader = Downloader.of(people["owner"])

    booklet = render_booklet(form, downloader)
    key = render_answer_key(form, downloader)

    assert len(form.items) == 20
    assert form.total_points == Decimal(20)
    booklet_pages = pages_text(booklet)
    assert 4 <= len(booklet_pages) <= 9
    assert all("ชุดที่ 1 — " + WATERMARK_NAME in text for text in booklet_pages)
    assert "20." in booklet_pages[-1]
    key_text = "\n".join(pages_text(key))
    expected = "กขคงจ"[[c.is_correct for c in form.items[0].choices].index(True)]
    assert f"1{expected}1{str(form.items[0].version.item.uid)[:8]}v1" in key_text.replace(" ", "")


# --- item HTML as flowables --------------------------------------------------------------------------


def test_markup_keeps_emphasis_lists_and_headerless_tables():
    from reportlab.platypus import Table

    from exam_platform.common.pdf import ThaiParagraph, thai_style
    from question_bank.pdf.markup import HtmlFlowables

    html = HtmlFlowables(width=400, style=thai_style(15))

    flowables = html(
        "<p>ข้อใด<b>ถูก</b><i>ต้อง</i></p><ol><li>หนึ่ง</li><li>สอง</li></ol>"
        "<table><tr><td>ก</td><td>12</td></tr><tr><td>ข</td><td>3</td></tr></table>"
    )

    paragraphs = [f for f in flowables if isinstance(f, ThaiParagraph)]
    assert [p.getPlainText() for p in paragraphs] == ["ข้อใดถูกต้อง", "1. หนึ่ง", "2. สอง"]
    assert paragraphs[0].line_runs(400) == [
        [("Sarabun", "ข้อใด"), ("Sarabun-Bold", "ถูก"), ("Sarabun-Italic", "ต้อง")]
    ]
    (table,) = [f for f in flowables if isinstance(f, Table)]
    assert [[cell.getPlainText() for cell in row] for row in table._cellvalues] == [
        ["ก", "12"],
        ["ข", "3"],
    ]


def test_markup_scales_large_image_to_fit(db):
    from exam_platform.common.pdf import thai_style
    from question_bank.pdf.markup import HtmlFlowables

    bank = make_bank()
    media = MediaFile(bank=bank, content_type="image/png", size=1, sha256="0" * 64)
    media.file.save("big.png", ContentFile(png_bytes(2000, 1000)), save=False)
    media.save()
    html = HtmlFlowables(width=400, style=thai_style(15), media={str(media.uid): media})

    (image,) = html(f'<img src="/qb/media/{media.uid}/">')
    missing = html('<img src="/qb/media/00000000-0000-0000-0000-000000000000/">')[0]

    assert (round(image.drawWidth), round(image.drawHeight)) == (400, 200)
    assert missing.getPlainText() == "[ไม่พบรูปภาพ]"


# --- with the real paper services --------------------------------------------------------------------


def test_booklet_of_parallel_form_locked_by_service(client, people):
    from question_bank.pdf.answer_key import key_text
    from question_bank.services import papers as paper_services

    bank, owner = people["bank"], people["owner"]
    for n in range(10):
        make_item(bank, actor=owner, status="approved", difficulty="easy", correct=n % 4)
    paper = paper_services.create_paper(
        bank, actor=owner, code="par-2569", title="ชุดคู่ขนาน", form_mode="parallel", form_count=2
    )
    section = paper_services.add_section(paper, actor=owner, title="ภาษาไทย")
    subject = bank.categories.get(parent__isnull=True)
    paper_services.add_rule(
        section, actor=owner, category=subject, count=5, easy_percent=100, medium_percent=0, hard_percent=0
    )
    paper = paper_services.lock_paper(paper, actor=owner, seed=1)
    login(client, owner)

    booklet = client.get(booklet_url(paper, form=2))
    key = client.get(key_url(paper, form=2))

    assert booklet.status_code == 200 and key.status_code == 200
    booklet_text = " ".join(pages_text(booklet.content))
    assert "part-a" not in booklet_text and "par-2569 v1 ชุดที่ 2 — " in booklet_text
    from question_bank.pdf.forms import load_printed_form

    form = load_printed_form(paper, 2)
    squashed = " ".join(pages_text(key.content)).replace(" ", "")
    for item in form.items:
        assert f"{item.number}{key_text(item.version)}1{str(item.version.item.uid)[:8]}v1" in squashed
