"""Paper services (create, blueprint edits, enemy groups, lock, clone) and the paper pages."""

import hashlib
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from exam_platform.common.models import AuditEntry
from question_bank.blueprint import BlueprintError, draw_candidate_form
from question_bank.models import EnemyGroup, PaperForm, PaperSection, SectionRule, Tag
from question_bank.services import papers as svc
from question_bank.services.items import edit_item, item_data_from_version
from tests.factories import log_in as _client_for
from tests.factories import make_bank, make_candidate, make_examiner, make_item, topic_of


def _subject(bank):
    return bank.categories.get(parent__isnull=True, code__startswith="subject-")


def _approved(bank, n, difficulty, **kwargs):
    return [make_item(bank, status="approved", difficulty=difficulty, **kwargs) for _ in range(n)]


@pytest.fixture
def owner(db):
    return make_examiner()


@pytest.fixture
def reviewer(db):
    return make_examiner()


@pytest.fixture
def bank(owner, reviewer):
    return make_bank(members={owner: "owner", reviewer: "reviewer"})


@pytest.fixture
def paper(bank, owner):
    return svc.create_paper(bank, actor=owner, code="part-a-1-2569", title="ภาค ก ครั้งที่ 1/2569")


@pytest.fixture
def feasible(bank, owner, paper):
    """A paper whose one rule (5 items, 40/40/20) the bank can satisfy 2 times over."""
    _approved(bank, 4, "easy")
    _approved(bank, 4, "medium")
    _approved(bank, 2, "hard")
    section = svc.add_section(paper, actor=owner, title="ความสามารถทั่วไป", time_limit_minutes=60)
    svc.add_rule(section, actor=owner, category=_subject(bank), count=5)
    return paper


