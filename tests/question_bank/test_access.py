"""Every boundary of the question bank: other bank, other role, candidate, staff without the examiner
role, anonymous; and bank membership management (owners only, never without an owner)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import URLPattern, get_resolver

from exam_platform.common.models import AuditEntry
from question_bank import access
from question_bank.models import BankMembership, Paper
from question_bank.services.banks import MembershipError, add_member, change_member_role, remove_member
from question_bank.services.media import upload_media
from tests.factories import log_in, make_bank, make_candidate, make_examiner, make_item, make_staff
from tests.question_bank.test_media import image_bytes

pytestmark = pytest.mark.django_db


class World:
    """One bank with an owner, an author and a reviewer, an item, an image and a paper in it; an
    examiner who belongs only to another bank; a candidate; an exam officer (staff, not examiner)."""

    def __init__(self):
        self.owner = make_examiner(username="w.owner")
        self.author = make_examiner(username="w.author")
        self.reviewer = make_examiner(username="w.reviewer")
        self.bank = make_bank(members={self.owner: "owner", self.author: "author", self.reviewer: "reviewer"})
        self.item = make_item(self.bank, actor=self.author)
        self.media, _ = upload_media(self.bank, image_bytes(), actor=self.author)
        self.paper = Paper.objects.create(bank=self.bank, code="p1", title="ภาค ก ชุดที่ 1")
        self.outsider = make_examiner(username="w.outsider")
        self.other_bank = make_bank(members={self.outsider: "owner"})
        self.candidate = make_candidate().user
        self.officer = make_staff("exam_officer", username="w.officer")


@pytest.fixture
def world():
    return World()


LOADERS = {
    "bank": lambda w, u: access.get_bank_for(u, w.bank.pk),
    "item": lambda w, u: access.get_item_for(u, w.item.pk),
    "media": lambda w, u: access.get_media_for(u, str(w.media.uid)),
    "paper": lambda w, u: access.get_paper_for(u, w.paper.pk),
}


@pytest.mark.parametrize("thing", LOADERS)
def test_access_loader_non_member_examiner_gets_404(world, thing):
    with pytest.raises(Http404):
        LOADERS[thing](world, world.outsider)


@pytest.mark.parametrize("thing", LOADERS)
@pytest.mark.parametrize("who", ["candidate", "officer", "anonymous"])
def test_access_loader_non_examiner_gets_403(world, thing, who):
    user = AnonymousUser() if who == "anonymous" else getattr(world, who)
    with pytest.raises(PermissionDenied):
        LOADERS[thing](world, user)


@pytest.mark.parametrize("thing", LOADERS)
@pytest.mark.parametrize("who", ["owner", "author", "reviewer"])
def test_access_loader_members_get_the_object(world, thing, who):
    assert LOADERS[thing](world, getattr(world, who)).pk is not None


def test_access_member_without_the_role_gets_403(world):
    with pytest.raises(PermissionDenied):
        access.get_bank_for(world.author, world.bank.pk, roles=access.OWNERS)
    with pytest.raises(PermissionDenied):
        access.get_item_for(world.reviewer, world.item.pk, roles=access.WRITERS)
    with pytest.raises(PermissionDenied):
        access.get_paper_for(world.author, world.paper.pk, roles=access.OWNERS)


def test_access_member_who_lost_the_examiner_role_sees_nothing(world):
    world.author.groups.clear()
    world.author._role_cache = None

    assert list(access.banks_for(world.author)) == []
    with pytest.raises(PermissionDenied):
        access.get_bank_for(world.author, world.bank.pk)


def test_access_unknown_ids_are_404_like_foreign_ones(world):
    with pytest.raises(Http404):
        access.get_item_for(world.owner, 999_999)
    with pytest.raises(Http404):
        access.get_media_for(world.owner, "not-a-uuid")


def test_access_banks_for_lists_only_the_users_banks(world):
    assert [b.pk for b in access.banks_for(world.author)] == [world.bank.pk]
    assert [b.pk for b in access.banks_for(world.outsider)] == [world.other_bank.pk]
    assert list(access.banks_for(world.candidate)) == []
    assert list(access.banks_for(world.officer)) == []


# --- views ------------------------------------------------------------------------------------


def my_views(w):
    """(method, path) of the bank, item list, membership and media views."""
    m = w.bank.memberships.get(user=w.author)
    return [
        ("get", f"/qb/banks/{w.bank.pk}/"),
        ("get", f"/qb/banks/{w.bank.pk}/items/"),
        ("get", f"/qb/media/{w.media.uid}/"),
        ("post", f"/qb/banks/{w.bank.pk}/members/add/"),
        ("post", f"/qb/banks/{w.bank.pk}/members/{m.pk}/role/"),
        ("post", f"/qb/banks/{w.bank.pk}/members/{m.pk}/remove/"),
        ("post", f"/qb/banks/{w.bank.pk}/media/upload/"),
    ]


@pytest.mark.parametrize("index", range(7))
def test_views_anonymous_is_redirected_to_login(client, world, index):
    method, path = my_views(world)[index]

    response = getattr(client, method)(path)

    assert response.status_code == 302
    assert response["Location"].startswith(f"/accounts/login/?next={path}")


@pytest.mark.parametrize("index", range(7))
@pytest.mark.parametrize("who", ["candidate", "officer"])
def test_views_candidate_and_non_examiner_staff_get_403(client, world, index, who):
    method, path = my_views(world)[index]

    assert getattr(log_in(client, getattr(world, who)), method)(path).status_code == 403


@pytest.mark.parametrize("index", range(7))
def test_views_non_member_examiner_gets_404(client, world, index):
    method, path = my_views(world)[index]

    assert getattr(log_in(client, world.outsider), method)(path).status_code == 404
    assert BankMembership.objects.filter(bank=world.bank).count() == 3


@pytest.mark.parametrize("who", ["author", "reviewer"])
@pytest.mark.parametrize("index", [3, 4, 5])
def test_views_membership_changes_by_non_owner_member_are_403(client, world, who, index):
    _method, path = my_views(world)[index]

    response = log_in(client, getattr(world, who)).post(path, {"user": world.outsider.pk, "role": "owner"})

    assert response.status_code == 403
    assert BankMembership.objects.filter(bank=world.bank).count() == 3
    assert world.bank.memberships.get(user=world.author).role == "author"


def test_views_examiner_home_shows_only_own_banks(client, world):
    html = log_in(client, world.outsider).get("/qb/").content.decode()

    assert world.other_bank.name in html
    assert world.bank.name not in html


@pytest.mark.parametrize("who", ["candidate", "officer"])
def test_views_examiner_home_is_403_for_non_examiners(client, world, who):
    assert log_in(client, getattr(world, who)).get("/qb/").status_code == 403


def _qb_routes():
    resolver = get_resolver()
    qb = next(p for p in resolver.url_patterns if getattr(p, "namespace", None) == "qb")
    return [p for p in qb.url_patterns if isinstance(p, URLPattern)]


def _path_for(pattern: URLPattern, w) -> str | None:
    """Fill a qb route with ids of objects in the world's bank (None: a route with unknown params)."""
    values = {
        "bank_id": w.bank.pk,
        "item_id": w.item.pk,
        "paper_id": w.paper.pk,
        "uid": w.media.uid,
        "membership_id": w.bank.memberships.get(user=w.author).pk,
    }
    params = set(pattern.pattern.converters)
    if not params or not params <= set(values):
        return None
    from django.urls import reverse

    return reverse(f"qb:{pattern.name}", kwargs={k: values[k] for k in params})


