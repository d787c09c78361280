"""The platform's Ed25519 signing key, and signing and checking with it.

The private key comes from the environment: PLATFORM_SIGNING_KEY (base64 of the raw 32-byte key) or
PLATFORM_SIGNING_KEY_FILE (a file holding that base64 text). With DEBUG or TESTING and neither set,
a key is generated once and kept in var/signing/ (ignored by git), so a laptop signs consistently
across restarts. Production refuses to sign without a configured key.

Generate one:  python -c "import base64,os; print(base64.b64encode(os.urandom(32)).decode())"

The public key is published on /verify/ (base64 and a fingerprint). `key_id` names a key in
signatures: "ed25519:" + the first 16 hex digits of the SHA-256 of the raw public key.
"""

import base64
import binascii
import functools
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .canonical import canonical_json

DEV_KEY_PATH = Path(settings.BASE_DIR) / "var" / "signing" / "platform_ed25519.key"


@dataclass(frozen=True)
class PlatformKey:
    private_key: object  # cryptography Ed25519PrivateKey
    public_raw: bytes

    @property
    def public_b64(self) -> str:
        return base64.b64encode(self.public_raw).decode("ascii")

    @property
    def key_id(self) -> str:
        return key_id_of(self.public_raw)

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the raw public key, hex in groups of four (easy to read aloud and compare)."""
        digest = hashlib.sha256(self.public_raw).hexdigest()
        return " ".join(digest[i : i + 4] for i in range(0, len(digest), 4))

    def sign(self, message: bytes) -> str:
        return base64.b64encode(self.private_key.sign(message)).decode("ascii")


def key_id_of(public_raw: bytes) -> str:
    return "ed25519:" + hashlib.sha256(public_raw).hexdigest()[:16]


def _decode_private(text: str, source: str) -> bytes:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise ImproperlyConfigured(f"{source} must be the base64 of a raw 32-byte Ed25519 private key")
    return raw


def _dev_key_text() -> str:
    if DEV_KEY_PATH.exists():
        return DEV_KEY_PATH.read_text(encoding="ascii")
    DEV_KEY_PATH.parent.mkdir(parents=True, exist_ok=True)
    text = base64.b64encode(os.urandom(32)).decode("ascii") + "\n"
    # O_EXCL: two processes starting together keep the first one's key.
    try:
        fd = os.open(DEV_KEY_PATH, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return DEV_KEY_PATH.read_text(encoding="ascii")
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(text)
    return text


@functools.cache
def _load(key_text: str, key_file: str, allow_dev: bool) -> PlatformKey:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    if key_text:
        raw = _decode_private(key_text, "PLATFORM_SIGNING_KEY")
    elif key_file:
        raw = _decode_private(Path(key_file).read_text(encoding="ascii"), "PLATFORM_SIGNING_KEY_FILE")
    elif allow_dev:
        raw = _decode_private(_dev_key_text(), str(DEV_KEY_PATH))
    else:
        raise ImproperlyConfigured(
            "Set PLATFORM_SIGNING_KEY or PLATFORM_SIGNING_KEY_FILE to sign published lists"
        )
    private = Ed25519PrivateKey.from_private_bytes(raw)
    public_raw = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return PlatformKey(private, public_raw)


def platform_key() -> PlatformKey:
    return _load(
        settings.PLATFORM_SIGNING_KEY,
        settings.PLATFORM_SIGNING_KEY_FILE,
        bool(settings.DEBUG or settings.TESTING),
    )


def verify_signature(message: bytes, signature_b64: str, public_b64: str) -> bool:
    """True when `signature_b64` is a valid Ed25519 signature of `message` by `public_b64`."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_b64, validate=True))
        public.verify(base64.b64decode(signature_b64, validate=True), message)
    except (InvalidSignature, ValueError, binascii.Error, TypeError):
        return False
    return True


def version_message(
    *, list_id: int, number: int, payload_sha256: str, published_at: str, key_id: str
) -> bytes:
    """What a rank-list version's signature covers: the payload digest plus the version's metadata."""
    return canonical_json(
        {
            "type": "bma-exam-rank-list",
            "list": list_id,
            "version": number,
            "payload_sha256": payload_sha256,
            "published_at": published_at,
            "key_id": key_id,
        }
    )
