import base64

import pytest
from django.core.exceptions import ImproperlyConfigured

from exam_platform.publication import signing


def test_platform_key_from_env_is_stable_and_has_an_id(settings):
    key = signing.platform_key()

    assert key.public_b64 == signing.platform_key().public_b64
    assert key.key_id.startswith("ed25519:") and len(key.key_id) == 24
    assert len(key.fingerprint.split(" ")) == 16


def test_platform_key_from_a_file(settings, tmp_path):
    path = tmp_path / "signing.key"
    path.write_text(base64.b64encode(bytes([7] * 32)).decode() + "\n")
    settings.PLATFORM_SIGNING_KEY = ""
    settings.PLATFORM_SIGNING_KEY_FILE = str(path)

    key = signing.platform_key()

    assert signing.verify_signature(b"x", key.sign(b"x"), key.public_b64)


def test_platform_key_is_generated_and_kept_in_development(settings, tmp_path, monkeypatch):
    monkeypatch.setattr(signing, "DEV_KEY_PATH", tmp_path / "signing" / "platform_ed25519.key")
    settings.PLATFORM_SIGNING_KEY = ""
    signing._load.cache_clear()

    first = signing.platform_key()
    signing._load.cache_clear()
    second = signing.platform_key()

    assert first.public_b64 == second.public_b64
    assert (tmp_path / "signing" / "platform_ed25519.key").stat().st_mode & 0o777 == 0o600
    signing._load.cache_clear()


def test_platform_key_is_required_in_production(settings):
    settings.PLATFORM_SIGNING_KEY = ""
    settings.DEBUG = False
    settings.TESTING = False

    with pytest.raises(ImproperlyConfigured):
        signing.platform_key()


def test_platform_key_of_the_wrong_length_is_refused(settings):
    settings.PLATFORM_SIGNING_KEY = base64.b64encode(b"short").decode()

    with pytest.raises(ImproperlyConfigured):
        signing.platform_key()


def test_deploy_check_requires_a_signing_key(settings):
    from exam_platform.publication.checks import signing_key_configured

    assert signing_key_configured(None) == []
    settings.PLATFORM_SIGNING_KEY = ""
    settings.PLATFORM_SIGNING_KEY_FILE = ""

    assert [e.id for e in signing_key_configured(None)] == ["publication.E001"]
