"""The paper builder: paper list, blueprint editor (sections, rules, live availability, the
feasibility check), lock, clone, candidate preview, and the bank's enemy groups.

Bank owners manage papers; every member may view papers and previews (question_bank.access).
Every write is one call into question_bank.services.papers; views only parse and redirect.
"""

import random
from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import access
from ..blueprint import (
    DIFFICULTIES,
    BlueprintError,
    availability_text,
    check_pool,
    count_available,
    derive_seed,
    draw_candidate_form,
    draw_pool,
    load_blueprint,
    split_counts,
)
from ..forms.papers import EnemyGroupForm, PaperCreateForm, PaperMetaForm, RuleForm, SectionForm
from ..models import Category, EnemyGroup, ItemVersion, Paper, PaperSection, SectionRule, Tag
from ..services import papers as services

PAGE_SIZE = 25
PREVIEW_SEED = 2569


def _difficulty_labels() -> dict[str, str]:
    return {d: str(ItemVersion.Difficulty(d).label) for d in DIFFICULTIES}


# --- list and create -------------------------------------------------------------------------------


@login_required
def paper_list(request, bank_id: int):
    bank = access.get_bank_for(request.user, bank_id)
    papers = (
        Paper.objects.filter(bank=bank)
        .annotate(section_count=Count("sections", distinct=True))
        .select_related("locked_by")
        .order_by("code", "-version")
    )
    page = Paginator(papers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "question_bank/papers/list.html",
        {"bank": bank, "page": page, "is_owner": access.can(request.user, bank.pk, access.OWNERS)},
    )


@login_required
def paper_new(request, bank_id: int):
    bank = access.get_bank_for(request.user, bank_id, roles=access.OWNERS)
    form = PaperCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            paper = services.create_paper(bank, actor=request.user, request=request, **form.cleaned_data)
        except services.PaperError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("สร้างแบบทดสอบแล้ว เพิ่มตอนและกฎการสุ่มข้อสอบได้เลย"))
            return redirect("qb:paper", paper.pk)
    return render(request, "question_bank/papers/new.html", {"bank": bank, "form": form})


# --- the builder -----------------------------------------------------------------------------------


def _builder(request, paper: Paper, *, bound: dict | None = None, status: int = 200):
    bound = bound or {}
    bank = paper.bank
    can_manage = access.can(request.user, bank.pk, access.OWNERS) and not paper.is_locked
    sections = list(
        PaperSection.objects.filter(paper=paper).prefetch_related(
            Prefetch("rules", queryset=SectionRule.objects.select_related("category__parent", "tag"))
        )
    )
    blueprint = load_blueprint(paper)
    plans = {(s.position, r.position): r for s in blueprint.sections for r in s.rules}
    problems = check_pool(blueprint)
    labels = _difficulty_labels()
    total_items = 0
    for section in sections:
        section.rule_list = list(section.rules.all())
        section.item_count = 0
        for rule in section.rule_list:
            plan = plans[(section.position, rule.position)]
            available = plan.available()
            split = split_counts(rule.count, (rule.easy_percent, rule.medium_percent, rule.hard_percent))
            rule.availability = availability_text(available)
            rule.split_cells = [
                {"label": labels[d], "need": split[d], "have": available[d], "short": available[d] < split[d]}
                for d in DIFFICULTIES
            ]
            rule.short = any(cell["short"] for cell in rule.split_cells)
            section.item_count += rule.count
            if can_manage:
                rule.form = bound.get(f"r{rule.pk}") or RuleForm.for_rule(rule, bank=bank)
        total_items += section.item_count
        if can_manage:
            section.form = bound.get(f"s{section.pk}") or SectionForm.for_section(section)
            section.rule_add_form = bound.get(f"add-rule-{section.pk}") or RuleForm(
                bank=bank, prefix=f"add{section.pk}"
            )
    context = {
        "bank": bank,
        "paper": paper,
        "sections": sections,
        "problems": problems,
        "total_items": total_items,
        "can_manage": can_manage,
        "is_owner": access.can(request.user, bank.pk, access.OWNERS),
        "forms": list(paper.forms.all()) if paper.is_locked else [],
        # which PDFs this member may download (question_bank.access); the links show only those
        "can_booklet": access.can(request.user, bank.pk, access.BOOKLET_READERS),
        "can_answer_key": access.can(request.user, bank.pk, access.ANSWER_KEY_READERS),
        "is_per_candidate": paper.form_mode == Paper.FormMode.PER_CANDIDATE,
        "clones": list(paper.clones.order_by("version")),
        "meta_form": (bound.get("meta") or PaperMetaForm(initial=_meta_initial(paper)))
        if can_manage
        else None,
        "section_add_form": (bound.get("add-section") or SectionForm(prefix="new")) if can_manage else None,
        "availability_url": reverse("qb:paper_availability", args=[bank.pk]),
    }
    return render(request, "question_bank/papers/builder.html", context, status=status)


