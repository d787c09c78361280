"""Two-person publication of rank lists: prepare (one exam officer) → approve and publish (another).

prepare_rank_list / publish_correction snapshot the current results into a prepared version, whose
payload and digest are what the approver reviews. approve_and_publish signs that exact payload,
renders the files and publishes, in one transaction; a correction's approval supersedes the version
before it. Every step is audited.
"""

import hashlib

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from exam_platform.common.audit import record_audit

from ..canonical import payload_digest
from ..documents import render_files
from ..models import PublishedFile, RankList, RankListVersion
from ..readiness import not_final_message, round_readiness
from ..signing import platform_key, version_message
from ..snapshot import SnapshotError, build_payload, iso_utc


class PublicationError(Exception):
    def __init__(self, code: str, message: str, reasons: list[str] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.reasons = reasons or []


def _require_final(exam_round) -> None:
    """Refuse (PublicationError "not_final", with the reasons) unless the round's result is final."""
    readiness = round_readiness(exam_round)
    if not readiness.ready:
        raise PublicationError("not_final", not_final_message(readiness), readiness.messages())


def _summary(version: RankListVersion) -> dict:
    return {
        "list": version.rank_list_id,
        "version": version.number,
        "status": version.status,
        "rows": len(version.rows),
        "payload_sha256": version.payload_sha256,
        "scoring_run": version.payload.get("scoring_run", {}).get("id"),
    }


def _snapshot(rank_list, *, actor, number, previous, change_note) -> RankListVersion:
    now = timezone.now()
    try:
        payload = build_payload(
            rank_list,
            number=number,
            previous_number=previous.number if previous else None,
            change_note=change_note,
            prepared_at=now,
        )
    except SnapshotError as error:
        raise PublicationError("snapshot", error.message) from None
    return RankListVersion.objects.create(
        rank_list=rank_list,
        number=number,
        status=RankListVersion.Status.PREPARED,
        previous=previous,
        change_note=change_note,
        payload=payload,
        payload_sha256=payload_digest(payload),
        prepared_by=actor,
        prepared_at=now,
    )


def prepare_rank_list(
    exam_round, *, actor, title: str, announcement_number: str = "", position=None, request=None
) -> RankListVersion:
    """A new rank list of the round (or of one position) with its first version, prepared."""
    if position is not None and position.round_id != exam_round.pk:
        raise PublicationError("position", _("ตำแหน่งไม่อยู่ในรอบการสอบนี้ (Position is not in this round)."))
    title = (title or "").strip()
    if not title:
        raise PublicationError("title", _("กรุณาระบุชื่อประกาศ (A title is required)."))
    _require_final(exam_round)
    with transaction.atomic():
        rank_list = RankList.objects.create(
            round=exam_round,
            position=position,
            title=title,
            announcement_number=(announcement_number or "").strip(),
            created_by=actor,
        )
        version = _snapshot(rank_list, actor=actor, number=1, previous=None, change_note="")
        record_audit(
            "publication.prepare", actor=actor, request=request, obj=version, after=_summary(version)
        )
    return version


def publish_correction(rank_list: RankList, *, actor, change_note: str, request=None) -> RankListVersion:
    """The next version of a published list, prepared from the current results; it goes through the
    same approval. The published version stays public until the correction is approved."""
    change_note = (change_note or "").strip()
    if not change_note:
        raise PublicationError("change_note", _("กรุณาระบุเหตุผลการแก้ไข (Say why the list is being corrected)."))
    _require_final(rank_list.round)
    with transaction.atomic():
        RankList.objects.select_for_update().filter(pk=rank_list.pk).first()
        versions = list(rank_list.versions.order_by("-number"))
        if any(v.status == RankListVersion.Status.PREPARED for v in versions):
            raise PublicationError(
                "pending", _("มีฉบับที่รออนุมัติอยู่แล้ว (A version is already waiting for approval).")
            )
        current = next((v for v in versions if v.status == RankListVersion.Status.PUBLISHED), None)
        if current is None:
            raise PublicationError(
                "not_published", _("บัญชีนี้ยังไม่ได้ประกาศ (This list has not been published yet).")
            )
        version = _snapshot(
            rank_list, actor=actor, number=versions[0].number + 1, previous=current, change_note=change_note
        )
        record_audit(
            "publication.prepare_correction",
            actor=actor,
            request=request,
            obj=version,
            after={**_summary(version), "change_note": change_note, "previous": current.number},
        )
    return version


def _check_approvable(version: RankListVersion, actor) -> None:
    if version.status != RankListVersion.Status.PREPARED:
        raise PublicationError(
            "status", _("ฉบับนี้ไม่อยู่ในสถานะรออนุมัติ (This version is not waiting for approval).")
        )
    if actor is None or actor.pk == version.prepared_by_id:
        raise PublicationError(
            "same_person",
            _("ผู้จัดเตรียมอนุมัติประกาศของตนเองไม่ได้ (The officer who prepared a list cannot approve it)."),
        )
    from exam_platform.scoring.models import ScoringRun

    latest = (
        ScoringRun.objects.filter(round_id=version.rank_list.round_id).order_by("-started_at", "-id").first()
    )
    if latest is None or latest.pk != version.payload.get("scoring_run", {}).get("id"):
        raise PublicationError(
            "stale",
            _(
                "ผลคะแนนถูกคำนวณใหม่หลังการจัดเตรียม กรุณาจัดเตรียมใหม่ "
                "(Results were rescored after this version was prepared: prepare it again)."
            ),
        )


def approve_and_publish(
    version: RankListVersion, *, actor, code: str | None, request=None
) -> RankListVersion:
    """Approve a prepared version (a different exam officer) and publish it: sign the payload digest
    with the platform key, render PDF/CSV/Excel/HTML, record each file's digest, supersede the
    previous version. `code` is a fresh two-factor code of `actor` (a TOTP or backup code typed on
    the approval page, scoring/second_factor.py), checked before anything is written. The files are
    rendered before the transaction (they are slow for long lists) and the state is checked again
    under a lock inside it."""
    from exam_platform.scoring.second_factor import FreshCodeError, require_fresh_code

    _check_approvable(version, actor)
    try:
        require_fresh_code(actor, code, request=request)
    except FreshCodeError as error:
        raise PublicationError("fresh_code", error.message) from None
    key = platform_key()
    published_at = timezone.now().replace(microsecond=0)
    version.published_at = published_at
    version.approved_by = actor
    version.key_id = key.key_id
    version.public_key = key.public_b64
    version.signature = key.sign(
        version_message(
            list_id=version.rank_list_id,
            number=version.number,
            payload_sha256=version.payload_sha256,
            published_at=iso_utc(published_at),
            key_id=key.key_id,
        )
    )
    if payload_digest(version.payload) != version.payload_sha256:
        raise PublicationError(
            "digest", _("ข้อมูลประกาศไม่ตรงกับค่า SHA-256 (Payload does not match its digest).")
        )
    signer = getattr(actor, "display_name", "") or actor.get_full_name()
    files = render_files(version, signer_name=signer)

    with transaction.atomic():
        locked = RankListVersion.objects.select_for_update().select_related("rank_list").get(pk=version.pk)
        _check_approvable(locked, actor)
        locked.status = RankListVersion.Status.PUBLISHED
        locked.approved_by = actor
        locked.approved_at = published_at
        locked.published_at = published_at
        locked.signature = version.signature
        locked.key_id = version.key_id
        locked.public_key = version.public_key
        locked.save()
        record_audit(
            "publication.approve",
            actor=actor,
            request=request,
            obj=locked,
            after={**_summary(locked), "prepared_by": locked.prepared_by_id, "approved_by": actor.pk},
        )
        for rendered in files:
            PublishedFile.objects.create(
                version=locked,
                kind=rendered.kind,
                filename=rendered.filename,
                content=rendered.content,
                sha256=hashlib.sha256(rendered.content).hexdigest(),
                size=len(rendered.content),
            )
        superseded = None
        if locked.previous_id:
            superseded = RankListVersion.objects.select_for_update().get(pk=locked.previous_id)
            if superseded.status == RankListVersion.Status.PUBLISHED:
                superseded.status = RankListVersion.Status.SUPERSEDED
                superseded.superseded_at = published_at
                superseded.save()
                record_audit(
                    "publication.supersede",
                    actor=actor,
                    request=request,
                    obj=superseded,
                    after={**_summary(superseded), "superseded_by": locked.number},
                )
        record_audit(
            "publication.publish",
            actor=actor,
            request=request,
            obj=locked,
            after={
                **_summary(locked),
                "published_at": iso_utc(published_at),
                "signature": locked.signature,
                "key_id": locked.key_id,
                "files": {f.kind: hashlib.sha256(f.content).hexdigest() for f in files},
            },
        )
    return locked


def withdraw_version(version: RankListVersion, *, actor, request=None) -> None:
    """Drop a prepared (never published) version, e.g. after a rescore made it stale. A first version
    takes its empty list with it."""
    with transaction.atomic():
        locked = RankListVersion.objects.select_for_update().select_related("rank_list").get(pk=version.pk)
        if locked.status != RankListVersion.Status.PREPARED:
            raise PublicationError(
                "status", _("ถอนได้เฉพาะฉบับที่รออนุมัติ (Only a version waiting for approval can be withdrawn).")
            )
        record_audit(
            "publication.withdraw", actor=actor, request=request, obj=locked, before=_summary(locked)
        )
        rank_list = locked.rank_list
        locked.delete()
        if not rank_list.versions.exists():
            rank_list.delete()
