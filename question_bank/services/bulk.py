"""Workflow transitions on many items at once (the item list's bulk actions).

Two steps, so that nobody approves 3,000 items by one careless click:

1. `plan_bulk_transition` sorts the selected items of one bank into those that can take the action
   now and those that cannot, each with its reason (wrong status, or the actor wrote the item and
   the action is approval). It writes nothing; the confirmation page shows it.
2. `apply_bulk_transition` makes the same plan again under row locks, inside ONE transaction, and
   refuses (writing nothing) if it differs from the plan the user confirmed (`expected`, its
   fingerprint: someone changed an item meanwhile). Then it writes for every ready item exactly
   what services/review.py's single transition writes: the new status (one UPDATE), an
   ItemComment from → to (one bulk INSERT) and an audit entry "item.<status>" with the same before
   and after (one per item, appended to the chain in order).

The rules are the single transition's: `refusal()` applies review.TRANSITIONS (which roles may go
from which status to which) and the authors-cannot-approve rule, and
tests/question_bank/test_bulk_actions.py checks, for every action, status and authorship, that
refusal() refuses exactly what review._transition refuses. Writing in bulk rather than calling the
single transition 5,000 times: that costs nine queries and about 6 ms per item (20-26 ms on a
loaded machine), a 5,000-item approval half a minute or more; the audit entries now dominate
(bench/item_list.py, docs/performance.md).
"""

import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from exam_platform.common.audit import append_audit_entries, audit_entry

from .. import access
from ..models import Bank, Item, ItemComment
from . import review

S = Item.Status
MAX_BULK_ITEMS = 10_000


@dataclass(frozen=True)
class BulkAction:
    name: str
    to_status: str
    from_statuses: tuple[str, ...]
    roles: tuple[str, ...]
    label: object  # lazy Thai text
    needs_comment: bool = False


ACTIONS = {
    action.name: action
    for action in (
        BulkAction("submit", S.IN_REVIEW, (S.DRAFT,), access.WRITERS, gettext_lazy("ส่งพิจารณา")),
        BulkAction("approve", S.APPROVED, (S.IN_REVIEW,), access.REVIEWERS, gettext_lazy("อนุมัติ")),
        BulkAction(
            "return",
            S.DRAFT,
            (S.IN_REVIEW,),
            access.REVIEWERS,
            gettext_lazy("ส่งกลับเป็นฉบับร่างให้แก้ไข"),
            needs_comment=True,
        ),
        BulkAction(
            "retire", S.RETIRED, (S.DRAFT, S.IN_REVIEW, S.APPROVED), access.OWNERS, gettext_lazy("เลิกใช้")
        ),
        BulkAction("restore", S.DRAFT, (S.RETIRED,), access.OWNERS, gettext_lazy("นำกลับมาใช้ (เป็นฉบับร่าง)")),
    )
}


class BulkError(ValueError):
    pass


class PlanChanged(BulkError):
    """The items changed between the confirmation page and the confirm: nothing was written."""

    def __init__(self, message: str, plan: "BulkPlan"):
        super().__init__(message)
        self.plan = plan


@dataclass
class Skipped:
    item: Item
    reason: str


@dataclass
class BulkPlan:
    action: BulkAction
    selected: int  # how many of the requested ids are items of the bank
    ready: list[Item] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        """Names the exact set of items that would change; the confirm must present the same one."""
        ids = ",".join(str(item.pk) for item in self.ready)
        return hashlib.sha256(f"{self.action.name}:{ids}".encode()).hexdigest()[:32]


def actions_for(user, bank: Bank) -> list[BulkAction]:
    """The bulk actions `user`'s role in `bank` allows (the same role sets as the single buttons)."""
    return [action for action in ACTIONS.values() if access.can(user, bank.pk, action.roles)]


def get_action(name: str) -> BulkAction:
    try:
        return ACTIONS[name]
    except KeyError:
        raise BulkError(_("ไม่รู้จักคำสั่งนี้")) from None