def _meta_initial(paper: Paper) -> dict:
    return {
        "title": paper.title,
        "instructions": paper.instructions,
        "duration_minutes": paper.duration_minutes,
        "form_mode": paper.form_mode,
        "form_count": paper.form_count,
    }


@login_required
def paper_detail(request, paper_id: int):
    paper = access.get_paper_for(request.user, paper_id)
    return _builder(request, paper)


def _owned_paper(request, paper_id: int) -> Paper:
    return access.get_paper_for(request.user, paper_id, roles=access.OWNERS)


def _refuse_locked(request, paper: Paper):
    messages.error(request, str(services.PaperLockedError()))
    return redirect("qb:paper", paper.pk)


def _write(request, paper: Paper, write, *, form=None, key: str = "", success: str = ""):
    """Run one service call; on a refusal show the builder again with the message (and bound form)."""
    try:
        write()
    except services.PaperLockedError:
        return _refuse_locked(request, paper)
    except services.PaperError as error:
        if form is not None:
            form.add_error(None, str(error))
            return _builder(request, paper, bound={key: form}, status=400)
        messages.error(request, str(error))
        return redirect("qb:paper", paper.pk)
    if success:
        messages.success(request, success)
    return redirect(reverse("qb:paper", args=[paper.pk]) + (f"#{key}" if key else ""))


@login_required
@require_POST
def paper_edit(request, paper_id: int):
    paper = _owned_paper(request, paper_id)
    if paper.is_locked:
        return _refuse_locked(request, paper)
    form = PaperMetaForm(request.POST)
    if not form.is_valid():
        return _builder(request, paper, bound={"meta": form}, status=400)
    return _write(
        request,
        paper,
        lambda: services.update_paper(paper, actor=request.user, request=request, **form.cleaned_data),
        form=form,
        key="meta",
        success=_("บันทึกข้อมูลแบบทดสอบแล้ว"),
    )


@login_required
@require_POST
def section_add(request, paper_id: int):
    paper = _owned_paper(request, paper_id)
    if paper.is_locked:
        return _refuse_locked(request, paper)
    form = SectionForm(request.POST, prefix="new")
    if not form.is_valid():
        return _builder(request, paper, bound={"add-section": form}, status=400)
    return _write(
        request,
        paper,
        lambda: services.add_section(paper, actor=request.user, request=request, **form.cleaned_data),
        form=form,
        key="add-section",
        success=_("เพิ่มตอนแล้ว"),
    )


def _section_of(paper: Paper, section_id: int) -> PaperSection:
    return get_object_or_404(PaperSection, pk=section_id, paper=paper)


def _rule_of(paper: Paper, rule_id: int) -> SectionRule:
    return get_object_or_404(SectionRule.objects.select_related("section"), pk=rule_id, section__paper=paper)


@login_required
@require_POST
def section_edit(request, paper_id: int, section_id: int):
    paper = _owned_paper(request, paper_id)
    if paper.is_locked:
        return _refuse_locked(request, paper)
    section = _section_of(paper, section_id)
    form = SectionForm(request.POST, prefix=f"s{section.pk}")
    if not form.is_valid():
        return _builder(request, paper, bound={f"s{section.pk}": form}, status=400)
    return _write(
        request,
        paper,
        lambda: services.update_section(section, actor=request.user, request=request, **form.cleaned_data),
        form=form,
        key=f"s{section.pk}",
        success=_("บันทึกตอนแล้ว"),
    )


