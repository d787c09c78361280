"""The item editor (new / edit with live preview), the item page and the item's history."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import access
from ..forms.items import ItemForm, choice_formset, initial_from_item_data
from ..history import diff_versions
from ..html import sanitise_html
from ..models import Choice, Item, ItemVersion
from ..services.items import MAX_CHOICES, ItemDataError, create_item, edit_item, item_data_from_version
from .review import item_actions, key_of, timeline

EDITOR_TEMPLATE = "question_bank/items/editor.html"


def _bound_editor(request, bank):
    form = ItemForm(request.POST, bank=bank)
    formset = choice_formset(request.POST)
    return form, formset


def _save(request, bank, item, form, formset):
    """Create or edit through the service; ItemDataError → form errors. Returns the item or None."""
    if not (form.is_valid() and formset.is_valid()):
        return None
    data = form.to_item_data(formset.choice_data())
    try:
        if item is None:
            return create_item(bank, data, actor=request.user, request=request)
        edit_item(item, data, actor=request.user, request=request)
        return item
    except ItemDataError as error:
        for message in error.errors:
            form.add_error(None, message)
        return None


def _render_editor(request, bank, form, formset, *, item=None, preview=""):
    return render(
        request,
        EDITOR_TEMPLATE,
        {
            "bank": bank,
            "bank_url": reverse("qb:bank", args=[bank.pk]),
            "item": item,
            "form": form,
            "formset": formset,
            "preview_html": _preview_html(form.data) if form.is_bound else preview,
            "preview_url": reverse("qb:item_preview", args=[bank.pk]),
            "media_upload_url": reverse("qb:media_upload", args=[bank.pk]),
        },
        status=400 if form.is_bound and "preview" not in form.data and form.errors else 200,
    )


@login_required
def item_new(request, bank_id: int):
    bank = access.get_bank_for(request.user, bank_id, access.WRITERS)
    if request.method != "POST":
        return _render_editor(request, bank, ItemForm(bank=bank), choice_formset())
    form, formset = _bound_editor(request, bank)
    if "preview" not in request.POST:
        item = _save(request, bank, None, form, formset)
        if item is not None:
            messages.success(request, _("บันทึกข้อสอบแล้ว (ฉบับร่าง)"))
            return redirect("qb:item", item.pk)
    else:
        form.is_valid()
    return _render_editor(request, bank, form, formset)


@login_required
def item_edit(request, item_id: int):
    item = access.get_item_for(request.user, item_id, access.WRITERS)
    bank = item.bank
    if item.status == Item.Status.RETIRED:
        messages.error(request, _("ข้อสอบที่เลิกใช้แล้วแก้ไขไม่ได้ (A retired item cannot be edited)."))
        return redirect("qb:item", item.pk)
    if request.method != "POST":
        data = item_data_from_version(item.current_version)
        form = ItemForm(initial=initial_from_item_data(data), bank=bank)
        preview = _candidate_html(item.current_version, list(item.current_version.choices.all()))
        return _render_editor(
            request, bank, form, choice_formset(choices=data.choices), item=item, preview=preview
        )
    form, formset = _bound_editor(request, bank)
    if "preview" not in request.POST:
        if _save(request, bank, item, form, formset) is not None:
            messages.success(request, _("บันทึกรุ่นใหม่ของข้อสอบแล้ว"))
            return redirect("qb:item", item.pk)
    else:
        form.is_valid()
    return _render_editor(request, bank, form, formset, item=item)


def _candidate_html(version: ItemVersion, choices) -> str:
    return render_to_string(
        "question_bank/_candidate_item.html", {"version": version, "choices": choices, "number": 1}
    )


def _preview_html(post) -> str:
    """The candidate's view of unsaved editor input: sanitised, never written, never showing the key."""
    item_type = post.get("item_type") or ItemVersion.ItemType.SINGLE_CHOICE
    if item_type not in ItemVersion.ItemType.values:
        item_type = ItemVersion.ItemType.SINGLE_CHOICE
    max_words = str(post.get("essay_max_words") or "").strip()
    version = ItemVersion(
        item_type=item_type,
        stem=sanitise_html(post.get("stem") or ""),
        language=post.get("language") if post.get("language") in ("th", "en") else "th",
        answer_spec={"max_words": int(max_words)} if max_words.isdigit() else {},
    )
    choices = []
    if version.has_choices:
        texts = _posted_choice_texts(post)
        choices = [Choice(uid=uuid.uuid4(), position=i, text=sanitise_html(t)) for i, t in enumerate(texts)]
    return _candidate_html(version, choices)


def _posted_choice_texts(post) -> list[str]:
    texts = []
    for i in range(MAX_CHOICES):
        text = (post.get(f"choices-{i}-text") or "").strip()
        if text:
            texts.append(text)
    return texts


@login_required
@require_POST
def item_preview(request, bank_id: int):
    """POST the editor's fields, get back the candidate's view as an HTML fragment (no DB write)."""
    access.get_bank_for(request.user, bank_id, access.WRITERS)
    return HttpResponse(_preview_html(request.POST))


@login_required
@require_GET
def item_detail(request, item_id: int):
    item = access.get_item_for(request.user, item_id, access.ANY_MEMBER)
    version = item.current_version
    choices = list(version.choices.all())
    return render(
        request,
        "question_bank/items/detail.html",
        {
            "item": item,
            "bank": item.bank,
            "bank_url": reverse("qb:bank", args=[item.bank_id]),
            "version": version,
            "choices": choices,
            "key": key_of(version, choices)
            if access.can(request.user, item.bank_id, access.KEY_READERS)
            else None,
            "tags": item.tags.all(),
            "comments": timeline(item),
            "actions": item_actions(request.user, item),
            "can_edit": access.can(request.user, item.bank_id, access.WRITERS)
            and item.status != Item.Status.RETIRED,
        },
    )


def _version_number(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@login_required
@require_GET
def item_history(request, item_id: int):
    item = access.get_item_for(request.user, item_id, access.ANY_MEMBER)
    versions = list(item.versions.select_related("created_by").order_by("-number"))
    by_number = {v.number: v for v in versions}
    current = item.current_version.number
    new_number = _version_number(request.GET.get("new"), current)
    old_number = _version_number(request.GET.get("old"), new_number - 1)
    diff = None
    if old_number in by_number and new_number in by_number and old_number != new_number:
        diff = diff_versions(by_number[old_number], by_number[new_number])
    return render(
        request,
        "question_bank/items/history.html",
        {
            "item": item,
            "bank": item.bank,
            "bank_url": reverse("qb:bank", args=[item.bank_id]),
            "versions": versions,
            "diff": diff,
            "old_number": old_number,
            "new_number": new_number,
            "comments": timeline(item),
        },
    )
