"""Examiner home, a new bank, bank page (subjects, topics), the members page and the item list.

Every view loads through question_bank.access: non-members get 404, members without the role 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import access, queries
from ..forms.banks import AddMemberForm, BankForm, ChangeRoleForm, ItemFilterForm
from ..models import BankMembership, Item
from ..services import banks as bank_services
from ..services import bulk as bulk_services
from ..text import html_to_text

STEM_PREVIEW_CHARS = 140


@login_required
def home(request):
    access.require_examiner(request.user)
    banks = list(access.banks_for(request.user))
    counts = queries.status_counts([bank.pk for bank in banks])
    for bank in banks:
        bank.counts = counts[bank.pk]
        bank.status_cells = [counts[bank.pk][status] for status in Item.Status.values]
        bank.my_role_label = BankMembership.Role(bank.my_role).label
    return render(request, "question_bank/banks/home.html", {"banks": banks, "statuses": Item.Status.choices})


@login_required
def bank_new(request):
    """Any examiner may open a bank; they become its first owner."""
    access.require_examiner(request.user)
    form = BankForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            bank = bank_services.create_bank(**form.cleaned_data, actor=request.user, request=request)
        except bank_services.MembershipError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("สร้างคลัง %(name)s แล้ว คุณเป็นเจ้าของคลังนี้") % {"name": bank.name})
            return redirect("qb:bank", bank_id=bank.pk)
    return render(request, "question_bank/banks/new.html", {"form": form}, status=400 if form.errors else 200)


def _bank_page(request, bank):
    role = access.membership_role(request.user, bank.pk)
    counts = queries.status_counts([bank.pk])[bank.pk]
    context = {
        "bank": bank,
        "my_role": role,
        "my_role_label": BankMembership.Role(role).label,
        "is_owner": role == access.OWNER,
        "can_write": role in access.WRITERS,
        "can_review": role in access.REVIEWERS,
        "counts": counts,
        "status_cells": [(label, counts[value], value) for value, label in Item.Status.choices],
        "subjects": queries.category_tree(bank),
        "members": list(queries.members_of(bank)),
    }
    return render(request, "question_bank/banks/bank.html", context)


def _members_page(request, bank, *, add_form=None, status=200):
    role = access.membership_role(request.user, bank.pk)
    is_owner = role == access.OWNER
    members = list(queries.members_of(bank))
    owner_count = sum(1 for m in members if m.role == access.OWNER)
    for member in members:
        member.is_last_owner = member.role == access.OWNER and owner_count == 1
        member.role_form = ChangeRoleForm(initial={"role": member.role}, prefix=f"m{member.pk}")
    context = {
        "bank": bank,
        "my_role_label": BankMembership.Role(role).label,
        "is_owner": is_owner,
        "members": members,
        "add_form": (add_form or AddMemberForm(bank=bank)) if is_owner else None,
    }
    return render(request, "question_bank/banks/members.html", context, status=status)


@login_required
def bank_members(request, bank_id: int):
    """Every member sees who else is in the bank; owners manage them here."""
    bank = access.get_bank_for(request.user, bank_id)
    return _members_page(request, bank)


@login_required
def bank_detail(request, bank_id: int):
    bank = access.get_bank_for(request.user, bank_id)
    return _bank_page(request, bank)


@login_required
@require_POST
def member_add(request, bank_id: int):
    bank = access.get_bank_for(request.user, bank_id, roles=access.OWNERS)
    form = AddMemberForm(request.POST, bank=bank)
    if form.is_valid():
        try:
            membership = bank_services.add_member(
                bank,
                user=form.cleaned_data["user"],
                role=form.cleaned_data["role"],
                actor=request.user,
                request=request,
            )
        except bank_services.MembershipError as error:
            form.add_error("user", str(error))
        else:
            messages.success(
                request,
                _("เพิ่ม %(user)s เป็น%(role)sแล้ว")
                % {"user": membership.user, "role": membership.get_role_display()},
            )
            return redirect("qb:bank_members", bank_id=bank.pk)
    return _members_page(request, bank, add_form=form, status=400)


@login_required
@require_POST
def member_role(request, bank_id: int, membership_id: int):
    bank = access.get_bank_for(request.user, bank_id, roles=access.OWNERS)
    membership = get_object_or_404(
        BankMembership.objects.select_related("user", "bank"), pk=membership_id, bank=bank
    )
    form = ChangeRoleForm(request.POST, prefix=f"m{membership.pk}")
    if not form.is_valid():
        messages.error(request, _("บทบาทไม่ถูกต้อง (Unknown role)."))
        return redirect("qb:bank_members", bank_id=bank.pk)
    try:
        bank_services.change_member_role(
            membership, role=form.cleaned_data["role"], actor=request.user, request=request
        )
    except bank_services.MembershipError as error:
        messages.error(request, str(error))
    else:
        membership.role = form.cleaned_data["role"]
        messages.success(
            request,
            _("เปลี่ยนบทบาทของ %(user)s เป็น%(role)sแล้ว")
            % {"user": membership.user, "role": membership.get_role_display()},
        )
    if membership.user_id == request.user.pk and not access.can(request.user, bank.pk, access.ANY_MEMBER):
        return redirect("qb:home")
    return redirect("qb:bank_members", bank_id=bank.pk)


@login_required
@require_POST
def member_remove(request, bank_id: int, membership_id: int):
    bank = access.get_bank_for(request.user, bank_id, roles=access.OWNERS)
    membership = get_object_or_404(
        BankMembership.objects.select_related("user", "bank"), pk=membership_id, bank=bank
    )
    try:
        bank_services.remove_member(membership, actor=request.user, request=request)
    except bank_services.MembershipError as error:
        messages.error(request, str(error))
        return redirect("qb:bank_members", bank_id=bank.pk)
    messages.success(request, _("นำ %(user)s ออกจากคลังแล้ว") % {"user": membership.user})
    if membership.user_id == request.user.pk:
        return redirect("qb:home")
    return redirect("qb:bank_members", bank_id=bank.pk)


@login_required
def item_list(request, bank_id: int):
    bank = access.get_bank_for(request.user, bank_id)
    form = ItemFilterForm(request.GET or None, bank=bank)
    filters = form.filters() if form.is_bound else queries.ItemFilters()
    page_size = form.page_size() if form.is_bound else queries.DEFAULT_PAGE_SIZE
    paginator = Paginator(queries.item_list(bank, filters), page_size)
    page = paginator.get_page(request.GET.get("page"))
    for item in page.object_list:
        version = item.current_version
        item.stem_preview = Truncator(html_to_text(version.stem if version else "")).chars(STEM_PREVIEW_CHARS)
    return render(
        request,
        "question_bank/banks/item_list.html",
        {
            "bank": bank,
            "form": form,
            "page": page,
            "is_filtered": form.is_bound and form.is_filtered(),
            "can_write": access.can(request.user, bank.pk, access.WRITERS),
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            # bulk actions (views/bulk.py): the filters travel as the list's query string, sans page
            "bulk_actions": bulk_services.actions_for(request.user, bank),
            "filters_query": _without_page(request.GET),
        },
    )


def _without_page(query) -> str:
    query = query.copy()
    query.pop("page", None)
    return query.urlencode()
