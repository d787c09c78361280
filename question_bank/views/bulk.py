"""Bulk workflow actions from the item list: choose → confirm (how many, which action, who is
skipped and why) → apply all or nothing (services/bulk.py).

The list posts the action with either the ticked rows (`item`), the whole page (`scope_page` with
`page_ids`) or every item matching the list's filters (`scope_matching` with `filters`, the list's
query string). The confirmation page carries the resolved ids and the plan's fingerprint, so what
is applied is exactly what was shown; if the items changed meanwhile the new plan is shown again.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import access, queries
from ..forms.banks import ItemFilterForm
from ..services import bulk
from ..text import html_to_text

SKIPPED_SHOWN = 200
STEM_CHARS = 90


def _ids(values) -> list[int]:
    ids = []
    for value in values:
        for part in str(value).split(","):
            part = part.strip()
            if part.isdigit():
                ids.append(int(part))
    return ids


def matching_ids(bank, query_string: str) -> list[int]:
    """The ids of every item the list shows for `query_string` (all pages), same filters as the list."""
    form = ItemFilterForm(QueryDict(query_string), bank=bank)
    filters = form.filters() if query_string else queries.ItemFilters()
    return list(queries.item_list(bank, filters).order_by().values_list("pk", flat=True).distinct())


def _selected_ids(request, bank) -> list[int]:
    if request.POST.get("scope_matching"):
        return matching_ids(bank, request.POST.get("filters", ""))
    if request.POST.get("scope_page"):
        return _ids(request.POST.getlist("page_ids"))
    return _ids(request.POST.getlist("item"))


def _list_url(bank, query_string: str) -> str:
    url = reverse("qb:items", args=[bank.pk])
    return f"{url}?{query_string}" if query_string else url


def _confirmation(request, bank, plan, *, ids, query_string, comment="", status=200):
    skipped_rows = [
        {
            "item": row.item,
            "reason": row.reason,
            "stem": Truncator(
                html_to_text(row.item.current_version.stem if row.item.current_version else "")
            ).chars(STEM_CHARS),
        }
        for row in plan.skipped[:SKIPPED_SHOWN]
    ]
    reasons: dict[str, int] = {}
    for row in plan.skipped:
        reasons[row.reason] = reasons.get(row.reason, 0) + 1
    return render(
        request,
        "question_bank/items/bulk_confirm.html",
        {
            "bank": bank,
            "plan": plan,
            "action": plan.action,
            "ids": ",".join(str(i) for i in ids),
            "filters": query_string,
            "list_url": _list_url(bank, query_string),
            "skipped_rows": skipped_rows,
            "skipped_more": max(0, len(plan.skipped) - SKIPPED_SHOWN),
            "reasons": sorted(reasons.items(), key=lambda pair: -pair[1]),
            "comment": comment,
        },
        status=status,
    )


@login_required
@require_POST
def bulk_action(request, bank_id: int):
    bank = access.get_bank_for(request.user, bank_id)
    query_string = request.POST.get("filters", "")
    try:
        action = bulk.get_action(request.POST.get("action", ""))
    except bulk.BulkError as error:
        messages.error(request, str(error))
        return redirect(_list_url(bank, query_string))
    if not access.can(request.user, bank.pk, action.roles):
        raise PermissionDenied
    comment = request.POST.get("comment", "")

    if request.POST.get("confirm"):
        ids = _ids([request.POST.get("ids", "")])
        try:
            plan = bulk.apply_bulk_transition(
                bank,
                ids,
                action,
                actor=request.user,
                expected=request.POST.get("expected", ""),
                comment=comment,
                request=request,
            )
        except bulk.PlanChanged as changed:
            messages.warning(request, str(changed))
            return _confirmation(
                request, bank, changed.plan, ids=ids, query_string=query_string, comment=comment, status=409
            )
        except bulk.BulkError as error:
            messages.error(request, str(error))
            plan = bulk.plan_bulk_transition(bank, ids, action, actor=request.user)
            return _confirmation(
                request, bank, plan, ids=ids, query_string=query_string, comment=comment, status=400
            )
        done = _("%(action)s %(n)s ข้อแล้ว") % {"action": action.label, "n": f"{len(plan.ready):,}"}
        if plan.skipped:
            done += " · " + _("ข้ามไป %(n)s ข้อที่ทำรายการนี้ไม่ได้") % {"n": f"{len(plan.skipped):,}"}
        messages.success(request, done)
        return redirect(_list_url(bank, query_string))

    ids = _selected_ids(request, bank)
    if not ids:
        messages.error(request, _("ยังไม่ได้เลือกข้อสอบ กรุณาเลือกอย่างน้อยหนึ่งข้อ"))
        return redirect(_list_url(bank, query_string))
    try:
        plan = bulk.plan_bulk_transition(bank, ids, action, actor=request.user)
    except bulk.BulkError as error:
        messages.error(request, str(error))
        return redirect(_list_url(bank, query_string))
    in_bank = sorted([item.pk for item in plan.ready] + [row.item.pk for row in plan.skipped])
    return _confirmation(request, bank, plan, ids=in_bank, query_string=query_string, comment=comment)