def refusal(item: Item, action: BulkAction, *, actor) -> str | None:
    """Why review._transition would refuse `action` on `item` for `actor`, or None if it would
    accept it. The role itself is checked once for the whole selection (plan_bulk_transition)."""
    allowed = review.TRANSITIONS.get((item.status, action.to_status))
    if item.status not in action.from_statuses or allowed is None:
        return _("สถานะปัจจุบันคือ %(status)s ซึ่ง%(action)sไม่ได้") % {
            "status": item.get_status_display(),
            "action": action.label,
        }
    if not access.can(actor, item.bank_id, allowed):
        return _("บทบาทของคุณในคลังนี้%(action)sข้อสอบสถานะนี้ไม่ได้") % {"action": action.label}
    if action.to_status == S.APPROVED:
        version_author = item.current_version.created_by_id if item.current_version else None
        if actor.pk in {item.created_by_id, version_author}:
            return _("คุณเป็นผู้เขียนข้อสอบข้อนี้ จึงอนุมัติเองไม่ได้")
    return None


def plan_bulk_transition(bank: Bank, item_ids, action: BulkAction, *, actor, lock: bool = False) -> BulkPlan:
    """Sort the bank's items among `item_ids` into ready and skipped; ids of other banks are ignored."""
    if not access.can(actor, bank.pk, action.roles):
        raise PermissionDenied
    ids = sorted({int(i) for i in item_ids})
    if len(ids) > MAX_BULK_ITEMS:
        raise BulkError(_("เลือกได้ครั้งละไม่เกิน %(max)s ข้อ กรุณากรองให้แคบลง") % {"max": f"{MAX_BULK_ITEMS:,}"})
    items = Item.objects.filter(bank=bank, pk__in=ids).select_related("current_version").order_by("pk")
    if lock:
        items = items.select_for_update(of=("self",))
    plan = BulkPlan(action=action, selected=0)
    for item in _in_chunks(items, ids):
        plan.selected += 1
        reason = refusal(item, action, actor=actor)
        if reason is None:
            plan.ready.append(item)
        else:
            plan.skipped.append(Skipped(item, reason))
    return plan


def _in_chunks(items, ids, size: int = 900):
    """The queryset for `ids` in slices (SQLite allows at most 999 parameters in one IN list)."""
    for start in range(0, len(ids), size):
        yield from items.filter(pk__in=ids[start : start + size])


def apply_bulk_transition(
    bank: Bank, item_ids, action: BulkAction, *, actor, expected: str, comment: str = "", request=None
) -> BulkPlan:
    """Apply `action` to every item of the confirmed plan, or to none. Returns the plan applied."""
    comment = (comment or "").strip()
    if action.needs_comment and not comment:
        raise BulkError(_("กรุณาระบุเหตุผลที่ส่งกลับ"))
    with transaction.atomic():
        plan = plan_bulk_transition(bank, item_ids, action, actor=actor, lock=True)
        if plan.fingerprint != expected:
            raise PlanChanged(
                _("ข้อสอบที่เลือกเปลี่ยนไปหลังจากที่คุณตรวจดู (มีผู้อื่นแก้ไข) ยังไม่ได้บันทึกสิ่งใด กรุณาตรวจอีกครั้ง"),
                plan,
            )
        if not plan.ready:
            raise BulkError(_("ไม่มีข้อสอบที่ทำรายการนี้ได้"))
        _write(plan, actor=actor, comment=comment, request=request)
    return plan


def _write(plan: BulkPlan, *, actor, comment: str, request) -> None:
    """What review._transition writes for one item, for every ready item of the (locked) plan."""
    to_status = plan.action.to_status
    now = timezone.now()
    ids = [item.pk for item in plan.ready]
    for start in range(0, len(ids), 900):
        Item.objects.filter(pk__in=ids[start : start + 900]).update(status=to_status, updated_at=now)
    ItemComment.objects.bulk_create(
        (
            ItemComment(
                item=item,
                version=item.current_version,
                author=actor,
                body=comment,
                from_status=item.status,
                to_status=to_status,
            )
            for item in plan.ready
        ),
        batch_size=500,
    )
    entries = []
    for item in plan.ready:
        before = item.status
        item.status, item.updated_at = to_status, now
        entries.append(
            audit_entry(
                f"item.{to_status}",
                actor=actor,
                request=request,
                obj=item,
                before={"status": before},
                after={"status": to_status, "version": item.current_version.number, "comment": comment},
            )
        )
    append_audit_entries(entries)  # one entry per item, appended to the chain in one INSERT
