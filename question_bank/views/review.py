"""The review queue and the workflow buttons (submit, approve, return, retire, restore, comment).

Buttons are shown only to the roles that may use them (access.can, the same role sets as
services.review.TRANSITIONS); the service enforces the rules anyway, and its errors come back as
messages in Thai and English.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from .. import access
from ..models import Choice, Item, ItemComment, ItemVersion
from ..services import review

PAGE_SIZE = 20
S = Item.Status

# action → (from statuses, roles, label, service function)
ACTIONS = {
    "submit": ((S.DRAFT,), access.WRITERS, gettext_lazy("ส่งพิจารณา"), review.submit_for_review),
    "approve": ((S.IN_REVIEW,), access.REVIEWERS, gettext_lazy("อนุมัติ"), review.approve_item),
    "return": ((S.IN_REVIEW,), access.REVIEWERS, gettext_lazy("ส่งกลับให้แก้ไข"), review.return_item),
    "retire": ((S.DRAFT, S.IN_REVIEW, S.APPROVED), access.OWNERS, gettext_lazy("เลิกใช้"), review.retire_item),
    "restore": ((S.RETIRED,), access.OWNERS, gettext_lazy("นำกลับมาใช้"), review.restore_item),
}
DONE = {
    "submit": gettext_lazy("ส่งข้อสอบเข้าพิจารณาแล้ว"),
    "approve": gettext_lazy("อนุมัติข้อสอบแล้ว"),
    "return": gettext_lazy("ส่งข้อสอบกลับให้ผู้เขียนแก้ไขแล้ว"),
    "retire": gettext_lazy("เลิกใช้ข้อสอบแล้ว"),
    "restore": gettext_lazy("นำข้อสอบกลับมาเป็นฉบับร่างแล้ว"),
    "comment": gettext_lazy("บันทึกความเห็นแล้ว"),
}


def item_actions(user, item: Item) -> list[dict]:
    """The workflow buttons `user` may press on `item` now: [{"action", "label", "needs_comment"}]."""
    return [
        {"action": name, "label": label, "needs_comment": name == "return"}
        for name, (statuses, roles, label, _service) in ACTIONS.items()
        if item.status in statuses and access.can(user, item.bank_id, roles)
    ]


def key_of(version: ItemVersion, choices) -> dict:
    """What the key panel shows: the correct choices with their positions, and the answer spec.
    Only for key readers (access.KEY_READERS; every bank role today)."""
    return {"correct": [(i, c) for i, c in enumerate(choices) if c.is_correct], "spec": version.answer_spec}


def timeline(item: Item) -> list[ItemComment]:
    """The item's comments and transitions, oldest first, with their statuses' labels."""
    labels = dict(S.choices)
    comments = list(ItemComment.objects.filter(item=item).select_related("author", "version"))
    for comment in comments:
        comment.from_label = labels.get(comment.from_status, comment.from_status)
        comment.to_label = labels.get(comment.to_status, comment.to_status)
    return comments


@login_required
@require_GET
def review_queue(request, bank_id: int):
    bank = access.get_bank_for(request.user, bank_id, access.ANY_MEMBER)
    items = (
        Item.objects.filter(bank=bank, status=S.IN_REVIEW)
        .select_related(
            "current_version", "current_version__created_by", "category", "category__parent", "created_by"
        )
        .prefetch_related(
            Prefetch("current_version__choices", queryset=Choice.objects.order_by("position")), "tags"
        )
        .order_by("updated_at", "id")
    )
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    can_review = access.can(request.user, bank.pk, access.REVIEWERS)
    rows = []
    for number, item in enumerate(page.object_list, start=page.start_index()):
        version = item.current_version
        choices = list(version.choices.all())
        rows.append(
            {
                "item": item,
                "version": version,
                "choices": choices,
                "number": number,
                "prefix": f"r{item.pk}",
                "key": key_of(version, choices),
                "actions": item_actions(request.user, item),
            }
        )
    return render(
        request,
        "question_bank/review/queue.html",
        {"bank": bank, "page": page, "rows": rows, "can_review": can_review},
    )


@login_required
@require_POST
def item_transition(request, item_id: int):
    item = access.get_item_for(request.user, item_id, access.ANY_MEMBER)
    action = request.POST.get("action", "")
    comment = request.POST.get("comment", "")
    try:
        if action == "comment":
            review.comment_on_item(item, actor=request.user, body=comment, request=request)
        elif action in ACTIONS:
            if item.status not in ACTIONS[action][0]:
                # e.g. "return" posted for a retired item: the service would take it as a restore
                raise review.ReviewError(
                    _("ทำรายการนี้กับข้อสอบสถานะ %(status)s ไม่ได้") % {"status": item.get_status_display()}
                )
            ACTIONS[action][3](item, actor=request.user, comment=comment, request=request)
        else:
            raise review.ReviewError(_("ไม่รู้จักคำสั่งนี้ (Unknown action)."))
    except review.ReviewError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, DONE[action])
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect("qb:item", item.pk)
