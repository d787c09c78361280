"""Canonical JSON: the one byte string a payload is digested and signed as.

Keys sorted, no insignificant whitespace, UTF-8 (Thai kept as is, not \\u-escaped). Numbers that are
scores travel as strings ("142.50"), so no float formatting ever differs between machines.
"""

import hashlib
import json


def canonical_json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def payload_digest(payload: dict) -> str:
    return sha256_hex(canonical_json(payload))
