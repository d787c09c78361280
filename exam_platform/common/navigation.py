"""The main menu: the areas a user's roles open, in the order a working day meets them.

Links are only signposts; every page still checks access itself (each app's access.py).
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from exam_platform.accounts.roles import Role, user_roles


@dataclass(frozen=True)
class NavLink:
    label: str
    url_name: str
    roles: frozenset  # any of these roles shows the link; empty: every user of that kind

    @property
    def url(self) -> str:
        return reverse(self.url_name)


CANDIDATE_LINKS = (
    NavLink(_("การสอบของฉัน"), "delivery:candidate_home", frozenset()),
    NavLink(_("ผลสอบ"), "publication:results", frozenset()),
    NavLink(_("รายงานตัว"), "eligibility:my_calls", frozenset()),
)
STAFF_LINKS = (
    NavLink(_("คลังข้อสอบ"), "qb:home", frozenset({Role.EXAMINER})),
    NavLink(_("ตรวจอัตนัย"), "scoring:essay_rounds", frozenset({Role.EXAMINER})),
    NavLink(_("การจัดสอบ"), "delivery:rounds", frozenset({Role.EXAM_OFFICER, Role.ADMINISTRATOR})),
    NavLink(_("คะแนน"), "scoring:rounds", frozenset({Role.EXAM_OFFICER, Role.ADMINISTRATOR})),
    NavLink(_("ประกาศผล"), "publication:officer_index", frozenset({Role.EXAM_OFFICER, Role.ADMINISTRATOR})),
    NavLink(_("บัญชีผู้สอบได้"), "eligibility:officer_index", frozenset({Role.EXAM_OFFICER, Role.ADMINISTRATOR})),
    NavLink(_("ความปลอดภัยบัญชี"), "accounts:two_factor_settings", frozenset()),
)
PUBLIC_LINKS = (
    NavLink(_("ประกาศผลสอบ"), "publication:lists", frozenset()),
    NavLink(_("ตรวจสอบเอกสาร"), "publication:verify", frozenset()),
)


def links_for(user) -> list[NavLink]:
    if not getattr(user, "is_authenticated", False):
        return list(PUBLIC_LINKS)
    if user.is_candidate:
        return list(CANDIDATE_LINKS)
    roles = user_roles(user)
    return [link for link in STAFF_LINKS if not link.roles or link.roles & roles]


def navigation(request):
    """Context processor: `main_nav` = [(label, url, is_current), ...]."""
    user = getattr(request, "user", None)
    if user is None:
        return {"main_nav": []}
    path = request.path
    items = []
    for link in links_for(user):
        url = link.url
        items.append((link.label, url, path.startswith(url) and url != "/"))
    return {"main_nav": items}
