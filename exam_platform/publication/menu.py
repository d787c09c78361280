"""Main-menu links of publication (see exam_platform.common.navigation)."""

from django.utils.translation import gettext_lazy as _

from exam_platform.accounts.roles import Role, is_anonymous, is_candidate, staff_with
from exam_platform.common.navigation import NavLink, register

register(
    NavLink(_("ประกาศผลสอบ"), "publication:lists", 10, is_anonymous),
    NavLink(_("ตรวจสอบเอกสาร"), "publication:verify", 20, is_anonymous),
    NavLink(_("ผลสอบ"), "publication:results", 20, is_candidate),
    NavLink(
        _("ประกาศผล"), "publication:officer_index", 220, staff_with(Role.EXAM_OFFICER, Role.ADMINISTRATOR)
    ),
)
