"""Checking what was published: a version's payload and signature, a file's bytes."""

import hashlib
from dataclasses import dataclass

from .canonical import payload_digest
from .models import PublishedFile, RankListVersion
from .signing import platform_key, verify_signature, version_message
from .snapshot import iso_utc


@dataclass(frozen=True)
class VersionCheck:
    payload_intact: bool  # the stored payload still hashes to payload_sha256
    signature_valid: bool  # the signature over digest + metadata holds for the recorded public key
    platform_key: bool  # ... and that key is the platform's current key

    @property
    def valid(self) -> bool:
        return self.payload_intact and self.signature_valid and self.platform_key


def check_version(version: RankListVersion) -> VersionCheck:
    if not version.signature or version.published_at is None:
        return VersionCheck(False, False, False)
    intact = payload_digest(version.payload) == version.payload_sha256
    message = version_message(
        list_id=version.rank_list_id,
        number=version.number,
        payload_sha256=payload_digest(version.payload),
        published_at=iso_utc(version.published_at),
        key_id=version.key_id,
    )
    signed = verify_signature(message, version.signature, version.public_key)
    return VersionCheck(intact, signed, version.public_key == platform_key().public_b64)


def match_file(content: bytes) -> list[PublishedFile]:
    """The published files (of published or superseded versions) whose bytes are exactly `content`."""
    digest = hashlib.sha256(content).hexdigest()
    return list(
        PublishedFile.objects.filter(sha256=digest, version__status__in=RankListVersion.FROZEN_STATUSES)
        .select_related("version__rank_list")
        .defer("content")
        .order_by("version__rank_list_id", "version__number", "kind")
    )
