"""Images for stems, choices and explanations: checked, stored by uid, deduplicated per bank, audited.

The format is what Pillow finds in the bytes (PNG, JPEG, GIF or WebP), never the file name or the
browser's content type: a ".png" that is really HTML is refused. The file is then fully decoded,
so a truncated or corrupt image is refused too. Files are served only by
question_bank.views.media.serve_media, after question_bank.access.get_media_for.
"""

import hashlib
import io
import os
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from exam_platform.common.audit import record_audit

from ..models import Bank, MediaFile

MAX_BYTES = 2 * 1024 * 1024
MAX_SIDE = 4000
FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}


class MediaError(ValueError):
    """An upload that is refused; the message is Thai + English."""


@dataclass(frozen=True)
class CheckedImage:
    data: bytes
    content_type: str
    width: int
    height: int
    sha256: str


def check_image(data: bytes) -> CheckedImage:
    """Accept only a complete PNG/JPEG/GIF/WebP image within the size limits."""
    from PIL import Image, UnidentifiedImageError

    if len(data) > MAX_BYTES:
        raise MediaError(_("ไฟล์ใหญ่เกิน 2 MB (The file is larger than 2 MB)."))
    if not data:
        raise MediaError(_("ไฟล์ว่างเปล่า (The file is empty)."))
    not_an_image = MediaError(
        _("ไฟล์นี้ไม่ใช่รูปภาพ PNG, JPEG, GIF หรือ WebP (The file is not a PNG, JPEG, GIF or WebP image).")
    )
    try:
        with Image.open(io.BytesIO(data), formats=list(FORMATS)) as image:
            image_format, (width, height) = image.format, image.size
            if width > MAX_SIDE or height > MAX_SIDE:
                raise MediaError(
                    _("รูปภาพใหญ่เกิน 4000×4000 พิกเซล (The image is larger than 4000×4000 pixels).")
                )
            image.verify()
        with Image.open(io.BytesIO(data), formats=list(FORMATS)) as image:
            image.load()  # verify() does not decode; a truncated file fails here
    except MediaError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise not_an_image from None
    if image_format not in FORMATS:
        raise not_an_image
    return CheckedImage(
        data=data,
        content_type=FORMATS[image_format],
        width=width,
        height=height,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def read_upload(upload) -> bytes:
    """The bytes of an UploadedFile, refusing oversize files before reading them."""
    if upload.size is not None and upload.size > MAX_BYTES:
        raise MediaError(_("ไฟล์ใหญ่เกิน 2 MB (The file is larger than 2 MB)."))
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise MediaError(_("ไฟล์ใหญ่เกิน 2 MB (The file is larger than 2 MB)."))
    return data


def upload_media(bank: Bank, data: bytes, *, name: str = "", actor, request=None) -> tuple[MediaFile, bool]:
    """Store an image for `bank`; returns (media, created). The same bytes in the same bank are
    stored once: a second upload returns the first MediaFile (and is audited as such)."""
    image = check_image(data)
    original_name = os.path.basename(name or "").strip()[:200]
    stored = ""
    try:
        with transaction.atomic():
            Bank.objects.select_for_update().filter(pk=bank.pk).first()  # one upload per bank at a time
            media = MediaFile.objects.filter(bank=bank, sha256=image.sha256).order_by("pk").first()
            created = media is None
            if created:
                media = MediaFile(
                    bank=bank,
                    original_name=original_name,
                    content_type=image.content_type,
                    size=len(image.data),
                    sha256=image.sha256,
                    width=image.width,
                    height=image.height,
                    uploaded_by=actor,
                )
                media.file.save(f"{media.uid}{media.extension}", ContentFile(image.data), save=False)
                stored = media.file.name
                media.save()
            record_audit(
                "question_bank.media_uploaded",
                actor=actor,
                request=request,
                obj=media,
                object_repr=original_name or str(media.uid),
                after={
                    "bank": bank.pk,
                    "uid": str(media.uid),
                    "sha256": media.sha256,
                    "size": media.size,
                    "content_type": media.content_type,
                    "width": media.width,
                    "height": media.height,
                    "name": original_name,
                    "deduplicated": not created,
                },
            )
    except BaseException:
        if stored:  # the row was rolled back: do not leave its file behind
            MediaFile.file.field.storage.delete(stored)
        raise
    return media, created