@login_required
@require_POST
def section_remove(request, paper_id: int, section_id: int):
    paper = _owned_paper(request, paper_id)
    if paper.is_locked:
        return _refuse_locked(request, paper)
    section = _section_of(paper, section_id)
    return _write(
        request,
        paper,
        lambda: services.remove_section(section, actor=request.user, request=request),
        success=_("ลบตอนแล้ว"),
    )


@login_required
@require_POST
def rule_add(request, paper_id: int, section_id: int):
    paper = _owned_paper(request, paper_id)
    if paper.is_locked:
        return _refuse_locked(request, paper)
    section = _section_of(paper, section_id)
    key = f"add-rule-{section.pk}"
    form = RuleForm(request.POST, bank=paper.bank, prefix=f"add{section.pk}")
    if not form.is_valid():
        return _builder(request, paper, bound={key: form}, status=400)
    return _write(
        request,
        paper,
        lambda: services.add_rule(section, actor=request.user, request=request, **form.cleaned_data),
        form=form,
        key=key,
        success=_("เพิ่มกฎแล้ว"),
    )


@login_required
@require_POST
def rule_edit(request, paper_id: int, rule_id: int):
    paper = _owned_paper(request, paper_id)
    if paper.is_locked:
        return _refuse_locked(request, paper)
    rule = _rule_of(paper, rule_id)
    form = RuleForm(request.POST, bank=paper.bank, prefix=f"r{rule.pk}")
    if not form.is_valid():
        return _builder(request, paper, bound={f"r{rule.pk}": form}, status=400)
    return _write(
        request,
        paper,
        lambda: services.update_rule(rule, actor=request.user, request=request, **form.cleaned_data),
        form=form,
        key=f"r{rule.pk}",
        success=_("บันทึกกฎแล้ว"),
    )


@login_required
@require_POST
def rule_remove(request, paper_id: int, rule_id: int):
    paper = _owned_paper(request, paper_id)
    if paper.is_locked:
        return _refuse_locked(request, paper)
    rule = _rule_of(paper, rule_id)
    return _write(
        request,
        paper,
        lambda: services.remove_rule(rule, actor=request.user, request=request),
        success=_("ลบกฎแล้ว"),
    )


@login_required
@require_POST
def paper_lock(request, paper_id: int):
    paper = _owned_paper(request, paper_id)
    if request.POST.get("confirm") != "1":
        messages.error(request, _("กรุณายืนยันการล็อก (Please confirm the lock)."))
        return redirect("qb:paper", paper.pk)
    try:
        paper = services.lock_paper(paper, actor=request.user, request=request)
    except BlueprintError as error:
        for problem in error.problems:
            messages.error(request, problem)
        return redirect("qb:paper", paper.pk)
    except services.PaperError as error:
        messages.error(request, str(error))
        return redirect("qb:paper", paper.pk)
    messages.success(
        request,
        _("ล็อกแบบทดสอบแล้ว รหัสตรวจสอบ %(d)s… (Locked)") % {"d": paper.content_digest[:12]},
    )
    return redirect("qb:paper", paper.pk)


@login_required
@require_POST
def paper_clone(request, paper_id: int):
    paper = _owned_paper(request, paper_id)
    clone = services.clone_paper(paper, actor=request.user, request=request)
    messages.success(request, _("ทำสำเนาเป็นรุ่นที่ %(v)d แล้ว (ฉบับร่าง)") % {"v": clone.version})
    return redirect("qb:paper", clone.pk)


@login_required
def paper_availability(request, bank_id: int):
    """Live availability for the rule editor: approved items by difficulty for category [+ tag]."""
    bank = access.get_bank_for(request.user, bank_id)
    try:
        category = Category.objects.get(bank=bank, pk=int(request.GET.get("category", "")))
        tag_id = int(request.GET["tag"]) if request.GET.get("tag") else None
    except (ValueError, Category.DoesNotExist):
        raise Http404 from None
    if tag_id and not Tag.objects.filter(bank=bank, pk=tag_id).exists():
        raise Http404
    counts = count_available(bank.pk, category.pk, tag_id)
    return JsonResponse({**counts, "text": availability_text(counts)})


