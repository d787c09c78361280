"""Arrangement for the eligibility tests: a published rank list (through the publication services)
with a shared rank, and an eligibility list opened on it."""

import io

from exam_platform.eligibility.models import Call
from exam_platform.eligibility.services import create_eligibility_list
from tests.delivery.roster_setup import make_officer
from tests.publication.list_setup import ScoredRound, published_list

# (name, sections, rank, application number): ranks 1, 2, 2, 4, 5 — A9 and A10 share rank 2 and
# the rank list orders them A9 before A10 (natural order); the failed candidate is never on the list.
CANDIDATES = (
    ("กมล", ("45", "45"), 1, "A01"),
    ("ขวัญ", ("40", "40"), 2, "A10"),
    ("โชติ", ("40", "40"), 2, "A9"),
    ("ดวงใจ", ("35", "40"), 4, "A04"),
    ("เอกชัย", ("35", "35"), 5, "A05"),
)


class Arranged:
    def __init__(self, *, validity_days=730):
        self.scored = ScoredRound()
        self.entries = {
            name: self.scored.candidate(sections, rank=rank, first_name=name, app=app)
            for name, sections, rank, app in CANDIDATES
        }
        self.failed = self.scored.candidate(("10", "10"), passed=False, first_name="ไม่ผ่าน", app="A99")
        self.version, self.preparer, self.approver = published_list(self.scored)
        self.officer = make_officer()
        self.elist = create_eligibility_list(
            self.version.rank_list, actor=self.officer, validity_days=validity_days
        )

    def user_of(self, name):
        return self.entries[name].candidate.user

    def call_of(self, name) -> Call:
        return Call.objects.get(eligibility_list=self.elist, entry=self.entries[name])


def called_names(elist) -> list[str]:
    return [
        c.entry.candidate.first_name_th for c in Call.objects.filter(eligibility_list=elist).order_by("pk")
    ]


def png_bytes(size=(40, 30)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def jpeg_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 30, 200)).save(out, format="JPEG")
    return out.getvalue()


def pdf_bytes() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def upload(name: str, content: bytes, content_type="application/pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)
