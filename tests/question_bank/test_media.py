"""Bank images: upload checks (real format, size, dimensions), dedupe, audit, serving to members only."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from exam_platform.common.models import AuditEntry
from question_bank.models import MediaFile
from question_bank.services.media import MediaError, check_image, upload_media
from tests.factories import log_in, make_bank, make_candidate, make_examiner, make_staff

pytestmark = pytest.mark.django_db


def image_bytes(fmt="PNG", size=(32, 20), colour=(10, 92, 54)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.fixture
def author():
    return make_examiner(username="author.media")


@pytest.fixture
def bank(author):
    return make_bank(members={author: "author"})


def upload(client, bank, data: bytes, name="figure.png", content_type="image/png"):
    return client.post(
        f"/qb/banks/{bank.pk}/media/upload/",
        {"file": SimpleUploadedFile(name, data, content_type=content_type)},
    )


def test_media_upload_good_png_is_stored_audited_and_served_to_a_member(client, author, bank):
    data = image_bytes()
    client = log_in(client, author)

    response = upload(client, bank, data)

    assert response.status_code == 201
    media = MediaFile.objects.get(bank=bank)
    assert response.json() == {
        "uid": str(media.uid),
        "url": f"/qb/media/{media.uid}/",
        "width": 32,
        "height": 20,
    }
    assert (media.content_type, media.size, media.width, media.height) == ("image/png", len(data), 32, 20)
    assert media.file.name == f"question_media/{bank.pk}/{media.uid}.png"
    entry = AuditEntry.objects.get(action="question_bank.media_uploaded")
    assert entry.actor == author
    assert entry.after["uid"] == str(media.uid)
    assert entry.after["deduplicated"] is False

    served = client.get(f"/qb/media/{media.uid}/")

    assert served.status_code == 200
    assert b"".join(served.streaming_content) == data
    assert served["Content-Type"] == "image/png"
    assert served["Cache-Control"] == "private, no-store"
    assert served["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("fmt", "content_type"), [("JPEG", "image/jpeg"), ("GIF", "image/gif"), ("WEBP", "image/webp")]
)
def test_media_upload_accepts_jpeg_gif_webp_by_their_real_format(client, author, bank, fmt, content_type):
    # The name and the browser's content type lie; the stored type follows the bytes.
    response = upload(log_in(client, author), bank, image_bytes(fmt), name="x.png", content_type="image/png")

    assert response.status_code == 201
    media = MediaFile.objects.get(bank=bank)
    assert media.content_type == content_type
    assert media.file.name.endswith(MediaFile.EXTENSIONS[content_type])


def test_media_upload_same_bytes_in_same_bank_is_stored_once(client, author, bank):
    client = log_in(client, author)
    first = upload(client, bank, image_bytes())
    second = upload(client, bank, image_bytes(), name="again.png")

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["uid"] == second.json()["uid"]
    assert MediaFile.objects.filter(bank=bank).count() == 1
    assert (
        AuditEntry.objects.filter(action="question_bank.media_uploaded").last().after["deduplicated"] is True
    )


def test_media_upload_same_bytes_in_another_bank_is_a_separate_file(author, bank):
    other = make_bank(members={author: "owner"})

    first, _ = upload_media(bank, image_bytes(), actor=author)
    second, created = upload_media(other, image_bytes(), actor=author)

    assert created is True
    assert first.uid != second.uid


def test_media_upload_png_that_is_really_html_is_refused_in_thai_and_english(client, author, bank):
    response = upload(
        log_in(client, author), bank, b"<html><script>alert(1)</script></html>", name="evil.png"
    )

    assert response.status_code == 400
    assert response.json() == {
        "error": "ไฟล์นี้ไม่ใช่รูปภาพ PNG, JPEG, GIF หรือ WebP (The file is not a PNG, JPEG, GIF or WebP image)."
    }
    assert not MediaFile.objects.exists()
    assert not AuditEntry.objects.filter(action="question_bank.media_uploaded").exists()


@pytest.mark.parametrize(
    "data",
    [
        b"plain text, not an image",
        image_bytes("BMP"),  # a real image, but not an allowed format
        image_bytes("PNG", size=(300, 300))[:200],  # truncated PNG
    ],
    ids=["text", "bmp", "truncated"],
)
def test_check_image_refuses_non_images_other_formats_and_broken_files(data):
    with pytest.raises(MediaError, match=r"\(The file is not a PNG, JPEG, GIF or WebP image\)"):
        check_image(data)


def test_media_upload_larger_than_2_mb_is_refused(client, author, bank):
    oversize = image_bytes() + b"\0" * (2 * 1024 * 1024)

    response = upload(log_in(client, author), bank, oversize)

    assert response.status_code == 400
    assert response.json() == {"error": "ไฟล์ใหญ่เกิน 2 MB (The file is larger than 2 MB)."}
    assert not MediaFile.objects.exists()


def test_check_image_refuses_more_than_4000_pixels_a_side():
    with pytest.raises(
        MediaError, match=r"ใหญ่เกิน 4000×4000 พิกเซล \(The image is larger than 4000×4000 pixels\)"
    ):
        check_image(image_bytes("PNG", size=(4001, 10)))


def test_check_image_accepts_exactly_4000_pixels():
    assert check_image(image_bytes("PNG", size=(4000, 1))).width == 4000


def test_media_upload_without_file_is_refused(client, author, bank):
    response = log_in(client, author).post(f"/qb/banks/{bank.pk}/media/upload/", {})

    assert response.status_code == 400
    assert "(Please choose an image file)" in response.json()["error"]


def test_media_upload_by_reviewer_is_forbidden(client, bank):
    reviewer = make_examiner(username="reviewer.media")
    bank.memberships.create(user=reviewer, role="reviewer")

    assert upload(log_in(client, reviewer), bank, image_bytes()).status_code == 403


def test_media_upload_to_a_bank_of_which_user_is_not_member_is_404(client, bank):
    outsider = make_examiner(username="outsider.media")

    assert upload(log_in(client, outsider), bank, image_bytes()).status_code == 404
    assert not MediaFile.objects.exists()


def test_media_served_to_non_member_examiner_is_404(client, author, bank):
    media, _ = upload_media(bank, image_bytes(), actor=author)
    outsider = make_examiner(username="outsider.serve")

    assert log_in(client, outsider).get(f"/qb/media/{media.uid}/").status_code == 404


def test_media_served_to_candidate_is_403(client, author, bank):
    media, _ = upload_media(bank, image_bytes(), actor=author)
    candidate = make_candidate()

    assert log_in(client, candidate.user).get(f"/qb/media/{media.uid}/").status_code == 403


def test_media_served_to_staff_without_examiner_role_is_403(client, author, bank):
    media, _ = upload_media(bank, image_bytes(), actor=author)
    officer = make_staff("exam_officer")

    assert log_in(client, officer).get(f"/qb/media/{media.uid}/").status_code == 403


def test_media_served_to_anonymous_redirects_to_login(client, author, bank):
    media, _ = upload_media(bank, image_bytes(), actor=author)

    response = client.get(f"/qb/media/{media.uid}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/qb/media/")


def test_media_unknown_uid_is_404(client, author):
    assert log_in(client, author).get("/qb/media/00000000-0000-4000-8000-000000000000/").status_code == 404


def test_media_file_is_stored_outside_media_root_so_no_server_serves_it(client, author, bank, settings):
    client = log_in(client, author)
    uid = upload(client, bank, image_bytes()).json()["uid"]

    stored = Path(MediaFile.objects.get(uid=uid).file.path).resolve()
    assert not stored.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert stored.exists()
