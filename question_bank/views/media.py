"""Bank images: upload (JSON for the item editor) and serving, only to members of the bank.

Files never go out through MEDIA_URL: serve_media checks membership on every request and tells
browsers and proxies not to keep a copy (bank media is as confidential as the items).
"""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import access
from ..services.media import MediaError, read_upload, upload_media


@login_required
@require_POST
def media_upload(request, bank_id: int):
    """POST a file in the field "file"; answers {"uid", "url"} (201 new, 200 already stored) or
    {"error"} with status 400."""
    bank = access.get_bank_for(request.user, bank_id, roles=access.WRITERS)
    upload = request.FILES.get("file")
    if upload is None:
        return JsonResponse({"error": _("กรุณาเลือกไฟล์รูปภาพ (Please choose an image file).")}, status=400)
    try:
        media, created = upload_media(
            bank, read_upload(upload), name=upload.name, actor=request.user, request=request
        )
    except MediaError as error:
        return JsonResponse({"error": str(error)}, status=400)
    return JsonResponse(
        {
            "uid": str(media.uid),
            "url": reverse("qb:media", kwargs={"uid": media.uid}),
            "width": media.width,
            "height": media.height,
        },
        status=201 if created else 200,
    )


@login_required
@require_GET
def serve_media(request, uid):
    media = access.get_media_for(request.user, uid)
    try:
        handle = media.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=media.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Content-Disposition"] = "inline"
    return response
