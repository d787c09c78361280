"""Load-with-permission helpers for banks, items, media and papers.

A bank is confidential: only its members (BankMembership) who also hold the examiner role see it or
anything in it, administrators included. Objects of banks a user does not belong to answer 404, so
ids cannot be probed. Within a bank the membership role decides what a user may do:

| action                                  | author | reviewer | owner |
|-----------------------------------------|--------|----------|-------|
| see items, their keys and history       | yes    | yes      | yes   |
| write and edit items, import            | yes    | no       | yes   |
| approve / return items                  | no     | yes      | yes   |
| retire items, manage papers, lock       | no     | no       | yes   |
| booklet PDF                             | no     | yes      | yes   |
| answer-key PDF                          | no     | no       | yes   |
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from exam_platform.accounts.roles import Role, has_role

from .models import Bank, BankMembership, Item, MediaFile, Paper

AUTHOR = BankMembership.Role.AUTHOR
REVIEWER = BankMembership.Role.REVIEWER
OWNER = BankMembership.Role.OWNER
ANY_MEMBER = (AUTHOR, REVIEWER, OWNER)
WRITERS = (AUTHOR, OWNER)
REVIEWERS = (REVIEWER, OWNER)
OWNERS = (OWNER,)
KEY_READERS = ANY_MEMBER
BOOKLET_READERS = (REVIEWER, OWNER)
ANSWER_KEY_READERS = (OWNER,)


def is_examiner(user) -> bool:
    return (
        bool(getattr(user, "is_authenticated", False))
        and not user.is_candidate
        and has_role(user, Role.EXAMINER)
    )


def require_examiner(user) -> None:
    if not is_examiner(user):
        raise PermissionDenied


def banks_for(user):
    """The banks this user may see, each annotated with `my_role`."""
    if not is_examiner(user):
        return Bank.objects.none()
    from django.db.models import OuterRef, Subquery

    role = BankMembership.objects.filter(bank=OuterRef("pk"), user=user).values("role")[:1]
    return Bank.objects.filter(memberships__user=user).annotate(my_role=Subquery(role)).order_by("name")


def membership_role(user, bank_id: int) -> str | None:
    if not is_examiner(user):
        return None
    cache = user.__dict__.setdefault("_bank_roles", {})
    if bank_id not in cache:
        cache[bank_id] = (
            BankMembership.objects.filter(bank_id=bank_id, user=user).values_list("role", flat=True).first()
        )
    return cache[bank_id]


def check_bank_role(user, bank_id: int, roles=ANY_MEMBER) -> str:
    """404 for non-members (they must not learn the bank exists), 403 for members without `roles`."""
    role = membership_role(user, bank_id)
    if role is None:
        raise Http404
    if role not in roles:
        raise PermissionDenied
    return role


def get_bank_for(user, bank_id: int, roles=ANY_MEMBER) -> Bank:
    require_examiner(user)
    check_bank_role(user, bank_id, roles)
    try:
        return Bank.objects.get(pk=bank_id)
    except Bank.DoesNotExist:
        raise Http404 from None


def get_item_for(user, item_id: int, roles=ANY_MEMBER) -> Item:
    require_examiner(user)
    try:
        item = Item.objects.select_related("bank", "category", "current_version").get(pk=item_id)
    except Item.DoesNotExist:
        raise Http404 from None
    check_bank_role(user, item.bank_id, roles)
    return item


def get_media_for(user, uid: str) -> MediaFile:
    require_examiner(user)
    try:
        media = MediaFile.objects.get(uid=uid)
    except (MediaFile.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None
    check_bank_role(user, media.bank_id, ANY_MEMBER)
    return media


def get_paper_for(user, paper_id: int, roles=ANY_MEMBER) -> Paper:
    require_examiner(user)
    try:
        paper = Paper.objects.select_related("bank").get(pk=paper_id)
    except Paper.DoesNotExist:
        raise Http404 from None
    check_bank_role(user, paper.bank_id, roles)
    return paper


def can(user, bank_id: int, roles) -> bool:
    return membership_role(user, bank_id) in roles
