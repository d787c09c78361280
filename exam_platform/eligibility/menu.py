"""Main-menu links of eligibility lists (see exam_platform.common.navigation)."""

from django.utils.translation import gettext_lazy as _

from exam_platform.accounts.roles import Role, is_candidate, staff_with
from exam_platform.common.navigation import NavLink, register

register(
    NavLink(_("รายงานตัว"), "eligibility:my_calls", 30, is_candidate),
    NavLink(
        _("บัญชีผู้สอบได้"), "eligibility:officer_index", 230, staff_with(Role.EXAM_OFFICER, Role.ADMINISTRATOR)
    ),
)
