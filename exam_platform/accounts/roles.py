"""Roles are Django groups with permissions. Object-level access lives in access.py."""

from django.utils.translation import gettext_lazy as _


class Role:
    CANDIDATE = "candidate"
    EXAMINER = "examiner"
    EXAM_OFFICER = "exam_officer"
    PROCTOR = "proctor"
    INTERVIEWER = "interviewer"
    PANEL_CHAIR = "panel_chair"
    AUDITOR = "auditor"
    ADMINISTRATOR = "administrator"


ROLE_LABELS = {
    Role.CANDIDATE: _("ผู้สมัครสอบ"),
    Role.EXAMINER: _("ผู้ออกข้อสอบ"),
    Role.EXAM_OFFICER: _("เจ้าหน้าที่สอบ"),
    Role.PROCTOR: _("กรรมการคุมสอบ"),
    Role.INTERVIEWER: _("กรรมการสอบสัมภาษณ์"),
    Role.PANEL_CHAIR: _("ประธานคณะกรรมการสอบสัมภาษณ์"),
    Role.AUDITOR: _("ผู้ตรวจสอบ"),
    Role.ADMINISTRATOR: _("ผู้ดูแลระบบ"),
}

STAFF_ROLES = [r for r in ROLE_LABELS if r != Role.CANDIDATE]

# Model-level permissions each role holds: "app_label.codename". Custom permissions are declared
# on the models that own them (Meta.permissions); later apps add theirs here.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.CANDIDATE: [],
    Role.EXAMINER: [],
    Role.EXAM_OFFICER: ["accounts.view_candidate", "accounts.add_candidate", "accounts.change_candidate"],
    Role.PROCTOR: ["accounts.view_candidate"],
    Role.INTERVIEWER: [],
    Role.PANEL_CHAIR: [],
    Role.AUDITOR: ["common.view_auditentry"],
    Role.ADMINISTRATOR: [
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_candidate",
        "accounts.add_candidate",
        "accounts.change_candidate",
        "common.view_auditentry",
        "common.view_job",
    ],
}


def sync_role_groups() -> None:
    """Create the role groups and give each exactly its permissions (idempotent)."""
    from django.contrib.auth.models import Group, Permission

    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        wanted = []
        for dotted in perms:
            app_label, codename = dotted.split(".", 1)
            perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if perm is not None:
                wanted.append(perm)
        group.permissions.set(wanted)


def user_roles(user) -> set[str]:
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_role_cache", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached.add(Role.ADMINISTRATOR)
        user._role_cache = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


# --- Who sees a main-menu link (exam_platform.common.navigation; each app's menu.py) -----------


def is_anonymous(user) -> bool:
    """The public menu: only for visitors who are not logged in."""
    return not getattr(user, "is_authenticated", False)


def is_candidate(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.is_candidate


def is_staff_user(user) -> bool:
    return getattr(user, "is_authenticated", False) and not user.is_candidate


def staff_with(*roles: str):
    """A predicate: a logged-in staff user holding any of `roles`."""

    def visible(user) -> bool:
        return is_staff_user(user) and has_role(user, *roles)

    return visible
