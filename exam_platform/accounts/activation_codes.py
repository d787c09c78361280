"""Activation codes as text: making one from a nonce, its lookup digest, normalising what was typed.

Both are HMAC-SHA256 under keys derived (django.utils.crypto.salted_hmac, one salt per purpose) from
settings.ACTIVATION_CODE_KEY, or SECRET_KEY when that setting is empty. A code is 10 characters of a
32-letter alphabet without 0/O, 1/I (50 bits): too many to guess online through the rate limit, and
each digest costs microseconds, so 5,000 codes are made in well under a second (no password hash).
"""

import secrets

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

from exam_platform.common.national_id import normalise

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # 32 symbols: no 0/O, no 1/I
CODE_LENGTH = 10
CODE_GROUPS = (4, 4, 2)  # ABCD-EFGH-JK
_CODE_SALT = "exam_platform.accounts.activation-code"
_DIGEST_SALT = "exam_platform.accounts.activation-digest"


def _secret() -> str:
    return getattr(settings, "ACTIVATION_CODE_KEY", "") or settings.SECRET_KEY


def new_nonce() -> str:
    return secrets.token_hex(16)


def code_from_nonce(nonce: str) -> str:
    """The 10-character code a nonce stands for (upper case, without dashes)."""
    number = int.from_bytes(salted_hmac(_CODE_SALT, nonce, secret=_secret(), algorithm="sha256").digest())
    chars = []
    for _i in range(CODE_LENGTH):
        number, index = divmod(number, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[index])
    return "".join(chars)


def code_digest(code: str) -> str:
    """The keyed hash stored and looked up; `code` as normalise_code returns it."""
    return salted_hmac(_DIGEST_SALT, code, secret=_secret(), algorithm="sha256").hexdigest()


def digests_match(stored: str, code: str) -> bool:
    return constant_time_compare(stored, code_digest(code))


def normalise_code(raw: str) -> str:
    """What a person typed, as the code is stored: upper case, no spaces or dashes, ASCII digits."""
    return normalise(str(raw or "")).upper()


def format_code(code: str) -> str:
    """ABCDEFGHJK -> ABCD-EFGH-JK (for printing and reading aloud)."""
    parts, start = [], 0
    for size in CODE_GROUPS:
        parts.append(code[start : start + size])
        start += size
    return "-".join(parts)


def first_login_url() -> str:
    """The absolute address of the first-login page, as printed on cards and in e-mail: on
    settings.PUBLIC_BASE_URL, else the first ALLOWED_HOSTS name (localhost:8000 when developing)."""
    from django.urls import reverse

    base = settings.PUBLIC_BASE_URL.rstrip("/")
    if not base:
        hosts = [h for h in settings.ALLOWED_HOSTS if h and not h.startswith((".", "*"))]
        base = (
            "http://localhost:8000"
            if settings.DEBUG or settings.TESTING or not hosts
            else f"https://{hosts[0]}"
        )
    return base + reverse("accounts:activate")
