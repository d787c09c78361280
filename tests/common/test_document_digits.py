"""One kind of digits per document (settings.DOCUMENT_DIGITS, common/pdf/digits.py).

Each document type is rendered in both kinds; its extracted text must hold digits of that kind only,
once the machine identifiers (digests, URLs, key ids, tokens, codes) are taken out.
"""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from pypdf import PdfReader

from exam_platform.common.pdf import ThaiParagraph, build_pdf, identifier, thai_style, thai_table
from exam_platform.common.pdf.digits import AS_WRITTEN, convert_digit_runs, convert_digits
from exam_platform.settings import envmapping

ROOT = Path(__file__).resolve().parents[2]
ARABIC_DIGITS = frozenset("0123456789")
THAI_DIGITS = frozenset("๐๑๒๓๔๕๖๗๘๙")
KINDS = ("thai", "arabic")
DEFAULTS = {"rank_list": "thai", "booklet": "arabic"}


# --- the setting -----------------------------------------------------------------------------------


def test_document_digits_setting_overrides_defaults():
    assert envmapping("X", ["booklet:thai"], DEFAULTS, KINDS) == {"rank_list": "thai", "booklet": "thai"}
    assert envmapping("X", [], DEFAULTS, KINDS) == DEFAULTS


@pytest.mark.parametrize(
    ("items", "message"),
    [
        (["slips:thai"], "X: unknown name 'slips'; known: booklet, rank_list"),
        (["booklet:roman"], "X: booklet must be one of thai, arabic, not 'roman'"),
        (["booklet"], "X: 'booklet' must be written name:value"),
        (["booklet:"], "X: 'booklet:' must be written name:value"),
    ],
)
def test_document_digits_setting_bad_value_is_refused(items, message):
    with pytest.raises(ImproperlyConfigured) as error:
        envmapping("X", items, DEFAULTS, KINDS)
    assert str(error.value).startswith(message)