def _actions(paper) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type="question_bank.paper", object_id=str(paper.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


# --- blueprint edits -----------------------------------------------------------------------------


def test_create_paper_audited_and_code_unique_in_bank(bank, owner, paper):
    assert (paper.code, paper.version, paper.status, paper.form_count) == ("part-a-1-2569", 1, "draft", 1)
    assert _actions(paper) == ["paper.create"]
    with pytest.raises(svc.PaperError, match="already exists"):
        svc.create_paper(bank, actor=owner, code="part-a-1-2569", title="ซ้ำ")


def test_create_paper_parallel_needs_two_forms(bank, owner):
    with pytest.raises(svc.PaperError, match="at least 2"):
        svc.create_paper(bank, actor=owner, code="p", title="t", form_mode="parallel", form_count=1)
    paper = svc.create_paper(bank, actor=owner, code="p", title="t", form_mode="parallel", form_count=3)
    assert paper.form_count == 3


def test_sections_and_rules_add_update_remove_renumber(bank, owner, paper):
    first = svc.add_section(paper, actor=owner, title="หนึ่ง")
    second = svc.add_section(paper, actor=owner, title="สอง")
    svc.update_section(second, actor=owner, title="สอง (แก้)", points_per_item="2")
    rule1 = svc.add_rule(second, actor=owner, category=_subject(bank), count=3)
    rule2 = svc.add_rule(
        second,
        actor=owner,
        category=topic_of(bank),
        count=2,
        easy_percent=50,
        medium_percent=50,
        hard_percent=0,
    )
    svc.update_rule(rule2, actor=owner, count=4)
    svc.remove_rule(rule1, actor=owner)
    svc.remove_section(first, actor=owner)

    sections = list(paper.sections.all())
    assert [(s.position, s.title, str(s.points_per_item)) for s in sections] == [(1, "สอง (แก้)", "2.00")]
    assert list(SectionRule.objects.filter(section=sections[0]).values_list("position", "count")) == [(1, 4)]
    assert _actions(paper) == [
        "paper.create",
        "paper.section.add",
        "paper.section.add",
        "paper.section.update",
        "paper.rule.add",
        "paper.rule.add",
        "paper.rule.update",
        "paper.rule.remove",
        "paper.section.remove",
    ]


def test_add_rule_percentages_must_sum_to_100(bank, owner, paper):
    section = svc.add_section(paper, actor=owner, title="หนึ่ง")
    with pytest.raises(svc.PaperError, match="must add up to 100, not 90"):
        svc.add_rule(
            section,
            actor=owner,
            category=_subject(bank),
            count=3,
            easy_percent=50,
            medium_percent=20,
            hard_percent=20,
        )
    assert not SectionRule.objects.exists()


def test_add_rule_refuses_category_of_another_bank(bank, owner, paper):
    other = make_bank(members={owner: "owner"})
    section = svc.add_section(paper, actor=owner, title="หนึ่ง")
    with pytest.raises(svc.PaperError, match="Unknown category"):
        svc.add_rule(section, actor=owner, category=_subject(other), count=3)


def test_paper_services_only_for_owners(bank, reviewer, paper):
    with pytest.raises(PermissionDenied):
        svc.create_paper(bank, actor=reviewer, code="x", title="x")
    with pytest.raises(PermissionDenied):
        svc.add_section(paper, actor=reviewer, title="x")
    with pytest.raises(PermissionDenied):
        svc.lock_paper(paper, actor=reviewer)
    with pytest.raises(PermissionDenied):
        svc.clone_paper(paper, actor=reviewer)


def test_set_enemy_group_needs_two_items_of_the_bank(bank, owner):
    a, b = _approved(bank, 2, "easy")
    other_item = make_item(make_bank())
    with pytest.raises(svc.PaperError, match="at least 2"):
        svc.set_enemy_group(bank, actor=owner, name="g", items=[a])
    with pytest.raises(svc.PaperError, match="belong to this bank"):
        svc.set_enemy_group(bank, actor=owner, name="g", items=[a, other_item])
    group = svc.set_enemy_group(bank, actor=owner, name="ชี้นำกัน", items=[a, b])
    assert set(group.items.all()) == {a, b}
    assert AuditEntry.objects.filter(action="enemy_group.set", object_id=str(group.pk)).count() == 1


def test_items_by_reference_accepts_ids_and_uids_and_names_missing(bank):
    a, b = _approved(bank, 2, "easy")
    assert {i.pk for i in svc.items_by_reference(bank, [str(a.pk), str(b.uid)])} == {a.pk, b.pk}
    with pytest.raises(svc.PaperError, match="999999, not-a-uid"):
        svc.items_by_reference(bank, [str(a.pk), "999999", "not-a-uid"])


# --- lock ----------------------------------------------------------------------------------------


def test_lock_paper_writes_form_digests_and_audits(owner, feasible):
    paper = svc.lock_paper(feasible, actor=owner, seed=2569)

    (form,) = PaperForm.objects.filter(paper=paper)
    canonical = json.dumps(form.content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert form.number == 1
    assert form.digest == hashlib.sha256(canonical).hexdigest()
    assert paper.content_digest == hashlib.sha256(form.digest.encode()).hexdigest()
    assert (paper.status, paper.seed, paper.locked_by) == ("locked", 2569, owner)
    assert paper.locked_at is not None
    assert len(form.content["sections"][0]["items"]) == 5
    entry = AuditEntry.objects.get(action="paper.lock", object_id=str(paper.pk))
    assert entry.after["content_digest"] == paper.content_digest
    assert entry.after["form_digests"] == [form.digest]


def test_lock_paper_same_seed_same_digest(bank, owner, feasible):
    locked = svc.lock_paper(feasible, actor=owner, seed=7)
    clone = svc.lock_paper(svc.clone_paper(locked, actor=owner), actor=owner, seed=7)
    assert clone.forms.get().content["sections"] == locked.forms.get().content["sections"]


def test_lock_paper_parallel_writes_form_count_forms(bank, owner):
    _approved(bank, 10, "easy")
    paper = svc.create_paper(bank, actor=owner, code="par", title="คู่ขนาน", form_mode="parallel", form_count=2)
    section = svc.add_section(paper, actor=owner, title="หนึ่ง")
    svc.add_rule(
        section,
        actor=owner,
        category=_subject(bank),
        count=5,
        easy_percent=100,
        medium_percent=0,
        hard_percent=0,
    )

    paper = svc.lock_paper(paper, actor=owner, seed=1)

    forms = list(paper.forms.all())
    assert [f.number for f in forms] == [1, 2]
    items = [{e["item"] for e in f.content["sections"][0]["items"]} for f in forms]
    assert not items[0] & items[1]
    assert paper.content_digest == hashlib.sha256((forms[0].digest + forms[1].digest).encode()).hexdigest()


def test_lock_paper_refuses_infeasible_blueprint(bank, owner, paper):
    _approved(bank, 1, "hard")
    section = svc.add_section(paper, actor=owner, title="หนึ่ง")
    svc.add_rule(
        section,
        actor=owner,
        category=_subject(bank),
        count=2,
        easy_percent=0,
        medium_percent=0,
        hard_percent=100,
    )

    with pytest.raises(BlueprintError) as caught:
        svc.lock_paper(paper, actor=owner)

    assert caught.value.problems == [
        "ตอนที่ 1 กฎที่ 1 (ภาษาไทย, ยาก): ต้องการ 2 ข้อ มีเพียง 1 ข้อ "
        "(Section 1 rule 1 (ภาษาไทย, hard): needs 2, only 1 available)"
    ]
    paper.refresh_from_db()
    assert (paper.status, paper.content_digest) == ("draft", "")
    assert not PaperForm.objects.exists()
    assert "paper.lock" not in _actions(paper)


def test_lock_paper_refuses_second_lock(owner, feasible):
    svc.lock_paper(feasible, actor=owner)
    with pytest.raises(svc.PaperLockedError):
        svc.lock_paper(feasible, actor=owner)
    assert PaperForm.objects.filter(paper=feasible).count() == 1


def test_locked_paper_every_update_service_refuses(bank, owner, feasible):
    section = feasible.sections.get()
    rule = section.rules.get()
    svc.lock_paper(feasible, actor=owner)
    before = list(AuditEntry.objects.values_list("seq", flat=True))

    attempts = [
        lambda: svc.update_paper(feasible, actor=owner, title="ใหม่"),
        lambda: svc.add_section(feasible, actor=owner, title="ใหม่"),
        lambda: svc.update_section(section, actor=owner, title="ใหม่"),
        lambda: svc.remove_section(section, actor=owner),
        lambda: svc.add_rule(section, actor=owner, category=_subject(bank), count=1),
        lambda: svc.update_rule(rule, actor=owner, count=1),
        lambda: svc.remove_rule(rule, actor=owner),
        lambda: svc.lock_paper(feasible, actor=owner),
    ]
    for attempt in attempts:
        with pytest.raises(svc.PaperLockedError, match=r"แบบทดสอบนี้ล็อกแล้ว.*This paper is locked"):
            attempt()

    assert list(AuditEntry.objects.values_list("seq", flat=True)) == before
    section.refresh_from_db()
    rule.refresh_from_db()
    assert (section.title, rule.count, PaperSection.objects.filter(paper=feasible).count()) == (
        "ความสามารถทั่วไป",
        5,
        1,
    )


def test_clone_paper_makes_next_version_draft_with_same_blueprint(bank, owner, feasible):
    make_item(bank, status="approved", difficulty="easy", tags=["ป้าย"])
    tag = Tag.objects.get(bank=bank, name="ป้าย")
    section = feasible.sections.get()
    svc.add_rule(
        section,
        actor=owner,
        category=topic_of(bank),
        tag=tag,
        count=1,
        easy_percent=100,
        medium_percent=0,
        hard_percent=0,
    )
    locked = svc.lock_paper(feasible, actor=owner)

    clone = svc.clone_paper(locked, actor=owner)
    again = svc.clone_paper(locked, actor=owner)

    assert (clone.code, clone.version, clone.status, clone.cloned_from) == (locked.code, 2, "draft", locked)
    assert again.version == 3
    assert clone.content_digest == ""
    assert not clone.forms.exists()
    shape = lambda p: [  # noqa: E731
        (
            s.position,
            s.title,
            s.time_limit_minutes,
            [(r.position, r.category_id, r.tag_id, r.count) for r in s.rules.all()],
        )
        for s in p.sections.all()
    ]
    assert shape(clone) == shape(locked)
    assert "paper.clone" in _actions(clone)
    svc.add_section(clone, actor=owner, title="ตอนใหม่")  # the clone is editable


# --- per-candidate -------------------------------------------------------------------------------


def test_per_candidate_lock_freezes_pool_against_later_item_edits(bank, owner):
    items = _approved(bank, 3, "easy")
    paper = svc.create_paper(bank, actor=owner, code="pc", title="สุ่มรายบุคคล", form_mode="per_candidate")
    section = svc.add_section(paper, actor=owner, title="หนึ่ง")
    svc.add_rule(
        section,
        actor=owner,
        category=_subject(bank),
        count=3,
        easy_percent=100,
        medium_percent=0,
        hard_percent=0,
    )
    paper = svc.lock_paper(paper, actor=owner, seed=5)
    frozen = {str(i.uid): i.current_version_id for i in items}

    pool_form = paper.forms.get()
    assert pool_form.number == 0
    assert sorted(
        e["version"] for e in pool_form.content["pool"]["sections"][0]["rules"][0]["items"]
    ) == sorted(frozen.values())

    # Edit an item after lock (new version) and approve it again: the draw must keep the old version.
    edited = items[0]
    data = item_data_from_version(edited.current_version)
    data.stem = "โจทย์ที่แก้ไขหลังล็อก"
    new_version = edit_item(edited, data, actor=owner)
    type(edited).objects.filter(pk=edited.pk).update(status="approved")

    form = draw_candidate_form(paper, 12345)

    drawn = {e["item"]: e["version"] for e in form["sections"][0]["items"]}
    assert drawn == frozen
    assert new_version.pk not in drawn.values()
    assert form["form"] == 0
    assert draw_candidate_form(paper, 12345) == form


def test_per_candidate_forms_differ_by_seed(bank, owner):
    _approved(bank, 20, "easy")
    paper = svc.create_paper(bank, actor=owner, code="pc", title="สุ่ม", form_mode="per_candidate")
    section = svc.add_section(paper, actor=owner, title="หนึ่ง")
    svc.add_rule(
        section,
        actor=owner,
        category=_subject(bank),
        count=5,
        easy_percent=100,
        medium_percent=0,
        hard_percent=0,
    )
    paper = svc.lock_paper(paper, actor=owner)

    forms = {
        tuple(e["item"] for e in draw_candidate_form(paper, s)["sections"][0]["items"]) for s in range(10)
    }

    assert len(forms) > 5


def test_enemy_group_edit_after_lock_does_not_change_frozen_pool(bank, owner):
    a, b, c = _approved(bank, 3, "easy")
    svc.set_enemy_group(bank, actor=owner, name="g", items=[a, b])
    paper = svc.create_paper(bank, actor=owner, code="pc", title="สุ่ม", form_mode="per_candidate")
    section = svc.add_section(paper, actor=owner, title="หนึ่ง")
    svc.add_rule(
        section,
        actor=owner,
        category=_subject(bank),
        count=2,
        easy_percent=100,
        medium_percent=0,
        hard_percent=0,
    )
    paper = svc.lock_paper(paper, actor=owner)
    EnemyGroup.objects.all().delete()

    for seed in range(30):
        drawn = {e["item"] for e in draw_candidate_form(paper, seed)["sections"][0]["items"]}
        assert str(c.uid) in drawn
        assert not {str(a.uid), str(b.uid)} <= drawn


# --- pages ---------------------------------------------------------------------------------------


@pytest.fixture
def owner_client(client, owner):
    return _client_for(client, owner)


def test_builder_page_shows_availability_and_problems(bank, owner, owner_client, paper):
    _approved(bank, 3, "easy")
    _approved(bank, 2, "medium")
    _approved(bank, 1, "hard")
    section = svc.add_section(paper, actor=owner, title="ความรู้ทั่วไป")
    svc.add_rule(
        section,
        actor=owner,
        category=_subject(bank),
        count=5,
        easy_percent=0,
        medium_percent=0,
        hard_percent=100,
    )

    response = owner_client.get(reverse("qb:paper", args=[paper.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "มีข้อสอบที่ใช้ได้ 6 ข้อ: ง่าย 3 / ปานกลาง 2 / ยาก 1" in html
    assert (
        "ตอนที่ 1 กฎที่ 1 (ภาษาไทย, ยาก): ต้องการ 5 ข้อ มีเพียง 1 ข้อ "
        "(Section 1 rule 1 (ภาษาไทย, hard): needs 5, only 1 available)"
    ) in html
    assert reverse("qb:paper_lock", args=[paper.pk]) not in html  # no lock button while infeasible


def test_owner_builds_and_locks_paper_through_pages(bank, owner_client):
    _approved(bank, 3, "easy")
    _approved(bank, 2, "medium")

    response = owner_client.post(
        reverse("qb:paper_new", args=[bank.pk]),
        {"code": "part-a", "title": "ภาค ก", "duration_minutes": 90, "form_mode": "fixed", "form_count": 1},
    )
    paper = bank.papers.get()
    assert response.status_code == 302
    owner_client.post(
        reverse("qb:section_add", args=[paper.pk]),
        {"new-title": "ตอนที่หนึ่ง", "new-time_limit_minutes": "45", "new-shuffle_items": "on"},
    )
    section = paper.sections.get()
    assert (section.title, section.time_limit_minutes, section.shuffle_items, section.shuffle_choices) == (
        "ตอนที่หนึ่ง",
        45,
        True,
        False,
    )
    prefix = f"add{section.pk}"
    bad = owner_client.post(
        reverse("qb:rule_add", args=[paper.pk, section.pk]),
        {f"{prefix}-category": _subject(bank).pk, f"{prefix}-count": 4, f"{prefix}-easy_percent": 50,
         f"{prefix}-medium_percent": 30, f"{prefix}-hard_percent": 0},
    )  # fmt: skip
    assert bad.status_code == 400
    assert "ต้องรวมกันได้ 100%" in bad.content.decode()
    owner_client.post(
        reverse("qb:rule_add", args=[paper.pk, section.pk]),
        {f"{prefix}-category": _subject(bank).pk, f"{prefix}-count": 4, f"{prefix}-easy_percent": 50,
         f"{prefix}-medium_percent": 50, f"{prefix}-hard_percent": 0},
    )  # fmt: skip
    assert section.rules.get().count == 4

    unconfirmed = owner_client.post(reverse("qb:paper_lock", args=[paper.pk]))
    paper.refresh_from_db()
    assert (unconfirmed.status_code, paper.status) == (302, "draft")
    owner_client.post(reverse("qb:paper_lock", args=[paper.pk]), {"confirm": "1"})
    paper.refresh_from_db()
    assert paper.status == "locked"
    assert len(paper.content_digest) == 64

    refused = owner_client.post(reverse("qb:section_add", args=[paper.pk]), {"new-title": "เพิ่ม"}, follow=True)
    assert "This paper is locked" in refused.content.decode()
    assert paper.sections.count() == 1
    listing = owner_client.get(reverse("qb:papers", args=[bank.pk])).content.decode()
    assert paper.content_digest[:12] in listing


def test_preview_of_draft_is_labelled_and_shows_no_keys(bank, owner, owner_client, feasible):
    response = owner_client.get(reverse("qb:paper_preview", args=[feasible.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "ตัวอย่าง — ยังไม่ล็อก" in html
    assert html.count('class="candidate-item ') == 5
    assert "is_correct" not in html
    assert "checked" not in html


def test_preview_of_locked_paper_shows_the_frozen_form(bank, owner, owner_client, feasible):
    paper = svc.lock_paper(feasible, actor=owner, seed=11)
    entries = paper.forms.get().content["sections"][0]["items"]
    from question_bank.models import ItemVersion

    response = owner_client.get(reverse("qb:paper_preview", args=[paper.pk]) + "?form=1")

    html = response.content.decode()
    assert "ตัวอย่าง — ยังไม่ล็อก" not in html
    for entry in entries:
        assert ItemVersion.objects.get(pk=entry["version"]).stem in html
    assert owner_client.get(reverse("qb:paper_preview", args=[paper.pk]) + "?form=2").status_code == 404


def test_availability_endpoint_counts_by_difficulty(bank, owner_client):
    _approved(bank, 2, "easy", tags=["ก"])
    _approved(bank, 1, "hard")
    url = reverse("qb:paper_availability", args=[bank.pk])

    data = owner_client.get(url, {"category": _subject(bank).pk}).json()
    tagged = owner_client.get(
        url, {"category": _subject(bank).pk, "tag": Tag.objects.get(name="ก").pk}
    ).json()

    assert data == {
        "easy": 2,
        "medium": 0,
        "hard": 1,
        "total": 3,
        "text": "มีข้อสอบที่ใช้ได้ 3 ข้อ: ง่าย 2 / ปานกลาง 0 / ยาก 1",
    }
    assert tagged["total"] == 2


def test_enemy_group_page_creates_group_from_ids_and_uids(bank, owner_client):
    a, b = _approved(bank, 2, "easy")

    response = owner_client.post(
        reverse("qb:enemy_groups", args=[bank.pk]), {"name": "ชี้นำ", "items": f"{a.pk}, {b.uid}"}
    )

    assert response.status_code == 302
    assert set(EnemyGroup.objects.get(name="ชี้นำ").items.all()) == {a, b}
    bad = owner_client.post(
        reverse("qb:enemy_groups", args=[bank.pk]), {"name": "x", "items": f"{a.pk} 424242"}
    )
    assert bad.status_code == 400
    assert "424242" in bad.content.decode()


def test_paper_pages_reviewer_reads_but_cannot_manage(bank, reviewer, client, feasible):
    reviewer_client = _client_for(client, reviewer)
    section = feasible.sections.get()

    assert reviewer_client.get(reverse("qb:papers", args=[bank.pk])).status_code == 200
    page = reviewer_client.get(reverse("qb:paper", args=[feasible.pk]))
    assert page.status_code == 200
    assert reverse("qb:section_add", args=[feasible.pk]) not in page.content.decode()
    assert reviewer_client.get(reverse("qb:paper_preview", args=[feasible.pk])).status_code == 200
    assert reviewer_client.get(reverse("qb:enemy_groups", args=[bank.pk])).status_code == 200
    forbidden = [
        ("get", reverse("qb:paper_new", args=[bank.pk])),
        ("post", reverse("qb:section_add", args=[feasible.pk])),
        ("post", reverse("qb:section_remove", args=[feasible.pk, section.pk])),
        ("post", reverse("qb:rule_remove", args=[feasible.pk, section.rules.get().pk])),
        ("post", reverse("qb:paper_lock", args=[feasible.pk])),
        ("post", reverse("qb:paper_clone", args=[feasible.pk])),
        ("post", reverse("qb:enemy_groups", args=[bank.pk])),
    ]
    for method, url in forbidden:
        assert getattr(reviewer_client, method)(url).status_code == 403, url
    assert feasible.sections.count() == 1


def test_paper_pages_non_member_404_candidate_403_anonymous_login(bank, client, feasible):
    urls = [
        reverse("qb:papers", args=[bank.pk]),
        reverse("qb:paper", args=[feasible.pk]),
        reverse("qb:paper_preview", args=[feasible.pk]),
        reverse("qb:enemy_groups", args=[bank.pk]),
        reverse("qb:paper_availability", args=[bank.pk]) + f"?category={_subject(bank).pk}",
    ]
    for url in urls:
        assert client.get(url).status_code == 302  # anonymous: to login
    outsider = _client_for(client, make_examiner())
    for url in urls:
        assert outsider.get(url).status_code == 404, url
    assert outsider.post(reverse("qb:paper_lock", args=[feasible.pk]), {"confirm": "1"}).status_code == 404
    client.logout()
    client.force_login(make_candidate().user)
    for url in urls:
        assert client.get(url).status_code == 403, url


def test_paper_list_query_count_does_not_grow(bank, owner, owner_client, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(3):
        svc.create_paper(bank, actor=owner, code=f"p{n}", title="t")
    with CaptureQueriesContext(connection) as few:
        owner_client.get(reverse("qb:papers", args=[bank.pk]))
    for n in range(3, 20):
        svc.create_paper(bank, actor=owner, code=f"p{n}", title="t")
    with CaptureQueriesContext(connection) as many:
        owner_client.get(reverse("qb:papers", args=[bank.pk]))
    assert len(many) == len(few)


def test_preview_parallel_draft_form_two_and_per_candidate_locked(bank, owner, owner_client):
    _approved(bank, 10, "easy")
    parallel = svc.create_paper(
        bank, actor=owner, code="par", title="คู่ขนาน", form_mode="parallel", form_count=2
    )
    section = svc.add_section(parallel, actor=owner, title="หนึ่ง")
    svc.add_rule(
        section,
        actor=owner,
        category=_subject(bank),
        count=4,
        easy_percent=100,
        medium_percent=0,
        hard_percent=0,
    )
    per_candidate = svc.clone_paper(parallel, actor=owner)
    svc.update_paper(per_candidate, actor=owner, form_mode="per_candidate")
    svc.lock_paper(per_candidate, actor=owner)

    second = owner_client.get(reverse("qb:paper_preview", args=[parallel.pk]) + "?form=2")
    sampled = owner_client.get(reverse("qb:paper_preview", args=[per_candidate.pk]) + "?seed=42")

    assert second.status_code == 200
    assert "ตัวอย่าง — ยังไม่ล็อก" in second.content.decode()
    assert second.content.decode().count('class="candidate-item ') == 4
    assert owner_client.get(reverse("qb:paper_preview", args=[parallel.pk]) + "?form=3").status_code == 404
    assert sampled.status_code == 200
    assert "ตัวอย่างชุดสุ่มรายบุคคล" in sampled.content.decode()
    assert sampled.content.decode().count('class="candidate-item ') == 4