def test_views_every_bank_route_is_404_for_a_non_member_and_login_for_anonymous(client, world):
    """Crawls every qb route that takes a bank, item, paper, media or membership id (other areas'
    views too): a non-member must never learn the object exists, whatever the method."""
    paths = [p for p in (_path_for(r, world) for r in _qb_routes()) if p]
    assert len(paths) >= 7
    outsider = log_in(client.__class__(), world.outsider)
    for path in paths:
        assert client.get(path).status_code == 302, path
        get = outsider.get(path)
        status = outsider.post(path).status_code if get.status_code == 405 else get.status_code
        assert status == 404, f"{path}: {status}"


# --- membership management --------------------------------------------------------------------


def test_membership_owner_adds_an_examiner_audited(world):
    newcomer = make_examiner(username="w.newcomer")

    membership = add_member(world.bank, user=newcomer, role="reviewer", actor=world.owner)

    assert (membership.user, membership.role) == (newcomer, "reviewer")
    entry = AuditEntry.objects.get(action="question_bank.member_added")
    assert (entry.actor, entry.object_id, entry.after) == (
        world.owner,
        str(world.bank.pk),
        {"user": "w.newcomer", "role": "reviewer"},
    )


@pytest.mark.parametrize("who", ["candidate", "officer"])
def test_membership_cannot_add_a_user_without_the_examiner_role(world, who):
    with pytest.raises(MembershipError, match=r"\(Only staff with the examiner role can be added\)"):
        add_member(world.bank, user=getattr(world, who), role="author", actor=world.owner)
    assert not world.bank.memberships.filter(user=getattr(world, who)).exists()