def test_document_digits_bad_environment_stops_start_up():
    env = {**os.environ, "DOCUMENT_DIGITS": "rank_list:arabic,booklet:roman", "DEBUG": "1"}
    env.pop("TESTING", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "DOCUMENT_DIGITS: booklet must be one of thai, arabic, not 'roman'" in result.stderr


def test_document_digits_defaults_cover_every_document_type(settings):
    assert set(settings.DOCUMENT_DIGITS) == {
        "rank_list",
        "score_slip",
        "admission_card",
        "seat_list",
        "checkin_list",
        "booklet",
        "answer_key",
        "sample_announcement",
    }
    assert settings.DOCUMENT_DIGITS["rank_list"] == "thai"
    assert settings.DOCUMENT_DIGITS["score_slip"] == "arabic"


# --- the converter -----------------------------------------------------------------------------------


def test_convert_digits_keeps_identifiers_as_written():
    text = f"ฉบับที่ 2 ลงวันที่ ๒๑ SHA-256 {identifier('ab12')} หน้า 3"
    assert convert_digits(text, "thai") == "ฉบับที่ ๒ ลงวันที่ ๒๑ SHA-๒๕๖ ab12 หน้า ๓"
    assert convert_digits(text, "arabic") == "ฉบับที่ 2 ลงวันที่ 21 SHA-256 ab12 หน้า 3"
    assert convert_digits(text, None) == "ฉบับที่ 2 ลงวันที่ ๒๑ SHA-256 ab12 หน้า 3"


def test_convert_digit_runs_identifier_across_fragments():
    pieces = ["ข้อ 1 ", identifier("x1")[:-1], "y2", identifier("")[1:], " 3"]
    assert convert_digit_runs(pieces, "thai") == ["ข้อ ๑ ", "x1", "y2", "", " ๓"]


def test_build_pdf_digits_apply_to_paragraphs_tables_and_furniture():
    import datetime as dt

    def story():
        return [
            ThaiParagraph("ประกาศ ณ วันที่ ๒๑ จำนวน 12 คน", thai_style(16)),
            ThaiParagraph(f"รหัส {identifier('A-2569-77')}", thai_style(16), markup=False),
            ThaiParagraph("ข้อสอบ 15 × 4", thai_style(16), digits=AS_WRITTEN),
            thai_table(("ลำดับ", "คะแนน"), [(1, "87.50"), (2, "๘๐")]),
        ]

    for kind, other in (("thai", ARABIC_DIGITS), ("arabic", THAI_DIGITS)):
        pdf = build_pdf(story(), title="t", header="ที่ 12/2569", printed_on=dt.date(2026, 11, 21), digits=kind)
        text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
        assert "A-2569-77" in text and "15 × 4" in text
        rest = text.replace("A-2569-77", "").replace("15 × 4", "")
        assert not set(rest) & other, (kind, sorted(set(rest) & other))
        assert ("หน้า ๑ จาก ๑" if kind == "thai" else "หน้า 1 จาก 1") in text


# --- every document type -----------------------------------------------------------------------------


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def assert_one_kind(pdf: bytes, kind: str, identifiers=()):
    """Only ``kind`` digits in the text once ``identifiers`` are removed (compared without whitespace,
    since a long digest wraps), and some digits of that kind (the check is not vacuous)."""
    text = "".join(_text(pdf).split())
    for value in identifiers:
        value = "".join(str(value).split())
        assert value in text, f"identifier {value!r} missing or converted"
        text = text.replace(value, "")
    mine, other = (THAI_DIGITS, ARABIC_DIGITS) if kind == "thai" else (ARABIC_DIGITS, THAI_DIGITS)
    stray = sorted(set(text) & other)
    assert stray == [], f"{kind} document holds other digits {stray}: {text[:300]}"
    assert set(text) & mine, "no digits at all"


@pytest.fixture
def signing(settings):
    from tests.publication.conftest import TEST_SIGNING_KEY

    settings.PLATFORM_SIGNING_KEY = TEST_SIGNING_KEY
    settings.PLATFORM_SIGNING_KEY_FILE = ""
    settings.PUBLIC_BASE_URL = "https://exam.example.go.th"


def with_kind(settings, document_type, kind):
    settings.DOCUMENT_DIGITS = {**settings.DOCUMENT_DIGITS, document_type: kind}


@pytest.mark.parametrize("kind", KINDS)
def test_rank_list_pdf_digits_one_kind(db, settings, signing, kind):
    from exam_platform.publication.documents import render_pdf, verify_url, version_url
    from tests.publication.list_setup import published_list

    with_kind(settings, "rank_list", kind)
    version, _preparer, _approver = published_list()

    pdf = render_pdf(version)

    footer = f"SHA-256 {version.payload_sha256[:16]}… · {verify_url()}"
    assert_one_kind(
        pdf,
        kind,
        [
            footer,
            version.payload_sha256,
            version.key_id,
            version_url(version.rank_list_id, version.number),
            "SHA-256",
        ],
    )


@pytest.mark.parametrize("kind", KINDS)
def test_score_slip_pdf_digits_one_kind(db, settings, signing, kind):
    from exam_platform.publication.slip import make_slip_token, public_base_url, slip_fields, slip_pdf
    from tests.publication.list_setup import published_list, standard_round

    with_kind(settings, "score_slip", kind)
    scored, entries = standard_round()
    published_list(scored)
    result = entries["first"].result

    pdf = slip_pdf(result, rank=1, list_ref="L1", list_title="ประกาศ ที่ 456/2569 (ฉบับที่ 1)")

    token = make_slip_token(slip_fields(result, rank=1, list_ref="L1"))
    assert_one_kind(pdf, kind, [token, f"{public_base_url()}/verify/"])


@pytest.mark.parametrize("kind", KINDS)
def test_admission_card_pdf_digits_one_kind(db, settings, kind):
    from exam_platform.accounts.activation_codes import first_login_url
    from exam_platform.delivery.admission_card import activation_lines, admission_cards_pdf, make_card_token
    from exam_platform.delivery.models import RosterEntry
    from tests.delivery.roster_setup import make_entry, make_officer, make_session
    from tests.factories import make_candidate

    with_kind(settings, "admission_card", kind)
    session = make_session(actor=make_officer(), rooms=[("r1", 10)])
    entry = make_entry(session, make_candidate(), exam_number="00042", room=session.rooms.get(), seat=7)
    entry = RosterEntry.objects.select_related("session__round", "candidate", "room", "position").get(
        pk=entry.pk
    )

    pdf = admission_cards_pdf([entry])

    identifiers = [make_card_token(entry)]
    line = activation_lines([entry]).get(entry.pk)
    if line:  # the activation box: the code and the first-login address
        identifiers += [line[0], first_login_url()]
    assert_one_kind(pdf, kind, identifiers)


@pytest.fixture
def seated_room(db):
    from exam_platform.delivery.services.seating import assign_seats
    from tests.delivery.roster_setup import make_entry, make_officer, make_session
    from tests.factories import make_candidate

    officer = make_officer()
    session = make_session(actor=officer, rooms=[("r1", 5)])
    for name in ["สมหญิง", "กมล"]:
        make_entry(session, make_candidate(first_name_th=name, last_name_th="ใจดี"))
    assign_seats(session, actor=officer)
    return session.rooms.get()


@pytest.mark.parametrize("kind", KINDS)
def test_seat_and_checkin_list_pdf_digits_one_kind(settings, seated_room, kind):
    from exam_platform.delivery.seat_list import checkin_list_pdf, seat_list_pdf

    with_kind(settings, "seat_list", kind)
    with_kind(settings, "checkin_list", kind)

    assert_one_kind(seat_list_pdf(seated_room), kind)
    assert_one_kind(checkin_list_pdf(seated_room), kind)


@pytest.fixture
def printed_form(db):
    from question_bank.pdf.forms import load_printed_form
    from tests.factories import make_bank, make_examiner, make_item
    from tests.question_bank.test_booklet import lock_form

    owner = make_examiner(username="owner.digits", display_name="ผู้ออกข้อสอบ")
    bank = make_bank(members={owner: "owner"})
    plain = make_item(bank, actor=owner, status="approved", correct=1, stem="ข้อใดเป็นคำราชาศัพท์")
    about_numerals = make_item(bank, actor=owner, status="approved", correct=0, stem="๑๕ × 4 มีค่าเท่าใด")
    paper = lock_form(bank, [("ภาษาไทย", [plain]), ("ตัวเลข", [about_numerals])], code="pa-digits")
    return load_printed_form(paper, 1), owner


@pytest.mark.parametrize("kind", KINDS)
def test_booklet_pdf_digits_one_kind(settings, printed_form, kind):
    from question_bank.pdf.booklet import render_booklet
    from question_bank.pdf.page import Downloader

    with_kind(settings, "booklet", kind)
    form, owner = printed_form

    pdf = render_booklet(form, Downloader.of(owner))

    # the paper code and the examiner's question text are printed as written
    assert_one_kind(pdf, kind, ["pa-digits", "๑๕×4", "owner.digits"])


@pytest.mark.parametrize("kind", KINDS)
def test_answer_key_pdf_digits_one_kind(settings, printed_form, kind):
    from question_bank.pdf.answer_key import render_answer_key
    from question_bank.pdf.page import Downloader

    with_kind(settings, "answer_key", kind)
    form, owner = printed_form

    pdf = render_answer_key(form, Downloader.of(owner))

    item_ids = [str(item.version.item.uid)[:8] for item in form.items]
    assert_one_kind(pdf, kind, ["pa-digits", "owner.digits", *item_ids])


@pytest.mark.parametrize("kind", KINDS)
def test_sample_announcement_pdf_digits_one_kind(settings, kind):
    from exam_platform.common.pdf.samples import render_sample_announcement

    with_kind(settings, "sample_announcement", kind)

    assert_one_kind(render_sample_announcement(), kind)