# --- preview ---------------------------------------------------------------------------------------


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _preview_content(paper: Paper, number: int, seed: int):
    """(form content, problems, is_sample): the frozen form of a locked paper, else a sample draw."""
    if paper.is_locked and paper.form_mode != Paper.FormMode.PER_CANDIDATE:
        form = paper.forms.filter(number=number).first()
        if form is None:
            raise Http404
        return form.content, [], False
    if paper.is_locked:
        return draw_candidate_form(paper, seed), [], True
    pool = load_blueprint(paper)
    problems = check_pool(pool)
    if paper.form_mode == Paper.FormMode.PARALLEL:
        usage: Counter = Counter()
        content = None
        for n in range(1, number + 1):
            content = draw_pool(pool, derive_seed(seed, n), number=n, usage=usage, allow_short=True)
        return content, problems, True
    form_number = 0 if paper.form_mode == Paper.FormMode.PER_CANDIDATE else 1
    return draw_pool(pool, seed, number=form_number, allow_short=True), problems, True


@login_required
def paper_preview(request, paper_id: int):
    paper = access.get_paper_for(request.user, paper_id)
    form_count = paper.form_count if paper.form_mode == Paper.FormMode.PARALLEL else 1
    number = _int(request.GET.get("form"), 1)
    if not 1 <= number <= form_count:
        raise Http404
    seed = _int(request.GET.get("seed"), PREVIEW_SEED)
    content, problems, is_sample = _preview_content(paper, number, seed)

    entries = [entry for section in content["sections"] for entry in section["items"]]
    versions = ItemVersion.objects.filter(pk__in=[e["version"] for e in entries]).prefetch_related("choices")
    by_id = {version.pk: version for version in versions}
    rng = random.Random(seed)  # the candidate's seed decides item and choice order
    sections, number_on_page = [], 0
    for section in content["sections"]:
        items = list(section["items"])
        if section["shuffle_items"]:
            rng.shuffle(items)
        rendered = []
        for entry in items:
            version = by_id[entry["version"]]
            choices = list(version.choices.all())
            if section["shuffle_choices"]:
                rng.shuffle(choices)
            number_on_page += 1
            rendered.append(
                {"version": version, "choices": choices, "number": number_on_page, "points": entry["points"]}
            )
        points = {entry["points"] for entry in section["items"]}
        sections.append(
            {**section, "rendered": rendered, "uniform_points": points.pop() if len(points) == 1 else None}
        )
    context = {
        "bank": paper.bank,
        "paper": paper,
        "sections": sections,
        "problems": problems,
        "is_sample": is_sample,
        "number": number,
        "form_numbers": range(1, form_count + 1),
        "seed": seed,
        "next_seed": derive_seed(seed, 0) % 1_000_000,
        "item_total": number_on_page,
    }
    return render(request, "question_bank/papers/preview.html", context)


# --- enemy groups ----------------------------------------------------------------------------------


@login_required
def enemy_groups(request, bank_id: int):
    bank = access.get_bank_for(request.user, bank_id)
    is_owner = access.can(request.user, bank.pk, access.OWNERS)
    form = EnemyGroupForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not is_owner:
            raise PermissionDenied
        if form.is_valid():
            try:
                items = services.items_by_reference(bank, form.cleaned_data["items"])
                services.set_enemy_group(
                    bank, actor=request.user, request=request, name=form.cleaned_data["name"], items=items
                )
            except services.PaperError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("สร้างกลุ่มข้อสอบห้ามคู่แล้ว"))
                return redirect("qb:enemy_groups", bank.pk)
        status = 400
    groups = (
        EnemyGroup.objects.filter(bank=bank).prefetch_related("items__current_version").order_by("name", "pk")
    )
    page = Paginator(groups, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "question_bank/papers/enemies.html",
        {"bank": bank, "page": page, "form": form if is_owner else None, "is_owner": is_owner},
        status=status,
    )


@login_required
@require_POST
def enemy_group_delete(request, bank_id: int, group_id: int):
    bank = access.get_bank_for(request.user, bank_id, roles=access.OWNERS)
    group = get_object_or_404(EnemyGroup, pk=group_id, bank=bank)
    services.delete_enemy_group(group, actor=request.user, request=request)
    messages.success(request, _("ลบกลุ่มแล้ว"))
    return redirect("qb:enemy_groups", bank.pk)
