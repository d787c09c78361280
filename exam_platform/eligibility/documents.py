"""Checking an uploaded reporting-in document: PDF, JPEG or PNG, at most 5 MB, judged by its content.

The real format comes from the magic bytes and is then proved by parsing (pypdf for PDF, Pillow for
images); the browser's content type is never trusted. The file name's extension must be one of
.pdf/.jpg/.jpeg/.png, but it need not match the content: a phone that names a PNG scan "x.pdf" is
common and harmless once the content itself is a valid PNG, so the document is stored as what it
really is (content type and extension from the content). Anything that is not really a PDF, JPEG or
PNG — an HTML page named .pdf, a truncated image, an encrypted PDF officers cannot open — is refused.
"""

import hashlib
import io
from dataclasses import dataclass
from pathlib import PurePath

from django.utils.translation import gettext as _

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 60_000_000  # a scan at 600 dpi on A3 is ~70 MP; this refuses decompression bombs
ALLOWED_EXTENSIONS = {".pdf", ".jpg", ".jpeg", ".png"}
_MAGIC = ((b"%PDF-", "application/pdf"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))


class DocumentError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CheckedDocument:
    content: bytes
    content_type: str
    original_name: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def sniff(head: bytes) -> str | None:
    for magic, content_type in _MAGIC:
        if head.startswith(magic):
            return content_type
    # PDF readers accept a little junk before the header; so do we, but no more than 1 KB
    if b"%PDF-" in head[:1024]:
        return "application/pdf"
    return None


def check_document(uploaded) -> CheckedDocument:
    """The upload's bytes and real type, or DocumentError with a Thai + English message."""
    name = PurePath(getattr(uploaded, "name", "") or "").name[:200]
    if PurePath(name).suffix.lower() not in ALLOWED_EXTENSIONS:
        raise DocumentError(_("รับเฉพาะไฟล์ PDF, JPEG หรือ PNG (Only PDF, JPEG or PNG files are accepted)."))
    if uploaded.size is not None and uploaded.size > MAX_BYTES:
        raise DocumentError(_("ไฟล์ใหญ่เกิน 5 MB (The file is larger than 5 MB)."))
    content = uploaded.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise DocumentError(_("ไฟล์ใหญ่เกิน 5 MB (The file is larger than 5 MB).")) from None
    if not content:
        raise DocumentError(_("ไฟล์ว่างเปล่า (The file is empty)."))
    content_type = sniff(content[:1024])
    if content_type is None:
        raise DocumentError(
            _(
                "เนื้อหาไฟล์ไม่ใช่ PDF, JPEG หรือ PNG แม้ชื่อไฟล์จะลงท้ายเช่นนั้น "
                "(The file's content is not a PDF, JPEG or PNG, whatever its name says)."
            )
        )
    if content_type == "application/pdf":
        _check_pdf(content)
    else:
        _check_image(content, content_type)
    return CheckedDocument(content, content_type, name, hashlib.sha256(content).hexdigest())


def _check_pdf(content: bytes) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            raise DocumentError(
                _(
                    "ไฟล์ PDF มีรหัสผ่าน กรุณาอัปโหลดไฟล์ที่ไม่ล็อก "
                    "(The PDF is password-protected: upload an unlocked file)."
                )
            )
        pages = len(reader.pages)
    except DocumentError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError):
        pages = 0
    if pages < 1:
        raise DocumentError(_("ไฟล์ PDF เสียหายหรือเปิดไม่ได้ (The PDF is damaged or cannot be opened)."))


def _check_image(content: bytes, content_type: str) -> None:
    from PIL import Image

    expected = {"image/png": "PNG", "image/jpeg": "JPEG"}[content_type]
    try:
        with Image.open(io.BytesIO(content)) as image:
            if image.format != expected:
                raise OSError(image.format)
            if image.width * image.height > MAX_PIXELS:
                raise DocumentError(_("ภาพมีขนาดใหญ่เกินไป (The image has too many pixels)."))
            image.verify()
        with Image.open(io.BytesIO(content)) as image:
            image.load()  # verify() does not decode: a truncated image fails only here
    except DocumentError:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise DocumentError(_("ไฟล์ภาพเสียหายหรือเปิดไม่ได้ (The image is damaged or cannot be opened).")) from None