def test_membership_cannot_add_an_existing_member_twice(world):
    with pytest.raises(MembershipError, match=r"\(This user is already a member\)"):
        add_member(world.bank, user=world.author, role="owner", actor=world.owner)


def test_membership_non_owner_cannot_manage(world):
    membership = world.bank.memberships.get(user=world.reviewer)
    with pytest.raises(PermissionDenied):
        add_member(world.bank, user=world.outsider, role="owner", actor=world.author)
    with pytest.raises(PermissionDenied):
        change_member_role(membership, role="owner", actor=world.reviewer)
    with pytest.raises(PermissionDenied):
        remove_member(membership, actor=world.author)


def test_membership_change_role_is_audited_with_before_and_after(world):
    membership = world.bank.memberships.get(user=world.author)

    change_member_role(membership, role="owner", actor=world.owner)

    assert world.bank.memberships.get(user=world.author).role == "owner"
    entry = AuditEntry.objects.get(action="question_bank.member_role_changed")
    assert (entry.before, entry.after) == (
        {"user": "w.author", "role": "author"},
        {"user": "w.author", "role": "owner"},
    )


def test_membership_last_owner_can_be_neither_removed_nor_demoted(world):
    owner_membership = world.bank.memberships.get(user=world.owner)

    with pytest.raises(MembershipError, match=r"\(A bank must keep at least one owner\)"):
        remove_member(owner_membership, actor=world.owner)
    with pytest.raises(MembershipError, match=r"\(A bank must keep at least one owner\)"):
        change_member_role(owner_membership, role="author", actor=world.owner)
    assert world.bank.memberships.get(user=world.owner).role == "owner"


def test_membership_an_owner_may_leave_when_another_owner_remains(world):
    change_member_role(world.bank.memberships.get(user=world.author), role="owner", actor=world.owner)

    remove_member(world.bank.memberships.get(user=world.owner), actor=world.owner)

    assert list(world.bank.memberships.filter(role="owner").values_list("user__username", flat=True)) == [
        "w.author"
    ]
    assert AuditEntry.objects.get(action="question_bank.member_removed").before == {
        "user": "w.owner",
        "role": "owner",
    }


def test_membership_views_owner_adds_changes_and_removes(client, world):
    newcomer = make_examiner(username="w.view.new")
    client = log_in(client, world.owner)
    base = f"/qb/banks/{world.bank.pk}/members"

    added = client.post(f"{base}/add/", {"user": newcomer.pk, "role": "author"})
    membership = world.bank.memberships.get(user=newcomer)
    changed = client.post(f"{base}/{membership.pk}/role/", {f"m{membership.pk}-role": "reviewer"})
    role_after_change = world.bank.memberships.get(user=newcomer).role
    removed = client.post(f"{base}/{membership.pk}/remove/")

    assert [r.status_code for r in (added, changed, removed)] == [302, 302, 302]
    assert role_after_change == "reviewer"
    assert not world.bank.memberships.filter(user=newcomer).exists()


def test_membership_view_refuses_staff_without_examiner_role_with_a_form_error(client, world):
    response = log_in(client, world.owner).post(
        f"/qb/banks/{world.bank.pk}/members/add/", {"user": world.officer.pk, "role": "author"}
    )

    assert response.status_code == 400
    assert "(Not an examiner, or already a member)" in response.content.decode()
    assert not world.bank.memberships.filter(user=world.officer).exists()


def test_membership_view_removing_last_owner_shows_the_error(client, world):
    membership = world.bank.memberships.get(user=world.owner)

    response = log_in(client, world.owner).post(
        f"/qb/banks/{world.bank.pk}/members/{membership.pk}/remove/", follow=True
    )

    assert "คลังต้องมีเจ้าของอย่างน้อยหนึ่งคน (A bank must keep at least one owner)." in response.content.decode()
    assert world.bank.memberships.filter(user=world.owner, role="owner").exists()


def test_bank_page_shows_tree_members_and_counts(client, world):
    html = log_in(client, world.author).get(f"/qb/banks/{world.bank.pk}/").content.decode()

    assert "ภาษาไทย" in html
    assert "การอ่าน" in html
    assert "w.reviewer" in html
    assert f'href="/qb/banks/{world.bank.pk}/items/?status=draft"><span class="qb-count">1</span>' in html
    assert "members/add/" not in html  # only owners see the management forms
