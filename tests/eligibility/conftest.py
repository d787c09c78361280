import base64

import pytest

TEST_SIGNING_KEY = base64.b64encode(bytes(range(32))).decode("ascii")


@pytest.fixture(autouse=True)
def _signing_key(settings):
    """A fixed platform key, so publishing in tests never writes var/signing/."""
    settings.PLATFORM_SIGNING_KEY = TEST_SIGNING_KEY
    settings.PLATFORM_SIGNING_KEY_FILE = ""
    settings.PUBLIC_BASE_URL = "https://exam.example.go.th"
