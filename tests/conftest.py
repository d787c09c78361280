import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": "/private-not-served/"},
        },
    }


@pytest.fixture(autouse=True)
def _fresh_paper_cache():
    """The per-process locked-paper cache is keyed by database ids, which a rolled-back test may
    hand out again (SQLite): every test starts with it empty."""
    from exam_platform.delivery.services.attempts import locked_papers

    locked_papers.clear()
    yield
    locked_papers.clear()
