import base64
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from exam_platform.publication.signing import platform_key
from exam_platform.publication.slip import make_slip_token, read_slip_token, slip_fields
from exam_platform.scoring.models import Result
from tests.publication.list_setup import published_list

pytestmark = pytest.mark.django_db


def file_bytes(version, kind) -> bytes:
    return bytes(version.files.get(kind=kind).content)


def tamper_one_digit(content: bytes) -> bytes:
    """Change the first score digit after the header line of a CSV ("85.00" → "86.00")."""
    header_end = content.index(b"\r\n")
    at = content.index(b"85.00", header_end)
    return content[:at] + b"86.00" + content[at + 5 :]


def upload(client, name, content):
    return client.post("/verify/", {"file": SimpleUploadedFile(name, content)})


def test_verify_page_shows_the_platform_public_key_and_fingerprint(client):
    key = platform_key()

    html = client.get("/verify/").content.decode()

    assert key.public_b64 in html
    assert key.fingerprint in html
    assert key.key_id in html


@pytest.mark.parametrize("kind", ["csv", "pdf", "xlsx", "html"])
def test_verify_page_accepts_every_genuine_file(client, kind):
    version, _preparer, _approver = published_list()

    response = upload(client, f"list.{kind}", file_bytes(version, kind))

    html = response.content.decode()
    assert response.status_code == 200
    assert "ไฟล์ตรงกับประกาศที่เผยแพร่ (genuine)" in html
    assert f'href="/lists/{version.rank_list_id}/v1/"' in html
    assert "ลายเซ็นถูกต้อง (signature valid)" in html


def test_verify_page_rejects_a_csv_with_one_digit_changed(client):
    version, _preparer, _approver = published_list()
    tampered = tamper_one_digit(file_bytes(version, "csv"))

    html = upload(client, "list.csv", tampered).content.decode()

    assert "ไม่ตรงกับประกาศใดที่เผยแพร่ (no match)" in html
    assert "ไฟล์ตรงกับประกาศที่เผยแพร่" not in html


def test_verify_page_rejects_an_unknown_file(client):
    published_list()

    html = upload(client, "other.pdf", b"%PDF-1.4 not ours").content.decode()

    assert "ไม่ตรงกับประกาศใดที่เผยแพร่ (no match)" in html


def test_verify_file_command_accepts_a_genuine_file(tmp_path, capsys):
    version, _preparer, _approver = published_list()
    path = tmp_path / "list.pdf"
    path.write_bytes(file_bytes(version, "pdf"))

    call_command("verify_file", str(path))

    out = capsys.readouterr().out
    assert f"MATCH: {path} = pdf of list {version.rank_list_id}" in out
    assert "version 1 (published)" in out
    assert "signature valid" in out


def test_verify_file_command_rejects_a_tampered_csv_and_an_unknown_file(tmp_path, capsys):
    version, _preparer, _approver = published_list()
    tampered = tmp_path / "tampered.csv"
    tampered.write_bytes(tamper_one_digit(file_bytes(version, "csv")))
    unknown = tmp_path / "unknown.csv"
    unknown.write_bytes("ลำดับที่,ชื่อ\r\n1,ใครก็ได้\r\n".encode())

    for path in (tampered, unknown):
        with pytest.raises(SystemExit) as exit_code:
            call_command("verify_file", str(path))
        assert exit_code.value.code == 1
    assert "NO MATCH" in capsys.readouterr().err


@pytest.mark.django_db(transaction=True)
def test_verify_file_command_exit_status_seen_by_a_shell(tmp_path):
    """The exit status a script sees: 0 for a genuine file, 1 for a tampered one (manage.py itself)."""
    import subprocess
    import sys

    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a subprocess cannot see the SQLite in-memory test database")
    version, _preparer, _approver = published_list()
    genuine, tampered = tmp_path / "list.csv", tmp_path / "tampered.csv"
    genuine.write_bytes(file_bytes(version, "csv"))
    tampered.write_bytes(tamper_one_digit(file_bytes(version, "csv")))
    db = connection.settings_dict
    env = {
        "PATH": "/usr/bin:/bin",
        "DEBUG": "1",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "PLATFORM_SIGNING_KEY": settings.PLATFORM_SIGNING_KEY,
    }

    def run(path):
        return subprocess.run(
            [sys.executable, "manage.py", "verify_file", str(path)],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )

    ok, bad = run(genuine), run(tampered)
    assert ok.returncode == 0, ok.stderr
    assert f"csv of list {version.rank_list_id}" in ok.stdout
    assert bad.returncode == 1
    assert "NO MATCH" in bad.stderr


def _fields(**overrides):
    fields = {
        "r": "pub-1",
        "e": "6900001",
        "n": "นายสมชาย ใ.",
        "t": "85.00",
        "m": "100.00",
        "p": True,
        "k": 1,
        "l": "3/v1",
    }
    fields.update(overrides)
    return fields


def test_slip_token_valid_reads_back_its_fields():
    token = make_slip_token(_fields())

    check = read_slip_token(token)

    assert check.valid
    assert check.fields == _fields()


@pytest.mark.parametrize(
    "field, value",
    [("t", "95.00"), ("p", False), ("k", 2), ("n", "นายสมศักดิ์ ใ."), ("e", "6900002"), ("l", "3/v2")],
)
def test_slip_token_with_a_changed_field_fails(field, value):
    body, signature = make_slip_token(_fields()).split(".")
    fields = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    fields[field] = value
    forged_body = (
        base64.urlsafe_b64encode(
            json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
        )
        .rstrip(b"=")
        .decode()
    )

    check = read_slip_token(f"{forged_body}.{signature}")

    assert not check.valid
    assert check.reason == "signature"


def test_slip_token_with_a_changed_signature_fails():
    body, signature = make_slip_token(_fields()).split(".")
    flipped = ("B" if signature[10] == "A" else "A").join([signature[:10], signature[11:]])

    assert not read_slip_token(f"{body}.{flipped}").valid
    assert read_slip_token("not-a-token").reason == "malformed"
    assert read_slip_token(f"{body}.").valid is False


def test_slip_page_shows_masked_fields_and_valid_signature(client):
    version, _preparer, _approver = published_list()
    result = Result.objects.get(rank=1, round__code=version.payload["list"]["round"]["code"])
    token = make_slip_token(slip_fields(result, rank=1, list_ref=f"{version.rank_list_id}/v1"))

    response = client.get(f"/verify/slip/{token}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "ลายเซ็นถูกต้อง (signature valid)" in html
    assert "นายกมล เก." in html
    assert "เกศินี" not in html
    assert "85.00" in html
    assert f'href="/lists/{version.rank_list_id}/v1/"' in html


def test_slip_page_with_a_tampered_token_fails_clearly(client):
    body, signature = make_slip_token(_fields()).split(".")

    response = client.get(f"/verify/slip/{body}.{signature[:-2]}AA/")

    assert response.status_code == 400
    html = response.content.decode()
    assert "ตรวจสอบไม่ผ่าน: ลายเซ็นไม่ถูกต้อง" in html
    assert "ลายเซ็นถูกต้อง (signature valid)" not in html


def test_verify_page_pasted_slip_url_redirects_to_the_slip_page(client):
    token = make_slip_token(_fields())

    response = client.post("/verify/", {"code": f"https://exam.example.go.th/verify/slip/{token}/"})

    assert response.status_code == 302
    assert response["Location"] == f"/verify/slip/{token}/"
