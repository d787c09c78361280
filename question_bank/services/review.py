"""The review workflow: draft → in review → approved → retired, with comments.

| from      | to        | who                                   |
|-----------|-----------|---------------------------------------|
| draft     | in_review | an author or owner of the bank        |
| in_review | approved  | a reviewer or owner who did not write the current version nor create the item |
| in_review | draft     | a reviewer or owner (returned, with a comment) |
| draft, in_review, approved | retired | an owner                    |
| retired   | draft     | an owner (restored)                   |

Every transition writes an ItemComment and an audit entry in the same transaction.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from exam_platform.common.audit import record_audit

from .. import access
from ..models import Item, ItemComment

S = Item.Status
TRANSITIONS = {
    (S.DRAFT, S.IN_REVIEW): access.WRITERS,
    (S.IN_REVIEW, S.APPROVED): access.REVIEWERS,
    (S.IN_REVIEW, S.DRAFT): access.REVIEWERS,
    (S.DRAFT, S.RETIRED): access.OWNERS,
    (S.IN_REVIEW, S.RETIRED): access.OWNERS,
    (S.APPROVED, S.RETIRED): access.OWNERS,
    (S.RETIRED, S.DRAFT): access.OWNERS,
}


class ReviewError(ValueError):
    pass


def _transition(item: Item, to_status: str, *, actor, comment: str = "", request=None) -> Item:
    with transaction.atomic():
        item = Item.objects.select_for_update(of=("self",)).select_related("current_version").get(pk=item.pk)
        allowed = TRANSITIONS.get((item.status, to_status))
        if allowed is None:
            raise ReviewError(
                _("เปลี่ยนสถานะจาก %(a)s เป็น %(b)s ไม่ได้ (This status change is not allowed).")
                % {"a": item.get_status_display(), "b": S(to_status).label}
            )
        if not access.can(actor, item.bank_id, allowed):
            raise PermissionDenied
        if to_status == S.APPROVED:
            authors = {item.created_by_id, item.current_version.created_by_id}
            if actor.pk in authors:
                raise ReviewError(
                    _("ผู้เขียนข้อสอบอนุมัติข้อสอบของตนเองไม่ได้ (Authors cannot approve their own items).")
                )
        if to_status == S.DRAFT and item.status == S.IN_REVIEW and not comment.strip():
            raise ReviewError(_("กรุณาระบุเหตุผลที่ส่งกลับ (Please say why the item is returned)."))
        before = item.status
        item.status = to_status
        item.save(update_fields=["status", "updated_at"])
        ItemComment.objects.create(
            item=item,
            version=item.current_version,
            author=actor,
            body=comment.strip(),
            from_status=before,
            to_status=to_status,
        )
        record_audit(
            f"item.{to_status}",
            actor=actor,
            request=request,
            obj=item,
            before={"status": before},
            after={"status": to_status, "version": item.current_version.number, "comment": comment.strip()},
        )
    return item


def submit_for_review(item: Item, *, actor, comment: str = "", request=None) -> Item:
    return _transition(item, S.IN_REVIEW, actor=actor, comment=comment, request=request)


def approve_item(item: Item, *, actor, comment: str = "", request=None) -> Item:
    return _transition(item, S.APPROVED, actor=actor, comment=comment, request=request)


def return_item(item: Item, *, actor, comment: str, request=None) -> Item:
    return _transition(item, S.DRAFT, actor=actor, comment=comment, request=request)


def retire_item(item: Item, *, actor, comment: str = "", request=None) -> Item:
    return _transition(item, S.RETIRED, actor=actor, comment=comment, request=request)


def restore_item(item: Item, *, actor, comment: str = "", request=None) -> Item:
    if item.status != S.RETIRED:
        raise ReviewError(_("คืนสถานะได้เฉพาะข้อสอบที่เลิกใช้ (Only retired items can be restored)."))
    return _transition(item, S.DRAFT, actor=actor, comment=comment, request=request)


def comment_on_item(item: Item, *, actor, body: str, request=None) -> ItemComment:
    if not access.can(actor, item.bank_id, access.ANY_MEMBER):
        raise PermissionDenied
    if not body.strip():
        raise ReviewError(_("ความเห็นต้องไม่ว่าง (The comment must not be empty)."))
    return ItemComment.objects.create(
        item=item, version=item.current_version, author=actor, body=body.strip()
    )
